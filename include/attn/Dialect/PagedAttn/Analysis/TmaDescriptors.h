//===- TmaDescriptors.h - TMA descriptors of attention operands -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The one place that decides which TMA descriptor the kernel uses for each
// TMA-loaded operand of paged_attn.decode / paged_attn.prefill. The
// verification pass checks these plans and the lowering encodes exactly
// these plans, so what is verified is what is encoded.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_ANALYSIS_TMADESCRIPTORS_H
#define ATTN_DIALECT_PAGEDATTN_ANALYSIS_TMADESCRIPTORS_H

#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"
#include "attn/Support/TmaPlan.h"

#include "llvm/ADT/SmallVector.h"

namespace mlir {
namespace paged_attn {

/// One TMA-loaded operand and the descriptor the kernel uses for it.
struct TmaOperandPlan {
  /// Operand name as in the assembly: q, k_cache, v_cache, k_scale, v_scale.
  StringRef name;
  Value value;
  attn::tma::DescriptorPlan plan;
};

/// Derives the descriptor of every TMA-loaded operand of a verified attention
/// op, each from its OWN memref (never from another operand's strides):
///  - q [T, H, D] with the GQA group folded in: dims {D, G, H/G, T}, strides
///    {1, sH, G*sH, sT}, box {inner, G, 1, rows};
///  - k_cache / v_cache: the memref dims reversed (HND {D, N, H, P}, NHD
///    {D, H, N, P}), box one page of one head; the page index is a
///    coordinate, so any page size from 1 to 256 works;
///  - k_scale / v_scale (nvfp4): the contiguous innermost pair of dims folded
///    into one (requires stride(-2) == head_dim / 16), u8, no swizzle.
/// The inner box is head_dim bytes capped at 128, with the swizzle of that
/// span.
SmallVector<TmaOperandPlan> deriveTmaDescriptors(AttentionOpInterface op);

/// What the IR tells about a memref value: static sizes and strides exactly,
/// facts stated with paged_attn.assume (alignment, stride divisors) and
/// memref.assume_alignment; the rest unknown.
attn::tma::MemRefFacts getMemRefFacts(Value memref);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_DIALECT_PAGEDATTN_ANALYSIS_TMADESCRIPTORS_H
