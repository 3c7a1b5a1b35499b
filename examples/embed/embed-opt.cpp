//===- embed-opt.cpp - an opt tool on the installed package -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// What an ML compiler that embeds attn-mlir does: register the paged_attn
// dialect with the upstream dialects its pipeline needs, register the passes
// and --paged-attn-to-nvvm, and hand them to its driver (here MlirOptMain).
// Programmatic use of the pipeline, without a driver:
//
//   mlir::PassManager pm(&context, mlir::ModuleOp::getOperationName());
//   mlir::paged_attn::PagedAttnToNVVMOptions options;
//   options.chip = "sm_100a";
//   options.format = "isa";
//   mlir::paged_attn::buildPagedAttnToNVVMPipeline(pm, options);
//   if (failed(pm.run(module))) ...
//
//===----------------------------------------------------------------------===//

#include "attn/InitAttn.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  attn::registerAllDialects(registry);
  attn::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "embed-opt: attn-mlir from its installed package\n",
      registry));
}
