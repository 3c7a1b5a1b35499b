//===- TmaRulesTest.cpp - Tests of the cuTensorMapEncodeTiled rules -------===//

#include "attn/Support/TmaRules.h"

#include "gtest/gtest.h"

#include <set>

using namespace attn::tma;

namespace {

constexpr uint64_t k2To32 = uint64_t(1) << 32;
constexpr uint64_t k2To40 = uint64_t(1) << 40;

/// A legal bf16 K-cache-like tensor: [pages=100][heads=8][dim=128], innermost
/// first, one 64 x 8 x 1 box with 128B swizzle.
TensorMapSpec legalSpec() {
  TensorMapSpec spec;
  spec.elemType = ElemType::BFloat16;
  spec.target = Target::SM90;
  spec.globalDims = {Fact::exact(128), Fact::exact(8), Fact::exact(100)};
  spec.globalStrides = {Fact::exact(1), Fact::exact(128), Fact::exact(1024)};
  spec.globalAddress = Fact::exact(0x7f0000000000);
  spec.boxDims = {64, 8, 1};
  spec.elementStrides = {1, 1, 1};
  spec.swizzle = Swizzle::B128;
  return spec;
}

/// A rank-`rank` bf16 tensor, 8 x 8 x ... with packed strides, no swizzle.
TensorMapSpec specOfRank(unsigned rank) {
  TensorMapSpec spec;
  uint64_t stride = 1;
  for (unsigned i = 0; i < rank; ++i) {
    spec.globalDims.push_back(Fact::exact(8));
    spec.globalStrides.push_back(Fact::exact(stride));
    spec.boxDims.push_back(8);
    stride *= 8;
  }
  spec.globalAddress = Fact::multipleOf(256);
  return spec;
}

/// A legal packed spec on sm_100: [64][256] values, 32-byte strides.
TensorMapSpec packedSpec(ElemType type) {
  TensorMapSpec spec;
  spec.elemType = type;
  spec.target = Target::SM100;
  spec.globalDims = {Fact::exact(256), Fact::exact(64)};
  spec.globalStrides = {Fact::exact(1), Fact::exact(256)};
  spec.globalAddress = Fact::multipleOf(32);
  spec.boxDims = {128, 8};
  return spec;
}

/// Status of the instance of `rule` for `dim`; fails if it does not apply.
Status statusOf(const TensorMapSpec &spec, RuleId rule, int dim = -1) {
  CheckResult result = checkTensorMap(spec);
  const RuleCheck *check = result.find(rule, dim);
  EXPECT_NE(check, nullptr)
      << ruleName(rule) << " dim " << dim << " not checked:\n"
      << describe(result);
  return check ? check->status : Status::Unknown;
}

std::string messageOf(const TensorMapSpec &spec, RuleId rule, int dim = -1) {
  const CheckResult result = checkTensorMap(spec);
  const RuleCheck *check = result.find(rule, dim);
  return check ? check->message : "<not checked>";
}

/// The expected result of encodedGlobalStrides.
std::optional<std::vector<uint64_t>>
byteStrides(std::initializer_list<uint64_t> bytes) {
  return std::vector<uint64_t>(bytes);
}

bool applies(const TensorMapSpec &spec, RuleId rule, int dim = -1) {
  return checkTensorMap(spec).find(rule, dim) != nullptr;
}

constexpr Status Holds = Status::Holds;
constexpr Status Violated = Status::Violated;
constexpr Status Unknown = Status::Unknown;

} // namespace

//===----------------------------------------------------------------------===//
// Element types and names
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, ElementTypes) {
  EXPECT_EQ(elemBits(ElemType::UInt8), 8u);
  EXPECT_EQ(elemBits(ElemType::BFloat16), 16u);
  EXPECT_EQ(elemBits(ElemType::TFloat32), 32u);
  EXPECT_EQ(elemBits(ElemType::Int64), 64u);
  EXPECT_EQ(elemBits(ElemType::U4x16Align8B), 4u);
  EXPECT_EQ(elemBits(ElemType::U4x16Align16B), 4u);
  EXPECT_EQ(elemBits(ElemType::U6x16Align16B), 6u);
  EXPECT_TRUE(isFloat(ElemType::BFloat16));
  EXPECT_TRUE(isFloat(ElemType::TFloat32Ftz));
  EXPECT_FALSE(isFloat(ElemType::UInt8));
  EXPECT_FALSE(isFloat(ElemType::U4x16Align8B));
  EXPECT_TRUE(isPacked(ElemType::U4x16Align8B));
  EXPECT_FALSE(isPacked(ElemType::UInt8));
  EXPECT_TRUE(needs32ByteAlign(ElemType::U4x16Align16B));
  EXPECT_TRUE(needs32ByteAlign(ElemType::U6x16Align16B));
  EXPECT_FALSE(needs32ByteAlign(ElemType::U4x16Align8B));
  EXPECT_STREQ(elemTypeName(ElemType::BFloat16), "bf16");
  EXPECT_STREQ(elemTypeName(ElemType::Float16), "f16");
  EXPECT_STREQ(elemTypeName(ElemType::UInt8), "u8");
  EXPECT_STREQ(elemTypeName(ElemType::U6x16Align16B), "u6x16-align16b");
  EXPECT_EQ(swizzleSpanBytes(Swizzle::None), 0u);
  EXPECT_EQ(swizzleSpanBytes(Swizzle::B64), 64u);
  EXPECT_EQ(swizzleSpanBytes(Swizzle::B128Atom64B), 128u);
}

TEST(TmaRulesTest, RuleNamesAreUniqueAndRoundTrip) {
  std::set<std::string> names;
  for (RuleId rule : allRules()) {
    std::string name = ruleName(rule);
    EXPECT_FALSE(name.empty());
    EXPECT_FALSE(std::string(ruleDescription(rule)).empty()) << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate rule name " << name;
    EXPECT_EQ(ruleFromName(name), rule) << name;
  }
  EXPECT_EQ(names.size(), size_t(RuleId::BoxBytesMax) + 1);
  EXPECT_EQ(ruleFromName("no-such-rule"), std::nullopt);
  EXPECT_STREQ(ruleName(RuleId::GlobalStrideAlign), "global-stride-align");
  EXPECT_STREQ(ruleName(RuleId::PackedAlign16BBox), "packed-align16b-box");
}

TEST(TmaRulesTest, Facts) {
  EXPECT_EQ(Fact::exact(7).exactValue(), 7u);
  EXPECT_EQ(Fact::unknown().exactValue(), std::nullopt);
  EXPECT_EQ(Fact::unknown().atLeast(5).atMost(5).exactValue(), 5u);
  EXPECT_EQ(Fact::multipleOf(0).divisor, 1u);
  EXPECT_TRUE(Fact::unknown().mayBe(1));
  EXPECT_FALSE(Fact::multipleOf(2).mayBe(1));
  EXPECT_FALSE(Fact::unknown().atLeast(2).mayBe(1));
  EXPECT_FALSE(Fact::unknown().atMost(8).mayBe(9));
  EXPECT_TRUE(Fact::exact(1).mayBe(1));
  EXPECT_FALSE(Fact::exact(2).mayBe(1));
  EXPECT_EQ(Fact::unknown().atMost(8).atMost(16).upperBound, 8u);
}

//===----------------------------------------------------------------------===//
// A legal spec and the shape of results
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, LegalSpecIsProven) {
  CheckResult result = checkTensorMap(legalSpec());
  EXPECT_TRUE(result.isLegal()) << describe(result);
  EXPECT_FALSE(result.hasViolations());
  EXPECT_TRUE(result.violations().empty());
  EXPECT_TRUE(result.deferred().empty());
  EXPECT_EQ(result.proven().size(), result.checks().size());
  // Every per-dim rule has an instance per dim.
  for (int dim = 0; dim < 3; ++dim) {
    EXPECT_NE(result.find(RuleId::GlobalDimRange, dim), nullptr);
    EXPECT_NE(result.find(RuleId::BoxDimRange, dim), nullptr);
    EXPECT_NE(result.find(RuleId::ElementStrideRange, dim), nullptr);
  }
  EXPECT_NE(result.find(RuleId::InnerStrideUnit, 0), nullptr);
  EXPECT_EQ(result.find(RuleId::GlobalStrideAlign, 0), nullptr);
  EXPECT_NE(result.find(RuleId::GlobalStrideAlign, 2), nullptr);
  // Rules that do not apply have no instance.
  EXPECT_EQ(result.find(RuleId::PackedTarget), nullptr);
  EXPECT_EQ(result.find(RuleId::InterleaveRank), nullptr);
  EXPECT_EQ(result.find(RuleId::OobNanFloat), nullptr);
  std::optional<std::vector<uint64_t>> strides =
      encodedGlobalStrides(legalSpec());
  ASSERT_TRUE(strides.has_value());
  EXPECT_EQ(*strides, (std::vector<uint64_t>{256, 2048}));
}

TEST(TmaRulesTest, ArraySizesMismatchIsReportedAlone) {
  TensorMapSpec spec = legalSpec();
  spec.boxDims = {64, 8};
  CheckResult result = checkTensorMap(spec);
  ASSERT_EQ(result.checks().size(), 1u);
  EXPECT_EQ(result.checks()[0].rule, RuleId::ArraySizes);
  EXPECT_EQ(result.checks()[0].status, Violated);
  EXPECT_EQ(result.checks()[0].message,
            "box dims must have one entry per dim (3), got 2");
  spec = legalSpec();
  spec.elementStrides.clear(); // Empty means all ones.
  EXPECT_EQ(statusOf(spec, RuleId::ArraySizes), Holds);
  EXPECT_EQ(statusOf(spec, RuleId::ElementStrideRange, 0), Holds);
}

//===----------------------------------------------------------------------===//
// Rank and interleave
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, Rank) {
  EXPECT_EQ(statusOf(specOfRank(1), RuleId::Rank), Holds);
  EXPECT_EQ(statusOf(specOfRank(5), RuleId::Rank), Holds);
  EXPECT_TRUE(checkTensorMap(specOfRank(5)).isLegal());
  EXPECT_EQ(statusOf(specOfRank(6), RuleId::Rank), Violated);
  EXPECT_EQ(messageOf(specOfRank(6), RuleId::Rank),
            "rank must be in [1, 5], got 6");
  EXPECT_EQ(statusOf(specOfRank(0), RuleId::Rank), Violated);
  EXPECT_EQ(checkTensorMap(specOfRank(0)).violations().size(), 1u);
}

TEST(TmaRulesTest, InterleaveRank) {
  TensorMapSpec spec = specOfRank(3);
  spec.interleave = Interleave::B16;
  EXPECT_EQ(statusOf(spec, RuleId::InterleaveRank), Holds);
  EXPECT_TRUE(checkTensorMap(spec).isLegal());
  spec = specOfRank(2);
  spec.interleave = Interleave::B16;
  EXPECT_EQ(statusOf(spec, RuleId::InterleaveRank), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::InterleaveRank),
            "rank must be at least 3 with interleave 16b, got 2");
}

TEST(TmaRulesTest, Interleave32BNeedsSwizzle32BAnd32ByteAlignment) {
  TensorMapSpec spec = specOfRank(3);
  spec.interleave = Interleave::B32;
  spec.swizzle = Swizzle::B32;
  spec.globalStrides = {Fact::exact(1), Fact::exact(16), Fact::exact(128)};
  spec.globalAddress = Fact::exact(0x1020);
  EXPECT_TRUE(checkTensorMap(spec).isLegal()) << describe(checkTensorMap(spec));
  EXPECT_EQ(requiredAlignment(spec), 32u);

  TensorMapSpec bad = spec;
  bad.swizzle = Swizzle::B128;
  EXPECT_EQ(statusOf(bad, RuleId::InterleaveSwizzle), Violated);
  EXPECT_EQ(messageOf(bad, RuleId::InterleaveSwizzle),
            "interleave 32b requires swizzle 32b, got swizzle 128b");
  // The swizzle span rule only applies without interleave; the 16-byte
  // inner box applies with interleave too (the driver refuses 2- to 8-byte
  // inner boxes under 16B interleave: TmaDriverDiff, H200, driver 580).
  EXPECT_FALSE(applies(bad, RuleId::SwizzleSpan, 0));
  EXPECT_TRUE(applies(bad, RuleId::BoxInnerBytes, 0));
  TensorMapSpec narrow = spec;
  narrow.interleave = Interleave::B16;
  narrow.swizzle = Swizzle::None;
  narrow.boxDims[0] = 1; // 2 bytes
  EXPECT_EQ(statusOf(narrow, RuleId::BoxInnerBytes, 0), Violated);

  bad = spec;
  bad.globalAddress = Fact::exact(0x1010);
  EXPECT_EQ(statusOf(bad, RuleId::GlobalAddressAlign), Violated);
  EXPECT_EQ(messageOf(bad, RuleId::GlobalAddressAlign),
            "global address must be aligned to 32 bytes with interleave 32b, "
            "got 0x1010");
  bad = spec;
  bad.globalStrides[1] = Fact::exact(8); // 16 bytes
  EXPECT_EQ(statusOf(bad, RuleId::GlobalStrideAlign, 1), Violated);
  bad.globalStrides[1] = Fact::exact(16); // 32 bytes
  EXPECT_EQ(statusOf(bad, RuleId::GlobalStrideAlign, 1), Holds);
}

//===----------------------------------------------------------------------===//
// Global address, extents and strides
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, GlobalAddressAlign) {
  TensorMapSpec spec = legalSpec();
  spec.globalAddress = Fact::exact(0x1010);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalAddressAlign), Holds);
  spec.globalAddress = Fact::exact(0x1008);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalAddressAlign), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::GlobalAddressAlign),
            "global address must be aligned to 16 bytes, got 0x1008");
  spec.globalAddress = Fact::multipleOf(16);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalAddressAlign), Holds);
  spec.globalAddress = Fact::multipleOf(8);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalAddressAlign), Unknown);
  spec.globalAddress = Fact::unknown();
  EXPECT_EQ(statusOf(spec, RuleId::GlobalAddressAlign), Unknown);
}

TEST(TmaRulesTest, GlobalDimRange) {
  TensorMapSpec spec = legalSpec();
  spec.globalDims[2] = Fact::exact(k2To32);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalDimRange, 2), Holds);
  spec.globalDims[2] = Fact::exact(k2To32 + 1);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalDimRange, 2), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::GlobalDimRange, 2),
            "extent of dim 2 must be in [1, 2^32], got 4294967297");
  spec.globalDims[2] = Fact::exact(0);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalDimRange, 2), Violated);
  spec.globalDims[2] = Fact::unknown();
  EXPECT_EQ(statusOf(spec, RuleId::GlobalDimRange, 2), Unknown);
  spec.globalDims[2] = Fact::unknown().atLeast(1).atMost(1 << 20);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalDimRange, 2), Holds);
  spec.globalDims[2] = Fact::unknown().atLeast(k2To32 + 1);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalDimRange, 2), Violated);
}

TEST(TmaRulesTest, InnerStrideUnit) {
  TensorMapSpec spec = legalSpec();
  EXPECT_EQ(statusOf(spec, RuleId::InnerStrideUnit, 0), Holds);
  spec.globalStrides[0] = Fact::exact(2);
  EXPECT_EQ(statusOf(spec, RuleId::InnerStrideUnit, 0), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::InnerStrideUnit, 0),
            "global stride of dim 0 must be 1 element, got 2 elements "
            "(4 bytes)");
  spec.globalStrides[0] = Fact::unknown();
  EXPECT_EQ(statusOf(spec, RuleId::InnerStrideUnit, 0), Unknown);
}

TEST(TmaRulesTest, GlobalStrideAlign) {
  TensorMapSpec spec = legalSpec();
  spec.globalStrides[1] = Fact::exact(8); // 16 bytes
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 1), Holds);
  spec.globalStrides[1] = Fact::exact(4); // 8 bytes
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 1), Violated);
  spec.globalStrides[1] = Fact::exact(100);
  CheckResult result = checkTensorMap(spec);
  const RuleCheck *check = result.find(RuleId::GlobalStrideAlign, 1);
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->status, Violated);
  EXPECT_EQ(check->value, 200u);
  EXPECT_EQ(check->limit, 16u);
  EXPECT_NE(check->message.find("200 bytes"), std::string::npos);
  EXPECT_NE(check->message.find("100 x bf16"), std::string::npos);
  EXPECT_NE(check->message.find("dim 1"), std::string::npos);
  EXPECT_EQ(describe(*check),
            "violated global-stride-align: global stride of dim 1 must be a "
            "multiple of 16 bytes, got 200 bytes (100 x bf16)");
  ASSERT_EQ(result.violations().size(), 1u);
  EXPECT_FALSE(result.isLegal());
  EXPECT_EQ(encodedGlobalStrides(spec), byteStrides({200, 2048}));
}

TEST(TmaRulesTest, GlobalStrideMax) {
  TensorMapSpec spec = legalSpec();
  spec.globalStrides[2] = Fact::exact((k2To40 - 16) / 2);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideMax, 2), Holds);
  EXPECT_TRUE(checkTensorMap(spec).isLegal());
  spec.globalStrides[2] = Fact::exact(k2To40 / 2);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideMax, 2), Violated);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 2), Holds);
  EXPECT_EQ(messageOf(spec, RuleId::GlobalStrideMax, 2),
            "global stride of dim 2 must be less than 2^40 bytes, got "
            "1099511627776 bytes (549755813888 x bf16)");
  // No overflow on absurd strides: 2^63 elements of 8 bytes.
  spec.elemType = ElemType::Float64;
  spec.globalStrides[2] = Fact::exact(uint64_t(1) << 63);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideMax, 2), Violated);
}

TEST(TmaRulesTest, UnknownStridesAreDeferredOrProvenByFacts) {
  TensorMapSpec spec = legalSpec();
  spec.globalStrides[2] = Fact::unknown();
  CheckResult result = checkTensorMap(spec);
  EXPECT_EQ(result.find(RuleId::GlobalStrideAlign, 2)->status, Unknown);
  EXPECT_EQ(result.find(RuleId::GlobalStrideMax, 2)->status, Unknown);
  EXPECT_FALSE(result.isLegal());
  EXPECT_FALSE(result.hasViolations());
  EXPECT_EQ(result.deferred().size(), 2u);
  EXPECT_EQ(result.find(RuleId::GlobalStrideAlign, 2)->message,
            "global stride of dim 2 must be a multiple of 16 bytes, got an "
            "unknown stride");

  // A multiple of 8 bf16 elements is a multiple of 16 bytes.
  spec.globalStrides[2] = Fact::multipleOf(8);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 2), Holds);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideMax, 2), Unknown);
  spec.globalStrides[2] = Fact::multipleOf(8).atMost(1 << 20);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideMax, 2), Holds);
  EXPECT_TRUE(checkTensorMap(spec).isLegal());
  EXPECT_EQ(encodedGlobalStrides(spec), std::nullopt);
  spec.globalStrides[2] = Fact::multipleOf(4);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 2), Unknown);
  EXPECT_EQ(messageOf(spec, RuleId::GlobalStrideAlign, 2),
            "global stride of dim 2 must be a multiple of 16 bytes, got an "
            "unknown stride (multiple of 4 x bf16 = 8 bytes)");
  spec.globalStrides[2] = Fact::unknown().atLeast(uint64_t(1) << 39);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideMax, 2), Violated);
  // Bounds that pin the value make it exact.
  spec.globalStrides[2] = Fact::unknown().atLeast(100).atMost(100);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 2), Violated);
}

TEST(TmaRulesTest, StrideOfDimThatMayBeUnitIsDeferred) {
  TensorMapSpec spec = legalSpec();
  spec.globalDims[1] = Fact::unknown();
  spec.globalStrides[1] = Fact::exact(100);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 1), Unknown);
  EXPECT_NE(messageOf(spec, RuleId::GlobalStrideAlign, 1)
                .find("deferred: dim 1 may have extent 1"),
            std::string::npos);
  spec.globalDims[1] = Fact::unknown().atLeast(2);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 1), Violated);
  spec.globalDims[1] = Fact::multipleOf(2);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 1), Violated);
}

//===----------------------------------------------------------------------===//
// Size-1 dims
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, UnitDimGarbageStrideIsNormalized) {
  // num_kv_heads = 1 with a garbage head stride (flashinfer#2232).
  TensorMapSpec spec = legalSpec();
  spec.globalDims[1] = Fact::exact(1);
  spec.globalStrides[1] = Fact::exact(7);
  spec.boxDims[1] = 1;
  TensorMapSpec norm = normalizeUnitDims(spec);
  EXPECT_EQ(norm.globalStrides[1].exactValue(), 128u);
  EXPECT_EQ(norm.globalStrides[2].exactValue(), 1024u);
  EXPECT_TRUE(checkTensorMap(spec).isLegal()) << describe(checkTensorMap(spec));
  EXPECT_EQ(encodedGlobalStrides(spec), byteStrides({256, 2048}));

  // An unaligned packed stride is rounded up to 16 bytes.
  spec.globalDims[0] = Fact::exact(100);
  spec.globalStrides[2] = Fact::exact(112);
  EXPECT_EQ(normalizeUnitDims(spec).globalStrides[1].exactValue(), 104u);
  EXPECT_TRUE(checkTensorMap(spec).isLegal()) << describe(checkTensorMap(spec));

  // A huge garbage stride, and a size-1 innermost dim.
  spec = legalSpec();
  spec.globalDims[2] = Fact::exact(1);
  spec.globalStrides[2] = Fact::exact(uint64_t(1) << 62);
  spec.globalStrides[0] = Fact::exact(3);
  spec.globalDims[0] = Fact::exact(1);
  spec.boxDims[0] = 8;
  norm = normalizeUnitDims(spec);
  EXPECT_EQ(norm.globalStrides[0].exactValue(), 1u);
  EXPECT_EQ(norm.globalStrides[2].exactValue(), 1024u);
  EXPECT_EQ(norm.globalStrides[1].exactValue(), 128u); // Not size 1: kept.
  EXPECT_TRUE(checkTensorMap(spec).isLegal()) << describe(checkTensorMap(spec));

  // A packed stride of 2^42 bytes would break the limit: use 16 bytes.
  spec = legalSpec();
  spec.globalDims = {Fact::exact(uint64_t(1) << 31), Fact::exact(1024),
                     Fact::exact(1)};
  spec.globalStrides = {Fact::exact(1), Fact::exact(uint64_t(1) << 31),
                        Fact::exact(5)};
  EXPECT_EQ(normalizeUnitDims(spec).globalStrides[2].exactValue(), 8u);
  EXPECT_TRUE(checkTensorMap(spec).isLegal()) << describe(checkTensorMap(spec));
}

TEST(TmaRulesTest, UnitDimWithUnknownNeighbourStaysProvable) {
  TensorMapSpec spec = legalSpec();
  spec.globalDims = {Fact::exact(128), Fact::exact(1),
                     Fact::unknown().atLeast(1).atMost(1 << 24)};
  spec.globalStrides = {Fact::exact(1), Fact::unknown(),
                        Fact::multipleOf(8).atMost(1 << 30)};
  spec.boxDims = {64, 1, 1};
  // Inner extent unknown: the canonical stride is a Fact, still legal.
  spec.globalDims[0] = Fact::multipleOf(4).atLeast(64).atMost(1020);
  TensorMapSpec norm = normalizeUnitDims(spec);
  const Fact &stride = norm.globalStrides[1];
  EXPECT_FALSE(stride.exactValue().has_value());
  EXPECT_EQ(stride.divisor, 8u);
  EXPECT_EQ(stride.upperBound, 1024u);
  CheckResult result = checkTensorMap(spec);
  EXPECT_EQ(result.find(RuleId::GlobalStrideAlign, 1)->status, Holds);
  EXPECT_EQ(result.find(RuleId::GlobalStrideMax, 1)->status, Holds);
  EXPECT_TRUE(result.isLegal()) << describe(result);

  // With no bound at all the canonical stride still stays below 2^40 bytes.
  spec.globalDims[0] = Fact::unknown().atLeast(1).atMost(k2To32);
  result = checkTensorMap(spec);
  EXPECT_EQ(result.find(RuleId::GlobalStrideMax, 1)->status, Holds);
  EXPECT_EQ(result.find(RuleId::GlobalStrideAlign, 1)->status, Holds);
}

//===----------------------------------------------------------------------===//
// Box and element strides
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, BoxDimRange) {
  TensorMapSpec spec = legalSpec();
  spec.boxDims[1] = 256;
  EXPECT_EQ(statusOf(spec, RuleId::BoxDimRange, 1), Holds);
  spec.boxDims[1] = 257;
  EXPECT_EQ(statusOf(spec, RuleId::BoxDimRange, 1), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::BoxDimRange, 1),
            "box extent of dim 1 must be in [1, 256], got 257");
  spec.boxDims[1] = 0;
  EXPECT_EQ(statusOf(spec, RuleId::BoxDimRange, 1), Violated);
}

TEST(TmaRulesTest, BoxInnerBytes) {
  TensorMapSpec spec = legalSpec();
  spec.swizzle = Swizzle::None;
  spec.boxDims[0] = 8; // 16 bytes
  EXPECT_EQ(statusOf(spec, RuleId::BoxInnerBytes, 0), Holds);
  spec.boxDims[0] = 4; // 8 bytes
  EXPECT_EQ(statusOf(spec, RuleId::BoxInnerBytes, 0), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::BoxInnerBytes, 0),
            "box extent of dim 0 must span a multiple of 16 bytes, got 8 "
            "bytes (4 x bf16)");
}

TEST(TmaRulesTest, SwizzleSpan) {
  TensorMapSpec spec = legalSpec();
  spec.boxDims[0] = 64; // 128 bytes
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleSpan, 0), Holds);
  spec.boxDims[0] = 128; // 256 bytes
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleSpan, 0), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::SwizzleSpan, 0),
            "box extent of dim 0 must span at most 128 bytes with swizzle "
            "128b, got 256 bytes (128 x bf16)");
  spec.swizzle = Swizzle::B64;
  spec.boxDims[0] = 32; // 64 bytes
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleSpan, 0), Holds);
  spec.boxDims[0] = 64; // 128 bytes
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleSpan, 0), Violated);
  spec.swizzle = Swizzle::B32;
  spec.boxDims[0] = 16; // 32 bytes
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleSpan, 0), Holds);
  spec.boxDims[0] = 24; // 48 bytes
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleSpan, 0), Violated);
  spec.swizzle = Swizzle::None;
  EXPECT_FALSE(applies(spec, RuleId::SwizzleSpan, 0));
}

TEST(TmaRulesTest, ElementStrideRange) {
  TensorMapSpec spec = legalSpec();
  spec.elementStrides[2] = 8;
  EXPECT_EQ(statusOf(spec, RuleId::ElementStrideRange, 2), Holds);
  spec.elementStrides[2] = 9;
  EXPECT_EQ(statusOf(spec, RuleId::ElementStrideRange, 2), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::ElementStrideRange, 2),
            "element stride of dim 2 must be in [1, 8], got 9");
  spec.elementStrides[2] = 0;
  EXPECT_EQ(statusOf(spec, RuleId::ElementStrideRange, 2), Violated);
}

TEST(TmaRulesTest, AtomSwizzlesNeedSm100) {
  TensorMapSpec spec = legalSpec();
  spec.swizzle = Swizzle::B128Atom32B;
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleTarget), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::SwizzleTarget),
            "swizzle 128b-atom-32b requires sm_100a, got sm_90a");
  spec.target = Target::SM100;
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleTarget), Holds);
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleSpan, 0), Holds);
  spec.boxDims[0] = 72; // 144 bytes
  EXPECT_EQ(statusOf(spec, RuleId::SwizzleSpan, 0), Violated);
  spec.swizzle = Swizzle::B128;
  EXPECT_FALSE(applies(spec, RuleId::SwizzleTarget));
}

//===----------------------------------------------------------------------===//
// Packed sm_100 types
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, PackedTypesNeedSm100) {
  for (ElemType type : {ElemType::U4x16Align8B, ElemType::U4x16Align16B,
                        ElemType::U6x16Align16B}) {
    TensorMapSpec spec = packedSpec(type);
    EXPECT_TRUE(checkTensorMap(spec).isLegal())
        << describe(checkTensorMap(spec));
    EXPECT_EQ(statusOf(spec, RuleId::PackedTarget), Holds);
    spec.target = Target::SM90;
    EXPECT_EQ(statusOf(spec, RuleId::PackedTarget), Violated);
  }
  TensorMapSpec spec = packedSpec(ElemType::U4x16Align8B);
  spec.target = Target::SM90;
  EXPECT_EQ(messageOf(spec, RuleId::PackedTarget),
            "element type u4x16-align8b requires sm_100a, got sm_90a");
  EXPECT_FALSE(applies(legalSpec(), RuleId::PackedTarget));
}

TEST(TmaRulesTest, PackedAlign16B) {
  TensorMapSpec spec = packedSpec(ElemType::U4x16Align16B);
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign16BDim, 0), Holds);
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign16BBox, 0), Holds);
  spec.globalDims[0] = Fact::exact(128);
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign16BDim, 0), Holds);
  spec.globalDims[0] = Fact::exact(64);
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign16BDim, 0), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::PackedAlign16BDim, 0),
            "extent of dim 0 must be a multiple of 128 for u4x16-align16b, "
            "got 64");
  spec.globalDims[0] = Fact::multipleOf(128);
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign16BDim, 0), Holds);
  spec.globalDims[0] = Fact::multipleOf(64);
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign16BDim, 0), Unknown);

  spec = packedSpec(ElemType::U4x16Align16B);
  spec.boxDims[0] = 64;
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign16BBox, 0), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::PackedAlign16BBox, 0),
            "box extent of dim 0 must be 128 for u4x16-align16b, got 64");

  // 32-byte address and strides.
  spec = packedSpec(ElemType::U4x16Align16B);
  spec.globalAddress = Fact::exact(0x2010);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalAddressAlign), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::GlobalAddressAlign),
            "global address must be aligned to 32 bytes for u4x16-align16b, "
            "got 0x2010");
  spec.globalAddress = Fact::exact(0x2020);
  EXPECT_EQ(statusOf(spec, RuleId::GlobalAddressAlign), Holds);
  spec.globalStrides[1] = Fact::exact(32); // 16 bytes
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 1), Violated);
  spec.globalStrides[1] = Fact::exact(64); // 32 bytes
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 1), Holds);
  EXPECT_FALSE(applies(spec, RuleId::PackedAlign8BDim, 0));
}

TEST(TmaRulesTest, PackedAlign8BDimEven) {
  TensorMapSpec spec = packedSpec(ElemType::U4x16Align8B);
  spec.globalDims[0] = Fact::exact(254);
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign8BDim, 0), Holds);
  spec.globalDims[0] = Fact::exact(255);
  EXPECT_EQ(statusOf(spec, RuleId::PackedAlign8BDim, 0), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::PackedAlign8BDim, 0),
            "extent of dim 0 must be even for u4x16-align8b, got 255");
  EXPECT_FALSE(applies(spec, RuleId::PackedAlign16BDim, 0));
  EXPECT_FALSE(applies(spec, RuleId::PackedAlign16BBox, 0));
  // 16-byte rules, in 4-bit units: 32 values per 16 bytes.
  EXPECT_EQ(requiredAlignment(spec), 16u);
  spec.boxDims[0] = 32;
  EXPECT_EQ(statusOf(spec, RuleId::BoxInnerBytes, 0), Holds);
  spec.boxDims[0] = 16;
  EXPECT_EQ(statusOf(spec, RuleId::BoxInnerBytes, 0), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::BoxInnerBytes, 0),
            "box extent of dim 0 must span a multiple of 16 bytes, got 8 "
            "bytes (16 x u4)");
}

TEST(TmaRulesTest, PackedByteStride) {
  TensorMapSpec spec = packedSpec(ElemType::U4x16Align8B);
  EXPECT_EQ(statusOf(spec, RuleId::PackedByteStride, 1), Holds);
  spec.globalStrides[1] = Fact::exact(101);
  EXPECT_EQ(statusOf(spec, RuleId::PackedByteStride, 1), Violated);
  std::string message = messageOf(spec, RuleId::PackedByteStride, 1);
  EXPECT_NE(message.find("50.5 bytes (101 x u4)"), std::string::npos)
      << message;
  EXPECT_EQ(statusOf(spec, RuleId::GlobalStrideAlign, 1), Violated);
  EXPECT_EQ(encodedGlobalStrides(spec), std::nullopt);

  // 16 x u6 = 12 bytes: 128 values = 96 bytes is a 32-byte multiple.
  spec = packedSpec(ElemType::U6x16Align16B);
  spec.globalStrides[1] = Fact::exact(128);
  EXPECT_TRUE(checkTensorMap(spec).isLegal()) << describe(checkTensorMap(spec));
  EXPECT_EQ(encodedGlobalStrides(spec), byteStrides({96}));
  spec.globalStrides[1] = Fact::exact(130); // 97.5 bytes
  EXPECT_EQ(statusOf(spec, RuleId::PackedByteStride, 1), Violated);
  EXPECT_NE(messageOf(spec, RuleId::PackedByteStride, 1).find("97.5 bytes"),
            std::string::npos);
  EXPECT_FALSE(applies(legalSpec(), RuleId::PackedByteStride, 1));
}

TEST(TmaRulesTest, PackedInterleaveAndSwizzle) {
  TensorMapSpec spec = packedSpec(ElemType::U6x16Align16B);
  EXPECT_EQ(statusOf(spec, RuleId::PackedInterleave), Holds);
  spec.interleave = Interleave::B16;
  EXPECT_EQ(statusOf(spec, RuleId::PackedInterleave), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::PackedInterleave),
            "element type u6x16-align16b requires interleave none, got "
            "interleave 16b");
  EXPECT_FALSE(
      applies(packedSpec(ElemType::U4x16Align16B), RuleId::PackedInterleave));

  spec = packedSpec(ElemType::U6x16Align16B);
  for (Swizzle swizzle : {Swizzle::None, Swizzle::B128, Swizzle::B128Atom32B,
                          Swizzle::B128Atom64B}) {
    spec.swizzle = swizzle;
    EXPECT_EQ(statusOf(spec, RuleId::PackedSwizzle), Holds)
        << swizzleName(swizzle);
  }
  spec.swizzle = Swizzle::B64;
  EXPECT_EQ(statusOf(spec, RuleId::PackedSwizzle), Violated);
  spec.swizzle = Swizzle::B128Atom32BFlip8B;
  EXPECT_EQ(statusOf(spec, RuleId::PackedSwizzle), Violated);

  spec = packedSpec(ElemType::U4x16Align16B);
  spec.swizzle = Swizzle::B128;
  EXPECT_EQ(statusOf(spec, RuleId::PackedSwizzle), Holds);
  spec.swizzle = Swizzle::B128Atom64B;
  EXPECT_EQ(statusOf(spec, RuleId::PackedSwizzle), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::PackedSwizzle),
            "element type u4x16-align16b supports swizzle none, 128b or "
            "128b-atom-32b, got swizzle 128b-atom-64b");
  EXPECT_FALSE(
      applies(packedSpec(ElemType::U4x16Align8B), RuleId::PackedSwizzle));
}

//===----------------------------------------------------------------------===//
// Out-of-bounds fill
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, NanFillNeedsFloat) {
  TensorMapSpec spec = legalSpec();
  spec.oobFill = OobFill::NanRequestZeroFma;
  EXPECT_EQ(statusOf(spec, RuleId::OobNanFloat), Holds);
  spec.elemType = ElemType::UInt8;
  spec.boxDims[0] = 128; // keep 128 bytes
  EXPECT_EQ(statusOf(spec, RuleId::OobNanFloat), Violated);
  EXPECT_EQ(messageOf(spec, RuleId::OobNanFloat),
            "nan-request-zero-fma oob fill requires a float element type, "
            "got u8");
  TensorMapSpec packed = packedSpec(ElemType::U4x16Align8B);
  packed.oobFill = OobFill::NanRequestZeroFma;
  EXPECT_EQ(statusOf(packed, RuleId::OobNanFloat), Violated);
}

//===----------------------------------------------------------------------===//
// Box size (measured: TmaDriverDiff on an H200, driver 580)
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, BoxBytesAtMost228KiB) {
  auto spec = [](ElemType type, std::vector<uint32_t> box,
                 std::vector<uint32_t> steps = {1, 1, 1}) {
    TensorMapSpec s;
    s.elemType = type;
    s.globalDims = {Fact::exact(256), Fact::exact(256), Fact::exact(256)};
    s.globalStrides = {Fact::exact(1), Fact::exact(256), Fact::exact(65536)};
    s.globalAddress = Fact::exact(0x7f0000000000);
    s.boxDims = box;
    s.elementStrides = steps;
    return s;
  };
  // The driver's verdicts at the edge: accepted ...
  EXPECT_EQ(statusOf(spec(ElemType::UInt8, {16, 256, 57}), RuleId::BoxBytesMax),
            Holds); // 233472 bytes
  EXPECT_EQ(
      statusOf(spec(ElemType::BFloat16, {128, 64, 14}), RuleId::BoxBytesMax),
      Holds); // 229376 bytes
  // ... refused ...
  EXPECT_EQ(statusOf(spec(ElemType::UInt8, {16, 256, 58}), RuleId::BoxBytesMax),
            Violated); // 237568 bytes
  EXPECT_EQ(
      statusOf(spec(ElemType::Float32, {64, 256, 4}), RuleId::BoxBytesMax),
      Violated); // 262144 bytes
  EXPECT_EQ(
      messageOf(spec(ElemType::BFloat16, {128, 64, 15}), RuleId::BoxBytesMax),
      "a box must be at most 233472 bytes (228 KiB), got 245760 bytes "
      "(128 x 64 x 15 bf16)");
  // ... and element strides count: every second row of 256 x 256 x 4 u8.
  EXPECT_EQ(statusOf(spec(ElemType::UInt8, {256, 256, 4}, {1, 2, 1}),
                     RuleId::BoxBytesMax),
            Holds);
  EXPECT_EQ(statusOf(spec(ElemType::UInt8, {256, 256, 4}), RuleId::BoxBytesMax),
            Violated);
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

TEST(TmaRulesTest, DimLabelsAndDescribe) {
  TensorMapSpec spec = legalSpec();
  spec.dimLabels = {"dim 2 (head_dim)", "dim 1 (heads)", "dim 0 (pages)"};
  spec.globalStrides[1] = Fact::exact(100);
  spec.globalStrides[2] = Fact::unknown();
  CheckResult result = checkTensorMap(spec);
  EXPECT_EQ(result.find(RuleId::GlobalStrideAlign, 1)->message,
            "global stride of dim 1 (heads) must be a multiple of 16 bytes, "
            "got 200 bytes (100 x bf16)");
  std::string text = describe(result);
  EXPECT_NE(text.find("violated global-stride-align: global stride of dim 1 "
                      "(heads)"),
            std::string::npos);
  EXPECT_NE(text.find("deferred global-stride-max: global stride of dim 0 "
                      "(pages) must be less than 2^40 bytes"),
            std::string::npos);
  EXPECT_NE(text.find("proven rank: rank must be in [1, 5], got 3"),
            std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            long(result.checks().size()));
  spec.dimLabels = {"a"};
  EXPECT_EQ(statusOf(spec, RuleId::ArraySizes), Violated);
}
