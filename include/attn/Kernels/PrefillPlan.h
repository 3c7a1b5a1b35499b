//===- PrefillPlan.h - How the prefill kernel tiles its work ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The prefill kernel's plan: its q tiles, the paged K/V tiles (PagedKVPlan)
// and the shared-memory layout, computed once from the op and the chip. The
// kernel generator builds exactly this plan, the host launches it, and
// --paged-attn-verify-tma checks its boxes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_KERNELS_PREFILLPLAN_H
#define ATTN_KERNELS_PREFILLPLAN_H

#include "attn/Kernels/PagedKVPlan.h"
#include "attn/Support/TargetInfo.h"

namespace mlir {
namespace paged_attn {

/// How the prefill kernel tiles its work (the portable mma.sync kernel that
/// sm_90a and sm_100a both run today).
///
/// A CTA handles one q tile of one request and one kv head: `tileTokens`
/// query tokens (= 64 / group) times the GQA group's heads, at most 64 q
/// rows, row r = token * group + head_in_group. The tiles of a request are
/// the 64 / group-token tiles of the global token index that overlap its
/// rows, so a CTA finds its request with a search over qo_indptr on the
/// device (the host never reads device data). Each of the 4 warps owns 16
/// q rows and runs over every key tile: S = Q K^T and O += P V with
/// mma.sync m16n8k16, the online softmax in f32 in registers. K and V move
/// as PagedKVPlan says; q is one 128-byte swizzled box per 64 columns.
struct PrefillPlan : PagedKVPlan {
  /// q rows of a CTA (16 per warp).
  static constexpr int64_t kQRows = 64;

  /// The plan of a verified prefill op on `target`; fails with a diagnostic
  /// (on `op`) for operands the kernel does not support.
  static FailureOr<PrefillPlan> get(PrefillOp op,
                                    const attn::TargetInfo &target);
  /// The same plan without the support checks (every verified op has one;
  /// the verifier derives its descriptors from it).
  static PrefillPlan compute(PrefillOp op, const attn::TargetInfo &target);

  /// The TMA boxes the kernel loads (deriveTmaDescriptors).
  TmaBoxes boxes() const;

  int64_t group = 1;
  /// Bytes of a q element: 2 (bf16, f16); an fp8 q (1) has boxes for the
  /// verifier but no kernel.
  int64_t qElemBytes = 2;
  /// Query tokens of a q tile: its box {qInnerBox, group, 1, qTokens}.
  int64_t qTokens = 64;
  int64_t qInnerBox = 64;
  int64_t qRegions = 1;
  /// q rows a tile fills (qTokens * group <= 64).
  int64_t qRows() const { return qTokens * group; }
  /// The q tile: qRegions regions of 64 rows x qInnerBox columns, 128-byte
  /// swizzled, at offset 0; the K/V area follows.
  int64_t qBytes() const { return kQRows * headDim * elemBytes; }
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_KERNELS_PREFILLPLAN_H
