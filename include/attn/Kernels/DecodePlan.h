//===- DecodePlan.h - How the decode kernel tiles its work ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The decode kernel's plan: tiles, stages, warps, the shared-memory layout
// and the TMA boxes, computed once from the op and the chip. The kernel
// generator (lib/Conversion/PagedAttnToGPU) builds exactly this plan, the
// host lowering launches it, and --paged-attn-verify-tma checks its boxes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_KERNELS_DECODEPLAN_H
#define ATTN_KERNELS_DECODEPLAN_H

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"
#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"
#include "attn/Support/TargetInfo.h"

#include <algorithm>

namespace mlir {
namespace paged_attn {

/// How the decode kernel tiles its work. The descriptors' boxes (boxes())
/// and the kernel's shared-memory layout both come from here, so the
/// verifier checks the boxes the kernel really loads.
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
/// Quantized caches are staged: TMA brings each stage's bytes
/// (unswizzled, the whole row in one box: head_dim bytes for fp8,
/// head_dim / 2 for nvfp4, plus the nvfp4 block scales of the same rows),
/// then every thread converts the tile into one 16-bit K and V tile in the
/// compute type (128-byte swizzled) that the 16-bit MMA path reads. An fp8
/// q is staged and converted the same way, once.
struct DecodePlan {
  static constexpr int64_t kTileRows = 64;
  static constexpr int64_t kNumWarps = 4;
  static constexpr int64_t kThreads = kNumWarps * 32;
  static constexpr int64_t kRowsPerBlock = 16;

  /// The plan of a verified decode op on `target`; fails with a diagnostic
  /// (on `op`) for shapes the kernel does not support.
  static FailureOr<DecodePlan> get(DecodeOp op, const attn::TargetInfo &target);
  /// The same plan without the support checks (every verified op has one;
  /// the verifier derives its descriptors from it).
  static DecodePlan compute(DecodeOp op, const attn::TargetInfo &target);

  /// The TMA boxes the kernel loads (deriveTmaDescriptors).
  TmaBoxes boxes() const;

  int64_t headDim = 0;
  /// Bytes of a compute element (the MMAs' 16-bit type: q's, or f16 for an
  /// fp8 q), of a q element and of a cache memref element (an nvfp4
  /// element is a byte holding two values).
  int64_t elemBytes = 2;
  int64_t qElemBytes = 2;
  int64_t kvElemBytes = 2;
  /// The cache holds nvfp4 (e2m1 pairs with f8E4M3FN block scales).
  bool nvfp4 = false;
  /// HND (else NHD) cache and scale layout.
  bool hnd = true;
  int64_t group = 1;
  int64_t qLen = 1;
  int64_t pageSize = 1;
  /// group * qLen, and the 16-row blocks that cover them.
  int64_t qRows = 1;
  int64_t mBlocks = 1;
  /// q: box {qInnerBox, group, 1, qLen} (q elements), qRegions boxes;
  /// 128-byte swizzled for 16-bit q, unswizzled (head_dim bytes) for fp8.
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
  /// nvfp4 block scales of a page's kvBoxRows rows: `scaleBoxes` boxes of
  /// {scaleInnerBox} bytes (HND: the page's rows are consecutive scale
  /// rows of head_dim / 16 bytes) or one box of {scaleInnerBox, kvBoxRows}
  /// (NHD: the 16-byte window of the folded heads dim that holds the head's
  /// scales, one per row).
  int64_t scaleInnerBox = 16;
  int64_t scaleBoxes = 0;
  int64_t stages = 2;

  /// Quantized caches: stages hold raw bytes, converted into one compute
  /// tile.
  bool dequantize() const { return kvElemBytes != elemBytes; }
  /// An fp8 q is staged and converted into the 16-bit q tile.
  bool qDequantize() const { return qElemBytes != elemBytes; }
  /// The 16-bit tiles the MMAs read: swizzled like the q tile (quantized
  /// caches), or the TMA boxes themselves (16-bit caches).
  bool computeSwizzled() const { return dequantize() || kvSwizzled; }
  int64_t computeInner() const {
    return dequantize() ? std::min<int64_t>(headDim, 64) : kvInnerBox;
  }
  /// The 16-bit q tile: 128-byte swizzled regions of qComputeInner columns.
  int64_t qComputeInner() const { return std::min<int64_t>(headDim, 64); }
  int64_t qComputeRegions() const { return headDim / qComputeInner(); }
  /// Bytes of one cache row (one token of one head).
  int64_t kvRowBytes() const {
    return nvfp4 ? headDim / 2 : headDim * kvElemBytes;
  }
  /// nvfp4 scales: bytes of a scale row in shared memory and of one box.
  int64_t scaleRowBytes() const { return hnd ? headDim / 16 : scaleInnerBox; }
  int64_t scaleBoxBytes() const {
    return hnd ? scaleInnerBox : scaleInnerBox * kvBoxRows;
  }

  /// Shared memory layout (bytes, from a 1024-byte aligned base): q, the
  /// staged fp8 q, the compute K and V tiles when dequantizing, then each
  /// stage's K, V, K scales and V scales.
  int64_t qBytes() const {
    return mBlocks * kRowsPerBlock * headDim * elemBytes;
  }
  int64_t qStagedBytes() const {
    return qDequantize() ? alignTo128(qRows * headDim * qElemBytes) : 0;
  }
  /// Bytes between the boxes of consecutive pages in a stage: a TMA
  /// destination must be 128-byte aligned (fp8 rows of head_dim 64 are 64
  /// bytes, so one-row pages are spaced 128 bytes apart).
  int64_t slotBytes() const {
    return alignTo128(kvBoxRows * kvInnerBox * kvElemBytes);
  }
  int64_t kvTileBytes() const {
    return std::max(kTileRows * kvRowBytes(),
                    kvRegions * pagesPerTile * slotBytes());
  }
  int64_t scaleSlotBytes() const {
    return nvfp4 ? alignTo128(scaleBoxes * scaleBoxBytes()) : 0;
  }
  int64_t scaleTileBytes() const { return pagesPerTile * scaleSlotBytes(); }
  int64_t stageBytes() const {
    return 2 * kvTileBytes() + 2 * scaleTileBytes();
  }
  int64_t computeTileBytes() const { return kTileRows * headDim * elemBytes; }
  int64_t qOffset() const { return 0; }
  int64_t qStagedOffset() const { return qBytes(); }
  int64_t computeOffset() const { return qBytes() + qStagedBytes(); }
  int64_t computeBytes() const {
    return dequantize() ? 2 * computeTileBytes() : 0;
  }
  int64_t kOffset(int64_t stage) const {
    return computeOffset() + computeBytes() + stage * stageBytes();
  }
  int64_t vOffset(int64_t stage) const {
    return kOffset(stage) + kvTileBytes();
  }
  int64_t kScaleOffset(int64_t stage) const {
    return kOffset(stage) + 2 * kvTileBytes();
  }
  int64_t vScaleOffset(int64_t stage) const {
    return kScaleOffset(stage) + scaleTileBytes();
  }
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

private:
  static int64_t alignTo128(int64_t bytes) { return (bytes + 127) / 128 * 128; }
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_KERNELS_DECODEPLAN_H
