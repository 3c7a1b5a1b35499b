//===- DecodePlan.h - How the decode kernel tiles its work ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The decode kernel's plan: tiles, stages, warps, the shared-memory layout
// and the TMA boxes, computed once from the op and the chip. The kernel
// generator (lib/Conversion/PagedAttnToGPU) builds exactly this plan, the
// host lowering launches it, and --paged-attn-verify-tma checks its boxes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_KERNELS_DECODEPLAN_H
#define ATTN_KERNELS_DECODEPLAN_H

#include "attn/Kernels/PagedKVPlan.h"
#include "attn/Support/TargetInfo.h"

#include <algorithm>

namespace mlir {
namespace paged_attn {

/// How register-dequantized decode turns NVFP4 bytes into f16 MMA operands
/// (the lowering's option decode-nvfp4). Placement puts each half's sign
/// and code bits in place with shifts and masks, pairing nibbles i and
/// i + 4 of a word (the value times 2^-14); BytePairs converts each byte,
/// two e2m1 values, into one f16 pair: cvt.rn.f16x2.e2m1x2 where the chip
/// has it (sm_100a), its exact integer equivalent elsewhere (to run
/// sm_100a's kernel on an sm_90a machine). Auto is BytePairs where the chip
/// has the cvt, Placement elsewhere. LeaveOut is for measurement only: the
/// staged words go to the MMAs as they are, unconverted and unscaled, so
/// the outputs are meaningless; it times everything but the conversion and
/// the block scales, the bound no conversion can beat.
enum class DecodeNvfp4 { Auto, BytePairs, Placement, LeaveOut };

/// How the decode kernel tiles its work. The descriptors' boxes (boxes())
/// and the kernel's shared-memory layout both come from here, so the
/// verifier checks the boxes the kernel really loads.
///
/// A CTA handles one (batch, kv head, 16-row block of the q rows, KV split).
/// The q rows of a kv head are its GQA group times q_len_per_request, row
/// r = token * group + head_in_group. K and V move as PagedKVPlan says;
/// each of the 4 warps takes 16 of a tile's 64 keys. An fp8 q is staged
/// (unswizzled, head_dim bytes per row) and converted into the 16-bit q
/// tile once.
struct DecodePlan : PagedKVPlan {
  static constexpr int64_t kRowsPerBlock = 16;

  /// The plan of a verified decode op on `target`; fails with a diagnostic
  /// (on `op`) for shapes the kernel does not support.
  static FailureOr<DecodePlan> get(DecodeOp op, const attn::TargetInfo &target);
  /// The same plan without the support checks (every verified op has one;
  /// the verifier derives its descriptors from it).
  static DecodePlan compute(DecodeOp op, const attn::TargetInfo &target);

  /// The TMA boxes the kernel loads (deriveTmaDescriptors).
  TmaBoxes boxes() const;

  /// Bytes of a q element (the compute type's, or 1 for an fp8 q).
  int64_t qElemBytes = 2;
  int64_t group = 1;
  int64_t qLen = 1;
  /// group * qLen, and the 16-row blocks that cover them.
  int64_t qRows = 1;
  int64_t mBlocks = 1;
  /// q: box {qInnerBox, group, 1, qLen} (q elements), qRegions boxes;
  /// 128-byte swizzled for 16-bit q, unswizzled (head_dim bytes) for fp8.
  int64_t qInnerBox = 64;
  int64_t qRegions = 1;

  /// The CTAs an SM holds, as the launch's split choice counts them: what
  /// fits its shared memory, at most 2 (the register budget of 128 threads
  /// at up to 255 registers each allows two; more is not assumed).
  int64_t ctasPerSM(const attn::TargetInfo &target) const {
    int64_t perCta =
        sharedMemoryBytes() + target.reservedSharedMemoryPerBlock();
    int64_t most = minCtasPerSM ? minCtasPerSM : 2;
    return std::clamp<int64_t>(target.sharedMemoryPerSM() / perCta, 1, most);
  }
  /// The CTAs per SM the kernel asks ptxas to fit (nvvm.minctasm: at most
  /// 65536 / (128 x CTAs) registers a thread), or 0. For head_dim <= 128:
  /// register-dequantized kernels, bound by issue, four CTAs (16 warps) of
  /// 3 stages (4 with two tiles a step); 16-bit caches three CTAs of 2
  /// stages.
  int64_t minCtasPerSM = 0;
  /// Key tiles one step of the kernel's tile loop computes: 2 for
  /// register-dequantized kernels with swapped operands whose 4 stages fit
  /// four CTAs an SM (one online-softmax update, one rescale check and one
  /// CTA barrier for both tiles, their refills a step ahead), else 1.
  int64_t tilesPerStep = 1;

  /// How NVFP4 register dequantization converts (DecodeNvfp4, never Auto;
  /// Placement where the plan converts no NVFP4 in registers).
  DecodeNvfp4 nvfp4Conversion = DecodeNvfp4::Placement;
  /// Byte pairs: K's registers pair consecutive columns (q's fragments
  /// follow), V's transposed registers first interleave their two keys'
  /// nibbles.
  bool e2m1BytePairs() const {
    return nvfp4Conversion == DecodeNvfp4::BytePairs;
  }
  /// Left out (timing only, wrong outputs).
  bool e2m1LeftOut() const { return nvfp4Conversion == DecodeNvfp4::LeaveOut; }
  /// Sets nvfp4Conversion from the lowering's choice.
  void chooseNvfp4Conversion(DecodeNvfp4 choice,
                             const attn::TargetInfo &target) {
    if (choice == DecodeNvfp4::Auto)
      choice = target.hasCvtE2M1ToF16x2() ? DecodeNvfp4::BytePairs
                                          : DecodeNvfp4::Placement;
    nvfp4Conversion =
        registerDequant && nvfp4 ? choice : DecodeNvfp4::Placement;
  }

  /// Register dequantization with at most 8 q rows swaps the MMA operands
  /// (S^T = K q^T, O^T = V^T P^T; docs/DecodeKernel.md).
  bool swappedOperands() const { return registerDequant && qRows <= 8; }
  /// An fp8 q is staged and converted into the 16-bit q tile.
  bool qDequantize() const { return qElemBytes != elemBytes; }
  /// The 16-bit q tile: 128-byte swizzled regions of qComputeInner columns.
  int64_t qComputeInner() const { return std::min<int64_t>(headDim, 64); }
  int64_t qComputeRegions() const { return headDim / qComputeInner(); }

  /// Shared memory layout (bytes, from a 1024-byte aligned base): q, the
  /// staged fp8 q, then the K/V area (PagedKVPlan, at kvBase).
  int64_t qBytes() const {
    return mBlocks * kRowsPerBlock * headDim * elemBytes;
  }
  int64_t qStagedBytes() const {
    return qDequantize() ? alignTo128(qRows * headDim * qElemBytes) : 0;
  }
  int64_t qOffset() const { return 0; }
  int64_t qStagedOffset() const { return qBytes(); }
  /// The epilogue merges the warps' (max, sum, O) in f32 from qBytes() on,
  /// over the K/V stages.
  int64_t epilogueBytes() const {
    return 4 * (2 * kNumWarps * kRowsPerBlock +
                kNumWarps * kRowsPerBlock * headDim);
  }
  /// Dynamic shared memory: the K/V layout, or the epilogue's scratch where
  /// that reaches further (small register-dequantized stages).
  int64_t sharedMemoryBytes() const {
    return std::max(PagedKVPlan::sharedMemoryBytes(),
                    qBytes() + epilogueBytes());
  }
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_KERNELS_DECODEPLAN_H
