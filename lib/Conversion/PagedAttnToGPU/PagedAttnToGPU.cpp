//===- PagedAttnToGPU.cpp - paged_attn to host code and kernels -----------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The --convert-paged-attn-to-gpu pass: deferred TMA checks become runtime
// checks (TmaEncoding.cpp), each attention op becomes its kernels and the
// host code that encodes its descriptors from their own memrefs and
// launches the kernels only when every check passed (DecodeLaunch.cpp,
// PrefillLaunch.cpp).
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/Passes.h"

#include "Lowering.h"

#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"
#include "attn/Kernels/KernelPlan.h"

// The dialects the pass produces (its dependent dialects).
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace paged_attn {
#define GEN_PASS_DEF_CONVERTPAGEDATTNTOGPU
#include "attn/Conversion/Passes.h.inc"
} // namespace paged_attn
} // namespace mlir

using namespace mlir;
using namespace mlir::paged_attn;

static constexpr StringLiteral kKernelModuleName = "paged_attn_kernels";

gpu::GPUModuleOp ModuleLowering::getKernelModule() {
  if (kernels)
    return kernels;
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  std::string name = kKernelModuleName.str();
  for (unsigned i = 1; module.lookupSymbol(name); ++i)
    name = (kKernelModuleName + "_" + Twine(i)).str();
  kernels = gpu::GPUModuleOp::create(b, module.getLoc(), name);
  return kernels;
}

namespace {
struct ConvertPagedAttnToGPUPass
    : public paged_attn::impl::ConvertPagedAttnToGPUBase<
          ConvertPagedAttnToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    const attn::TargetInfo *target = attn::TargetInfo::lookup(chip);
    if (!target) {
      module.emitError("convert-paged-attn-to-gpu: unknown chip '")
          << chip << "': expected " << attn::TargetInfo::knownChips();
      return signalPassFailure();
    }
    std::optional<PrefillKernelChoice> prefill =
        parsePrefillKernelChoice(prefillKernel);
    if (!prefill) {
      module.emitError("convert-paged-attn-to-gpu: unknown prefill-kernel '")
          << prefillKernel << "': expected auto or portable";
      return signalPassFailure();
    }
    std::optional<PrefillEpilogue> epilogue =
        parsePrefillEpilogue(prefillEpilogue);
    if (!epilogue) {
      module.emitError("convert-paged-attn-to-gpu: unknown prefill-epilogue '")
          << prefillEpilogue << "': expected auto or tma-bulk";
      return signalPassFailure();
    }
    std::optional<DecodeNvfp4> nvfp4 = parseDecodeNvfp4(decodeNvfp4);
    if (!nvfp4) {
      module.emitError("convert-paged-attn-to-gpu: unknown decode-nvfp4 '")
          << decodeNvfp4
          << "': expected auto, byte-pairs, placement or leave-out";
      return signalPassFailure();
    }
    SmallVector<CheckTmaOp> checks;
    SmallVector<DecodeOp> decodes;
    SmallVector<PrefillOp> prefills;
    module.walk([&](Operation *op) {
      if (auto check = dyn_cast<CheckTmaOp>(op))
        checks.push_back(check);
      else if (auto decode = dyn_cast<DecodeOp>(op))
        decodes.push_back(decode);
      else if (auto prefill = dyn_cast<PrefillOp>(op))
        prefills.push_back(prefill);
    });
    if (decodes.empty() && prefills.empty() && checks.empty())
      return;
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(module.getContext()));
    ModuleLowering lowering(module, *target, *prefill, *epilogue, *nvfp4);
    for (CheckTmaOp check : checks)
      if (failed(lowering.encoder.lowerCheck(check)))
        return signalPassFailure();
    for (auto [i, decode] : llvm::enumerate(decodes))
      if (failed(lowerDecode(decode, i, lowering)))
        return signalPassFailure();
    for (auto [i, prefill] : llvm::enumerate(prefills))
      if (failed(lowerPrefill(prefill, i, lowering)))
        return signalPassFailure();
  }
};
} // namespace
