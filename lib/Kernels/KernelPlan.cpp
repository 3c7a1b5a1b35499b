//===- KernelPlan.cpp - The kernel plan of an attention op ----------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Kernels/KernelPlan.h"
#include "attn/Kernels/DecodePlan.h"
#include "attn/Kernels/PrefillPlan.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

TmaBoxes mlir::paged_attn::getKernelBoxes(AttentionOpInterface op,
                                          const attn::TargetInfo &target) {
  return llvm::TypeSwitch<Operation *, TmaBoxes>(op.getOperation())
      .Case([&](DecodeOp decode) {
        return DecodePlan::compute(decode, target).boxes();
      })
      .Case([&](PrefillOp prefill) {
        return PrefillPlan::compute(prefill, target).boxes();
      });
}

TmaDescriptors
mlir::paged_attn::getKernelDescriptors(AttentionOpInterface op,
                                       const attn::TargetInfo &target) {
  return deriveTmaDescriptors(op, getKernelBoxes(op, target));
}

std::pair<uint32_t, tma::Swizzle>
mlir::paged_attn::getSwizzledInnerBox(int64_t extent, int64_t bytes) {
  int64_t spanBytes = std::min<int64_t>(extent * bytes, 128);
  uint32_t box = static_cast<uint32_t>(std::max<int64_t>(spanBytes / bytes, 1));
  tma::Swizzle swizzle = tma::Swizzle::None;
  if (spanBytes == 128)
    swizzle = tma::Swizzle::B128;
  else if (spanBytes == 64)
    swizzle = tma::Swizzle::B64;
  else if (spanBytes == 32)
    swizzle = tma::Swizzle::B32;
  return {box, swizzle};
}
