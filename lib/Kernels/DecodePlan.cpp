//===- DecodePlan.cpp - How the decode kernel tiles its work --------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Kernels/DecodePlan.h"

#include "llvm/Support/MathExtras.h"

#include <cassert>
#include <limits>

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

DecodePlan DecodePlan::compute(DecodeOp op, const attn::TargetInfo &target) {
  DecodePlan t;
  t.initPagedKV(cast<AttentionOpInterface>(op.getOperation()),
                /*computeElemBytes=*/2);
  AttentionDims dims = getAttentionDims(op);
  t.qElemBytes =
      getTmaElemBytes(cast<MemRefType>(op.getQ().getType()).getElementType());
  t.group = dims.groupSize();
  t.qLen = op.getQLenPerRequest();
  // Ops no kernel takes (get() rejects a group or q_len over 256) keep
  // finite sizes here: the verifier still derives their boxes.
  t.qRows = std::min<uint64_t>(
      llvm::SaturatingMultiply<uint64_t>(t.group, t.qLen), uint64_t(1) << 30);
  t.mBlocks = llvm::divideCeil(t.qRows, DecodePlan::kRowsPerBlock);
  int64_t span = 128 / t.elemBytes;
  // An fp8 q moves as one unswizzled box of head_dim bytes.
  t.qInnerBox = t.qDequantize() ? t.headDim : std::min(t.headDim, span);
  t.qRegions = t.headDim / t.qInnerBox;
  // Quantized pages of whole 8-row blocks: converted in registers from
  // swizzled stages.
  t.useRegisterDequant();
  // Swizzled stages start on a 1024-byte swizzle period (q's 16-bit tiles
  // end on one; a staged fp8 q may not).
  t.kvBase = t.qBytes() + t.qStagedBytes();
  if (t.kvSwizzled)
    t.kvBase = (t.kvBase + 1023) / 1024 * 1024;
  // About half of an SM's shared memory (2 to 4 stages), so that two CTAs
  // share an SM: one CTA's prologue and epilogue hide behind the other's
  // loads. This is what head_dim 256 and the tile-converted quantized
  // caches get; the two cases below choose for themselves.
  constexpr int64_t kSharedBudget = 110 * 1024;
  assert(2 * (kSharedBudget + target.reservedSharedMemoryPerBlock()) <=
             target.sharedMemoryPerSM() &&
         "two CTAs of the budget must fit on one SM");
  t.stages = t.stagesWithin(kSharedBudget);
  // 16-bit caches up to head_dim 128: three CTAs of two stages an SM
  // (nvvm.minctasm 3: 170 registers a thread at most, no spills) rather
  // than two of three or four: one more CTA to overlap a CTA's prologue,
  // epilogue and per-tile barrier with the others' loads (H200, B64 L4096:
  // head_dim 64 3.30 -> 3.59-3.82 TB/s; head_dim 128 unchanged to +2%).
  if (!t.dequantize() && t.headDim <= 128) {
    t.stages = 2;
    t.minCtasPerSM = 3;
  }
  if (t.registerDequant && t.headDim <= 128) {
    auto fourFit = [&](const DecodePlan &p) {
      return 4 * (p.sharedMemoryBytes() +
                  target.reservedSharedMemoryPerBlock()) <=
             target.sharedMemoryPerSM();
    };
    t.stages = std::min<int64_t>(t.stages, 3);
    if (fourFit(t))
      t.minCtasPerSM = 4;
    // Swapped operands: two tiles a step in 4 stages, where four CTAs of
    // them still fit (nvfp4, fp8 of head_dim 64).
    DecodePlan paired = t;
    paired.stages = 4;
    if (t.swappedOperands() && t.minCtasPerSM == 4 && fourFit(paired)) {
      t.stages = 4;
      t.tilesPerStep = 2;
    }
  }
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
  // (Saturated: an op with a huge q_len breaks box-dim-range, not 0.)
  boxes.qRows = static_cast<uint32_t>(
      std::min<uint64_t>(qLen, std::numeric_limits<uint32_t>::max()));
  boxes.qSwizzle = qDequantize() ? tma::Swizzle::None : tma::Swizzle::B128;
  fillKVBoxes(boxes);
  return boxes;
}
