//===- KernelBuilder.cpp - Arithmetic and control flow for the kernels ----===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;
using namespace mlir::paged_attn;

Value KernelBuilder::inlinePtx(Type resultType, ValueRange operands,
                               StringRef ptx, StringRef constraints,
                               bool hasSideEffects) {
  auto op = LLVM::InlineAsmOp::create(
      b, resultType ? TypeRange{resultType} : TypeRange{}, operands, ptx,
      constraints, hasSideEffects, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None,
      LLVM::AsmDialectAttr::get(b.getContext(), LLVM::AsmDialect::AD_ATT),
      /*operand_attrs=*/ArrayAttr());
  return resultType ? op.getResult(0) : Value();
}
