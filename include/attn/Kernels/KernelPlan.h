//===- KernelPlan.h - The kernel plan of an attention op --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Which kernel lowers an attention op, and so which TMA descriptors it
// encodes: the one dispatch from an op to its plan (DecodePlan,
// PrefillPlan). --paged-attn-verify-tma and the lowering both ask here, so
// what is verified is what is encoded.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_KERNELS_KERNELPLAN_H
#define ATTN_KERNELS_KERNELPLAN_H

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"
#include "attn/Kernels/DecodePlan.h"
#include "attn/Kernels/PrefillPlan.h"
#include "attn/Support/TargetInfo.h"

#include <optional>
#include <utility>

namespace mlir {
namespace paged_attn {

/// The boxes of the kernel that lowers `op` on `target` (`prefill`: which
/// prefill kernel the lowering may choose).
TmaBoxes
getKernelBoxes(AttentionOpInterface op, const attn::TargetInfo &target,
               PrefillKernelChoice prefill = PrefillKernelChoice::Auto);

/// The descriptors of that kernel: deriveTmaDescriptors with its boxes.
TmaDescriptors
getKernelDescriptors(AttentionOpInterface op, const attn::TargetInfo &target,
                     PrefillKernelChoice prefill = PrefillKernelChoice::Auto);

/// The choice named `name` ("auto" or "portable", the passes' option
/// prefill-kernel), or nullopt.
std::optional<PrefillKernelChoice> parsePrefillKernelChoice(llvm::StringRef name);

/// The epilogue named `name` ("auto" or "tma-bulk", the lowering's option
/// prefill-epilogue), or nullopt.
std::optional<PrefillEpilogue> parsePrefillEpilogue(llvm::StringRef name);

/// The conversion named `name` ("auto", "byte-pairs" or "placement", the
/// lowering's option decode-nvfp4), or nullopt.
std::optional<DecodeNvfp4> parseDecodeNvfp4(llvm::StringRef name);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_KERNELS_KERNELPLAN_H
