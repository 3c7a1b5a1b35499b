//===- Tma.cpp - TMA descriptors and loads in the kernels -----------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "Tma.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

SmallVector<int64_t>
mlir::paged_attn::getBoxShape(const tma::DescriptorPlan &plan) {
  return SmallVector<int64_t>(plan.boxDims.rbegin(), plan.boxDims.rend());
}

Type mlir::paged_attn::getTmaMoveType(const TmaOperandPlan &operand) {
  if (operand.plan.elemType == tma::ElemType::UInt8)
    return IntegerType::get(operand.value.getContext(), 8);
  return cast<MemRefType>(operand.value.getType()).getElementType();
}

/// The descriptor type for a plan's box in shared memory.
static nvgpu::TensorMapDescriptorType
getDescriptorType(MLIRContext *ctx, const tma::DescriptorPlan &plan,
                  Type elem) {
  auto space = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto box = MemRefType::get(getBoxShape(plan), elem,
                             MemRefLayoutAttrInterface(), space);
  nvgpu::TensorMapSwizzleKind swizzle =
      nvgpu::TensorMapSwizzleKind::SWIZZLE_NONE;
  switch (plan.swizzle) {
  case tma::Swizzle::B32:
    swizzle = nvgpu::TensorMapSwizzleKind::SWIZZLE_32B;
    break;
  case tma::Swizzle::B64:
    swizzle = nvgpu::TensorMapSwizzleKind::SWIZZLE_64B;
    break;
  case tma::Swizzle::B128:
    swizzle = nvgpu::TensorMapSwizzleKind::SWIZZLE_128B;
    break;
  default:
    break;
  }
  return nvgpu::TensorMapDescriptorType::get(
      ctx, box, swizzle, nvgpu::TensorMapL2PromoKind::L2PROMO_128B,
      nvgpu::TensorMapOOBKind::OOB_ZERO,
      nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
}

Type mlir::paged_attn::getDescriptorParamType(MLIRContext *ctx) {
  return LLVM::LLVMPointerType::get(ctx);
}

Value mlir::paged_attn::getTensorMap(KernelBuilder &k, Value param,
                                     const TmaOperandPlan &operand) {
  ImplicitLocOpBuilder &b = k.builder();
  auto type =
      getDescriptorType(b.getContext(), operand.plan, getTmaMoveType(operand));
  return UnrealizedConversionCastOp::create(b, TypeRange{type},
                                            ValueRange{param})
      .getResult(0);
}

void mlir::paged_attn::loadBox(KernelBuilder &k, Value dst, Value barriers,
                               Value barrier, Value map, ValueRange coords,
                               Value predicate) {
  nvgpu::TmaAsyncLoadOp::create(k.builder(), dst, barriers, map, coords,
                                barrier, Value(), predicate);
}
