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

/// Which prefill kernel: the warp-specialized wgmma kernel (sm_90a: 16-bit
/// caches whose pages are whole 8-row swizzle atoms, and fp8 / NVFP4 caches
/// of any page size whose stages fit twice) or the portable mma.sync kernel
/// (every chip and cache).
enum class PrefillKernelKind { Portable, Wgmma };

/// What the lowering may choose: the fastest kernel the op and chip allow,
/// or the portable one (to run sm_100a's kernel on an sm_90a machine).
enum class PrefillKernelChoice { Auto, Portable };

/// How the epilogue writes out where out's start and strides are multiples
/// of 16 bytes: Auto stages each warp's rows in the q tile and stores
/// 16-byte chunks (the faster on the H200); TmaBulk has the wgmma kernel
/// stage rows in a free K/V stage and copy each row by cp.async.bulk (the
/// TMA engine, no descriptor). Other strides take the same fallbacks.
enum class PrefillEpilogue { Auto, TmaBulk };

/// How the prefill kernel tiles its work.
///
/// A CTA handles one q tile of one request and one kv head: `qTokens`
/// query tokens (= qTileRows / group) times the GQA group's heads, at most
/// qTileRows q rows, row r = token * group + head_in_group. The tiles of a
/// request are the 64 / group-token tiles of the global token index that
/// overlap its rows, so a CTA finds its request with a search over qo_indptr on
/// the device (the host never reads device data). K and V move as PagedKVPlan
/// says; q is one 128-byte swizzled box per 64 columns.
///
/// Portable: 4 warps, 64 q rows; each warp owns 16 q rows and runs over
/// every key tile: S = Q K^T and O += P V with mma.sync m16n8k16.
///
/// Wgmma: 3 warpgroups, 128 q rows. Warpgroup 0 produces (one thread
/// issues every TMA load, its registers lowered with setmaxnreg); the two
/// consumer warpgroups (registers raised) own 64 q rows each: S = Q K^T
/// with wgmma from shared memory, the online softmax in registers, O += P V
/// with P from registers. Stages are released through empty mbarriers.
/// Quantized caches: the producer warpgroup also converts each staged tile
/// into the stage's own 16-bit K and V tiles, and the consumers wait for
/// those (ready mbarriers) instead of the TMA bytes.
struct PrefillPlan : PagedKVPlan {
  /// The most q rows a CTA holds (the GQA group limit).
  static constexpr int64_t kMaxGroup = 64;

  /// The plan of a verified prefill op on `target`; fails with a diagnostic
  /// (on `op`) for operands the kernel does not support.
  static FailureOr<PrefillPlan>
  get(PrefillOp op, const attn::TargetInfo &target,
      PrefillKernelChoice choice = PrefillKernelChoice::Auto);
  /// The same plan without the support checks (every verified op has one;
  /// the verifier derives its descriptors from it).
  static PrefillPlan
  compute(PrefillOp op, const attn::TargetInfo &target,
          PrefillKernelChoice choice = PrefillKernelChoice::Auto);

  /// The TMA boxes the kernel loads (deriveTmaDescriptors).
  TmaBoxes boxes() const;

  PrefillKernelKind kind = PrefillKernelKind::Portable;
  /// q rows of a CTA: 64 (portable) or 128 (wgmma: 64 per consumer).
  int64_t qTileRows = 64;
  int64_t group = 1;
  /// Bytes of a q element: 2 (bf16, f16); an fp8 q (1) has boxes for the
  /// verifier but no kernel.
  int64_t qElemBytes = 2;
  /// Query tokens of a q tile: its box {qInnerBox, group, 1, qTokens}.
  int64_t qTokens = 64;
  int64_t qInnerBox = 64;
  int64_t qRegions = 1;
  /// q rows a tile fills (qTokens * group <= qTileRows).
  int64_t qRows() const { return qTokens * group; }
  bool wgmma() const { return kind == PrefillKernelKind::Wgmma; }
  /// The epilogue copies rows out by cp.async.bulk (PrefillEpilogue::TmaBulk
  /// on a wgmma kernel with a K/V stage the last tile leaves free).
  bool bulkStore = false;
  /// Sets bulkStore from the lowering's choice.
  void chooseEpilogue(PrefillEpilogue epilogue) {
    bulkStore = epilogue == PrefillEpilogue::TmaBulk && wgmma() &&
                !dequantize() && stages >= 3;
  }
  /// Threads of a CTA.
  int64_t threads() const { return wgmma() ? 3 * 128 : kThreads; }
  /// The q tile: qRegions regions of qTileRows rows x qInnerBox columns,
  /// 128-byte swizzled, at offset 0; the K/V area follows.
  int64_t qBytes() const { return qTileRows * headDim * elemBytes; }
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_KERNELS_PREFILLPLAN_H
