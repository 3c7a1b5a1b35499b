//===- DecodeKernel.h - The decode attention kernels ------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEKERNEL_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEKERNEL_H

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir {
namespace paged_attn {

/// Arguments of the decode kernel, in order. The tensor maps of q, k_cache,
/// v_cache (and k_scale, v_scale for nvfp4 caches) lie at
/// `tensorMaps + 128 * i` in device memory; the
/// workspace holds the partial outputs and log-sum-exps of the KV splits
/// (unused with one split).
enum class DecodeKernelArg : unsigned {
  TensorMaps = 0, ///< i64 device address
  BlockTable,
  SeqLens,
  Out,
  Workspace, ///< memref<?xf32>
  NumSplits, ///< index
  SplitTokens, ///< index, a multiple of the tile's tokens
  Sinks,     ///< only when the op has sinks; then k_global_scale and
             ///< v_global_scale, each only when the op has it
};

/// Arguments of the merge kernel, in order.
enum class MergeKernelArg : unsigned {
  Workspace = 0,
  NumSplits,
  Out,
  Sinks, ///< only when the op has sinks
};

/// The optional operands of `op` each kernel takes, after its fixed
/// arguments and in this order: sinks, then (decode kernel only)
/// k_global_scale and v_global_scale, each only when the op has it. The
/// kernel signatures, the kernel bodies and the host launches all use this.
SmallVector<Value> getOptionalKernelOperands(DecodeOp op, bool isMerge);

/// Threads per CTA of both kernels.
constexpr int64_t kDecodeThreads = DecodeTiling::kNumWarps * 32;

/// Builds the split-KV decode kernel of `op` in `module` for `chip`.
/// `plans` are the op's TMA descriptors from deriveTmaDescriptors (q,
/// k_cache, v_cache, then k_scale and v_scale for nvfp4 caches).
gpu::GPUFuncOp buildDecodeKernel(OpBuilder &builder, gpu::GPUModuleOp module,
                                 StringRef name, DecodeOp op,
                                 const DecodeTiling &tiling,
                                 ArrayRef<TmaOperandPlan> plans,
                                 attn::tma::Target chip);

/// Builds the kernel that merges the splits' partial outputs into `out`.
gpu::GPUFuncOp buildMergeKernel(OpBuilder &builder, gpu::GPUModuleOp module,
                                StringRef name, DecodeOp op,
                                const DecodeTiling &tiling);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEKERNEL_H
