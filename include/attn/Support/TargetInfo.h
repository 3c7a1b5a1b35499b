//===- TargetInfo.h - What the compiler knows about each chip ---*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// One TargetInfo per chip the project compiles for (sm_90a, sm_100a): the
// only code that knows chip names, PTX versions, shared-memory and register
// limits, the SM-count fallback, and which MMA and conversion instructions
// exist. Every pass option, verifier and kernel generator asks it; nothing
// else parses a chip name or spells a chip limit. MLIR-free (like TmaRules),
// so tools and the runtime's tests may use it too.
//
// The TMA rules keep their own small target enum (tma::Target), which
// tmaTarget() maps to.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_TARGETINFO_H
#define ATTN_SUPPORT_TARGETINFO_H

#include "attn/Support/TmaRules.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

/// Tensor-core MMA instruction families.
enum class MmaKind : uint8_t {
  MmaSync, ///< mma.sync (warp-level; sm_80 on)
  Wgmma,   ///< wgmma.mma_async (warpgroup-level; sm_90a only)
  Tcgen05, ///< tcgen05.mma with tensor memory (sm_100a)
};

/// Facts about one chip. Instances are constants; get them with lookup().
class TargetInfo {
public:
  /// The chip named `chip` ("sm_90a", "sm_100a"), or null when there is
  /// none of that name. The one place chip names are parsed.
  static const TargetInfo *lookup(std::string_view chip);
  /// The chip the TMA rules call `target`.
  static const TargetInfo &get(tma::Target target);
  /// "sm_90a or sm_100a", for diagnostics of unknown chips.
  static const char *knownChips();
  /// Every chip, oldest first.
  static std::vector<const TargetInfo *> all();

  /// "sm_90a".
  const char *name() const { return name_; }
  /// 90, 100.
  unsigned computeCapability() const { return computeCapability_; }
  /// The target of the TMA rules.
  tma::Target tmaTarget() const { return tmaTarget_; }

  /// PTX ISA versions times 10: the oldest that has every instruction the
  /// kernels use on this chip, which is also the default.
  unsigned minPtxVersion() const { return minPtxVersion_; }
  /// "+ptx80": the default `ptx-features` of the pipeline.
  std::string defaultPtxFeatures() const;

  /// Dynamic shared memory one CTA may opt in to, and shared memory per SM
  /// (each CTA also reserves 1 KiB of the SM's).
  int64_t maxSharedMemoryPerBlock() const { return maxSharedPerBlock_; }
  int64_t sharedMemoryPerSM() const { return sharedPerSM_; }
  int64_t reservedSharedMemoryPerBlock() const { return 1024; }
  /// 32-bit registers: per thread (ptxas's ceiling) and per SM.
  int64_t maxRegistersPerThread() const { return 255; }
  int64_t registersPerSM() const { return 65536; }
  /// SMs assumed when the runtime cannot tell (the number on the chip's
  /// data-center part: H100/H200 SXM, B200).
  int64_t smCountFallback() const { return smCountFallback_; }

  /// Whether the chip has MMA family `kind`.
  bool hasMma(MmaKind kind) const;
  /// cvt.rn.f16x2.e4m3x2 (sm_89 on) and cvt.rn.f16x2.e2m1x2 (sm_100a).
  bool hasCvtE4M3ToF16x2() const { return true; }
  bool hasCvtE2M1ToF16x2() const { return computeCapability_ >= 100; }

  constexpr TargetInfo(const char *name, unsigned computeCapability,
                       tma::Target tmaTarget, unsigned minPtxVersion,
                       int64_t maxSharedPerBlock, int64_t sharedPerSM,
                       int64_t smCountFallback)
      : name_(name), computeCapability_(computeCapability),
        tmaTarget_(tmaTarget), minPtxVersion_(minPtxVersion),
        maxSharedPerBlock_(maxSharedPerBlock), sharedPerSM_(sharedPerSM),
        smCountFallback_(smCountFallback) {}

private:
  const char *name_;
  unsigned computeCapability_;
  tma::Target tmaTarget_;
  unsigned minPtxVersion_;
  int64_t maxSharedPerBlock_;
  int64_t sharedPerSM_;
  int64_t smCountFallback_;
};

} // namespace attn

#endif // ATTN_SUPPORT_TARGETINFO_H
