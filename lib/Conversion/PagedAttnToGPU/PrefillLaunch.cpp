//===- PrefillLaunch.cpp - Host code of paged_attn.prefill ----------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// paged_attn.prefill on the host: check the sizes the compiler could not,
// encode q, k_cache, v_cache (and the nvfp4 scales) from their own runtime
// strides, then, only if every check passed, launch the prefill kernel on
// a grid sized from host-known sizes: (q tiles, kv heads). The q tiles are
// bounded by ceil(num_tokens / qTokens) + batch (each request adds at most
// one partial tile); CTAs past their request's tiles exit at once.
//
//===----------------------------------------------------------------------===//

#include "KernelArgs.h"
#include "KernelBuilder.h"
#include "Lowering.h"
#include "PrefillKernel.h"

#include "attn/Kernels/PrefillPlan.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::paged_attn;

LogicalResult mlir::paged_attn::lowerPrefill(PrefillOp op, unsigned index,
                                             ModuleLowering &lowering) {
  FailureOr<PrefillPlan> plan =
      PrefillPlan::get(op, lowering.target, lowering.prefill);
  if (failed(plan))
    return failure();
  plan->chooseEpilogue(lowering.epilogue);
  const PrefillPlan &t = *plan;
  auto iface = cast<AttentionOpInterface>(op.getOperation());
  TmaDescriptors tma = deriveTmaDescriptors(iface, t.boxes());

  gpu::GPUModuleOp kernelModule = lowering.getKernelModule();
  OpBuilder moduleBuilder(op.getContext());
  std::string name = ("prefill_" + Twine(index)).str();
  gpu::GPUFuncOp kernel = buildPrefillKernel(moduleBuilder, kernelModule, name,
                                             op, t, tma, lowering.target);

  // Host: check and encode every descriptor, then launch if all passed.
  ImplicitLocOpBuilder b(op.getLoc(), op);
  KernelBuilder k(b);
  MLIRContext *ctx = b.getContext();
  std::string where = describeLocation(op);
  lowering.encoder.checkSizes(b, iface, "paged_attn.prefill in " + where);
  SmallVector<Value> maps = lowering.encoder.encodeAll(
      b, tma, "paged_attn.prefill", where, lowering.target.tmaTarget());
  Value ok = lowering.encoder.statusOk(b);

  Value numTokens = memref::DimOp::create(b, op.getOut(), 0);
  Value batch = memref::DimOp::create(b, op.getSeqLens(), 0);
  int64_t kvHeads = cast<MemRefType>(op.getKCache().getType())
                        .getDimSize(getKvHeadsDim(op.getKvLayout()));
  // Nothing to do for no tokens or no requests (and a grid dim of 0 is a
  // launch error).
  Value work = k.andI(k.lt(k.idx(0), numTokens), k.lt(k.idx(0), batch));
  k.ifThen(k.andI(ok, work), [&] {
    Value tiles = k.add(k.ceilDiv(numTokens, k.idx(t.qTokens)), batch);
    Type tokenType = gpu::AsyncTokenType::get(ctx);
    Value token =
        gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();
    PrefillKernelArgs<Value> args;
    setDescriptorArgs(args, maps, tma);
    args.qoIndptr = op.getQoIndptr();
    args.blockTable = op.getBlockTable();
    args.seqLens = op.getSeqLens();
    args.out = op.getOut();
    args.sinks = op.getSinks();
    args.kGlobalScale = op.getKGlobalScale();
    args.vGlobalScale = op.getVGlobalScale();
    gpu::KernelDim3 grid{tiles, k.idx(kvHeads), k.idx(1)};
    gpu::KernelDim3 block{k.idx(t.threads()), k.idx(1), k.idx(1)};
    token = gpu::LaunchFuncOp::create(
                b, kernel, grid, block, k.i32(t.sharedMemoryBytes()),
                getPresentArgs(args), tokenType, ValueRange{token})
                .getAsyncToken();
    gpu::WaitOp::create(b, Type(), ValueRange{token});
  });

  if (auto func = op->getParentOfType<func::FuncOp>())
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(ctx));
  op.erase();
  return success();
}
