//===- TmaRules.h - Legality rules of cuTensorMapEncodeTiled ----*- C++ -*-===//
//
// The single source of truth for the parameter rules of the CUDA driver's
// cuTensorMapEncodeTiled (tiled TMA descriptors). Plain C++17: the MLIR
// verifier proves what it can at compile time and the CUDA runtime checks the
// rest before encoding, both through this library.
//
// Conventions:
//  - Dimensions are ordered as CUDA orders them: dim 0 is the innermost one.
//  - Global strides are given in elements for every dim, dim 0 included (it
//    must be exactly one element); byte strides are derived from them.
//  - Element sizes are the sizes in global memory. The packed sm_100 types
//    are dense there: 4 bits per value for both 16U4 types and 6 bits per
//    value for 16U6 (16 values = 12 bytes). Their ALIGN8B/ALIGN16B suffix is
//    the layout of the copy in shared memory, which these rules do not see.
//  - Global quantities may be unknown at compile time; they are `Fact`s, and
//    every rule instance comes out proven, violated or deferred (unknown).
//  - Source: the cuTensorMapEncodeTiled documentation in CUDA 13.0 cuda.h.
//    Not modelled: the 64-byte alignment of the CUtensorMap object itself,
//    the load-only / store-only split of the packed types' swizzle modes
//    (their union is allowed) and the padding pseudo-code of the docs (no
//    ordering or non-overlap of strides is required). elementStrides[0] is
//    range-checked although CUDA ignores it without interleave.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_TMARULES_H
#define ATTN_SUPPORT_TMARULES_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attn::tma {

//===----------------------------------------------------------------------===//
// Descriptor parameters
//===----------------------------------------------------------------------===//

/// Element types, in the order of CUtensorMapDataType.
enum class ElemType : uint8_t {
  UInt8,
  UInt16,
  UInt32,
  Int32,
  UInt64,
  Int64,
  Float16,
  Float32,
  Float64,
  BFloat16,
  Float32Ftz,
  TFloat32,
  TFloat32Ftz,
  U4x16Align8B,  ///< CU_TENSOR_MAP_DATA_TYPE_16U4_ALIGN8B (sm_100)
  U4x16Align16B, ///< CU_TENSOR_MAP_DATA_TYPE_16U4_ALIGN16B (sm_100)
  U6x16Align16B, ///< CU_TENSOR_MAP_DATA_TYPE_16U6_ALIGN16B (sm_100)
};

/// Bits one element occupies in global memory (4 or 6 for the packed types).
unsigned elemBits(ElemType type);
/// True for the floating-point types (the packed types are not).
bool isFloat(ElemType type);
/// True for the three sm_100 packed types.
bool isPacked(ElemType type);
/// True for the types whose address and strides must be 32-byte multiples
/// (16U4_ALIGN16B and 16U6_ALIGN16B).
bool needs32ByteAlign(ElemType type);
/// Short name: "u8", "bf16", "tf32-ftz", "u4x16-align8b", ...
const char *elemTypeName(ElemType type);

/// GPU targets; SM100 stands for sm_100a and its family.
enum class Target : uint8_t { SM90, SM100 };
/// "sm_90a" or "sm_100a".
const char *targetName(Target target);

/// Global-memory interleave, as CUtensorMapInterleave.
enum class Interleave : uint8_t { None, B16, B32 };
/// "none", "16b" or "32b".
const char *interleaveName(Interleave interleave);

/// Shared-memory swizzle, as CUtensorMapSwizzle. The 128B_ATOM variants are
/// sm_100 only.
enum class Swizzle : uint8_t {
  None,
  B32,
  B64,
  B128,
  B128Atom32B,
  B128Atom32BFlip8B,
  B128Atom64B,
};
/// "none", "32b", "64b", "128b", "128b-atom-32b", "128b-atom-32b-flip-8b",
/// "128b-atom-64b".
const char *swizzleName(Swizzle swizzle);
/// Span of the swizzle pattern in bytes: 0 (none), 32, 64 or 128.
unsigned swizzleSpanBytes(Swizzle swizzle);

/// Out-of-bounds fill, as CUtensorMapFloatOOBfill.
enum class OobFill : uint8_t { None, NanRequestZeroFma };
/// "none" or "nan-request-zero-fma".
const char *oobFillName(OobFill fill);

/// What is known about a global quantity (an extent, a stride in elements, an
/// address). An exact value overrides the other fields; otherwise the value is
/// a multiple of `divisor` and lies in [lowerBound, upperBound].
struct Fact {
  std::optional<uint64_t> value;
  uint64_t divisor = 1;
  uint64_t lowerBound = 0;
  std::optional<uint64_t> upperBound;

  static Fact exact(uint64_t v);
  static Fact unknown() { return Fact(); }
  static Fact multipleOf(uint64_t d);
  /// Copies with an added bound, for chaining: Fact::multipleOf(8).atLeast(8).
  Fact atLeast(uint64_t lo) const;
  Fact atMost(uint64_t hi) const;

  /// The value, when it is known (also when the bounds pin it).
  std::optional<uint64_t> exactValue() const;
  /// Whether `v` is consistent with everything known.
  bool mayBe(uint64_t v) const;
};

/// One cuTensorMapEncodeTiled call, as far as it is known. All per-dim arrays
/// have one entry per dim, innermost first; the rank is globalDims.size().
struct TensorMapSpec {
  ElemType elemType = ElemType::BFloat16;
  Target target = Target::SM90;
  std::vector<Fact> globalDims;
  /// Strides in elements for every dim; dim 0 must be 1.
  std::vector<Fact> globalStrides;
  /// The global address in bytes (usually only its alignment is known).
  Fact globalAddress;
  std::vector<uint32_t> boxDims;
  /// Traversal strides; empty means 1 for every dim.
  std::vector<uint32_t> elementStrides;
  Interleave interleave = Interleave::None;
  Swizzle swizzle = Swizzle::None;
  OobFill oobFill = OobFill::None;
  /// Optional names of the dims used in messages instead of "dim <i>" (e.g.
  /// the caller's own numbering); empty, or one per dim.
  std::vector<std::string> dimLabels;

  unsigned rank() const { return static_cast<unsigned>(globalDims.size()); }
};

//===----------------------------------------------------------------------===//
// Rules and results
//===----------------------------------------------------------------------===//

/// Every rule checked. Names (ruleName) are stable and used in reports.
enum class RuleId : uint8_t {
  ArraySizes,         ///< "array-sizes": spec arrays have rank entries
  Rank,               ///< "rank": rank in [1, 5]
  InterleaveRank,     ///< "interleave-rank": rank >= 3 when interleaved
  GlobalAddressAlign, ///< "global-address-align": 16 (or 32) bytes
  GlobalDimRange,     ///< "global-dim-range": extent in [1, 2^32]
  InnerStrideUnit,    ///< "inner-stride-unit": stride of dim 0 is 1 element
  GlobalStrideAlign,  ///< "global-stride-align": 16 (or 32) byte multiple
  GlobalStrideMax,    ///< "global-stride-max": stride < 2^40 bytes
  PackedByteStride,   ///< "packed-byte-stride": packed strides whole bytes
  BoxDimRange,        ///< "box-dim-range": box extent in [1, 256]
  BoxInnerBytes,      ///< "box-inner-bytes": inner box a 16-byte multiple
  SwizzleSpan,        ///< "swizzle-span": inner box <= swizzle span
  ElementStrideRange, ///< "element-stride-range": in [1, 8]
  InterleaveSwizzle,  ///< "interleave-swizzle": 32B interleave, 32B swizzle
  SwizzleTarget,      ///< "swizzle-target": 128B_ATOM swizzles need sm_100
  PackedTarget,       ///< "packed-target": packed types need sm_100
  PackedAlign16BDim,  ///< "packed-align16b-dim": extent of dim 0 % 128 == 0
  PackedAlign16BBox,  ///< "packed-align16b-box": box extent of dim 0 == 128
  PackedAlign8BDim,   ///< "packed-align8b-dim": extent of dim 0 even
  PackedInterleave,   ///< "packed-interleave": 16U6 needs no interleave
  PackedSwizzle,      ///< "packed-swizzle": swizzles allowed for 16B types
  OobNanFloat,        ///< "oob-nan-float": NaN fill only for float types
  BoxBytesMax,        ///< "box-bytes-max": a box is at most 228 KiB
};

/// Stable short name, e.g. "global-stride-align".
const char *ruleName(RuleId rule);
/// One-line statement of the rule (lower-case, no final period).
const char *ruleDescription(RuleId rule);
/// The rule with that name, if any.
std::optional<RuleId> ruleFromName(std::string_view name);
/// All rules, in enum order.
const std::vector<RuleId> &allRules();

/// Outcome of one rule instance.
enum class Status : uint8_t {
  Holds,    ///< proven
  Violated, ///< definitely broken
  Unknown,  ///< not provable statically: check it at run time
};
/// "proven", "violated" or "deferred".
const char *statusName(Status status);

/// One rule instance. `value` is what was found and `limit` what the rule
/// requires, both in the rule's unit: bytes for byte rules (rounded down,
/// saturated at 2^64-1), elements for element rules, the address for the
/// address rule, nothing (nullopt / 0) for rules on enums.
struct RuleCheck {
  RuleId rule;
  int dim = -1; ///< CUDA dim index; -1 if the rule is not per-dim.
  Status status = Status::Holds;
  std::optional<uint64_t> value;
  uint64_t limit = 0;
  /// E.g. "global stride of dim 1 must be a multiple of 16 bytes, got 200
  /// bytes (100 x bf16)"; the caller prefixes the operand name.
  std::string message;
};

/// All rule instances that apply to one spec (rules that do not apply, like
/// the packed-type rules for bf16, have no instance).
class CheckResult {
public:
  CheckResult() = default;
  explicit CheckResult(std::vector<RuleCheck> checks)
      : checkList(std::move(checks)) {}

  const std::vector<RuleCheck> &checks() const { return checkList; }
  std::vector<RuleCheck> violations() const { return with(Status::Violated); }
  std::vector<RuleCheck> deferred() const { return with(Status::Unknown); }
  std::vector<RuleCheck> proven() const { return with(Status::Holds); }
  bool hasViolations() const;
  /// Proven legal: nothing violated and nothing deferred.
  bool isLegal() const;
  /// The instance of `rule` for `dim`, or null if it does not apply.
  const RuleCheck *find(RuleId rule, int dim = -1) const;

private:
  std::vector<RuleCheck> with(Status status) const;
  std::vector<RuleCheck> checkList;
};

/// "<status> <rule-name>: <message>", e.g.
/// "violated global-stride-align: global stride of dim 1 must be ...".
std::string describe(const RuleCheck &check);
/// One line per rule instance.
std::string describe(const CheckResult &result);

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// Bytes that the global address and the strides of dims >= 1 must be
/// multiples of: 32 with INTERLEAVE_32B or a 16U*_ALIGN16B type, else 16.
unsigned requiredAlignment(const TensorMapSpec &spec);

/// Replaces the stride of every dim whose extent is exactly 1, which never
/// takes part in an address, by a canonical legal one (frameworks pass
/// garbage strides there, flashinfer#2232):
///  - dim 0: 1 element;
///  - dim i >= 1: the packed stride (stride of dim i-1 times its extent)
///    rounded up to the smallest whole number of elements that is a multiple
///    of requiredAlignment() bytes, at least that quantum; if that reaches
///    2^40 bytes, the quantum itself.
/// When the inner stride or extent is not exactly known the result is a Fact
/// with no value but known to be a multiple of the quantum and below 2^40
/// bytes, so the rules on it are still proven statically; the runtime calls
/// this with exact values and gets the same canonical stride.
TensorMapSpec normalizeUnitDims(const TensorMapSpec &spec);

/// Checks every rule on normalizeUnitDims(spec). A stride rule that is broken
/// only if the dim's extent, not known exactly, differs from 1 is deferred.
CheckResult checkTensorMap(const TensorMapSpec &spec);

/// The `globalStrides` argument of cuTensorMapEncodeTiled (bytes, dims 1 to
/// rank-1) of the normalized spec; nullopt unless every one of them is exact
/// and a whole number of bytes below 2^64.
std::optional<std::vector<uint64_t>>
encodedGlobalStrides(const TensorMapSpec &spec);

} // namespace attn::tma

#endif // ATTN_SUPPORT_TMARULES_H
