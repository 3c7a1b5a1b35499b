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

PrefillPlan PrefillPlan::compute(PrefillOp op, const attn::TargetInfo &target) {
  PrefillPlan t;
  t.initPagedKV(cast<AttentionOpInterface>(op.getOperation()),
                /*computeElemBytes=*/2);
  AttentionDims dims = getAttentionDims(op);
  t.group = dims.groupSize();
  t.qTokens = std::max<int64_t>(1, kQRows / t.group);
  t.qElemBytes =
      getTmaElemBytes(cast<MemRefType>(op.getQ().getType()).getElementType());
  t.qInnerBox =
      t.qElemBytes == 2 ? std::min<int64_t>(t.headDim, 64) : t.headDim;
  t.qRegions = std::max<int64_t>(1, t.headDim / t.qInnerBox);
  t.kvBase = t.qBytes();
  // As decode: about half of an SM's shared memory, so that two CTAs share
  // an SM when head_dim <= 128; 2 to 4 stages.
  constexpr int64_t kSharedBudget = 110 * 1024;
  assert(2 * (kSharedBudget + target.reservedSharedMemoryPerBlock()) <=
             target.sharedMemoryPerSM() &&
         "two CTAs of the budget must fit on one SM");
  t.stages = t.stagesWithin(kSharedBudget);
  return t;
}

FailureOr<PrefillPlan> PrefillPlan::get(PrefillOp op,
                                        const attn::TargetInfo &target) {
  PrefillPlan t = compute(op, target);
  Type q = cast<MemRefType>(op.getQ().getType()).getElementType();
  if (!q.isBF16() && !q.isF16())
    return op.emitOpError("the prefill kernel needs a bf16 or f16 q, not ")
           << q << " (an fp8 q is a decode-only feature)";
  if (t.group > kQRows)
    return op.emitOpError("the prefill kernel needs a gqa group of at most ")
           << kQRows << " (one q tile), not " << t.group;
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
