//===- MmaSync.cpp - mma.sync fragments of the kernels --------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "MmaSync.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::paged_attn;

SmallVector<Value, 4> MmaSyncF16::ldmatrix(const SharedTile &tile, Value row,
                                           Value col, bool transpose) {
  ImplicitLocOpBuilder &b = k.builder();
  auto fragType = VectorType::get({4, 2}, elemType);
  Value frag = nvgpu::LdMatrixOp::create(b, fragType, tile.view,
                                         tile.at(k, row, col), transpose, 4);
  SmallVector<Value, 4> regs;
  for (int64_t i = 0; i < 4; ++i)
    regs.push_back(
        asRegister(vector::ExtractOp::create(b, frag, ArrayRef<int64_t>{i})));
  return regs;
}

Value mlir::paged_attn::asMmaRegister(ImplicitLocOpBuilder &b, Value pair) {
  if (!cast<VectorType>(pair.getType()).getElementType().isBF16())
    return pair;
  Value word =
      vector::BitCastOp::create(b, VectorType::get({1}, b.getI32Type()), pair);
  return vector::ExtractOp::create(b, word, ArrayRef<int64_t>{0});
}

Value MmaSyncF16::asRegister(Value pair) {
  return asMmaRegister(k.builder(), pair);
}

Value MmaSyncF16::pack(Value lo, Value hi) {
  auto pairType = VectorType::get({2}, elemType);
  return asRegister(vector::FromElementsOp::create(k.builder(), pairType,
                                                   ValueRange{lo, hi}));
}

Value MmaSyncF16::packRounded(Value lo, Value hi) {
  auto narrow = [&](Value v) {
    return arith::TruncFOp::create(k.builder(), elemType, v).getResult();
  };
  return pack(narrow(lo), narrow(hi));
}

SmallVector<Value> MmaSyncF16::pFragment(ArrayRef<SmallVector<Value>> p,
                                         int64_t kb) {
  SmallVector<Value> frag;
  for (int64_t n = 2 * kb; n < 2 * kb + 2; ++n)
    for (int64_t rr = 0; rr < 2; ++rr)
      frag.push_back(packRounded(p[rr][2 * n], p[rr][2 * n + 1]));
  return frag;
}

Value MmaSyncF16::transpose8x8(Value reg) {
  ImplicitLocOpBuilder &b = k.builder();
  Type i32 = b.getI32Type();
  Type type = reg.getType();
  Value word = type.isInteger(32) ? reg : LLVM::BitcastOp::create(b, i32, reg);
  Value out =
      k.inlinePtx(i32, word, "movmatrix.sync.aligned.m8n8.trans.b16 $0, $1;",
                  "=r,r", /*hasSideEffects=*/true);
  return type.isInteger(32) ? out : LLVM::BitcastOp::create(b, type, out);
}

Acc MmaSyncF16::mma(ArrayRef<Value> a, ArrayRef<Value> bFrag, const Acc &c) {
  ImplicitLocOpBuilder &b = k.builder();
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  NVVM::MMATypes type =
      elemType.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
  Value d = NVVM::MmaOp::create(
      b, resultType, a, bFrag, c, ArrayRef<int64_t>{16, 8, 16}, std::nullopt,
      std::nullopt, std::array<NVVM::MMATypes, 2>{type, type},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  Acc out;
  for (int64_t i = 0; i < 4; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, d, ArrayRef<int64_t>{i}));
  return out;
}

Value mlir::paged_attn::xorReduce(KernelBuilder &k, Value v,
                                 ArrayRef<int32_t> offsets, bool isMax) {
  ImplicitLocOpBuilder &b = k.builder();
  for (int32_t offset : offsets) {
    Value other =
        gpu::ShuffleOp::create(b, v, offset, 32, gpu::ShuffleMode::XOR)
            .getShuffleResult();
    v = isMax ? k.maxF(v, other) : k.addF(v, other);
  }
  return v;
}
