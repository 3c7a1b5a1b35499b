//===- attn-fuzz.cpp - libFuzzer target over parse/verify/pipeline -------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Each input is MLIR source. It is parsed (with every dialect attn-opt
// registers), verified and printed (to nowhere); then `--paged-attn-verify-tma`
// (with report=true, so the remark path runs too) runs on a clone, and when
// that succeeds, the whole `--paged-attn-to-nvvm` pipeline runs with
// format=isa: PTX text, no ptxas process per input.
//
// The chip is sm_90a, or sm_100a when the input contains "chip=sm_100a"; the
// prefill kernel is auto, or portable when it contains
// "prefill-kernel=portable" (the seed corpus keeps both from the RUN lines
// of the tests it comes from).
//
// Diagnostics are dropped. Anything that is not a diagnostic is a finding:
// a crash, an abort, an LLVM fatal error (it calls exit(), which libFuzzer
// reports), a sanitizer report, a timeout. Without libdevice (no CUDA
// toolkit) the pipeline stops before gpu-module-to-binary, which needs it.
//
// Built by -DATTN_ENABLE_FUZZER=ON with clang (scripts/run-fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/Passes.h"
#include "attn/Dialect/PagedAttn/Transforms/Passes.h"
#include "attn/InitAttn.h"
#include "attn/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mlir;

// The sanitizer settings of scripts/run-sanitizers.sh, built in so that the
// binary is right when run by hand; ASAN_OPTIONS / UBSAN_OPTIONS still win.
// Leaks: MLIR's registries are never freed. Manual poisoning: LLVM's
// allocators poison from header code compiled into our sanitized files and
// Debian's unsanitized MLIR libraries then write the same memory.
extern "C" const char *__asan_default_options() {
  return "detect_leaks=0:allow_user_poisoning=0";
}
extern "C" const char *__ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1";
}

namespace {
struct FuzzState {
  DialectRegistry registry;
  std::string toolkit;
  bool haveLibdevice = false;
};
} // namespace

static FuzzState &getState() {
  static FuzzState *state = [] {
    auto *s = new FuzzState;
    attn::registerAllDialects(s->registry);
    s->toolkit = paged_attn::getToolkitPath("");
    SmallString<128> libdevice(s->toolkit);
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    uint64_t size = 0;
    s->haveLibdevice = !llvm::sys::fs::file_size(libdevice, size) && size > 0;
    return s;
  }();
  return *state;
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  FuzzState &state = getState();
  llvm::errs() << "attn-fuzz: toolkit " << state.toolkit
               << (state.haveLibdevice
                       ? ": full pipeline to PTX (format=isa)\n"
                       : ": no libdevice, the pipeline stops before "
                         "gpu-module-to-binary\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzState &state = getState();
  // MLIR's lexer reads up to a terminating NUL: give it a copy that has one.
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  std::string chip = text.contains("chip=sm_100a") ? "sm_100a" : "sm_90a";
  std::string prefillKernel =
      text.contains("prefill-kernel=portable") ? "portable" : "auto";

  MLIRContext context(state.registry, MLIRContext::Threading::DISABLED);
  ScopedDiagnosticHandler dropAll(&context,
                                  [](Diagnostic &) { return success(); });

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz-input"), llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module || failed(verify(*module)))
    return 0;
  module->print(llvm::nulls());

  // The TMA verification alone, with its report remarks.
  {
    OwningOpRef<ModuleOp> clone = module->clone();
    PassManager pm(&context, ModuleOp::getOperationName());
    paged_attn::PagedAttnVerifyTmaOptions verify;
    verify.chip = chip;
    verify.prefillKernel = prefillKernel;
    verify.report = true;
    pm.addPass(paged_attn::createPagedAttnVerifyTma(verify));
    if (failed(pm.run(*clone)))
      return 0;
  }

  // The pipeline, as attn-opt --paged-attn-to-nvvm="chip=... format=isa".
  paged_attn::PagedAttnToNVVMOptions options;
  options.chip = chip;
  options.prefillKernel = prefillKernel;
  options.format = "isa";
  options.toolkit = state.toolkit;
  PassManager pm(&context, ModuleOp::getOperationName());
  if (state.haveLibdevice) {
    paged_attn::buildPagedAttnToNVVMPipeline(pm, options);
  } else {
    paged_attn::addVerifyStage(pm, options);
    paged_attn::addPagedAttnLoweringStage(pm, options);
    paged_attn::addCommonLoweringStage(pm, options);
    paged_attn::addDeviceLoweringStage(pm, options);
  }
  if (succeeded(pm.run(*module)))
    module->print(llvm::nulls());
  return 0;
}
