//===- PrefillPlan.cpp - How the prefill kernel tiles its work ------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Kernels/PrefillPlan.h"
#include "attn/Kernels/KernelPlan.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::paged_attn;

PrefillPlan PrefillPlan::compute(PrefillOp op, const attn::TargetInfo &target) {
  (void)target;
  AttentionDims dims = getAttentionDims(op);
  auto elemBytes = [](Value v) {
    return getTmaElemBytes(cast<MemRefType>(v.getType()).getElementType());
  };
  PrefillPlan plan;
  TmaBoxes &boxes = plan.tmaBoxes;
  std::tie(boxes.qInner, boxes.qSwizzle) =
      getSwizzledInnerBox(dims.headDim, elemBytes(op.getQ()));
  boxes.qRows =
      static_cast<uint32_t>(std::max<int64_t>(1, kTileRows / dims.groupSize()));
  auto cache = cast<MemRefType>(op.getKCache().getType());
  std::tie(boxes.kvInner, boxes.kvSwizzle) =
      getSwizzledInnerBox(cache.getDimSize(3), elemBytes(op.getKCache()));
  boxes.kvRows = static_cast<uint32_t>(dims.pageSize);
  if (Value scale = op.getKScale()) {
    int64_t folded = cast<MemRefType>(scale.getType()).getDimSize(2);
    boxes.scaleInner = static_cast<uint32_t>(
        std::min<int64_t>(folded * (dims.headDim / 16), 256));
  }
  boxes.scaleRows = static_cast<uint32_t>(dims.pageSize);
  return plan;
}
