//===- KernelArgs.h - Kernel arguments by name ------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// A kernel's arguments are a struct of named fields, instantiated with Type
// (the signature), and with Value (the kernel body's block arguments, the
// host's launch operands). The struct's forEachField is the one statement
// of the argument order; a null field (an absent optional operand) is no
// argument. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_KERNELARGS_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_KERNELARGS_H

#include "Tma.h"

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir {
namespace paged_attn {

/// The present fields of `args`, in argument order.
template <template <typename> class Args, typename T>
SmallVector<T> getPresentArgs(Args<T> args) {
  SmallVector<T> result;
  args.forEachField([&](T &field) {
    if (field)
      result.push_back(field);
  });
  return result;
}

/// Sets the descriptor fields of `args` (qMap, kCacheMap, vCacheMap, and
/// the nvfp4 scales' when `tma` has them) from the encoded `maps`.
template <typename Args>
void setDescriptorArgs(Args &args, ArrayRef<Value> maps,
                       const TmaDescriptors &tma) {
  args.qMap = maps[0];
  args.kCacheMap = maps[1];
  args.vCacheMap = maps[2];
  if (tma.kScale) {
    args.kScaleMap = maps[tma.slotOf(*tma.kScale)];
    args.vScaleMap = maps[tma.slotOf(*tma.vScale)];
  }
}

/// The signature fields every attention kernel has: the descriptors (by
/// value; the nvfp4 scales' only with them), block_table, seq_lens, out and
/// the op's optional operands (each only when the op has it).
template <typename Args>
void setCommonSignature(Args &sig, AttentionOpInterface op) {
  Type map = getDescriptorParamType(op->getContext());
  sig.qMap = sig.kCacheMap = sig.vCacheMap = map;
  if (op.getKScale())
    sig.kScaleMap = sig.vScaleMap = map;
  sig.blockTable = op.getBlockTable().getType();
  sig.seqLens = op.getSeqLens().getType();
  sig.out = op.getOut().getType();
  auto typeOf = [](Value v) { return v ? v.getType() : Type(); };
  sig.sinks = typeOf(op.getSinks());
  sig.kGlobalScale = typeOf(op.getKGlobalScale());
  sig.vGlobalScale = typeOf(op.getVGlobalScale());
}

/// Marks the leading `numMaps` arguments of `func` as TMA descriptors
/// passed by value (--paged-attn-grid-constant-params makes them byval
/// __grid_constant__ parameters).
inline void markDescriptorArgs(gpu::GPUFuncOp func, int64_t numMaps) {
  SmallVector<int32_t> mapArgs;
  for (int32_t i = 0; i < numMaps; ++i)
    mapArgs.push_back(i);
  func->setAttr(kGridConstantArgsAttr,
                Builder(func.getContext()).getDenseI32ArrayAttr(mapArgs));
}

/// The block arguments of `func`, whose signature is `signature`, by name.
template <template <typename> class Args>
Args<Value> bindKernelArgs(Args<Type> signature, gpu::GPUFuncOp func) {
  SmallVector<Type *> types;
  signature.forEachField([&](Type &type) { types.push_back(&type); });
  Args<Value> values;
  SmallVector<Value *> fields;
  values.forEachField([&](Value &value) { fields.push_back(&value); });
  unsigned next = 0;
  for (auto [type, field] : llvm::zip_equal(types, fields))
    if (*type)
      *field = func.getArgument(next++);
  return values;
}

/// An empty kernel named `name` at the end of `module`, with the arguments
/// `argTypes` and `threads` threads per CTA.
inline gpu::GPUFuncOp createKernelFunc(OpBuilder &builder,
                                       gpu::GPUModuleOp module, Location loc,
                                       StringRef name, ArrayRef<Type> argTypes,
                                       int64_t threads) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  auto type = builder.getFunctionType(argTypes, {});
  auto func = gpu::GPUFuncOp::create(builder, loc, name, type);
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  func.setKnownBlockSizeAttr(
      builder.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
  return func;
}

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_KERNELARGS_H
