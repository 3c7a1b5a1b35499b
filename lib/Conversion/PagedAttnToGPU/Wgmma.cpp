//===- Wgmma.cpp - Warpgroup MMA (wgmma) on shared-memory tiles -----------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "Wgmma.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

#include <string>

using namespace mlir;
using namespace mlir::paged_attn;

WgmmaF16::Descriptor WgmmaF16::descriptor(Value address, int64_t leadingBytes,
                                          int64_t strideBytes) {
  ImplicitLocOpBuilder &b = k.builder();
  // Bits 0-13: address >> 4; 16-29: leading byte offset >> 4.
  Value start = arith::TruncIOp::create(
      b, b.getI32Type(),
      arith::AndIOp::create(b, arith::ShRUIOp::create(b, address, k.i64(4)),
                            k.i64(0x3FFF)));
  Value low = arith::OrIOp::create(
      b, start, k.i32(static_cast<int32_t>((leadingBytes >> 4) << 16)));
  return {low, strideBytes};
}

WgmmaF16::Descriptor WgmmaF16::advance(Descriptor d, int64_t bytes) {
  if (bytes == 0)
    return d;
  return {arith::AddIOp::create(k.builder(), d.low,
                                k.i32(static_cast<int32_t>(bytes >> 4))),
          d.strideBytes};
}

WgmmaF16::Descriptor WgmmaF16::advance(Descriptor d, Value bytes) {
  ImplicitLocOpBuilder &b = k.builder();
  return {arith::AddIOp::create(b, d.low,
                                arith::ShRUIOp::create(b, bytes, k.i32(4))),
          d.strideBytes};
}

Value WgmmaF16::value(Descriptor d) {
  ImplicitLocOpBuilder &b = k.builder();
  // Bits 32-45: stride byte offset >> 4; 62-63: layout (1: 128-byte
  // swizzle).
  uint64_t high =
      (static_cast<uint64_t>(d.strideBytes >> 4) << 32) | (uint64_t(1) << 62);
  Value low = arith::ExtUIOp::create(b, b.getI64Type(), d.low);
  return arith::OrIOp::create(b, low, k.i64(static_cast<int64_t>(high)));
}

static Value packStruct(KernelBuilder &k, ArrayRef<Value> values) {
  ImplicitLocOpBuilder &b = k.builder();
  SmallVector<Type> types(values.size(), b.getF32Type());
  auto type = LLVM::LLVMStructType::getLiteral(b.getContext(), types);
  Value s = LLVM::UndefOp::create(b, type);
  for (auto [i, v] : llvm::enumerate(values))
    s = LLVM::InsertValueOp::create(b, s, v, ArrayRef<int64_t>{int64_t(i)});
  return s;
}

static SmallVector<Value> unpackStruct(KernelBuilder &k, Value s, int64_t n) {
  SmallVector<Value> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back(
        LLVM::ExtractValueOp::create(k.builder(), s, ArrayRef<int64_t>{i}));
  return values;
}

SmallVector<Value> WgmmaF16::mmaShared(Value descA, Value descB,
                                       ArrayRef<Value> acc, int64_t n,
                                       bool accumulate) {
  ImplicitLocOpBuilder &b = k.builder();
  // Without accumulation D's inputs are ignored: undefined, so no register
  // is written between the wgmma.fence and the wgmma.
  Value inouts = packStruct(k, acc);
  if (!accumulate)
    inouts = LLVM::UndefOp::create(b, inouts.getType());
  NVVM::WGMMATypes type =
      elemType.isBF16() ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16;
  Value d = NVVM::WgmmaMmaAsyncOp::create(
      b, inouts.getType(), inouts, descA, descB,
      NVVM::MMAShapeAttr::get(b.getContext(), 64, n, 16), type, type,
      NVVM::WGMMATypes::f32,
      accumulate ? NVVM::WGMMAScaleOut::one : NVVM::WGMMAScaleOut::zero,
      NVVM::WGMMAScaleIn::one, NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
      NVVM::MMALayout::col, /*satfinite=*/nullptr);
  return unpackStruct(k, d, n / 2);
}

SmallVector<Value> WgmmaF16::mmaRegisterA(ArrayRef<Value> a, Value descB,
                                          ArrayRef<Value> acc, int64_t n,
                                          bool transposeB) {
  ImplicitLocOpBuilder &b = k.builder();
  int64_t regs = n / 2;
  // {d0..d(regs-1)} are outputs tied to inputs 0..regs-1; then the four A
  // registers, B's descriptor. Scale-d is the predicate p (always set: D
  // accumulates), A and B are not negated.
  std::string type = elemType.isBF16() ? "bf16" : "f16";
  std::string text = "{\n.reg .pred p;\nsetp.ne.b32 p, $" +
                     std::to_string(2 * regs + 5) + ", 0;\n" +
                     "wgmma.mma_async.sync.aligned.m64n" + std::to_string(n) +
                     "k16.f32." + type + "." + type + " {";
  std::string constraints;
  for (int64_t i = 0; i < regs; ++i) {
    text += (i ? ", $" : "$") + std::to_string(i);
    constraints += (i ? ",=f" : "=f");
  }
  text += "}, {";
  for (int64_t i = 0; i < 4; ++i)
    text += (i ? ", $" : "$") + std::to_string(2 * regs + i);
  text += "}, $" + std::to_string(2 * regs + 4) + ", p, 1, 1, " +
          (transposeB ? "1" : "0") + ";\n}";
  for (int64_t i = 0; i < regs; ++i)
    constraints += "," + std::to_string(i);
  constraints += ",r,r,r,r,l,n";
  SmallVector<Value> operands(acc.begin(), acc.end());
  for (Value v : a)
    operands.push_back(asI32(v));
  operands.push_back(descB);
  operands.push_back(k.i32(1));
  SmallVector<Type> types(regs, b.getF32Type());
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(), types);
  return unpackStruct(k,
                      k.inlinePtx(resultType, operands, text, constraints,
                                  /*hasSideEffects=*/true),
                      regs);
}

SmallVector<Value> WgmmaF16::fenceOperands(ArrayRef<Value> values) {
  ImplicitLocOpBuilder &b = k.builder();
  std::string constraints;
  SmallVector<Type> types;
  for (auto [i, v] : llvm::enumerate(values)) {
    constraints += (i ? ",=" : "=");
    constraints += v.getType().isF32() ? "f" : "r";
    types.push_back(v.getType());
  }
  for (size_t i = 0; i < values.size(); ++i)
    constraints += "," + std::to_string(i);
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(), types);
  return unpackStruct(k,
                      k.inlinePtx(resultType, values, "", constraints,
                                  /*hasSideEffects=*/true),
                      values.size());
}

Value WgmmaF16::asI32(Value pair) {
  if (pair.getType().isInteger(32))
    return pair;
  return LLVM::BitcastOp::create(k.builder(), k.builder().getI32Type(), pair);
}

void WgmmaF16::wait(int64_t pending, ArrayRef<Value> inFlight) {
  std::string constraints;
  for (auto [i, v] : llvm::enumerate(inFlight))
    constraints += std::string(i ? "," : "") + (v.getType().isF32() ? "f" : "r");
  k.inlinePtx(Type(), inFlight,
              "wgmma.wait_group.sync.aligned " + std::to_string(pending) + ";",
              constraints, /*hasSideEffects=*/true);
}

void WgmmaF16::fence() { NVVM::WgmmaFenceAlignedOp::create(k.builder()); }

void WgmmaF16::commit() { NVVM::WgmmaGroupSyncAlignedOp::create(k.builder()); }

void WgmmaF16::wait(int64_t pending) {
  NVVM::WgmmaWaitGroupSyncOp::create(k.builder(), pending);
}
