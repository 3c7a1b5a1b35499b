//===- PrefillPlan.cpp - How the prefill kernel tiles its work ------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Kernels/PrefillPlan.h"

#include <algorithm>
#include <cassert>

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

PrefillPlan PrefillPlan::compute(PrefillOp op, const attn::TargetInfo &target,
                                 PrefillKernelChoice choice) {
  PrefillPlan t;
  t.initPagedKV(cast<AttentionOpInterface>(op.getOperation()),
                /*computeElemBytes=*/2);
  AttentionDims dims = getAttentionDims(op);
  t.group = dims.groupSize();
  t.qElemBytes =
      getTmaElemBytes(cast<MemRefType>(op.getQ().getType()).getElementType());
  // wgmma reads K and V straight from their TMA boxes: 16-bit caches whose
  // boxes are whole 128-byte swizzle atoms (pages of a multiple of 8 rows).
  // Quantized caches (any page size): the producer warpgroup converts each
  // staged tile into 16-bit K and V tiles of its own (128-byte swizzled),
  // one pair a stage, so a stage is its bytes plus those tiles; wgmma needs
  // two of them in the budget (head_dim 256: one fits, the portable kernel
  // runs).
  constexpr int64_t kWgmmaBudget = 200 * 1024;
  int64_t wgmmaQBytes = 128 * t.headDim * t.elemBytes;
  int64_t dequantStages =
      (kWgmmaBudget - wgmmaQBytes) / (t.stageBytes() + t.computeStageBytes());
  bool wgmmaFits = target.hasMma(attn::MmaKind::Wgmma) && t.qElemBytes == 2 &&
                   (t.dequantize() ? dequantStages >= 2 : t.kvSwizzled);
  t.kind = choice == PrefillKernelChoice::Auto && wgmmaFits
               ? PrefillKernelKind::Wgmma
               : PrefillKernelKind::Portable;
  t.qTileRows = t.wgmma() ? 128 : 64;
  t.qTokens = std::max<int64_t>(1, t.qTileRows / t.group);
  t.qInnerBox =
      t.qElemBytes == 2 ? std::min<int64_t>(t.headDim, 64) : t.headDim;
  t.qRegions = std::max<int64_t>(1, t.headDim / t.qInnerBox);
  t.kvBase = t.qBytes();
  // Portable: as decode, about half of an SM's shared memory, so that two
  // CTAs share an SM when head_dim <= 128. Wgmma: one CTA of 384 threads
  // per SM, most of its shared memory. 2 to 4 stages.
  constexpr int64_t kSharedBudget = 110 * 1024;
  assert(2 * (kSharedBudget + target.reservedSharedMemoryPerBlock()) <=
             target.sharedMemoryPerSM() &&
         "two CTAs of the budget must fit on one SM");
  if (t.wgmma() && t.dequantize()) {
    assert(t.qBytes() == wgmmaQBytes && "the wgmma q tile is 128 rows");
    t.stages = t.computeStages = std::min<int64_t>(4, dequantStages);
  } else {
    t.stages = t.stagesWithin(t.wgmma() ? kWgmmaBudget : kSharedBudget);
  }
  return t;
}

FailureOr<PrefillPlan> PrefillPlan::get(PrefillOp op,
                                        const attn::TargetInfo &target,
                                        PrefillKernelChoice choice) {
  PrefillPlan t = compute(op, target, choice);
  Type q = cast<MemRefType>(op.getQ().getType()).getElementType();
  if (!q.isBF16() && !q.isF16())
    return op.emitOpError("the prefill kernel needs a bf16 or f16 q, not ")
           << q << " (an fp8 q is a decode-only feature)";
  if (t.group > kMaxGroup)
    return op.emitOpError("the prefill kernel needs a gqa group of at most ")
           << kMaxGroup << " (one q tile), not " << t.group;
  const int64_t kMaxSharedPerBlock = target.maxSharedMemoryPerBlock();
  if (t.sharedMemoryBytes() > kMaxSharedPerBlock)
    return op.emitOpError("the prefill kernel would need ")
           << t.sharedMemoryBytes() << " bytes of shared memory, more than the "
           << kMaxSharedPerBlock << " a CTA can have";
  return t;
}

TmaBoxes PrefillPlan::boxes() const {
  TmaBoxes boxes;
  boxes.qInner = static_cast<uint32_t>(qInnerBox);
  boxes.qRows = static_cast<uint32_t>(qTokens);
  boxes.qSwizzle = qElemBytes == 2 ? tma::Swizzle::B128 : tma::Swizzle::None;
  fillKVBoxes(boxes);
  return boxes;
}
