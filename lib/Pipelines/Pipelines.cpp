//===- Pipelines.cpp - The paged-attn-to-nvvm pipeline --------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Pipelines/Pipelines.h"

#include "attn/Conversion/Passes.h"
#include "attn/Dialect/PagedAttn/Transforms/Passes.h"
#include "attn/Support/TargetInfo.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/OptimizeForNVVM.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::paged_attn;

std::string mlir::paged_attn::getDefaultPtxFeatures(StringRef chip) {
  // An unknown chip is diagnosed by the target check stage first.
  const attn::TargetInfo *info = attn::TargetInfo::lookup(chip);
  return info ? info->defaultPtxFeatures() : "";
}

static std::string getFeatures(const PagedAttnToNVVMOptions &options) {
  return options.ptxFeatures.empty() ? getDefaultPtxFeatures(options.chip)
                                     : options.ptxFeatures.getValue();
}

void mlir::paged_attn::addTargetCheckStage(
    OpPassManager &pm, const PagedAttnToNVVMOptions &options) {
  PagedAttnCheckTargetOptions check;
  check.chip = options.chip;
  check.ptxFeatures = options.ptxFeatures;
  check.format = options.format;
  check.toolkit = getToolkitPath(options.toolkit);
  check.optLevel = options.optLevel;
  pm.addPass(createPagedAttnCheckTarget(check));
}

void mlir::paged_attn::addVerifyStage(OpPassManager &pm,
                                      const PagedAttnToNVVMOptions &options) {
  PagedAttnVerifyTmaOptions verify;
  verify.chip = options.chip;
  verify.prefillKernel = options.prefillKernel;
  verify.report = options.report;
  pm.addPass(createPagedAttnVerifyTma(verify));
}

void mlir::paged_attn::addPagedAttnLoweringStage(
    OpPassManager &pm, const PagedAttnToNVVMOptions &options) {
  ConvertPagedAttnToGPUOptions lower;
  lower.chip = options.chip;
  lower.prefillKernel = options.prefillKernel;
  lower.prefillEpilogue = options.prefillEpilogue;
  lower.decodeNvfp4 = options.decodeNvfp4;
  pm.addPass(createConvertPagedAttnToGPU(lower));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::paged_attn::addCommonLoweringStage(
    OpPassManager &pm, const PagedAttnToNVVMOptions &options) {
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = getFeatures(options);
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::paged_attn::addDeviceLoweringStage(
    OpPassManager &pm, const PagedAttnToNVVMOptions &options) {
  OpPassManager &gpuPm = pm.nest<gpu::GPUModuleOp>();
  gpuPm.addPass(createStripDebugInfoPass());
  gpuPm.addPass(createConvertGpuOpsToNVVMOps());
  gpuPm.addPass(LLVM::createNVVMOptimizeForTargetPass());
  gpuPm.addPass(createCanonicalizerPass());
  gpuPm.addPass(createCSEPass());
  gpuPm.addPass(createReconcileUnrealizedCastsPass());
  // The kernels are llvm.funcs now: TMA descriptors become by-value
  // grid_constant parameters, before the launches are lowered.
  pm.addPass(createPagedAttnGridConstantParams());
}

void mlir::paged_attn::addHostLoweringStage(
    OpPassManager &pm, const PagedAttnToNVVMOptions &options) {
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = getToolkitPath(options.toolkit);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::paged_attn::buildPagedAttnToNVVMPipeline(
    OpPassManager &pm, const PagedAttnToNVVMOptions &options) {
  addTargetCheckStage(pm, options);
  addVerifyStage(pm, options);
  addPagedAttnLoweringStage(pm, options);
  addCommonLoweringStage(pm, options);
  addDeviceLoweringStage(pm, options);
  addHostLoweringStage(pm, options);
}

void mlir::paged_attn::registerPagedAttnPipelines() {
  PassPipelineRegistration<PagedAttnToNVVMOptions>(
      "paged-attn-to-nvvm",
      "Verify TMA rules, lower paged_attn ops to kernels and host code, and "
      "compile the kernels for one chip (gpu.binary + LLVM-dialect host "
      "code)",
      buildPagedAttnToNVVMPipeline);
}
