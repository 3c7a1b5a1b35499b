//===- SplitWorkspace.h - The split-KV workspace layout ---------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The one layout of the split-KV workspace, used by the kernels that write
// it, the merge kernel that reads it and the host code that allocates it.
// One f32 buffer:
//
//   partial outputs  [tokens, heads, splits, head_dim]   normalized per split
//   log-sum-exps     [tokens, heads, splits]             -inf: no key
//
// A (token, head) pair is a "row" (token * heads + head); a row's split s is
// its slot row * splits + s. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SPLITWORKSPACE_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SPLITWORKSPACE_H

#include "KernelBuilder.h"

namespace mlir {
namespace paged_attn {

class SplitWorkspace {
public:
  /// The most splits the host chooses (DecodeLaunch's chooseGrid).
  static constexpr int64_t kMaxSplits = 64;

  /// The workspace of `numTokens` x `numHeads` rows, `numSplits` splits each
  /// (index values), of head_dim `headDim`.
  SplitWorkspace(KernelBuilder &k, Value numTokens, int64_t numHeads,
                 Value numSplits, int64_t headDim)
      : k(k), numTokens(numTokens), numHeads(numHeads), numSplits(numSplits),
        headDim(headDim) {}

  /// f32 elements of the whole buffer.
  Value elements() {
    return k.mul(k.mul(k.mul(numTokens, numHeads), numSplits), headDim + 1);
  }
  /// The row of (token, head).
  Value row(Value token, Value head) {
    return k.add(k.mul(token, numHeads), head);
  }
  /// The slot of a row's first split, and of split `split` from there.
  Value firstSlot(Value row) { return k.mul(row, numSplits); }
  Value slot(Value firstSlot, Value split) { return k.add(firstSlot, split); }
  /// The index of element `d` of a slot's partial output.
  Value partialIndex(Value slot, Value d) {
    return k.add(k.mul(slot, headDim), d);
  }
  /// Where the log-sum-exps start (compute once per kernel), and the index
  /// of a slot's log-sum-exp.
  Value lseBase() {
    return k.mul(k.mul(k.mul(numTokens, numHeads), numSplits), headDim);
  }
  Value lseIndex(Value lseBase, Value slot) { return k.add(lseBase, slot); }

private:
  KernelBuilder &k;
  Value numTokens;
  int64_t numHeads;
  Value numSplits;
  int64_t headDim;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SPLITWORKSPACE_H
