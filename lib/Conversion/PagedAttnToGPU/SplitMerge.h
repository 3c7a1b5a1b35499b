//===- SplitMerge.h - Merging the split-KV partial outputs ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// With several KV splits, each decode CTA writes its rows' normalized
// partial outputs and log-sum-exps to the split workspace (SplitWorkspace.h)
// and adds one to its row group's counter (the runtime's split counters,
// zero between calls); the CTA that brings it to the split count is the
// last, merges the group's rows into `out` and sets the counter back to
// zero. No merge kernel, no second launch. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SPLITMERGE_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SPLITMERGE_H

#include "KernelBuilder.h"
#include "SplitWorkspace.h"

namespace mlir {
namespace paged_attn {

/// What the merge reads and writes.
struct SplitMergeArgs {
  Value workspace; ///< memref<?xf32>, the SplitWorkspace layout
  Value numSplits; ///< index
  Value out;       ///< the op's out, [tokens, heads, head_dim]
  Value sinks;     ///< the op's sinks [heads], or null
};

/// One thread of the CTA, after a barrier that follows all its workspace
/// stores: adds one to counter `group` of `counters` (memref<?xi32>) with
/// gpu-scope release and acquire fences, and returns whether this CTA was
/// the last of `numSplits` (then the counter is reset to zero).
Value arriveOnSplitCounter(KernelBuilder &k, Value counters, Value group,
                           Value numSplits);

/// One warp (`lane` 0..31) merges the splits of q row (token, head) into
/// `out`: lane l writes columns l, l + 32, ... of
/// `headDim` (a multiple of 32). Reads the workspace with gpu-scope relaxed
/// loads (the last CTA's view of the other splits' stores).
void mergeSplitRow(KernelBuilder &k, const SplitMergeArgs &args,
                   SplitWorkspace &workspace, Value token, Value head,
                   Value lane, int64_t headDim);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SPLITMERGE_H
