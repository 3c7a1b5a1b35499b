//===- PagedKVPlan.cpp - How a kernel moves paged K/V tiles ---------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Kernels/PagedKVPlan.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

void PagedKVPlan::initPagedKV(AttentionOpInterface op,
                              int64_t computeElemBytes) {
  AttentionDims dims = getAttentionDims(op);
  headDim = dims.headDim;
  elemBytes = computeElemBytes;
  kvElemBytes = getTmaElemBytes(
      cast<MemRefType>(op.getKCache().getType()).getElementType());
  nvfp4 = dims.nvfp4;
  hnd = op.getKvLayout() == KVLayout::HND;
  pageSize = dims.pageSize;
  // Rows under 128 bytes of both caches proven one row apart: they can be
  // folded into 128-byte descriptor rows (useRegisterDequant decides).
  if (hnd && kvRowBytes() < 128) {
    int64_t fold = 128 / kvRowBytes();
    densePages =
        hasDenseRows(cast<MemRefType>(op.getKCache().getType()), fold) &&
        hasDenseRows(cast<MemRefType>(op.getVCache().getType()), fold);
  }
  int64_t span = 128 / elemBytes;
  kvBoxRows = std::min(pageSize, kTileRows);
  pagesPerTile = pageSize <= kTileRows ? kTileRows / pageSize : 1;
  tileTokens = pageSize <= kTileRows ? pagesPerTile * pageSize : kTileRows;
  tilesPerPage = llvm::divideCeil(pageSize, kTileRows);
  // A swizzled box must start on a 1024-byte (8-row) boundary; pages of a
  // size that is not a multiple of 8 land at other offsets, so they are
  // loaded unswizzled, the whole head_dim in one box.
  // Quantized (fp8, nvfp4) stages are converted by every thread, not read
  // by ldmatrix: one unswizzled box of the whole row.
  kvSwizzled = kvBoxRows % 8 == 0 && !dequantize();
  int64_t cacheInner = nvfp4 ? headDim / 2 : headDim;
  kvInnerBox = kvSwizzled ? std::min(headDim, span) : cacheInner;
  kvRegions = cacheInner / kvInnerBox;
  if (nvfp4) {
    // Box inner extents are 16-byte multiples of at most 256 elements.
    int64_t blocks = headDim / 16;
    if (hnd) {
      int64_t bytes = kvBoxRows * blocks;
      scaleInnerBox = std::min<int64_t>((bytes + 15) / 16 * 16, 256);
      scaleBoxes = llvm::divideCeil(bytes, scaleInnerBox);
    } else {
      scaleInnerBox = 16;
      scaleBoxes = 1;
    }
  }
}

void PagedKVPlan::useRegisterDequant() {
  if (!dequantize() || kvBoxRows % 8 != 0)
    return;
  // A box row is one swizzle span (its bytes: 64 or 128 for fp8, 32, 64 or
  // 128 for nvfp4), so eight rows are one swizzle period and every box
  // starts on one.
  registerDequant = true;
  kvSwizzled = true;
  kvInnerBox = stagedSpan();
  kvRegions = kvRowBytes() / kvInnerBox;
  // Folded boxes start on a 1024-byte swizzle period when the stages and
  // tiles are whole periods (the reader takes the line index from the
  // offset in the stage).
  if (densePages && kvTileBytes() % 1024 == 0 && stageBytes() % 1024 == 0)
    kvFold = 128 / kvRowBytes();
}

void PagedKVPlan::fillKVBoxes(TmaBoxes &boxes) const {
  boxes.kvInner = static_cast<uint32_t>(kvInnerBox * kvFold);
  boxes.kvRows = static_cast<uint32_t>(kvBoxRows / kvFold);
  boxes.kvFold = static_cast<uint32_t>(kvFold);
  // A swizzled box row is one swizzle span: 128 bytes of 16-bit values,
  // or a register-dequantized row's 32, 64 or 128 bytes (128 folded).
  int64_t span = kvInnerBox * kvFold * kvElemBytes;
  boxes.kvSwizzle = !kvSwizzled  ? tma::Swizzle::None
                    : span == 32 ? tma::Swizzle::B32
                    : span == 64 ? tma::Swizzle::B64
                                 : tma::Swizzle::B128;
  boxes.scaleInner = static_cast<uint32_t>(scaleInnerBox);
  boxes.scaleRows = static_cast<uint32_t>(kvBoxRows);
}
