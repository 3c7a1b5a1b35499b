//===- PrefillPlan.h - How the prefill kernel tiles its work ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The prefill kernel's plan. paged_attn.prefill has no kernel yet (the
// lowering rejects it); until it does, the plan holds only the TMA boxes
// the verifier checks: q tiles of 64 rows (64 / group tokens of a GQA
// group), whole pages of K and V, 128-byte swizzled inner boxes of up to
// 128 bytes. The prefill kernel will replace these with its tiling.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_KERNELS_PREFILLPLAN_H
#define ATTN_KERNELS_PREFILLPLAN_H

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"
#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"
#include "attn/Support/TargetInfo.h"

namespace mlir {
namespace paged_attn {

struct PrefillPlan {
  /// Rows of a q tile (tokens times the GQA group).
  static constexpr int64_t kTileRows = 64;

  static PrefillPlan compute(PrefillOp op, const attn::TargetInfo &target);

  /// The TMA boxes the kernel loads.
  TmaBoxes boxes() const { return tmaBoxes; }

  TmaBoxes tmaBoxes;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_KERNELS_PREFILLPLAN_H
