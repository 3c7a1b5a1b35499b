//===- MergeKernel.cpp - The split-KV merge kernel ------------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Combines the splits' normalized partial outputs in the split workspace
// into `out`: one CTA per (token, head), each split weighted by e^(its
// log-sum-exp - the largest); an attention sink joins the denominator.
//
//===----------------------------------------------------------------------===//

#include "DecodeKernel.h"
#include "KernelArgs.h"
#include "KernelBuilder.h"
#include "OnlineSoftmax.h"
#include "SplitWorkspace.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::paged_attn;

/// sum over splits s of `term(s)`, an f32, from 0.
static Value sumOverSplits(KernelBuilder &k, Value numSplits,
                           function_ref<Value(Value)> term,
                           function_ref<Value(Value, Value)> combine) {
  ImplicitLocOpBuilder &b = k.builder();
  auto loop = scf::ForOp::create(b, k.idx(0), numSplits, k.idx(1),
                                 ValueRange{k.f32(0)});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value next =
      combine(loop.getRegionIterArgs()[0], term(loop.getInductionVar()));
  scf::YieldOp::create(b, ValueRange{next});
  return loop.getResult(0);
}

gpu::GPUFuncOp mlir::paged_attn::buildMergeKernel(OpBuilder &builder,
                                                  gpu::GPUModuleOp module,
                                                  StringRef name, DecodeOp op,
                                                  const DecodePlan &t) {
  MergeKernelArgs<Type> sig;
  sig.workspace = MemRefType::get({ShapedType::kDynamic}, builder.getF32Type());
  sig.numSplits = builder.getIndexType();
  sig.out = op.getOut().getType();
  sig.sinks = op.getSinks() ? op.getSinks().getType() : Type();
  gpu::GPUFuncOp func =
      createKernelFunc(builder, module, op.getLoc(), name, getPresentArgs(sig),
                       DecodePlan::kThreads);
  MergeKernelArgs<Value> args = bindKernelArgs(sig, func);

  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&func.getBody().front());
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  KernelBuilder k(b);
  OnlineSoftmax softmax(k, Value(), std::nullopt);
  int64_t numHeads = cast<MemRefType>(op.getOut().getType()).getDimSize(1);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value row = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value token = k.div(row, numHeads);
  Value head = k.rem(row, numHeads);
  SplitWorkspace workspace(k, memref::DimOp::create(b, args.out, 0), numHeads,
                           args.numSplits, t.headDim);
  Value lseBase = workspace.lseBase();
  Value slot0 = workspace.firstSlot(row);
  auto lseOf = [&](Value s) -> Value {
    return memref::LoadOp::create(
        b, args.workspace,
        ValueRange{workspace.lseIndex(lseBase, workspace.slot(slot0, s))});
  };

  // The largest log-sum-exp (and sink).
  auto maxLoop = scf::ForOp::create(b, k.idx(0), args.numSplits, k.idx(1),
                                    ValueRange{k.negInf()});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(maxLoop.getBody());
    scf::YieldOp::create(b,
                         ValueRange{k.maxF(maxLoop.getRegionIterArgs()[0],
                                           lseOf(maxLoop.getInductionVar()))});
  }
  Value mMax = maxLoop.getResult(0);
  Value sink;
  if (args.sinks) {
    sink = memref::LoadOp::create(b, args.sinks, ValueRange{head});
    mMax = k.maxF(mMax, sink);
  }
  Value mUse = softmax.safeMax(mMax);
  auto add = [&](Value x, Value y) { return k.addF(x, y); };
  Value denom = sumOverSplits(
      k, args.numSplits,
      [&](Value s) { return math::ExpOp::create(b, k.subF(lseOf(s), mUse)); },
      add);
  if (sink)
    denom = k.addF(denom, math::ExpOp::create(b, k.subF(sink, mUse)));
  // No key in any split (denom == 0) gives zeros; NaN stays NaN.
  Value hasKeys = softmax.hasKeys(denom);

  Type outElem = cast<MemRefType>(op.getOut().getType()).getElementType();
  k.forLoop(tid, k.idx(t.headDim), k.idx(DecodePlan::kThreads), [&](Value d) {
    Value acc = sumOverSplits(
        k, args.numSplits,
        [&](Value s) {
          Value w = math::ExpOp::create(b, k.subF(lseOf(s), mUse));
          Value o = memref::LoadOp::create(
              b, args.workspace,
              ValueRange{workspace.partialIndex(workspace.slot(slot0, s), d)});
          return k.mulF(w, o);
        },
        add);
    Value value = softmax.normalize(acc, denom, hasKeys);
    memref::StoreOp::create(b, arith::TruncFOp::create(b, outElem, value),
                            args.out, ValueRange{token, head, d});
  });
  gpu::ReturnOp::create(b);
  return func;
}
