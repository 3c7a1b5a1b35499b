//===- Lowering.h - What the attention lowerings share ----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The host side of lowering one attention op is two parts: encode its
// descriptors (TmaEncoder, shared by every op) and launch its kernels (the
// op's own launch policy: grid, splits, workspace). A new kernel adds a
// plan (include/attn/Kernels), a kernel builder and a lower<Op> function
// here. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_LOWERING_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_LOWERING_H

#include "TmaEncoding.h"

#include "attn/Kernels/DecodePlan.h"
#include "attn/Kernels/PrefillPlan.h"
#include "attn/Support/TargetInfo.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir {
namespace paged_attn {

/// The state of lowering one module for one chip.
class ModuleLowering {
public:
  ModuleLowering(ModuleOp module, const attn::TargetInfo &target,
                 PrefillKernelChoice prefill = PrefillKernelChoice::Auto,
                 PrefillEpilogue epilogue = PrefillEpilogue::Auto,
                 DecodeNvfp4 decodeNvfp4 = DecodeNvfp4::Auto)
      : module(module), target(target), prefill(prefill), epilogue(epilogue),
        decodeNvfp4(decodeNvfp4), encoder(module) {}

  /// The gpu.module that holds this module's kernels (created once).
  gpu::GPUModuleOp getKernelModule();

  ModuleOp module;
  const attn::TargetInfo &target;
  PrefillKernelChoice prefill;
  PrefillEpilogue epilogue;
  DecodeNvfp4 decodeNvfp4;
  TmaEncoder encoder;

private:
  gpu::GPUModuleOp kernels;
};

/// Lowers `op`, the `index`-th decode op of the module, to its kernels
/// (decode_<index>, decode_<index>_merge) and the host code that encodes
/// its descriptors and launches them.
LogicalResult lowerDecode(DecodeOp op, unsigned index,
                          ModuleLowering &lowering);

/// Lowers `op`, the `index`-th prefill op of the module, to its kernel
/// (prefill_<index>) and the host code that encodes its descriptors and
/// launches it.
LogicalResult lowerPrefill(PrefillOp op, unsigned index,
                           ModuleLowering &lowering);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_LOWERING_H
