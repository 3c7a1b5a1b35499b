//===- GridConstantParams.cpp - TMA descriptors as kernel parameters ------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// --paged-attn-grid-constant-params: see Passes.td and Tma.h.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/Passes.h"

#include "Tma.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace paged_attn {
#define GEN_PASS_DEF_PAGEDATTNGRIDCONSTANTPARAMS
#include "attn/Conversion/Passes.h.inc"
} // namespace paged_attn
} // namespace mlir

using namespace mlir;
using namespace mlir::paged_attn;

namespace {
struct PagedAttnGridConstantParamsPass
    : public paged_attn::impl::PagedAttnGridConstantParamsBase<
          PagedAttnGridConstantParamsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    auto bytes =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), kTensorMapBytes);
    auto argsOf = [](Operation *kernel) {
      return kernel ? kernel->getAttrOfType<DenseI32ArrayAttr>(
                          kGridConstantArgsAttr)
                    : DenseI32ArrayAttr();
    };

    // Launches first, while the kernels still carry the attribute.
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      Operation *kernel =
          SymbolTable::lookupNearestSymbolFrom(launch, launch.getKernel());
      DenseI32ArrayAttr args = argsOf(kernel);
      if (!args)
        return WalkResult::advance();
      if (!isa<LLVM::LLVMFuncOp>(kernel)) {
        launch.emitOpError("launches a kernel with by-value TMA descriptors "
                           "that is not an llvm.func yet: run "
                           "--paged-attn-grid-constant-params after "
                           "convert-gpu-to-nvvm");
        return WalkResult::interrupt();
      }
      OpBuilder b(launch);
      for (int32_t i : args.asArrayRef()) {
        Value ptr = launch.getKernelOperands()[i];
        if (!isa<LLVM::LLVMPointerType>(ptr.getType())) {
          launch.emitOpError("kernel operand ")
              << i << " should point to an encoded TMA descriptor, got "
              << ptr.getType();
          return WalkResult::interrupt();
        }
        Value value = LLVM::LoadOp::create(b, launch.getLoc(), bytes, ptr,
                                           /*alignment=*/64);
        launch.getKernelOperandsMutable()[i].set(value);
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();

    module.walk([&](LLVM::LLVMFuncOp func) {
      DenseI32ArrayAttr args = argsOf(func);
      if (!args)
        return;
      Builder b(ctx);
      for (int32_t i : args.asArrayRef()) {
        func.setArgAttr(i, LLVM::LLVMDialect::getByValAttrName(),
                        TypeAttr::get(bytes));
        func.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                        b.getI64IntegerAttr(64));
        func.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                        b.getUnitAttr());
      }
      func->removeAttr(kGridConstantArgsAttr);
    });
  }
};
} // namespace
