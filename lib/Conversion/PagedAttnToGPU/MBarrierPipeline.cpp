//===- MBarrierPipeline.cpp - mbarrier-driven multi-stage pipelines -------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "MBarrierPipeline.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

using namespace mlir;
using namespace mlir::paged_attn;

/// Suspend-time hint of mbarrier.try_wait, in ns: the wait loops until the
/// phase completes either way.
static constexpr int64_t kWaitTicks = 10000000;

MBarrierPipeline::MBarrierPipeline(KernelBuilder &k, int64_t stages,
                                   int64_t extra, int64_t arrivals)
    : k(k), numStages(stages), numExtra(extra), numArrivals(arrivals) {
  ImplicitLocOpBuilder &b = k.builder();
  MLIRContext *ctx = b.getContext();
  auto space = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  group = nvgpu::MBarrierCreateOp::create(
      b, nvgpu::MBarrierGroupType::get(ctx, space, stages + extra));
}

void MBarrierPipeline::init() {
  ImplicitLocOpBuilder &b = k.builder();
  for (int64_t i = 0; i < numStages + numExtra; ++i)
    nvgpu::MBarrierInitOp::create(
        b, group, k.idx(i < numStages ? numArrivals : 1), k.idx(i), Value());
  NVVM::FenceMbarrierInitOp::create(b);
}

void MBarrierPipeline::arrive(Value barrier) {
  ImplicitLocOpBuilder &b = k.builder();
  nvgpu::MBarrierArriveOp::create(
      b, nvgpu::MBarrierTokenType::get(b.getContext()), group, barrier);
}

void MBarrierPipeline::expectBytes(Value bytes, Value barrier,
                                   Value predicate) {
  nvgpu::MBarrierArriveExpectTxOp::create(k.builder(), group, bytes, barrier,
                                          predicate);
}

void MBarrierPipeline::wait(Value barrier, Value parity) {
  nvgpu::MBarrierTryWaitParityOp::create(k.builder(), group, parity,
                                         k.idx(kWaitTicks), barrier);
}

void MBarrierPipeline::waitFirstPhase(Value barrier) {
  ImplicitLocOpBuilder &b = k.builder();
  wait(barrier, arith::ConstantIntOp::create(b, b.getI1Type(), 0));
}

Value MBarrierPipeline::stageOf(Value i) {
  ImplicitLocOpBuilder &b = k.builder();
  return arith::IndexCastUIOp::create(
      b, b.getIndexType(),
      arith::RemUIOp::create(b, k.toI32(i), k.i32(numStages)));
}

Value MBarrierPipeline::parityOf(Value i) {
  ImplicitLocOpBuilder &b = k.builder();
  return arith::TruncIOp::create(
      b, b.getI1Type(),
      arith::DivUIOp::create(b, k.toI32(i), k.i32(numStages)));
}
