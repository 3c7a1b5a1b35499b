//===- TmaRules.cpp - Legality rules of cuTensorMapEncodeTiled ------------===//
//
// Rules as documented for cuTensorMapEncodeTiled in the CUDA 13 driver API
// (cuda.h). Arithmetic on strides is done in bits with 128-bit integers so
// that packed sub-byte types and products near 2^64 are exact.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/TmaRules.h"

#include <algorithm>
#include <iterator>
#include <numeric>
#include <tuple>

using namespace attn;
using namespace attn::tma;

__extension__ typedef unsigned __int128 U128;

namespace {
/// Strides must be below 2^40 bytes, i.e. 2^43 bits.
constexpr U128 kStrideLimitBits = U128(1) << 43;
constexpr uint64_t kMaxGlobalDim = uint64_t(1) << 32;
constexpr uint64_t kMaxBoxDim = 256;
constexpr uint64_t kMaxElementStride = 8;
/// cuTensorMapEncodeTiled refuses a box larger than this (measured on an
/// H200, driver 580, by unittests/Runtime/TmaDriverDiff.cpp: 233472 bytes
/// accepted, 237568 refused; element strides shrink the count): 228 KiB,
/// the shared memory of an sm_90 / sm_100 SM. Not in cuda.h's comments.
constexpr uint64_t kMaxBoxBytes = 228 * 1024;
constexpr uint64_t kMaxRank = 5;

/// A Fact scaled by a constant (elements to bits), exact in 128 bits.
struct Scaled {
  std::optional<U128> value;
  U128 divisor = 1;
  U128 lo = 0;
  std::optional<U128> hi;
};

struct RuleInfo {
  RuleId id;
  const char *name;
  const char *description;
};
} // namespace

static constexpr RuleInfo kRules[] = {
    {RuleId::ArraySizes, "array-sizes",
     "the spec's per-dim arrays have one entry per dim"},
    {RuleId::Rank, "rank", "the rank is in [1, 5]"},
    {RuleId::InterleaveRank, "interleave-rank",
     "the rank is at least 3 when the layout is interleaved"},
    {RuleId::GlobalAddressAlign, "global-address-align",
     "the global address is 16-byte aligned (32-byte with 32B interleave or "
     "a 16U*_ALIGN16B type)"},
    {RuleId::GlobalDimRange, "global-dim-range",
     "every global extent is in [1, 2^32]"},
    {RuleId::InnerStrideUnit, "inner-stride-unit",
     "the global stride of dim 0 is one element"},
    {RuleId::GlobalStrideAlign, "global-stride-align",
     "the global strides of dims 1 to rank-1 are multiples of 16 bytes (32 "
     "with 32B interleave or a 16U*_ALIGN16B type)"},
    {RuleId::GlobalStrideMax, "global-stride-max",
     "the global strides of dims 1 to rank-1 are less than 2^40 bytes"},
    {RuleId::PackedByteStride, "packed-byte-stride",
     "the global strides of a packed type are whole numbers of bytes"},
    {RuleId::BoxDimRange, "box-dim-range", "every box extent is in [1, 256]"},
    {RuleId::BoxInnerBytes, "box-inner-bytes",
     "the box extent of dim 0 spans a multiple of 16 bytes (cuda.h says so "
     "without interleave; the driver requires it with interleave too)"},
    {RuleId::SwizzleSpan, "swizzle-span",
     "without interleave, the box extent of dim 0 spans at most the swizzle "
     "span (32, 64 or 128 bytes)"},
    {RuleId::ElementStrideRange, "element-stride-range",
     "every element stride is in [1, 8]"},
    {RuleId::InterleaveSwizzle, "interleave-swizzle",
     "32B interleave requires 32B swizzle"},
    {RuleId::SwizzleTarget, "swizzle-target",
     "the 128B_ATOM swizzles require sm_100"},
    {RuleId::PackedTarget, "packed-target",
     "the packed 16U4/16U6 types require sm_100"},
    {RuleId::PackedAlign16BDim, "packed-align16b-dim",
     "with 16U4_ALIGN16B or 16U6_ALIGN16B, the extent of dim 0 is a multiple "
     "of 128"},
    {RuleId::PackedAlign16BBox, "packed-align16b-box",
     "with 16U4_ALIGN16B or 16U6_ALIGN16B, the box extent of dim 0 is 128"},
    {RuleId::PackedAlign8BDim, "packed-align8b-dim",
     "with 16U4_ALIGN8B, the extent of dim 0 is even"},
    {RuleId::PackedInterleave, "packed-interleave",
     "16U6_ALIGN16B requires no interleave"},
    {RuleId::PackedSwizzle, "packed-swizzle",
     "16U4_ALIGN16B allows swizzle none, 128B or 128B_ATOM_32B; "
     "16U6_ALIGN16B also 128B_ATOM_64B (stores only)"},
    {RuleId::OobNanFloat, "oob-nan-float",
     "NaN out-of-bounds fill requires a non-packed floating-point type"},
    {RuleId::BoxBytesMax, "box-bytes-max",
     "the bytes one box writes to shared memory (the product of ceil(box "
     "extent / element stride) over the dims, times the element size) are "
     "at most 228 KiB, an SM's shared memory"},
};

/// kRules is indexed by RuleId: one entry per enumerator, in enum order.
static constexpr bool rulesInEnumOrder() {
  unsigned index = 0;
  for (const RuleInfo &info : kRules)
    if (static_cast<unsigned>(info.id) != index++)
      return false;
  return index == static_cast<unsigned>(RuleId::BoxBytesMax) + 1;
}
static_assert(rulesInEnumOrder(), "kRules out of sync with RuleId");

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

namespace {
struct ElemInfo {
  const char *name;
  unsigned bits;
  bool isFloat;
};
} // namespace

/// Indexed by ElemType.
static constexpr ElemInfo kElemTypes[] = {
    {"u8", 8, false},
    {"u16", 16, false},
    {"u32", 32, false},
    {"i32", 32, false},
    {"u64", 64, false},
    {"i64", 64, false},
    {"f16", 16, true},
    {"f32", 32, true},
    {"f64", 64, true},
    {"bf16", 16, true},
    {"f32-ftz", 32, true},
    {"tf32", 32, true},
    {"tf32-ftz", 32, true},
    {"u4x16-align8b", 4, false},
    {"u4x16-align16b", 4, false},
    {"u6x16-align16b", 6, false},
};
static_assert(std::size(kElemTypes) ==
                  static_cast<size_t>(ElemType::U6x16Align16B) + 1,
              "kElemTypes out of sync with ElemType");

unsigned tma::elemBits(ElemType type) {
  return kElemTypes[static_cast<unsigned>(type)].bits;
}

bool tma::isFloat(ElemType type) {
  return kElemTypes[static_cast<unsigned>(type)].isFloat;
}

bool tma::isPacked(ElemType type) {
  return type == ElemType::U4x16Align8B || needs32ByteAlign(type);
}

bool tma::needs32ByteAlign(ElemType type) {
  return type == ElemType::U4x16Align16B || type == ElemType::U6x16Align16B;
}

const char *tma::elemTypeName(ElemType type) {
  return kElemTypes[static_cast<unsigned>(type)].name;
}

const char *tma::targetName(Target target) {
  return target == Target::SM90 ? "sm_90a" : "sm_100a";
}

const char *tma::interleaveName(Interleave interleave) {
  static const char *const names[] = {"none", "16b", "32b"};
  return names[static_cast<unsigned>(interleave)];
}

const char *tma::swizzleName(Swizzle swizzle) {
  static const char *const names[] = {"none",          "32b",
                                      "64b",           "128b",
                                      "128b-atom-32b", "128b-atom-32b-flip-8b",
                                      "128b-atom-64b"};
  return names[static_cast<unsigned>(swizzle)];
}

unsigned tma::swizzleSpanBytes(Swizzle swizzle) {
  static const unsigned spans[] = {0, 32, 64, 128, 128, 128, 128};
  return spans[static_cast<unsigned>(swizzle)];
}

const char *tma::oobFillName(OobFill fill) {
  return fill == OobFill::None ? "none" : "nan-request-zero-fma";
}

const char *tma::statusName(Status status) {
  static const char *const names[] = {"proven", "violated", "deferred"};
  return names[static_cast<unsigned>(status)];
}

const char *tma::ruleName(RuleId rule) {
  return kRules[static_cast<unsigned>(rule)].name;
}

const char *tma::ruleDescription(RuleId rule) {
  return kRules[static_cast<unsigned>(rule)].description;
}

std::optional<RuleId> tma::ruleFromName(std::string_view name) {
  for (const RuleInfo &info : kRules)
    if (name == info.name)
      return info.id;
  return std::nullopt;
}

const std::vector<RuleId> &tma::allRules() {
  static const std::vector<RuleId> rules = [] {
    std::vector<RuleId> ids;
    for (const RuleInfo &info : kRules)
      ids.push_back(info.id);
    return ids;
  }();
  return rules;
}

//===----------------------------------------------------------------------===//
// Facts
//===----------------------------------------------------------------------===//

Fact Fact::exact(uint64_t v) {
  Fact f;
  f.value = v;
  f.lowerBound = v;
  f.upperBound = v;
  return f;
}

Fact Fact::multipleOf(uint64_t d) {
  Fact f;
  f.divisor = std::max<uint64_t>(d, 1);
  return f;
}

Fact Fact::atLeast(uint64_t lo) const {
  Fact f = *this;
  f.lowerBound = std::max(f.lowerBound, lo);
  return f;
}

Fact Fact::atMost(uint64_t hi) const {
  Fact f = *this;
  f.upperBound = f.upperBound ? std::min(*f.upperBound, hi) : hi;
  return f;
}

std::optional<uint64_t> Fact::exactValue() const {
  if (value)
    return value;
  if (upperBound && *upperBound == lowerBound)
    return lowerBound;
  return std::nullopt;
}

bool Fact::mayBe(uint64_t v) const {
  if (auto exactV = exactValue())
    return *exactV == v;
  return v % std::max<uint64_t>(divisor, 1) == 0 && v >= lowerBound &&
         (!upperBound || v <= *upperBound);
}

static Scaled scale(const Fact &f, uint64_t k) {
  Scaled s;
  if (auto v = f.exactValue()) {
    s.value = U128(*v) * k;
    return s;
  }
  s.divisor = U128(std::max<uint64_t>(f.divisor, 1)) * k;
  s.lo = U128(f.lowerBound) * k;
  if (f.upperBound)
    s.hi = U128(*f.upperBound) * k;
  return s;
}

static Status isMultiple(const Scaled &s, U128 m) {
  if (s.value)
    return *s.value % m == 0 ? Status::Holds : Status::Violated;
  return s.divisor % m == 0 ? Status::Holds : Status::Unknown;
}

static Status inRange(const Scaled &s, U128 lo, U128 hi) {
  if (s.value)
    return *s.value >= lo && *s.value <= hi ? Status::Holds : Status::Violated;
  if (s.lo > hi || (s.hi && *s.hi < lo))
    return Status::Violated;
  if (s.lo >= lo && s.hi && *s.hi <= hi)
    return Status::Holds;
  return Status::Unknown;
}

static Status holdsIf(bool condition) {
  return condition ? Status::Holds : Status::Violated;
}

//===----------------------------------------------------------------------===//
// Formatting
//===----------------------------------------------------------------------===//

static std::string str(U128 v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), char('0' + unsigned(v % 10)));
    v /= 10;
  } while (v != 0);
  return digits;
}

static std::string hex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v % 16]);
    v /= 16;
  } while (v != 0);
  return "0x" + s;
}

static uint64_t saturate(U128 v) {
  return v > U128(UINT64_MAX) ? UINT64_MAX : uint64_t(v);
}

/// "200 bytes", "1 byte", "50.5 bytes".
static std::string bytes(U128 bits) {
  std::string s = str(bits / 8);
  if (unsigned rem = unsigned(bits % 8)) {
    std::string frac = std::to_string(rem * 125);
    frac = std::string(3 - frac.size(), '0') + frac;
    s += "." + frac.substr(0, frac.find_last_not_of('0') + 1);
  }
  return s + (bits == 8 ? " byte" : " bytes");
}

/// The name of one element in "100 x bf16"; packed types count single values.
static const char *unitName(ElemType type) {
  if (!isPacked(type))
    return elemTypeName(type);
  return type == ElemType::U6x16Align16B ? "u6" : "u4";
}

static std::string elems(U128 n, ElemType type) {
  return str(n) + " x " + unitName(type);
}

/// "200 bytes (100 x bf16)".
static std::string amount(U128 n, ElemType type) {
  return bytes(n * elemBits(type)) + " (" + elems(n, type) + ")";
}

/// What is known of a non-exact fact, e.g. " (multiple of 8, at most 64)";
/// `show` renders a known number.
template <typename Fn>
static std::string knowns(const Fact &f, Fn show) {
  std::string parts;
  auto add = [&](const std::string &part) {
    parts += (parts.empty() ? "" : ", ") + part;
  };
  if (f.divisor > 1)
    add("multiple of " + show(f.divisor));
  if (f.lowerBound > 0)
    add("at least " + show(f.lowerBound));
  if (f.upperBound)
    add("at most " + show(*f.upperBound));
  return parts.empty() ? "" : " (" + parts + ")";
}

static std::string describeNumber(const Fact &f, const char *noun) {
  if (auto v = f.exactValue())
    return str(*v);
  return std::string("an unknown ") + noun +
         knowns(f, [](uint64_t v) { return str(v); });
}

static std::string describeStride(const Fact &f, ElemType type) {
  if (auto v = f.exactValue())
    return amount(*v, type);
  return "an unknown stride" + knowns(f, [&](uint64_t v) {
           return elems(v, type) + " = " + bytes(U128(v) * elemBits(type));
         });
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

unsigned tma::requiredAlignment(const TensorMapSpec &spec) {
  return spec.interleave == Interleave::B32 || needs32ByteAlign(spec.elemType)
             ? 32
             : 16;
}

/// Smallest positive stride, in elements, that is a whole multiple of the
/// required alignment; and the largest such stride below 2^40 bytes.
static std::pair<uint64_t, uint64_t> strideQuantum(const TensorMapSpec &spec) {
  uint64_t alignBits = uint64_t(requiredAlignment(spec)) * 8;
  uint64_t bits = elemBits(spec.elemType);
  uint64_t quantum = alignBits / std::gcd(alignBits, bits);
  uint64_t maxElems = uint64_t((kStrideLimitBits - 1) / bits);
  return {quantum, maxElems / quantum * quantum};
}

static std::optional<uint64_t> upperOf(const Fact &f) {
  if (auto v = f.exactValue())
    return v;
  return f.upperBound;
}

TensorMapSpec tma::normalizeUnitDims(const TensorMapSpec &spec) {
  TensorMapSpec out = spec;
  unsigned rank = spec.rank();
  if (spec.globalStrides.size() != rank)
    return out;
  uint64_t quantum, maxElems;
  std::tie(quantum, maxElems) = strideQuantum(spec);
  // Packed stride rounded up to the quantum, or the quantum past 2^40 bytes.
  auto canonical = [&](U128 packed) {
    U128 v =
        std::max<U128>((packed + quantum - 1) / quantum * quantum, quantum);
    return v > maxElems ? quantum : uint64_t(v);
  };
  for (unsigned i = 0; i < rank; ++i) {
    if (out.globalDims[i].exactValue() != uint64_t(1))
      continue;
    if (i == 0) {
      out.globalStrides[0] = Fact::exact(1);
      continue;
    }
    const Fact &innerStride = out.globalStrides[i - 1];
    const Fact &innerDim = out.globalDims[i - 1];
    auto stride = innerStride.exactValue(), dim = innerDim.exactValue();
    if (stride && dim) {
      out.globalStrides[i] = Fact::exact(canonical(U128(*stride) * *dim));
      continue;
    }
    // Not known exactly: keep what the canonical value is known to satisfy.
    uint64_t hi = maxElems;
    auto strideHi = upperOf(innerStride), dimHi = upperOf(innerDim);
    if (strideHi && dimHi && U128(*strideHi) * *dimHi <= maxElems)
      hi = canonical(U128(*strideHi) * *dimHi);
    out.globalStrides[i] =
        Fact::multipleOf(quantum).atLeast(quantum).atMost(hi);
  }
  return out;
}

std::optional<std::vector<uint64_t>>
tma::encodedGlobalStrides(const TensorMapSpec &spec) {
  TensorMapSpec norm = normalizeUnitDims(spec);
  if (norm.globalStrides.size() != norm.rank())
    return std::nullopt;
  std::vector<uint64_t> result;
  for (unsigned i = 1; i < norm.rank(); ++i) {
    auto v = norm.globalStrides[i].exactValue();
    if (!v)
      return std::nullopt;
    U128 bits = U128(*v) * elemBits(norm.elemType);
    if (bits % 8 != 0 || bits / 8 > U128(UINT64_MAX))
      return std::nullopt;
    result.push_back(uint64_t(bits / 8));
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Checking
//===----------------------------------------------------------------------===//

namespace {
/// Accumulates the rule instances of one spec.
class Checker {
public:
  explicit Checker(const TensorMapSpec &checked)
      : spec(checked), type(checked.elemType), bits(elemBits(checked.elemType)),
        align(requiredAlignment(checked)) {}

  std::vector<RuleCheck> run();

private:
  void add(RuleId rule, int dim, Status status, std::optional<uint64_t> value,
           uint64_t limit, std::string message) {
    checks.push_back({rule, dim, status, value, limit, std::move(message)});
  }
  std::string label(unsigned dim) const {
    return spec.dimLabels.empty() ? "dim " + std::to_string(dim)
                                  : spec.dimLabels[dim];
  }
  bool checkArraySizes();
  void checkGlobal();
  void checkStride(unsigned dim);
  void checkBox(unsigned dim);
  void checkInnerDim();
  void checkBoxBytes();

  const TensorMapSpec &spec;
  ElemType type;
  uint64_t bits;
  unsigned align;
  std::vector<RuleCheck> checks;
};
} // namespace

bool Checker::checkArraySizes() {
  unsigned rank = spec.rank();
  bool ok = true;
  auto check = [&](const char *what, size_t size, bool emptyOk) {
    if (size == rank || (emptyOk && size == 0))
      return;
    ok = false;
    add(RuleId::ArraySizes, -1, Status::Violated, size, rank,
        std::string(what) + " must have one entry per dim (" +
            std::to_string(rank) + "), got " + std::to_string(size));
  };
  check("global strides", spec.globalStrides.size(), false);
  check("box dims", spec.boxDims.size(), false);
  check("element strides", spec.elementStrides.size(), true);
  check("dim labels", spec.dimLabels.size(), true);
  if (ok)
    add(RuleId::ArraySizes, -1, Status::Holds, rank, rank,
        "spec arrays must have one entry per dim, got " + std::to_string(rank) +
            " dims");
  return ok;
}

void Checker::checkGlobal() {
  unsigned rank = spec.rank();
  std::string rankStr = std::to_string(rank);
  add(RuleId::Rank, -1, holdsIf(rank >= 1 && rank <= kMaxRank), rank, kMaxRank,
      "rank must be in [1, 5], got " + rankStr);
  if (spec.interleave != Interleave::None)
    add(RuleId::InterleaveRank, -1, holdsIf(rank >= 3), rank, 3,
        "rank must be at least 3 with interleave " +
            std::string(interleaveName(spec.interleave)) + ", got " + rankStr);

  std::string why;
  if (spec.interleave == Interleave::B32)
    why = " with interleave 32b";
  else if (needs32ByteAlign(type))
    why = std::string(" for ") + elemTypeName(type);
  const Fact &addr = spec.globalAddress;
  auto addrValue = addr.exactValue();
  add(RuleId::GlobalAddressAlign, -1, isMultiple(scale(addr, 1), align),
      addrValue, align,
      "global address must be aligned to " + std::to_string(align) + " bytes" +
          why + ", got " +
          (addrValue ? hex(*addrValue) : describeNumber(addr, "address")));

  std::string typeName = elemTypeName(type);
  std::string swizzleStr = std::string("swizzle ") + swizzleName(spec.swizzle);
  if (spec.interleave == Interleave::B32)
    add(RuleId::InterleaveSwizzle, -1, holdsIf(spec.swizzle == Swizzle::B32),
        std::nullopt, 0,
        "interleave 32b requires swizzle 32b, got " + swizzleStr);
  if (spec.swizzle >= Swizzle::B128Atom32B)
    add(RuleId::SwizzleTarget, -1, holdsIf(spec.target == Target::SM100),
        std::nullopt, 0,
        swizzleStr + " requires sm_100a, got " + targetName(spec.target));
  if (isPacked(type))
    add(RuleId::PackedTarget, -1, holdsIf(spec.target == Target::SM100),
        std::nullopt, 0,
        "element type " + typeName + " requires sm_100a, got " +
            targetName(spec.target));
  if (type == ElemType::U6x16Align16B)
    add(RuleId::PackedInterleave, -1,
        holdsIf(spec.interleave == Interleave::None), std::nullopt, 0,
        "element type " + typeName + " requires interleave none, got " +
            "interleave " + interleaveName(spec.interleave));
  if (needs32ByteAlign(type)) {
    bool u6 = type == ElemType::U6x16Align16B;
    Swizzle s = spec.swizzle;
    bool ok = s == Swizzle::None || s == Swizzle::B128 ||
              s == Swizzle::B128Atom32B || (u6 && s == Swizzle::B128Atom64B);
    add(RuleId::PackedSwizzle, -1, holdsIf(ok), std::nullopt, 0,
        "element type " + typeName + " supports swizzle none, 128b" +
            (u6 ? ", 128b-atom-32b or 128b-atom-64b (stores only)"
                : " or 128b-atom-32b") +
            ", got " + swizzleStr);
  }
  if (spec.oobFill != OobFill::None)
    add(RuleId::OobNanFloat, -1, holdsIf(isFloat(type)), std::nullopt, 0,
        std::string(oobFillName(spec.oobFill)) +
            " oob fill requires a float element type, got " + typeName);
}

void Checker::checkStride(unsigned dim) {
  const Fact &stride = spec.globalStrides[dim];
  const Fact &extent = spec.globalDims[dim];
  // A size-1 dim is normalized; if the extent may still be 1, a broken stride
  // is only broken when it is not: defer to the runtime.
  bool mayBeUnit = !extent.exactValue() && extent.mayBe(1);
  auto emit = [&](RuleId rule, Status status, std::optional<uint64_t> value,
                  uint64_t limit, std::string message) {
    if (status == Status::Violated && mayBeUnit) {
      status = Status::Unknown;
      message += "; deferred: " + label(dim) + " may have extent 1";
    }
    add(rule, int(dim), status, value, limit, std::move(message));
  };
  std::string what = "global stride of " + label(dim) + " must be ";
  auto elemValue = stride.exactValue();
  Scaled strideBits = scale(stride, bits);
  std::optional<uint64_t> byteValue;
  if (strideBits.value)
    byteValue = saturate(*strideBits.value / 8);

  if (dim == 0) {
    emit(RuleId::InnerStrideUnit, inRange(scale(stride, 1), 1, 1), elemValue, 1,
         what + "1 element, got " +
             (elemValue ? str(*elemValue) +
                              (*elemValue == 1 ? " element (" : " elements (") +
                              bytes(*strideBits.value) + ")"
                        : describeStride(stride, type)));
    return;
  }
  std::string found = ", got " + describeStride(stride, type);
  emit(RuleId::GlobalStrideAlign, isMultiple(strideBits, U128(align) * 8),
       byteValue, align,
       what + "a multiple of " + std::to_string(align) + " bytes" + found);
  emit(RuleId::GlobalStrideMax, inRange(strideBits, 0, kStrideLimitBits - 1),
       byteValue, uint64_t(1) << 40, what + "less than 2^40 bytes" + found);
  if (isPacked(type)) {
    uint64_t perByte = 8 / std::gcd(uint64_t(8), bits);
    emit(RuleId::PackedByteStride, isMultiple(strideBits, 8), elemValue,
         perByte,
         what + "a whole number of bytes (a multiple of " +
             elems(perByte, type) + ")" + found);
  }
}

void Checker::checkBox(unsigned dim) {
  std::string name = label(dim);
  uint64_t box = spec.boxDims[dim];
  add(RuleId::BoxDimRange, int(dim), holdsIf(box >= 1 && box <= kMaxBoxDim),
      box, kMaxBoxDim,
      "box extent of " + name + " must be in [1, 256], got " + str(box));
  uint64_t step = spec.elementStrides.empty() ? 1 : spec.elementStrides[dim];
  add(RuleId::ElementStrideRange, int(dim),
      holdsIf(step >= 1 && step <= kMaxElementStride), step, kMaxElementStride,
      "element stride of " + name + " must be in [1, 8], got " + str(step));
}

void Checker::checkBoxBytes() {
  // Only with legal extents and strides (the other rules report those).
  U128 elements = 1;
  std::string shape;
  for (unsigned dim = 0; dim < spec.rank(); ++dim) {
    uint64_t box = spec.boxDims[dim];
    uint64_t step = spec.elementStrides.empty() ? 1 : spec.elementStrides[dim];
    if (box < 1 || box > kMaxBoxDim || step < 1 || step > kMaxElementStride)
      return;
    uint64_t traversed = (box + step - 1) / step;
    elements *= traversed;
    shape += (dim ? " x " : "") + str(traversed);
  }
  U128 boxBytes = (elements * bits + 7) / 8;
  add(RuleId::BoxBytesMax, -1, holdsIf(boxBytes <= kMaxBoxBytes),
      saturate(boxBytes), kMaxBoxBytes,
      "a box must be at most 233472 bytes (228 KiB), got " +
          str(uint64_t(boxBytes)) + " bytes (" + shape + " " +
          elemTypeName(type) + ")");
}

void Checker::checkInnerDim() {
  std::string name = label(0), typeName = elemTypeName(type);
  uint64_t box = spec.boxDims[0];
  U128 boxBits = U128(box) * bits;
  std::string found = ", got " + amount(box, type);
  // cuda.h states this rule for no interleave; the driver enforces it with
  // interleave too (TmaDriverDiff, H200, driver 580: 2- to 8-byte and
  // 255-byte inner boxes refused under 16B interleave).
  add(RuleId::BoxInnerBytes, 0, holdsIf(boxBits % 128 == 0),
      saturate(boxBits / 8), 16,
      "box extent of " + name + " must span a multiple of 16 bytes" + found);
  if (spec.interleave == Interleave::None) {
    if (unsigned span = swizzleSpanBytes(spec.swizzle))
      add(RuleId::SwizzleSpan, 0, holdsIf(boxBits <= U128(span) * 8),
          saturate(boxBits / 8), span,
          "box extent of " + name + " must span at most " +
              std::to_string(span) + " bytes with swizzle " +
              swizzleName(spec.swizzle) + found);
  }
  const Fact &extent = spec.globalDims[0];
  std::string extentStr = describeNumber(extent, "extent");
  if (needs32ByteAlign(type)) {
    add(RuleId::PackedAlign16BDim, 0, isMultiple(scale(extent, 1), 128),
        extent.exactValue(), 128,
        "extent of " + name + " must be a multiple of 128 for " + typeName +
            ", got " + extentStr);
    add(RuleId::PackedAlign16BBox, 0, holdsIf(box == 128), box, 128,
        "box extent of " + name + " must be 128 for " + typeName + ", got " +
            str(box));
  }
  if (type == ElemType::U4x16Align8B)
    add(RuleId::PackedAlign8BDim, 0, isMultiple(scale(extent, 1), 2),
        extent.exactValue(), 2,
        "extent of " + name + " must be even for " + typeName + ", got " +
            extentStr);
}

std::vector<RuleCheck> Checker::run() {
  if (!checkArraySizes())
    return std::move(checks);
  checkGlobal();
  for (unsigned dim = 0; dim < spec.rank(); ++dim) {
    const Fact &extent = spec.globalDims[dim];
    add(RuleId::GlobalDimRange, int(dim),
        inRange(scale(extent, 1), 1, kMaxGlobalDim), extent.exactValue(),
        kMaxGlobalDim,
        "extent of " + label(dim) + " must be in [1, 2^32], got " +
            describeNumber(extent, "extent"));
    checkStride(dim);
    checkBox(dim);
  }
  if (spec.rank() >= 1) {
    checkInnerDim();
    checkBoxBytes();
  }
  return std::move(checks);
}

CheckResult tma::checkTensorMap(const TensorMapSpec &spec) {
  TensorMapSpec normalized = normalizeUnitDims(spec);
  return CheckResult(Checker(normalized).run());
}

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

std::vector<RuleCheck> CheckResult::with(Status status) const {
  std::vector<RuleCheck> result;
  for (const RuleCheck &check : checkList)
    if (check.status == status)
      result.push_back(check);
  return result;
}

bool CheckResult::hasViolations() const {
  return std::any_of(
      checkList.begin(), checkList.end(),
      [](const RuleCheck &c) { return c.status == Status::Violated; });
}

bool CheckResult::isLegal() const {
  return std::all_of(
      checkList.begin(), checkList.end(),
      [](const RuleCheck &c) { return c.status == Status::Holds; });
}

const RuleCheck *CheckResult::find(RuleId rule, int dim) const {
  for (const RuleCheck &check : checkList)
    if (check.rule == rule && check.dim == dim)
      return &check;
  return nullptr;
}

std::string tma::describe(const RuleCheck &check) {
  return std::string(statusName(check.status)) + " " + ruleName(check.rule) +
         ": " + check.message;
}

std::string tma::describe(const CheckResult &result) {
  std::string text;
  for (const RuleCheck &check : result.checks())
    text += describe(check) + "\n";
  return text;
}
