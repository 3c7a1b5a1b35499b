//===- KernelPlan.cpp - The kernel plan of an attention op ----------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Kernels/KernelPlan.h"
#include "attn/Kernels/DecodePlan.h"
#include "attn/Kernels/PrefillPlan.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

TmaBoxes mlir::paged_attn::getKernelBoxes(AttentionOpInterface op,
                                          const attn::TargetInfo &target,
                                          PrefillKernelChoice prefill) {
  return llvm::TypeSwitch<Operation *, TmaBoxes>(op.getOperation())
      .Case([&](DecodeOp decode) {
        return DecodePlan::compute(decode, target).boxes();
      })
      .Case([&](PrefillOp prefillOp) {
        return PrefillPlan::compute(prefillOp, target, prefill).boxes();
      });
}

TmaDescriptors
mlir::paged_attn::getKernelDescriptors(AttentionOpInterface op,
                                       const attn::TargetInfo &target,
                                       PrefillKernelChoice prefill) {
  return deriveTmaDescriptors(op, getKernelBoxes(op, target, prefill));
}

std::optional<PrefillKernelChoice>
mlir::paged_attn::parsePrefillKernelChoice(llvm::StringRef name) {
  if (name == "auto")
    return PrefillKernelChoice::Auto;
  if (name == "portable")
    return PrefillKernelChoice::Portable;
  return std::nullopt;
}

std::optional<PrefillEpilogue>
mlir::paged_attn::parsePrefillEpilogue(llvm::StringRef name) {
  if (name == "auto")
    return PrefillEpilogue::Auto;
  if (name == "tma-bulk")
    return PrefillEpilogue::TmaBulk;
  return std::nullopt;
}

std::optional<DecodeNvfp4>
mlir::paged_attn::parseDecodeNvfp4(llvm::StringRef name) {
  if (name == "auto")
    return DecodeNvfp4::Auto;
  if (name == "byte-pairs")
    return DecodeNvfp4::BytePairs;
  if (name == "placement")
    return DecodeNvfp4::Placement;
  if (name == "leave-out")
    return DecodeNvfp4::LeaveOut;
  return std::nullopt;
}
