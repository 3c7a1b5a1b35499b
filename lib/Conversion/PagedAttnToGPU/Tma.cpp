//===- Tma.cpp - TMA descriptors and loads in the kernels -----------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "Tma.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
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
  ImplicitLocOpBuilder &b = k.builder();
  if (!predicate) {
    nvgpu::TmaAsyncLoadOp::create(b, dst, barriers, map, coords, barrier,
                                  Value(), Value());
    return;
  }
  // The predicated (elected) load as PTX of its own, with the box's and
  // the mbarrier's 32-bit shared::cta addresses: a CTA's shared::cta
  // address is its shared::cluster address, where nvgpu's lowering goes
  // through a generic 64-bit address (cvta.shared, cvta.to.shared::cluster;
  // in SASS an S2R of the shared window and a register pair a box).
  auto cast = map.getDefiningOp<UnrealizedConversionCastOp>();
  assert(cast && cast.getNumOperands() == 1 &&
         "a tensor map from getTensorMap");
  Value desc = cast.getOperand(0);
  Value dstAddr =
      k.toI32(memref::ExtractAlignedPointerAsIndexOp::create(b, dst));
  Value barAddr =
      nvgpu::MBarrierGetOp::create(b, b.getI32Type(), barriers, barrier);
  SmallVector<Value> args{dstAddr, desc};
  std::string coordList;
  for (auto [i, c] : llvm::enumerate(coords)) {
    args.push_back(k.toI32(c));
    coordList += (i ? ", $" : "$") + std::to_string(i + 2);
  }
  args.push_back(barAddr);
  std::string ptx = "cp.async.bulk.tensor." + std::to_string(coords.size()) +
                    "d.shared::cluster.global.mbarrier::complete_tx::bytes "
                    "[$0], [$1, {" +
                    coordList + "}], [$" + std::to_string(coords.size() + 2) +
                    "];";
  NVVM::InlinePtxOp::create(b, TypeRange{}, args, ValueRange{}, ptx, predicate);
}
