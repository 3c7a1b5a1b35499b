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
#include "MmaSync.h"
#include "OnlineSoftmax.h"
#include "SplitWorkspace.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::paged_attn;

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
  Value lane = k.rem(tid, 32);
  Value row = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value token = k.div(row, numHeads);
  Value head = k.rem(row, numHeads);
  Value numSplits = args.numSplits;
  SplitWorkspace workspace(k, memref::DimOp::create(b, args.out, 0), numHeads,
                           numSplits, t.headDim);
  Value slot0 = workspace.firstSlot(row);
  Value lastSplit = k.sub(numSplits, k.idx(1));

  // Every warp reads all the log-sum-exps at once, lane l those of splits
  // l and l + 32, and reduces them by shuffles: no shared memory, no
  // barrier, one load latency (a loop over the splits waited for each).
  static_assert(SplitWorkspace::kMaxSplits <= 64, "two splits a lane");
  Value lseBase = workspace.lseBase();
  SmallVector<Value, 2> lse;
  for (int64_t j = 0; j < 2; ++j) {
    Value s = k.add(lane, k.idx(32 * j));
    Value at = workspace.lseIndex(lseBase,
                                  workspace.slot(slot0, k.minS(s, lastSplit)));
    Value value = memref::LoadOp::create(b, args.workspace, ValueRange{at});
    lse.push_back(k.select(k.lt(s, numSplits), value, k.negInf()));
  }
  Value mMax = warpReduce(k, k.maxF(lse[0], lse[1]), /*isMax=*/true);
  Value sink;
  if (args.sinks) {
    sink = memref::LoadOp::create(b, args.sinks, ValueRange{head});
    mMax = k.maxF(mMax, sink);
  }
  Value mUse = softmax.safeMax(mMax);
  // Split weights e^(lse - max): 0 for splits past the count (lse -inf).
  SmallVector<Value, 2> weight;
  for (int64_t j = 0; j < 2; ++j)
    weight.push_back(softmax.exp(k.subF(lse[j], mUse)));
  Value denom = warpReduce(k, k.addF(weight[0], weight[1]), /*isMax=*/false);
  if (sink)
    denom = k.addF(denom, softmax.exp(k.subF(sink, mUse)));
  // No key in any split (denom == 0) gives zeros; NaN stays NaN.
  Value factor = softmax.rowFactor(denom, mUse, softmax.hasKeys(denom),
                                   Value());

  // Each thread its columns: the splits' partial outputs in groups of
  // kGroup, whose loads are issued together.
  constexpr int64_t kGroup = 8;
  Type outElem = cast<MemRefType>(op.getOut().getType()).getElementType();
  k.forLoop(tid, k.idx(t.headDim), k.idx(DecodePlan::kThreads), [&](Value d) {
    auto loop = scf::ForOp::create(b, k.idx(0), k.ceilDiv(numSplits, k.idx(kGroup)),
                                   k.idx(1), ValueRange{k.f32(0)});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value base = k.mul(loop.getInductionVar(), k.idx(kGroup));
      SmallVector<Value> parts, weights;
      for (int64_t u = 0; u < kGroup; ++u) {
        Value s = k.add(base, k.idx(u));
        Value at = workspace.partialIndex(
            workspace.slot(slot0, k.minS(s, lastSplit)), d);
        parts.push_back(
            memref::LoadOp::create(b, args.workspace, ValueRange{at}));
        // Split s's weight is in lane s % 32 (weight[s / 32]); s is the
        // same in every lane.
        Value held = k.select(k.lt(s, k.idx(32)), weight[0], weight[1]);
        Value w = gpu::ShuffleOp::create(b, held, k.toI32(k.rem(s, 32)),
                                         k.i32(32), gpu::ShuffleMode::IDX)
                      .getShuffleResult();
        weights.push_back(k.select(k.lt(s, numSplits), w, k.f32(0)));
      }
      Value acc = loop.getRegionIterArgs()[0];
      for (int64_t u = 0; u < kGroup; ++u)
        acc = math::FmaOp::create(b, parts[u], weights[u], acc);
      scf::YieldOp::create(b, ValueRange{acc});
    }
    Value value = k.mulF(loop.getResult(0), factor);
    memref::StoreOp::create(b, arith::TruncFOp::create(b, outElem, value),
                            args.out, ValueRange{token, head, d});
  });
  gpu::ReturnOp::create(b);
  return func;
}
