/*===- attn-c/Pipelines.h - C API: registration and the pipeline --*- C -*-===*\
|*                                                                            *|
|* Part of the attn-mlir project.                                             *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* What an embedder calls to compile paged_attn ops to PTX/cubin from C:      *|
|* register the dialects (paged_attn and the upstream ones the pipeline       *|
|* lowers through, with their LLVM IR translations and the NVVM target),      *|
|* register the passes and the --paged-attn-to-nvvm pipeline by name, and run *|
|* that pipeline on a module. Link AttnMLIR::AttnCAPI.                        *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef ATTN_C_PIPELINES_H
#define ATTN_C_PIPELINES_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Inserts paged_attn, func, arith, math, scf, cf, memref, vector, gpu, nvgpu,
 * nvvm, llvm, index and ub, their to-LLVM conversion interfaces, their LLVM
 * IR translations and the NVVM target attribute into `registry`. Append the
 * registry to a context (mlirContextAppendDialectRegistry) before parsing or
 * running the pipeline. */
MLIR_CAPI_EXPORTED void attnRegisterAllDialects(MlirDialectRegistry registry);

/* Registers the paged_attn passes and the upstream passes the pipeline is
 * made of, by name (for mlirParsePassPipeline). Idempotent. */
MLIR_CAPI_EXPORTED void attnRegisterAllPasses(void);

/* Registers the --paged-attn-to-nvvm pipeline and the paged_attn passes
 * (--paged-attn-verify-tma, --convert-paged-attn-to-gpu,
 * --paged-attn-check-target) by name. Idempotent. */
MLIR_CAPI_EXPORTED void attnRegisterPipelines(void);

/* Runs --paged-attn-to-nvvm on `module` with `options`, the pipeline's
 * option string, e.g. "chip=sm_90a format=isa" (chip=sm_90a|sm_100a,
 * format=isa|bin|fatbin, ptx-features=+ptxNN, toolkit=DIR, opt-level=N,
 * report=1; empty for the defaults). On success the module's kernels are a
 * gpu.binary and its host code is in the LLVM dialect. Every failure (an
 * option that does not parse, a bad chip or PTX feature, an invalid op, a
 * broken TMA rule, ptxas) is reported through the diagnostic handlers of the
 * module's context and returns failure; the module may then be partially
 * lowered. The context must hold the dialects of attnRegisterAllDialects.
 * Runs with the context's threading setting. */
MLIR_CAPI_EXPORTED MlirLogicalResult
attnRunPagedAttnToNVVM(MlirModule module, MlirStringRef options);

/* The project's version, e.g. "attn-mlir 0.1.0 (LLVM/MLIR 22.1.8)". */
MLIR_CAPI_EXPORTED MlirStringRef attnGetVersionString(void);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_C_PIPELINES_H */
