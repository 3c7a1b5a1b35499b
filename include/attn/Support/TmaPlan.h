//===- TmaPlan.h - How a TMA descriptor is read off a memref ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// A descriptor plan says how each global dim and stride of one TMA
// descriptor is computed from the sizes and strides of ONE strided memref
// (the operand it describes), plus the kernel's static choices (box, element
// strides, interleave, swizzle, out-of-bounds fill).
// The compiler derives plans (paged_attn TmaDescriptors), instantiates them
// with what it knows at compile time to prove rules, and the host code
// instantiates the same plan with the runtime sizes and strides before it
// encodes. MLIR-free, like TmaRules.h, so the runtime links it too.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_TMAPLAN_H
#define ATTN_SUPPORT_TMAPLAN_H

#include "attn/Support/TmaRules.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attn::tma {

/// `scale * x[source]` where x is the memref's sizes (for a dim) or strides
/// in elements (for a stride); just `scale` when `source < 0`.
struct Term {
  int64_t scale = 1;
  int source = -1;

  static Term constant(int64_t value) { return {value, -1}; }
  static Term of(int source, int64_t scale = 1) { return {scale, source}; }
  bool isConstant() const { return source < 0; }
  /// E.g. "8", "size[0]", "4 * stride[1]".
  std::string str(const char *what) const;
};

/// A precondition of the plan: memref stride `source` (elements) must equal
/// `value`. Folding two memref dims into one descriptor dim needs one (e.g.
/// the NVFP4 scale rows of a page must be contiguous). Diagnostics, deferred
/// checks and the runtime name it kFoldedStride, like a rule.
struct StrideRequirement {
  static constexpr const char *kFoldedStride = "folded-stride";

  int source;
  int64_t value;
  /// Why, for messages: e.g. "scale rows of a page are contiguous".
  std::string reason;
};

/// How one descriptor is built from one memref. Dims innermost first.
struct DescriptorPlan {
  /// The descriptor's element type; one memref element is one descriptor
  /// element (an nvfp4 pair is one u8), so strides count the same units.
  ElemType elemType = ElemType::BFloat16;
  std::vector<Term> dims;
  std::vector<Term> strides;
  std::vector<std::string> dimLabels;
  std::vector<uint32_t> boxDims;
  /// Traversal strides, one per dim; empty means 1 for every dim.
  std::vector<uint32_t> elementStrides;
  Interleave interleave = Interleave::None;
  Swizzle swizzle = Swizzle::None;
  OobFill oobFill = OobFill::None;
  std::vector<StrideRequirement> requirements;

  unsigned rank() const { return static_cast<unsigned>(dims.size()); }
};

/// What is known about one memref: a Fact per size and per stride (in
/// elements) and about the address of its first element, in bytes.
struct MemRefFacts {
  std::vector<Fact> sizes;
  std::vector<Fact> strides;
  Fact address;
};

/// The Fact for `scale * x` where x is described by `fact`.
Fact scaleFact(const Fact &fact, int64_t scale);

/// Instantiates `plan` with what is known of its memref.
TensorMapSpec instantiate(const DescriptorPlan &plan, const MemRefFacts &facts,
                          Target target);

/// Outcome of a StrideRequirement: proven, violated or deferred.
struct RequirementCheck {
  const StrideRequirement *requirement;
  Status status;
  std::string message;
};
/// Checks `requirement` against what is known of the stride it names. The
/// one check of a requirement: the verifier runs it on compile-time facts
/// (checkRequirements), the runtime's attnTmaRequireStride on the real
/// stride (an exact Fact), so both judge and word it alike.
RequirementCheck checkRequirement(const StrideRequirement &requirement,
                                  const Fact &stride);
/// checkRequirement for each requirement of `plan`.
std::vector<RequirementCheck> checkRequirements(const DescriptorPlan &plan,
                                                const MemRefFacts &facts);
/// "breaks descriptor requirement 'folded-stride': stride of memref dim 2
/// must be 4 elements (<reason>), got 8": how a violated requirement is
/// reported after the operand's name.
std::string describeViolation(const RequirementCheck &check);

/// One line: "u16 dims [size[2], 4, 8, size[0]] strides [stride[2], ...]
/// box [64, 4, 1, 1] swizzle 128b"; element strides, interleave and the
/// out-of-bounds fill follow only when they are not the defaults, e.g.
/// "... element strides [2, 1] interleave 16b swizzle 32b oob fill
/// nan-request-zero-fma".
std::string describe(const DescriptorPlan &plan);

} // namespace attn::tma

#endif // ATTN_SUPPORT_TMAPLAN_H
