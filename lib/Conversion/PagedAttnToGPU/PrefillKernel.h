//===- PrefillKernel.h - The prefill attention kernel -----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_PREFILLKERNEL_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_PREFILLKERNEL_H

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"
#include "attn/Kernels/PrefillPlan.h"
#include "attn/Support/TargetInfo.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir {
namespace paged_attn {

/// Arguments of the prefill kernel (KernelArgs.h), in order.
template <typename T>
struct PrefillKernelArgs {
  /// The TMA descriptors, by value (Tma.h); the scales' only for nvfp4.
  T qMap, kCacheMap, vCacheMap, kScaleMap, vScaleMap;
  T qoIndptr, blockTable, seqLens, out;
  /// The op's optional operands, each only when the op has it.
  T sinks, kGlobalScale, vGlobalScale;

  template <typename F>
  void forEachField(F &&f) {
    for (T *field :
         {&qMap, &kCacheMap, &vCacheMap, &kScaleMap, &vScaleMap, &qoIndptr,
          &blockTable, &seqLens, &out, &sinks, &kGlobalScale, &vGlobalScale})
      f(*field);
  }
};

/// Builds the prefill kernel of `op` in `module`: `plan`'s tiling, reading
/// the descriptors `tma`, for `target`. Grid: (q tiles, kv heads); see
/// PrefillPlan.
gpu::GPUFuncOp buildPrefillKernel(OpBuilder &builder, gpu::GPUModuleOp module,
                                  StringRef name, PrefillOp op,
                                  const PrefillPlan &plan,
                                  const TmaDescriptors &tma,
                                  const attn::TargetInfo &target);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_PREFILLKERNEL_H
