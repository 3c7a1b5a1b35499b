//===- Pipelines.cpp - C API: registration and the pipeline -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn-c/Pipelines.h"

#include "attn/Conversion/Passes.h"
#include "attn/Dialect/PagedAttn/Transforms/Passes.h"
#include "attn/InitAttn.h"
#include "attn/Pipelines/Pipelines.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Support.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/raw_ostream.h"

#include <mutex>
#include <string>

using namespace mlir;

static constexpr llvm::StringLiteral kPipelineName = "paged-attn-to-nvvm";

void attnRegisterAllDialects(MlirDialectRegistry registry) {
  attn::registerAllDialects(*unwrap(registry));
}

// Registration is global (the pass registry is process-wide): each entry
// point registers once, whatever the number of calls or threads. When
// attnRegisterPipelines ran first, attn::registerAllPasses registers the
// pipeline a second time, which MLIR ignores (it asserts only in builds with
// LLVM assertions, which this project does not target).
static std::mutex registrationMutex;

void attnRegisterAllPasses(void) {
  std::lock_guard<std::mutex> lock(registrationMutex);
  static bool registered = false;
  if (registered)
    return;
  attn::registerAllPasses();
  registered = true;
}

void attnRegisterPipelines(void) {
  std::lock_guard<std::mutex> lock(registrationMutex);
  // Passes are keyed by name and type: registering them again is a no-op.
  paged_attn::registerPagedAttnPasses();
  paged_attn::registerAttnConversionPasses();
  if (!PassPipelineInfo::lookup(kPipelineName))
    paged_attn::registerPagedAttnPipelines();
}

MlirLogicalResult attnRunPagedAttnToNVVM(MlirModule module,
                                         MlirStringRef options) {
  ModuleOp moduleOp = unwrap(module);
  MLIRContext *context = moduleOp.getContext();

  // Parse the option string here so that a bad one is a diagnostic on the
  // module, not text on stderr.
  paged_attn::PagedAttnToNVVMOptions pipelineOptions;
  std::string parseErrors;
  llvm::raw_string_ostream parseErrorStream(parseErrors);
  if (failed(
          pipelineOptions.parseFromString(unwrap(options), parseErrorStream))) {
    InFlightDiagnostic diag = emitError(moduleOp.getLoc())
                              << kPipelineName << ": invalid options '"
                              << unwrap(options) << "'";
    StringRef detail = StringRef(parseErrors).trim();
    if (!detail.empty())
      diag.attachNote() << detail;
    // Some option parsers (integers, booleans) write their message to stderr
    // only; say what is accepted in any case.
    diag.attachNote() << "expected space-separated key=value pairs of chip, "
                         "format, ptx-features, toolkit, opt-level, report";
    return wrap(failure());
  }

  PassManager pm(context, ModuleOp::getOperationName());
  paged_attn::buildPagedAttnToNVVMPipeline(pm, pipelineOptions);
  // Every failing pass reports through the context's diagnostic engine.
  return wrap(pm.run(moduleOp));
}

MlirStringRef attnGetVersionString(void) {
  return mlirStringRefCreateFromCString(attn::getVersionString());
}
