//===- Passes.h - attn-mlir conversion passes --------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CONVERSION_PASSES_H
#define ATTN_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class ModuleOp;
namespace arith { class ArithDialect; }
namespace func { class FuncDialect; }
namespace gpu { class GPUDialect; }
namespace LLVM { class LLVMDialect; }
namespace math { class MathDialect; }
namespace memref { class MemRefDialect; }
namespace NVVM { class NVVMDialect; }
namespace nvgpu { class NVGPUDialect; }
namespace scf { class SCFDialect; }
namespace vector { class VectorDialect; }

namespace paged_attn {

#define GEN_PASS_DECL
#include "attn/Conversion/Passes.h.inc"

/// The CUDA toolkit root: `option` when set, else $CUDA_HOME, else
/// /usr/local/cuda.
std::string getToolkitPath(llvm::StringRef option);

#define GEN_PASS_REGISTRATION
#include "attn/Conversion/Passes.h.inc"

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_CONVERSION_PASSES_H
