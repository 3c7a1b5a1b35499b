//===- PagedKVPlan.h - How a kernel moves paged K/V tiles -------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The part of a kernel plan that moves the paged K/V cache: 64-row tiles of
// whole pages (or 64 rows of a larger page), their TMA boxes, the
// multi-stage shared-memory ring they land in and, for quantized caches,
// the 16-bit tiles they are converted into. DecodePlan and PrefillPlan
// extend it with their q tiling; PagedKVTiles (lib/Conversion) emits it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_KERNELS_PAGEDKVPLAN_H
#define ATTN_KERNELS_PAGEDKVPLAN_H

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"
#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"

#include <algorithm>

namespace mlir {
namespace paged_attn {

/// K and V move in tiles of `kTileRows` tokens: a page of up to 64 tokens
/// is one box per region, a tile holds `pagesPerTile` of them; a larger
/// page is loaded 64 rows at a time (its last sub-tile may hold fewer rows:
/// TMA fills the rows past the page with zeros). A region is the 128-byte
/// (swizzled) or head_dim-wide (unswizzled) column slice one box covers.
///
/// Quantized caches are staged: TMA brings each stage's bytes (unswizzled,
/// the whole row in one box: head_dim bytes for fp8, head_dim / 2 for
/// nvfp4, plus the nvfp4 block scales of the same rows), then the warps
/// convert the tile into one 16-bit K and V tile in the compute type
/// (128-byte swizzled) that the 16-bit MMA path reads.
struct PagedKVPlan {
  static constexpr int64_t kTileRows = 64;
  static constexpr int64_t kNumWarps = 4;
  static constexpr int64_t kThreads = kNumWarps * 32;

  /// Fills the K/V fields from the op (everything but `stages` and
  /// `kvBase`, which the kernel's plan chooses).
  void initPagedKV(AttentionOpInterface op, int64_t computeElemBytes);
  /// The K/V and scale boxes into `boxes`.
  void fillKVBoxes(TmaBoxes &boxes) const;
  /// Quantized caches whose page boxes are whole 8-row blocks: the stages are
  /// staged swizzled (a 128-, 64- or 32-byte swizzle by the row's bytes) and
  /// the MMAs' operands are converted from them in registers, in fragment
  /// order (no 16-bit compute tiles). The decode kernel's choice. Rows
  /// under 128 bytes of dense pages are folded (kvFold).
  void useRegisterDequant();
  /// The most stages (2 to 4) that fit `budget` bytes of shared memory
  /// after the kernel's own `kvBase` bytes.
  int64_t stagesWithin(int64_t budget) const {
    return std::clamp<int64_t>(
        (budget - kvBase - computeBytes()) / stageBytes(), 2, 4);
  }

  int64_t headDim = 0;
  /// Bytes of a compute element (the MMAs' 16-bit type) and of a cache
  /// memref element (an nvfp4 element is a byte holding two values).
  int64_t elemBytes = 2;
  int64_t kvElemBytes = 2;
  /// The cache holds nvfp4 (e2m1 pairs with f8E4M3FN block scales).
  bool nvfp4 = false;
  /// HND (else NHD) cache and scale layout.
  bool hnd = true;
  int64_t pageSize = 1;
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
  /// Both caches are HND with dense pages of rows under 128 bytes: their
  /// types' static row stride (memref dim 2) is one row, so a page of one
  /// head is contiguous (hasDenseRows).
  bool densePages = false;
  /// Cache rows a box row holds (registerDequant over dense pages with rows
  /// under 128 bytes): the box is {128 bytes, kvBoxRows / kvFold}, 128-byte
  /// swizzled, so TMA asks L2 for 128-byte rows instead of 32 or 64 bytes.
  /// Shared memory holds the same rows in the same order; only the swizzle
  /// differs (a chunk of row r sits in 128-byte line r / kvFold, at chunk
  /// (r % kvFold) * rowChunks + c, XORed with the line index % 8).
  int64_t kvFold = 1;
  /// nvfp4 block scales of a page's kvBoxRows rows: `scaleBoxes` boxes of
  /// {scaleInnerBox} bytes (HND: the page's rows are consecutive scale
  /// rows of head_dim / 16 bytes) or one box of {scaleInnerBox, kvBoxRows}
  /// (NHD: the 16-byte window of the folded heads dim that holds the head's
  /// scales, one per row).
  int64_t scaleInnerBox = 16;
  int64_t scaleBoxes = 0;
  int64_t stages = 2;
  /// Shared-memory byte offset where the K/V area starts (after the
  /// kernel's q tiles).
  int64_t kvBase = 0;

  /// Quantized stages are read in fragment order and converted in
  /// registers (useRegisterDequant()).
  bool registerDequant = false;
  /// Quantized caches converted into 16-bit tiles: how many K/V pairs of
  /// them (one, or one per stage where the conversion runs ahead of the
  /// MMAs, as in the wgmma prefill).
  int64_t computeStages = 1;

  /// Quantized caches: stages hold raw bytes, converted into one compute
  /// tile (or, registerDequant, into the MMA operands).
  bool dequantize() const { return kvElemBytes != elemBytes; }
  /// The swizzle span of register-dequantized stages: the bytes of a row in
  /// one box (a 16-byte chunk c of box row r sits at chunk c ^ (r / (128 /
  /// span)) % (span / 16)).
  int64_t stagedSpan() const { return std::min<int64_t>(kvRowBytes(), 128); }
  /// The 16-bit tiles the MMAs read: 128-byte swizzled (quantized caches),
  /// or the TMA boxes themselves (16-bit caches).
  bool computeSwizzled() const { return dequantize() || kvSwizzled; }
  int64_t computeInner() const {
    return dequantize() ? std::min<int64_t>(headDim, 64) : kvInnerBox;
  }
  /// Bytes of one cache row (one token of one head).
  int64_t kvRowBytes() const {
    return nvfp4 ? headDim / 2 : headDim * kvElemBytes;
  }
  /// nvfp4 scales: bytes of a scale row in shared memory and of one box.
  int64_t scaleRowBytes() const { return hnd ? headDim / 16 : scaleInnerBox; }
  int64_t scaleBoxBytes() const {
    return hnd ? scaleInnerBox : scaleInnerBox * kvBoxRows;
  }

  /// Shared memory layout of the K/V area (bytes from kvBase): the compute
  /// K and V tiles when dequantizing (computeStages pairs), then each
  /// stage's K, V, K scales and V scales.
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
  int64_t computeOffset() const { return kvBase; }
  /// The 16-bit K and V tiles of compute stage `s`, one pair a stage.
  int64_t computeStageBytes() const { return 2 * computeTileBytes(); }
  int64_t computeKOffset(int64_t s = 0) const {
    return computeOffset() + s * computeStageBytes();
  }
  int64_t computeVOffset(int64_t s = 0) const {
    return computeKOffset(s) + computeTileBytes();
  }
  int64_t computeBytes() const {
    return dequantize() && !registerDequant
               ? computeStages * computeStageBytes()
               : 0;
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
  /// A kernel's key range starts at a multiple of this many tokens (whole
  /// tiles and whole pages).
  int64_t splitUnit() const { return std::max(pageSize, tileTokens); }

  /// Dynamic shared memory the whole layout needs (the mbarriers are
  /// static shared memory).
  int64_t sharedMemoryBytes() const { return kOffset(stages); }

protected:
  static int64_t alignTo128(int64_t bytes) { return (bytes + 127) / 128 * 128; }
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_KERNELS_PAGEDKVPLAN_H
