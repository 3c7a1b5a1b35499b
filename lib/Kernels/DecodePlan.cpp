//===- DecodePlan.cpp - How the decode kernel tiles its work --------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Kernels/DecodePlan.h"

#include "llvm/Support/MathExtras.h"

#include <cassert>

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

DecodePlan DecodePlan::compute(DecodeOp op, const attn::TargetInfo &target) {
  AttentionDims dims = getAttentionDims(op);
  DecodePlan t;
  t.headDim = dims.headDim;
  t.elemBytes = 2;
  t.qElemBytes =
      getTmaElemBytes(cast<MemRefType>(op.getQ().getType()).getElementType());
  t.kvElemBytes = getTmaElemBytes(
      cast<MemRefType>(op.getKCache().getType()).getElementType());
  t.nvfp4 = dims.nvfp4;
  t.hnd = op.getKvLayout() == KVLayout::HND;
  t.group = dims.groupSize();
  t.qLen = op.getQLenPerRequest();
  t.pageSize = dims.pageSize;
  t.qRows = t.group * t.qLen;
  t.mBlocks = llvm::divideCeil(t.qRows, DecodePlan::kRowsPerBlock);
  int64_t span = 128 / t.elemBytes;
  // An fp8 q moves as one unswizzled box of head_dim bytes.
  t.qInnerBox = t.qDequantize() ? t.headDim : std::min(t.headDim, span);
  t.qRegions = t.headDim / t.qInnerBox;
  t.kvBoxRows = std::min(t.pageSize, DecodePlan::kTileRows);
  t.pagesPerTile = t.pageSize <= DecodePlan::kTileRows
                       ? DecodePlan::kTileRows / t.pageSize
                       : 1;
  t.tileTokens = t.pageSize <= DecodePlan::kTileRows
                     ? t.pagesPerTile * t.pageSize
                     : DecodePlan::kTileRows;
  t.tilesPerPage = llvm::divideCeil(t.pageSize, DecodePlan::kTileRows);
  // A swizzled box must start on a 1024-byte (8-row) boundary; pages of a
  // size that is not a multiple of 8 land at other offsets, so they are
  // loaded unswizzled, the whole head_dim in one box.
  // Quantized (fp8, nvfp4) stages are converted by every thread, not read
  // by ldmatrix: one unswizzled box of the whole row.
  t.kvSwizzled = t.kvBoxRows % 8 == 0 && !t.dequantize();
  int64_t cacheInner = t.nvfp4 ? t.headDim / 2 : t.headDim;
  t.kvInnerBox = t.kvSwizzled ? std::min(t.headDim, span) : cacheInner;
  t.kvRegions = cacheInner / t.kvInnerBox;
  if (t.nvfp4) {
    // Box inner extents are 16-byte multiples of at most 256 elements.
    int64_t blocks = t.headDim / 16;
    if (t.hnd) {
      int64_t bytes = t.kvBoxRows * blocks;
      t.scaleInnerBox = std::min<int64_t>((bytes + 15) / 16 * 16, 256);
      t.scaleBoxes = llvm::divideCeil(bytes, t.scaleInnerBox);
    } else {
      t.scaleInnerBox = 16;
      t.scaleBoxes = 1;
    }
  }
  // About half of an SM's shared memory, so that two CTAs share an SM when
  // head_dim <= 128 (one CTA's prologue and epilogue hide behind the
  // other's loads); 2 to 4 stages.
  constexpr int64_t kSharedBudget = 110 * 1024;
  assert(2 * (kSharedBudget + target.reservedSharedMemoryPerBlock()) <=
             target.sharedMemoryPerSM() &&
         "two CTAs of the budget must fit on one SM");
  t.stages = std::clamp<int64_t>(
      (kSharedBudget - t.computeOffset() - t.computeBytes()) / t.stageBytes(),
      2, 4);
  return t;
}

FailureOr<DecodePlan> DecodePlan::get(DecodeOp op,
                                      const attn::TargetInfo &target) {
  DecodePlan t = compute(op, target);
  if (t.group > 256 || t.qLen > 256)
    return op.emitOpError("the decode kernel needs gqa group (")
           << t.group << ") and q_len_per_request (" << t.qLen
           << ") of at most 256 each (one q box)";
  const int64_t kMaxSharedPerBlock = target.maxSharedMemoryPerBlock();
  if (t.sharedMemoryBytes() > kMaxSharedPerBlock)
    return op.emitOpError("the decode kernel would need ")
           << t.sharedMemoryBytes() << " bytes of shared memory (" << t.qBytes()
           << " for the " << t.qRows << " q rows of a kv head, " << t.stages
           << " stages of " << t.stageBytes() << " for K and V), more than the "
           << kMaxSharedPerBlock
           << " a CTA can have: lower gqa group * q_len_per_request";
  return t;
}

TmaBoxes DecodePlan::boxes() const {
  TmaBoxes boxes;
  // 16-bit q: 128-byte swizzled regions; an fp8 q is staged whole-row and
  // converted, unswizzled.
  boxes.qInner = static_cast<uint32_t>(qInnerBox);
  boxes.qRows = static_cast<uint32_t>(qLen);
  boxes.qSwizzle = qDequantize() ? tma::Swizzle::None : tma::Swizzle::B128;
  boxes.kvInner = static_cast<uint32_t>(kvInnerBox);
  boxes.kvRows = static_cast<uint32_t>(kvBoxRows);
  boxes.kvSwizzle = kvSwizzled ? tma::Swizzle::B128 : tma::Swizzle::None;
  boxes.scaleInner = static_cast<uint32_t>(scaleInnerBox);
  boxes.scaleRows = static_cast<uint32_t>(kvBoxRows);
  return boxes;
}
