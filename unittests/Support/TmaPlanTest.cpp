//===- TmaPlanTest.cpp - Tests for descriptor plans -------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/TmaPlan.h"

#include "gtest/gtest.h"

using namespace attn::tma;

namespace {

/// The GQA-folded q plan of a [T, H=32, D=128] bf16 query, group 4.
DescriptorPlan foldedQueryPlan() {
  DescriptorPlan plan;
  plan.elemType = ElemType::BFloat16;
  plan.dims = {Term::of(2), Term::constant(4), Term::constant(8), Term::of(0)};
  plan.strides = {Term::of(2), Term::of(1), Term::of(1, 4), Term::of(0)};
  plan.boxDims = {64, 4, 1, 1};
  plan.swizzle = Swizzle::B128;
  return plan;
}

MemRefFacts exactFacts(std::vector<uint64_t> sizes,
                       std::vector<uint64_t> strides, uint64_t address) {
  MemRefFacts facts;
  for (uint64_t s : sizes)
    facts.sizes.push_back(Fact::exact(s));
  for (uint64_t s : strides)
    facts.strides.push_back(Fact::exact(s));
  facts.address = Fact::exact(address);
  return facts;
}

TEST(TmaPlan, InstantiateFoldsGroupIntoStrides) {
  // Token stride 6144 (a slice of a fused qkv buffer), head stride 128.
  TensorMapSpec spec = instantiate(
      foldedQueryPlan(), exactFacts({5, 32, 128}, {6144, 128, 1}, 0x1000),
      Target::SM90);
  ASSERT_EQ(spec.rank(), 4u);
  EXPECT_EQ(spec.globalDims[0].exactValue(), 128u);
  EXPECT_EQ(spec.globalDims[1].exactValue(), 4u);
  EXPECT_EQ(spec.globalDims[2].exactValue(), 8u);
  EXPECT_EQ(spec.globalDims[3].exactValue(), 5u);
  EXPECT_EQ(spec.globalStrides[1].exactValue(), 128u);
  EXPECT_EQ(spec.globalStrides[2].exactValue(), 512u);
  EXPECT_EQ(spec.globalStrides[3].exactValue(), 6144u);
  EXPECT_TRUE(checkTensorMap(spec).isLegal());
}

TEST(TmaPlan, InstantiatedSpecCatchesBadStride) {
  // Head stride 132 elements = 264 bytes: not a 16-byte multiple.
  TensorMapSpec spec = instantiate(
      foldedQueryPlan(), exactFacts({5, 32, 128}, {8192, 132, 1}, 0x1000),
      Target::SM90);
  CheckResult result = checkTensorMap(spec);
  const RuleCheck *check = result.find(RuleId::GlobalStrideAlign, 1);
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->status, Status::Violated);
  EXPECT_EQ(check->value, 264u);
}

TEST(TmaPlan, ScaleFactKeepsDivisibility) {
  Fact f = scaleFact(Fact::multipleOf(8), 4);
  EXPECT_FALSE(f.exactValue().has_value());
  EXPECT_EQ(f.divisor, 32u);
  EXPECT_EQ(scaleFact(Fact::exact(3), 4).exactValue(), 12u);
  // Overflow gives up rather than wrapping.
  EXPECT_FALSE(scaleFact(Fact::exact(UINT64_MAX), 2).exactValue().has_value());
}

TEST(TmaPlan, StrideRequirementProvenViolatedOrDeferred) {
  DescriptorPlan plan;
  plan.requirements.push_back({2, 8, "rows contiguous"});
  MemRefFacts facts;
  facts.strides = {Fact::exact(2048), Fact::exact(128), Fact::exact(8),
                   Fact::exact(1)};
  EXPECT_EQ(checkRequirements(plan, facts)[0].status, Status::Holds);
  facts.strides[2] = Fact::exact(16);
  std::vector<RequirementCheck> bad = checkRequirements(plan, facts);
  EXPECT_EQ(bad[0].status, Status::Violated);
  EXPECT_NE(bad[0].message.find("got 16"), std::string::npos);
  facts.strides[2] = Fact::unknown();
  EXPECT_EQ(checkRequirements(plan, facts)[0].status, Status::Unknown);
  // A stride known to be a multiple of 16 can never be 8.
  facts.strides[2] = Fact::multipleOf(16);
  EXPECT_EQ(checkRequirements(plan, facts)[0].status, Status::Violated);
}

TEST(TmaPlan, DescribeNamesTermsAndBox) {
  std::string text = describe(foldedQueryPlan());
  EXPECT_EQ(text, "bf16 dims [size[2], 4, 8, size[0]] strides [stride[2], "
                  "stride[1], 4 * stride[1], stride[0]] box [64, 4, 1, 1] "
                  "swizzle 128b");
}

TEST(TmaPlan, DescribeShowsOnlyNonDefaultTraversal) {
  DescriptorPlan plan = foldedQueryPlan();
  plan.elementStrides = {1, 2, 1, 1};
  plan.interleave = Interleave::B32;
  plan.swizzle = Swizzle::B32;
  plan.oobFill = OobFill::NanRequestZeroFma;
  EXPECT_EQ(describe(plan),
            "bf16 dims [size[2], 4, 8, size[0]] strides [stride[2], "
            "stride[1], 4 * stride[1], stride[0]] box [64, 4, 1, 1] "
            "element strides [1, 2, 1, 1] interleave 32b swizzle 32b oob fill "
            "nan-request-zero-fma");
}

TEST(TmaPlan, InstantiateCarriesTraversalAndFill) {
  DescriptorPlan plan = foldedQueryPlan();
  plan.elementStrides = {1, 2, 1, 1};
  plan.interleave = Interleave::B16;
  plan.oobFill = OobFill::NanRequestZeroFma;
  MemRefFacts facts = exactFacts({5, 32, 128}, {6144, 128, 1}, 0x1000);
  TensorMapSpec spec = instantiate(plan, facts, Target::SM90);
  EXPECT_EQ(spec.elementStrides, plan.elementStrides);
  EXPECT_EQ(spec.interleave, Interleave::B16);
  EXPECT_EQ(spec.swizzle, Swizzle::B128);
  EXPECT_EQ(spec.oobFill, OobFill::NanRequestZeroFma);
  CheckResult result = checkTensorMap(spec);
  EXPECT_FALSE(result.hasViolations()) << describe(result);
  // The rules see what the plan carried: interleave and the fill apply,
  // element strides are range-checked per dim.
  ASSERT_NE(result.find(RuleId::InterleaveRank), nullptr);
  ASSERT_NE(result.find(RuleId::OobNanFloat), nullptr);
  EXPECT_EQ(result.find(RuleId::ElementStrideRange, 1)->value, 2u);

  plan.elementStrides[1] = 9;
  result = checkTensorMap(instantiate(plan, facts, Target::SM90));
  const RuleCheck *check = result.find(RuleId::ElementStrideRange, 1);
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->status, Status::Violated);
  EXPECT_EQ(check->value, 9u);
  EXPECT_EQ(result.violations().size(), 1u) << describe(result);

  // Defaults stay defaults: no interleave or fill rule instance at all.
  result = checkTensorMap(instantiate(foldedQueryPlan(), facts, Target::SM90));
  EXPECT_EQ(result.find(RuleId::InterleaveRank), nullptr);
  EXPECT_EQ(result.find(RuleId::OobNanFloat), nullptr);
  EXPECT_EQ(result.find(RuleId::ElementStrideRange, 1)->value, 1u);
}

} // namespace
