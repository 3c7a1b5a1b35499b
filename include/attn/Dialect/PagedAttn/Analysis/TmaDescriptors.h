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

/// How the decode kernel tiles its work. The descriptors' boxes and the
/// kernel's shared-memory layout both come from here, so the verifier checks
/// the boxes the kernel really loads.
///
/// A CTA handles one (batch, kv head, 16-row block of the q rows, KV split).
/// The q rows of a kv head are its GQA group times q_len_per_request, row
/// r = token * group + head_in_group. K and V move in tiles of
/// `kTileRows` tokens: a page of up to 64 tokens is one box per region, a
/// tile holds `pagesPerTile` of them; a larger page is loaded 64 rows at a
/// time (its last sub-tile may hold fewer rows: TMA fills the rows past the
/// page with zeros). A region is the 128-byte (swizzled) or
/// head_dim-wide (unswizzled) column slice one box covers.
///
/// fp8 caches are staged: TMA brings each stage's bytes (unswizzled, the
/// whole head_dim in one box), then every thread converts the tile into one
/// 16-bit K and V tile in the query's type (128-byte swizzled) that the
/// 16-bit MMA path reads.
struct DecodeTiling {
  static constexpr int64_t kTileRows = 64;
  static constexpr int64_t kNumWarps = 4;
  static constexpr int64_t kRowsPerBlock = 16;

  int64_t headDim = 0;
  /// Bytes of a q (and compute) element, and of a cache element.
  int64_t elemBytes = 2;
  int64_t kvElemBytes = 2;
  int64_t group = 1;
  int64_t qLen = 1;
  int64_t pageSize = 1;
  /// group * qLen, and the 16-row blocks that cover them.
  int64_t qRows = 1;
  int64_t mBlocks = 1;
  /// q: box {qInnerBox, group, 1, qLen}, 128-byte swizzle, qRegions boxes.
  int64_t qInnerBox = 64;
  int64_t qRegions = 1;
  /// k/v: box {kvInnerBox, kvBoxRows} (page rows), kvRegions boxes per page.
  int64_t kvBoxRows = 1;
  int64_t pagesPerTile = 1;
  /// Tokens of a full tile (pagesPerTile * pageSize, or 64).
  int64_t tileTokens = 64;
  /// 64-row tiles per page (pages larger than 64 tokens), else 1.
  int64_t tilesPerPage = 1;
  bool kvSwizzled = true;
  int64_t kvInnerBox = 64;
  int64_t kvRegions = 1;
  int64_t stages = 2;

  /// fp8 caches: stages hold raw bytes, converted into one compute tile.
  bool dequantize() const { return kvElemBytes != elemBytes; }
  /// The 16-bit tiles the MMAs read: swizzled like the q tile (fp8), or the
  /// TMA boxes themselves (16-bit caches).
  bool computeSwizzled() const { return dequantize() || kvSwizzled; }
  int64_t computeInner() const {
    return dequantize() ? std::min<int64_t>(headDim, 64) : kvInnerBox;
  }

  /// Shared memory layout (bytes, from a 1024-byte aligned base): q, the
  /// compute K and V tiles when dequantizing, then K and V of each stage.
  int64_t qBytes() const { return mBlocks * kRowsPerBlock * headDim * elemBytes; }
  /// Bytes between the boxes of consecutive pages in a stage: a TMA
  /// destination must be 128-byte aligned (fp8 rows of head_dim 64 are 64
  /// bytes, so one-row pages are spaced 128 bytes apart).
  int64_t slotBytes() const {
    return (kvBoxRows * kvInnerBox * kvElemBytes + 127) / 128 * 128;
  }
  int64_t kvTileBytes() const {
    return std::max(kTileRows * headDim * kvElemBytes,
                    kvRegions * pagesPerTile * slotBytes());
  }
  int64_t computeTileBytes() const { return kTileRows * headDim * elemBytes; }
  int64_t qOffset() const { return 0; }
  int64_t computeBytes() const {
    return dequantize() ? 2 * computeTileBytes() : 0;
  }
  int64_t kOffset(int64_t stage) const {
    return qBytes() + computeBytes() + 2 * stage * kvTileBytes();
  }
  int64_t vOffset(int64_t stage) const { return kOffset(stage) + kvTileBytes(); }
  /// Pages larger than a tile that are not a multiple of it: their last
  /// tile holds fewer rows.
  bool raggedPages() const {
    return pageSize > kTileRows && pageSize % kTileRows != 0;
  }
  /// KV splits start at multiples of this many tokens (whole tiles and
  /// whole pages).
  int64_t splitUnit() const { return std::max(pageSize, tileTokens); }

  /// Dynamic shared memory the layout above needs (the mbarriers are
  /// static shared memory).
  int64_t sharedMemoryBytes() const { return kOffset(stages); }
};

/// The tiling of a verified decode op; fails with a diagnostic (on `op`)
/// for shapes the kernel does not support.
FailureOr<DecodeTiling> getDecodeTiling(DecodeOp op);

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
