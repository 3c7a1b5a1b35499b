//===- DecodeKernel.h - The decode attention kernels ------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEKERNEL_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEKERNEL_H

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"
#include "attn/Kernels/DecodePlan.h"
#include "attn/Support/TargetInfo.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir {
namespace paged_attn {

/// Arguments of the decode kernel (KernelArgs.h), in order.
template <typename T>
struct DecodeKernelArgs {
  /// The TMA descriptors, by value (Tma.h); the scales' only for nvfp4.
  T qMap, kCacheMap, vCacheMap, kScaleMap, vScaleMap;
  T blockTable, seqLens, out;
  T workspace;   ///< SplitWorkspace, memref<?xf32> (unused with one split)
  /// memref<?xi32>: one per row group (batch x kv heads x 16-row blocks),
  /// zero between calls (SplitMerge.h; unused with one split)
  T splitCounters;
  T numSplits;   ///< index
  T splitTokens; ///< index: tokens per split, a multiple of the tile's
  /// The op's optional operands, each only when the op has it.
  T sinks, kGlobalScale, vGlobalScale;

  template <typename F>
  void forEachField(F &&f) {
    for (T *field : {&qMap, &kCacheMap, &vCacheMap, &kScaleMap, &vScaleMap,
                     &blockTable, &seqLens, &out, &workspace, &splitCounters,
                     &numSplits, &splitTokens, &sinks, &kGlobalScale, &vGlobalScale})
      f(*field);
  }
};

/// Builds the split-KV decode kernel of `op` in `module`: `plan`'s tiling,
/// reading the descriptors `tma`, for `target`.
gpu::GPUFuncOp buildDecodeKernel(OpBuilder &builder, gpu::GPUModuleOp module,
                                 StringRef name, DecodeOp op,
                                 const DecodePlan &plan,
                                 const TmaDescriptors &tma,
                                 const attn::TargetInfo &target);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEKERNEL_H
