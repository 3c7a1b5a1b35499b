//===- Pipelines.h - The paged-attn-to-nvvm pipeline -------------*- C++
//-*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The only place that orders passes. `--paged-attn-to-nvvm` takes a module
// with paged_attn ops on memrefs to one whose device code is a gpu.binary
// (PTX, cubin or fatbin for one chip) and whose host code is in the LLVM
// dialect, ready for `mlir-translate --mlir-to-llvmir`. Each stage has its
// own builder so embedders can run a prefix of the pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PIPELINES_PIPELINES_H
#define ATTN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
namespace paged_attn {

struct PagedAttnToNVVMOptions
    : public PassPipelineOptions<PagedAttnToNVVMOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("Target chip: sm_90a or sm_100a"),
      llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Device code format: isa (PTX), bin (cubin), fatbin"),
      llvm::cl::init("fatbin")};
  PassOptions::Option<std::string> ptxFeatures{
      *this, "ptx-features",
      llvm::cl::desc("PTX ISA feature (e.g. +ptx86); empty for the chip's "
                     "default (+ptx80 for sm_90a, +ptx86 for sm_100a)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root for ptxas; empty for $CUDA_HOME, "
                     "else /usr/local/cuda"),
      llvm::cl::init("")};
  PassOptions::Option<int> optLevel{
      *this, "opt-level", llvm::cl::desc("NVVM optimization level (0-3)"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> prefillKernel{
      *this, "prefill-kernel",
      llvm::cl::desc("Which prefill kernel: auto (wgmma where the chip and "
                     "cache allow it) or portable (the mma.sync kernel "
                     "sm_100a gets, e.g. to run it on an sm_90a machine)"),
      llvm::cl::init("auto")};
  PassOptions::Option<std::string> prefillEpilogue{
      *this, "prefill-epilogue",
      llvm::cl::desc("How the prefill epilogue writes 16-byte-aligned out: "
                     "auto (16-byte stores from the q tile) or tma-bulk "
                     "(cp.async.bulk row copies, wgmma kernel)"),
      llvm::cl::init("auto")};
  PassOptions::Option<std::string> decodeNvfp4{
      *this, "decode-nvfp4",
      llvm::cl::desc("How register-dequantized decode converts NVFP4: auto "
                     "(byte-pairs where the chip has cvt.rn.f16x2.e2m1x2), "
                     "byte-pairs (that cvt or its exact integer "
                     "equivalent, e.g. sm_100a's kernel on sm_90a), "
                     "placement (sign and code bits shifted into place) or "
                     "leave-out (measurement only, wrong outputs: no "
                     "conversion, no block scales)"),
      llvm::cl::init("auto")};
  PassOptions::Option<bool> report{
      *this, "report",
      llvm::cl::desc("Remarks with every TMA descriptor and its proven and "
                     "deferred rules"),
      llvm::cl::init(false)};
};

/// The chip's default PTX feature (TargetInfo::defaultPtxFeatures): "+ptx80"
/// (sm_90a), "+ptx86" (sm_100a); empty for an unknown chip.
std::string getDefaultPtxFeatures(llvm::StringRef chip);

/// Stages, in pipeline order.
void addTargetCheckStage(OpPassManager &pm,
                         const PagedAttnToNVVMOptions &options);
void addVerifyStage(OpPassManager &pm, const PagedAttnToNVVMOptions &options);
void addPagedAttnLoweringStage(OpPassManager &pm,
                               const PagedAttnToNVVMOptions &options);
void addCommonLoweringStage(OpPassManager &pm,
                            const PagedAttnToNVVMOptions &options);
void addDeviceLoweringStage(OpPassManager &pm,
                            const PagedAttnToNVVMOptions &options);
void addHostLoweringStage(OpPassManager &pm,
                          const PagedAttnToNVVMOptions &options);

/// The whole pipeline.
void buildPagedAttnToNVVMPipeline(OpPassManager &pm,
                                  const PagedAttnToNVVMOptions &options);

/// Registers `--paged-attn-to-nvvm`.
void registerPagedAttnPipelines();

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_PIPELINES_PIPELINES_H
