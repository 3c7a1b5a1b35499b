//===- InitAttn.h - register everything attn-opt knows -----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// One place that registers the paged_attn dialect, the upstream dialects,
// interfaces and translations its pipeline needs, and the passes. attn-opt
// and embedders call these.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_INITATTN_H
#define ATTN_INITATTN_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace attn {

/// Registers paged_attn plus func, arith, math, scf, cf, memref, vector, gpu,
/// nvgpu, nvvm and llvm, with their to-LLVM conversion interfaces, their
/// LLVM IR translations and the NVVM target attribute.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers the paged_attn passes and the upstream passes that the
/// paged-attn pipelines are built from, so each stage can be run alone.
void registerAllPasses();

/// The project's version string, e.g. "attn-mlir 0.1.0 (LLVM/MLIR 22.1.8)".
const char *getVersionString();

} // namespace attn

#endif // ATTN_INITATTN_H
