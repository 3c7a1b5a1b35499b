//===- TmaDescriptors.h - TMA descriptors of attention operands -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The one place that decides which TMA descriptor a kernel uses for each
// TMA-loaded operand of paged_attn.decode / paged_attn.prefill, from the
// operand's own memref and the boxes of the kernel's plan. The verification
// pass checks these plans and the lowering encodes exactly these plans, so
// what is verified is what is encoded.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_ANALYSIS_TMADESCRIPTORS_H
#define ATTN_DIALECT_PAGEDATTN_ANALYSIS_TMADESCRIPTORS_H

#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"
#include "attn/Support/TmaPlan.h"

#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir {
namespace paged_attn {

/// One TMA-loaded operand and the descriptor the kernel uses for it.
struct TmaOperandPlan {
  /// Operand name as in the assembly: q, k_cache, v_cache, k_scale, v_scale.
  StringRef name;
  Value value;
  attn::tma::DescriptorPlan plan;
};

/// The boxes a kernel loads, the one part of each descriptor that is the
/// kernel's choice (dims and strides come from the operands). A kernel plan
/// (include/attn/Kernels) provides them, so what the verifier checks is
/// what that kernel encodes and loads.
struct TmaBoxes {
  /// q: box {qInner, group, 1, qRows}.
  uint32_t qInner = 64;
  uint32_t qRows = 1;
  attn::tma::Swizzle qSwizzle = attn::tma::Swizzle::B128;
  /// k_cache / v_cache: box {kvInner, kvRows} of one page of one head.
  uint32_t kvInner = 64;
  uint32_t kvRows = 1;
  attn::tma::Swizzle kvSwizzle = attn::tma::Swizzle::B128;
  /// HND cache rows folded into one box row (dense pages): dims 0-1 of the
  /// descriptor become {kvFold rows, page_size / kvFold}.
  uint32_t kvFold = 1;
  /// k_scale / v_scale (nvfp4): box {scaleInner} (HND) or {scaleInner,
  /// scaleRows} (NHD), unswizzled.
  uint32_t scaleInner = 16;
  uint32_t scaleRows = 1;
};

/// The descriptors of one attention op, named by operand. all() is the slot
/// order: the host writes descriptor i at slot i of the kernel's tensor-map
/// argument and the kernels read it there.
struct TmaDescriptors {
  TmaOperandPlan q, kCache, vCache;
  /// nvfp4 block scales, when the op has them.
  std::optional<TmaOperandPlan> kScale, vScale;

  /// q, k_cache, v_cache, then k_scale and v_scale when present.
  SmallVector<const TmaOperandPlan *, 5> all() const;
  /// The slot of `operand`, one of this set's members.
  unsigned slotOf(const TmaOperandPlan &operand) const;
};

/// The descriptor element type of a memref element type: 16-bit floats keep
/// their type, every 1-byte type (fp8, nvfp4 pairs, scales) moves as u8.
attn::tma::ElemType getTmaElemType(Type type);
/// Bytes of one descriptor element of a memref element type (1 or 2).
int64_t getTmaElemBytes(Type type);

/// Derives the descriptor of every TMA-loaded operand of a verified attention
/// op, each from its OWN memref (never from another operand's strides), with
/// the kernel's `boxes`:
///  - q [T, H, D] with the GQA group folded in: dims {D, G, H/G, T}, strides
///    {1, sH, G*sH, sT}, box {inner, G, 1, rows};
///  - k_cache / v_cache: the memref dims reversed (HND {D, N, H, P}, NHD
///    {D, H, N, P}), box one page of one head; the page index is a
///    coordinate, so any page size from 1 to 256 works; with boxes.kvFold,
///    kvFold rows make one descriptor row (getDenseRowsRequirement);
///  - k_scale / v_scale (nvfp4): the contiguous innermost pair of dims folded
///    into one (requires stride(-2) == head_dim / 16), u8, no swizzle.
TmaDescriptors deriveTmaDescriptors(AttentionOpInterface op,
                                    const TmaBoxes &boxes);

/// The requirement folding `fold` of a cache's rows into one descriptor
/// row rests on (dense pages): its row stride (memref dim 2) is one row.
attn::tma::StrideRequirement getDenseRowsRequirement(MemRefType cache,
                                                     int64_t fold);
/// Whether `cache`'s type proves that requirement (judged by
/// tma::checkRequirement, as the verifier does), over unit elements.
bool hasDenseRows(MemRefType cache, int64_t fold);

/// What the IR tells about a memref value: static sizes and strides exactly,
/// facts stated with paged_attn.assume (alignment, stride divisors) and
/// memref.assume_alignment; the rest unknown.
attn::tma::MemRefFacts getMemRefFacts(Value memref);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_DIALECT_PAGEDATTN_ANALYSIS_TMADESCRIPTORS_H
