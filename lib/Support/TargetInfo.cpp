//===- TargetInfo.cpp - What the compiler knows about each chip -----------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/TargetInfo.h"

using namespace attn;

// Sources: CUDA C Programming Guide, "Technical Specifications per Compute
// Capability" (228 KiB of shared memory per SM, 227 KiB per block, on 9.0
// and 10.0); PTX ISA, "PTX ISA version" notes (sm_90a needs PTX 8.0,
// sm_100a PTX 8.6); H100/H200 SXM have 132 SMs, B200 148.
static constexpr TargetInfo kSM90a("sm_90a", 90, tma::Target::SM90, 80,
                                   227 * 1024, 228 * 1024, 132);
static constexpr TargetInfo kSM100a("sm_100a", 100, tma::Target::SM100, 86,
                                    227 * 1024, 228 * 1024, 148);

std::vector<const TargetInfo *> TargetInfo::all() {
  return {&kSM90a, &kSM100a};
}

const TargetInfo *TargetInfo::lookup(std::string_view chip) {
  for (const TargetInfo *info : all())
    if (chip == info->name())
      return info;
  return nullptr;
}

const TargetInfo &TargetInfo::get(tma::Target target) {
  return target == tma::Target::SM90 ? kSM90a : kSM100a;
}

const char *TargetInfo::knownChips() { return "sm_90a or sm_100a"; }

std::string TargetInfo::defaultPtxFeatures() const {
  return "+ptx" + std::to_string(minPtxVersion_);
}

bool TargetInfo::hasMma(MmaKind kind) const {
  switch (kind) {
  case MmaKind::MmaSync:
    return true;
  case MmaKind::Wgmma:
    return computeCapability_ == 90;
  case MmaKind::Tcgen05:
    return computeCapability_ >= 100;
  }
  return false;
}
