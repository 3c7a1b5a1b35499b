//===- Tma.h - TMA descriptors and loads in the kernels ---------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The device side of the TMA descriptors. Each descriptor the host encodes
// is a kernel parameter of its own, passed by value (128 bytes, 64-byte
// aligned) as a `__grid_constant__` parameter, as CUTLASS and FA3 pass
// them: a launch (and a CUDA graph's kernel node) carries the descriptor
// itself, nothing refers to host or device memory the call owns. Until the
// kernels are LLVM functions the parameter is an !llvm.ptr argument listed
// in the kernel's kGridConstantArgsAttr; the
// --paged-attn-grid-constant-params pass then makes it a byval
// grid_constant parameter and the launch operand the 128 bytes it points
// to. A kernel issues box loads into shared memory that complete on an
// mbarrier. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMA_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMA_H

#include "KernelBuilder.h"

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

namespace mlir {
namespace paged_attn {

/// Bytes of one encoded descriptor (CUtensorMap), and so of a slot.
constexpr int64_t kTensorMapBytes = 128;

/// The shared-memory shape of one box of `plan`: its box dims, outermost
/// first.
SmallVector<int64_t> getBoxShape(const attn::tma::DescriptorPlan &plan);

/// The element type TMA moves for `operand`: its memref element type, or i8
/// for byte descriptors (fp8 and nvfp4 data, block scales).
Type getTmaMoveType(const TmaOperandPlan &operand);

/// The kernel function attribute that lists (DenseI32ArrayAttr) the
/// arguments that are TMA descriptors passed by value.
constexpr llvm::StringLiteral kGridConstantArgsAttr =
    "paged_attn.grid_constant_args";

/// The type of a descriptor parameter before --paged-attn-grid-constant-params
/// (a pointer to the 128 bytes).
Type getDescriptorParamType(MLIRContext *ctx);

/// The descriptor parameter `param` of `operand`, typed for
/// nvgpu.tma.async.load.
Value getTensorMap(KernelBuilder &k, Value param,
                   const TmaOperandPlan &operand);

/// Loads one box of `map` at `coords` (innermost first) into the shared
/// view `dst`; the load completes on mbarrier `barrier` of `barriers`.
/// With `predicate` (i1), only where it holds, addressing shared memory in
/// 32 bits.
void loadBox(KernelBuilder &k, Value dst, Value barriers, Value barrier,
             Value map, ValueRange coords, Value predicate = Value());

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMA_H
