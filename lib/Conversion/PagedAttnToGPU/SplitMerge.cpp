//===- SplitMerge.cpp - Merging the split-KV partial outputs --------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The last CTA of a decode row group to finish merges the group's splits:
// each split's normalized partial output weighted by e^(its log-sum-exp -
// the largest), an attention sink joining the denominator. The splits find
// out who is last through a counter per row group (SplitMerge.h).
//
//===----------------------------------------------------------------------===//

#include "SplitMerge.h"

#include "MmaSync.h"
#include "OnlineSoftmax.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::paged_attn;

/// The generic address of element `index` of the global memref `buffer`.
static Value elementAddress(KernelBuilder &k, Value buffer, Value index,
                            int64_t elemBytes) {
  ImplicitLocOpBuilder &b = k.builder();
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, buffer);
  return k.toI64(k.add(base, k.mul(index, elemBytes)));
}

Value mlir::paged_attn::arriveOnSplitCounter(KernelBuilder &k, Value counters,
                                             Value group, Value numSplits) {
  ImplicitLocOpBuilder &b = k.builder();
  // Release: the CTA's workspace stores (ordered before this thread by the
  // barrier before) happen before the increment; acquire: the other
  // splits' stores, released the same way before their increments, happen
  // before what the last CTA reads next.
  Value old = k.inlinePtx(b.getI32Type(),
                          elementAddress(k, counters, group, 4),
                          "fence.acq_rel.gpu;\n\t"
                          "atom.relaxed.gpu.add.u32 $0, [$1], 1;\n\t"
                          "fence.acq_rel.gpu;",
                          "=r,l,~{memory}", /*hasSideEffects=*/true);
  Value last = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, old,
                                     k.toI32(k.sub(numSplits, k.idx(1))));
  // Every split has arrived: the counter is free for the next call.
  k.ifThen(last, [&] {
    memref::StoreOp::create(b, k.i32(0), counters, ValueRange{group});
  });
  return last;
}

/// A load that reads what other CTAs wrote and released (ld.relaxed.gpu:
/// never a stale L1 line).
static Value loadCoherent(KernelBuilder &k, Value workspace, Value index) {
  return k.inlinePtx(k.builder().getF32Type(),
                     elementAddress(k, workspace, index, 4),
                     "ld.relaxed.gpu.f32 $0, [$1];", "=f,l,~{memory}",
                     /*hasSideEffects=*/true);
}

void mlir::paged_attn::mergeSplitRow(KernelBuilder &k,
                                     const SplitMergeArgs &args,
                                     SplitWorkspace &workspace, Value token,
                                     Value head, Value lane, int64_t headDim) {
  ImplicitLocOpBuilder &b = k.builder();
  OnlineSoftmax softmax(k, Value(), std::nullopt);
  Value numSplits = args.numSplits;
  Value slot0 = workspace.firstSlot(workspace.row(token, head));
  Value lastSplit = k.sub(numSplits, k.idx(1));

  // The warp reads all the log-sum-exps at once, lane l those of splits l
  // and l + 32, and reduces them by shuffles: no shared memory, no barrier,
  // one load latency (a loop over the splits waited for each).
  static_assert(SplitWorkspace::kMaxSplits <= 64, "two splits a lane");
  Value lseBase = workspace.lseBase();
  SmallVector<Value, 2> lse;
  for (int64_t j = 0; j < 2; ++j) {
    Value s = k.add(lane, k.idx(32 * j));
    Value at = workspace.lseIndex(lseBase,
                                  workspace.slot(slot0, k.minS(s, lastSplit)));
    Value value = loadCoherent(k, args.workspace, at);
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

  // Lane l owns columns l, l + 32, ...; the splits' partial outputs come in
  // groups of kGroup, whose loads are issued together, each weight
  // broadcast once for all the lane's columns.
  constexpr int64_t kGroup = 8;
  int64_t columns = headDim / 32;
  SmallVector<Value> zeros(columns, k.f32(0));
  auto loop = scf::ForOp::create(b, k.idx(0),
                                 k.ceilDiv(numSplits, k.idx(kGroup)),
                                 k.idx(1), zeros);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value base = k.mul(loop.getInductionVar(), k.idx(kGroup));
    SmallVector<Value> weights, slots;
    for (int64_t u = 0; u < kGroup; ++u) {
      Value s = k.add(base, k.idx(u));
      slots.push_back(workspace.slot(slot0, k.minS(s, lastSplit)));
      // Split s's weight is in lane s % 32 (weight[s / 32]); s is the same
      // in every lane.
      Value held = k.select(k.lt(s, k.idx(32)), weight[0], weight[1]);
      Value w = gpu::ShuffleOp::create(b, held, k.toI32(k.rem(s, 32)),
                                       k.i32(32), gpu::ShuffleMode::IDX)
                    .getShuffleResult();
      weights.push_back(k.select(k.lt(s, numSplits), w, k.f32(0)));
    }
    SmallVector<Value> acc(loop.getRegionIterArgs());
    for (int64_t c = 0; c < columns; ++c) {
      Value d = k.add(lane, k.idx(32 * c));
      SmallVector<Value> parts;
      for (int64_t u = 0; u < kGroup; ++u)
        parts.push_back(loadCoherent(
            k, args.workspace, workspace.partialIndex(slots[u], d)));
      for (int64_t u = 0; u < kGroup; ++u)
        acc[c] = math::FmaOp::create(b, parts[u], weights[u], acc[c]);
    }
    scf::YieldOp::create(b, acc);
  }
  Type outElem = cast<MemRefType>(args.out.getType()).getElementType();
  for (int64_t c = 0; c < columns; ++c) {
    Value d = k.add(lane, k.idx(32 * c));
    Value value = k.mulF(loop.getResult(c), factor);
    memref::StoreOp::create(b, arith::TruncFOp::create(b, outElem, value),
                            args.out, ValueRange{token, head, d});
  }
}
