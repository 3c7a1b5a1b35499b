//===- PrefillKernel.cpp - The prefill attention kernel -------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The portable prefill kernel (mma.sync; sm_90a and sm_100a), built from the
// device building blocks. PrefillPlan describes its tiling; per CTA (one q
// tile of up to 64 rows of one request, one kv head):
//
//  - every warp finds the CTA's request with a 32-way search over
//    qo_indptr (the grid comes from host-known sizes only);
//  - thread 0 loads the q tile (TMA, rows past the tokens are zero or not
//    stored) and keeps up to `stages` K/V tiles in flight (PagedKVTiles);
//    the key range ends at the tile's last causal position and starts at
//    its window, so fully masked tiles are never loaded;
//  - each warp owns 16 q rows: S = Q K^T over a tile's 64 keys, the online
//    softmax in f32, O += P V with P from registers;
//  - each warp normalizes its rows and stores them at out's strides.
//
//===----------------------------------------------------------------------===//

#include "PrefillKernel.h"
#include "Dequant.h"
#include "KernelArgs.h"
#include "KernelBuilder.h"
#include "MBarrierPipeline.h"
#include "MmaSync.h"
#include "OnlineSoftmax.h"
#include "PagedKVTiles.h"
#include "SharedMemory.h"
#include "Tma.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <optional>

using namespace mlir;
using namespace mlir::paged_attn;

namespace {
/// Builds one prefill kernel; member state is the kernel's shared values.
class PrefillKernelEmitter {
public:
  PrefillKernelEmitter(ImplicitLocOpBuilder &b, PrefillOp op,
                       const PrefillPlan &t, const TmaDescriptors &tma,
                       const attn::TargetInfo &target,
                       PrefillKernelArgs<Value> args)
      : b(b), k(b), op(op), t(t), tma(tma), args(args),
        mmaOps(k, computeType()), dequant(k, computeType(), target) {}

  void emit();

private:
  using Row = OnlineSoftmax::Row;

  Type computeType() {
    return cast<MemRefType>(op.getQ().getType()).getElementType();
  }
  Type outElemType() {
    return cast<MemRefType>(op.getOut().getType()).getElementType();
  }

  // The kernel, in order.
  /// The request whose q tile `x` is (the largest b with
  /// qo_indptr[b] / qTokens + b <= x), searched by each warp.
  Value findRequest(Value x);
  void emitPrologue();
  void emitLoadQuery();
  void emitTileLoop();
  void emitTile(Value tile, SmallVectorImpl<Row> &rows,
                SmallVectorImpl<Acc> &o);
  void emitEpilogue(ArrayRef<Row> rows, ArrayRef<Acc> o);

  /// The sum of `v` (i32) over the warp's lanes.
  Value warpSum(Value v);
  /// Row `rr` (0: g, 1: g + 8) of this lane's fragments: q row index.
  Value qRowOf(int64_t rr) {
    return k.add(k.add(k.mul(warp, 16), g), k.idx(8 * rr));
  }

  ImplicitLocOpBuilder &b;
  KernelBuilder k;
  PrefillOp op;
  const PrefillPlan &t;
  const TmaDescriptors &tma;
  PrefillKernelArgs<Value> args;
  MmaSyncF16 mmaOps;
  Dequantizer dequant;

  // Values of the prologue.
  Value tid, warp, lane, g, tig, kvHead, batch, seqLen;
  /// The tile's first global token (qTokens-aligned) and the tokens of its
  /// request it holds, [firstToken, endToken).
  Value tileToken0, firstToken, endToken;
  /// Position of global token t in its sequence: qPosBase + t.
  Value qPosBase;
  Value tokStart, tokEnd, numTiles, isLeader;
  std::optional<SharedMemory> smem;
  std::optional<MBarrierPipeline> pipeline;
  std::optional<PagedKVTiles> kv;
  Value qBarrier;
  Value kScaleValue, vScaleValue;
  std::optional<SharedTile> qTile;
  Value computeK, computeV;
  Value lane8, laneBit3, laneBit4;
  SmallVector<SmallVector<Value, 4>> qFrags;
};
} // namespace

void PrefillKernelEmitter::emit() {
  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  warp = k.div(tid, 32);
  lane = k.rem(tid, 32);
  g = k.div(lane, 4);
  tig = k.rem(lane, 4);
  Value x = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  kvHead = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  batch = findRequest(x);
  auto indptr = [&](Value i) {
    return k.toIndex(memref::LoadOp::create(b, args.qoIndptr, ValueRange{i}));
  };
  Value start = indptr(batch);
  Value end = indptr(k.add(batch, k.idx(1)));
  Value first = k.add(k.div(start, t.qTokens), batch);
  tileToken0 =
      k.mul(k.add(k.div(start, t.qTokens), k.sub(x, first)), t.qTokens);
  firstToken = k.maxS(start, tileToken0);
  endToken = k.minS(end, k.add(tileToken0, k.idx(t.qTokens)));
  // No work: a tile past the request's rows (or before the first request).
  Value hasWork = k.andI(k.le(first, x), k.lt(firstToken, endToken));
  k.ifThen(hasWork, [&] {
    seqLen =
        k.toIndex(memref::LoadOp::create(b, args.seqLens, ValueRange{batch}));
    qPosBase = k.sub(k.sub(seqLen, k.sub(end, start)), start);
    emitPrologue();
    emitLoadQuery();
    emitTileLoop();
  });
  gpu::ReturnOp::create(b);
}

Value PrefillKernelEmitter::warpSum(Value v) {
  for (int32_t offset : {16, 8, 4, 2, 1})
    v = k.add(v, gpu::ShuffleOp::create(b, v, offset, 32, gpu::ShuffleMode::XOR)
                     .getShuffleResult());
  return v;
}

Value PrefillKernelEmitter::findRequest(Value x) {
  // [lo, hi) holds the answer; each step the 32 lanes probe 32 evenly
  // spaced requests (the tile starts are nondecreasing in b), so the range
  // shrinks 32-fold: one probe round for up to 32 requests, two for 1024.
  Value numRequests = memref::DimOp::create(b, args.seqLens, 0);
  Type index = b.getIndexType();
  Value laneI32 = k.toI32(lane);
  auto loop = scf::WhileOp::create(
      b, TypeRange{index, index}, ValueRange{k.idx(0), numRequests},
      [&](OpBuilder &nested, Location, ValueRange range) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        Value more = k.lt(k.idx(1), k.sub(range[1], range[0]));
        scf::ConditionOp::create(b, more, range);
      },
      [&](OpBuilder &nested, Location, ValueRange range) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        Value lo = range[0], hi = range[1];
        Value step = k.ceilDiv(k.sub(hi, lo), k.idx(32));
        Value probe = k.add(lo, k.mul(k.toIndex(laneI32), step));
        Value inRange = k.lt(probe, hi);
        // Lanes past hi probe lo (a valid index) and count nothing.
        Value safe = k.select(inRange, probe, lo);
        Value tileStart = k.add(k.div(k.toIndex(memref::LoadOp::create(
                                          b, args.qoIndptr, ValueRange{safe})),
                                      t.qTokens),
                                safe);
        Value hit = k.andI(inRange, k.le(tileStart, x));
        Value count = warpSum(arith::ExtUIOp::create(b, b.getI32Type(), hit));
        Value skip = k.maxS(k.sub(k.toIndex(count), k.idx(1)), k.idx(0));
        Value newLo = k.add(lo, k.mul(skip, step));
        Value newHi = k.minS(k.add(newLo, step), hi);
        scf::YieldOp::create(b, ValueRange{newLo, newHi});
      });
  return loop.getResult(0);
}

/// The key range of this tile (its rows' causal ends and windows), the
/// shared memory, barriers and descriptors.
void PrefillKernelEmitter::emitPrologue() {
  Value lastPos = k.add(qPosBase, k.sub(endToken, k.idx(1)));
  tokEnd = op.getCausal() ? k.minS(seqLen, k.add(lastPos, k.idx(1))) : seqLen;
  tokEnd = k.maxS(tokEnd, k.idx(0));
  tokStart = k.idx(0);
  if (int64_t window = op.getWindowLeft(); window >= 0) {
    Value firstPos = k.add(qPosBase, firstToken);
    Value from = k.maxS(k.sub(firstPos, k.idx(window)), k.idx(0));
    // Whole tiles and pages (PagedKVTiles).
    tokStart = k.mul(k.div(from, t.splitUnit()), t.splitUnit());
  }
  numTiles = countKVTiles(k, t, tokStart, tokEnd);

  smem.emplace(k, t.sharedMemoryBytes());
  pipeline.emplace(k, t.stages, /*extra=*/1);
  qBarrier = pipeline->extra(0);
  if (args.kGlobalScale)
    kScaleValue = memref::LoadOp::create(b, args.kGlobalScale, ValueRange{});
  if (args.vGlobalScale)
    vScaleValue = memref::LoadOp::create(b, args.vGlobalScale, ValueRange{});
  Value kScaleMap, vScaleMap;
  if (t.nvfp4) {
    kScaleMap = getTensorMap(k, args.kScaleMap, *tma.kScale);
    vScaleMap = getTensorMap(k, args.vScaleMap, *tma.vScale);
  }
  kv.emplace(k, t, tma, *smem, *pipeline, dequant, computeType(),
             PagedKVTiles::Sources{getTensorMap(k, args.kCacheMap, tma.kCache),
                                   getTensorMap(k, args.vCacheMap, tma.vCache),
                                   kScaleMap, vScaleMap, args.blockTable},
             batch, kvHead, tokStart, tokEnd);

  qTile = SharedTile{smem->view(k.idx(0),
                                {t.qRegions * PrefillPlan::kQRows, t.qInnerBox},
                                computeType()),
                     t.qInnerBox, PrefillPlan::kQRows, /*swizzled=*/true};
  computeK = k.idx(t.computeOffset());
  computeV = k.idx(t.computeOffset() + t.computeTileBytes());

  isLeader = k.eq(tid, k.idx(0));
  k.ifThen(isLeader, [&] { pipeline->init(); });
  // Rows past a tile's tokens (page sizes that do not divide 64) are never
  // loaded: zero them once in every V stage.
  if (t.tileTokens < PagedKVPlan::kTileRows) {
    if (t.dequantize())
      kv->zeroRows(tid, kv->kvTile(computeV), k.idx(t.tileTokens),
                   PagedKVPlan::kTileRows);
    else
      for (int64_t s = 0; s < t.stages; ++s)
        kv->zeroRows(tid, kv->kvTile(k.idx(t.vOffset(s))), k.idx(t.tileTokens),
                     PagedKVPlan::kTileRows);
  }
  gpu::BarrierOp::create(b);
}

/// Thread 0 loads the q tile and the first `stages` K/V tiles; everyone
/// waits for q and takes its fragments.
void PrefillKernelEmitter::emitLoadQuery() {
  Value qMap = getTensorMap(k, args.qMap, tma.q);
  k.ifThen(isLeader, [&] {
    SmallVector<int64_t> qShape = getBoxShape(tma.q.plan);
    int64_t boxBytes = t.qInnerBox * t.group * t.qTokens * t.elemBytes;
    pipeline->expectBytes(k.idx(t.qRegions * boxBytes), qBarrier);
    Type qElem = getTmaMoveType(tma.q);
    for (int64_t r = 0; r < t.qRegions; ++r) {
      int64_t offset = r * PrefillPlan::kQRows * t.qInnerBox * t.elemBytes;
      Value dst = smem->view(k.idx(offset), qShape, qElem);
      SmallVector<Value> coords{k.idx(r * t.qInnerBox), k.idx(0), kvHead,
                                tileToken0};
      loadBox(k, dst, pipeline->barriers(), qBarrier, qMap, coords);
    }
    for (int64_t s = 0; s < t.stages; ++s)
      k.ifThen(k.lt(k.idx(s), numTiles),
               [&] { kv->issueTile(k.idx(s), k.idx(s)); });
  });
  pipeline->waitFirstPhase(qBarrier);

  lane8 = k.rem(lane, 8);
  laneBit3 = k.rem(k.div(lane, 8), 2);
  laneBit4 = k.div(lane, 16);
  // Keep q's fragments (A of S, 16 x 16 per step) in registers when they
  // fit beside O.
  if (t.headDim <= 128) {
    Value qRow = k.add(k.add(k.mul(warp, 16), lane8), k.mul(laneBit3, 8));
    Value qCol = k.mul(laneBit4, 8);
    for (int64_t kk = 0; kk < t.headDim / 16; ++kk)
      qFrags.push_back(
          mmaOps.ldmatrix(*qTile, qRow, k.add(qCol, k.idx(kk * 16)), false));
  }
}

void PrefillKernelEmitter::emitTileLoop() {
  int64_t oTiles = t.headDim / 8;
  Value zero = k.f32(0);
  SmallVector<Value> inits{k.negInf(), k.negInf(), zero, zero};
  inits.append(oTiles * 4, zero);
  auto loop = scf::ForOp::create(b, k.idx(0), numTiles, k.idx(1), inits);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    ValueRange iter = loop.getRegionIterArgs();
    SmallVector<Row> rows{{iter[0], iter[2]}, {iter[1], iter[3]}};
    SmallVector<Acc> o(oTiles);
    for (int64_t n = 0; n < oTiles; ++n)
      o[n].assign(iter.begin() + 4 + 4 * n, iter.begin() + 8 + 4 * n);
    emitTile(loop.getInductionVar(), rows, o);
    SmallVector<Value> yields{rows[0].max, rows[1].max, rows[0].sum,
                              rows[1].sum};
    for (const Acc &acc : o)
      yields.append(acc.begin(), acc.end());
    scf::YieldOp::create(b, yields);
  }
  ValueRange res = loop.getResults();
  SmallVector<Row> rows{{res[0], res[2]}, {res[1], res[3]}};
  SmallVector<Acc> o(oTiles);
  for (int64_t n = 0; n < oTiles; ++n)
    o[n].assign(res.begin() + 4 + 4 * n, res.begin() + 8 + 4 * n);
  emitEpilogue(rows, o);
}

/// One K/V tile for the warp's 16 q rows: S = Q K^T over its 64 keys, the
/// online softmax, O = alpha O + P V.
void PrefillKernelEmitter::emitTile(Value tile, SmallVectorImpl<Row> &rows,
                                    SmallVectorImpl<Acc> &o) {
  constexpr int64_t kKeys = PagedKVPlan::kTileRows;
  Value stage = pipeline->stageOf(tile);
  pipeline->wait(stage, pipeline->parityOf(tile));
  Value stageOffset = k.mul(stage, t.stageBytes());
  Value stageK = k.add(k.idx(t.kOffset(0)), stageOffset);
  Value stageV = k.add(k.idx(t.vOffset(0)), stageOffset);
  Value tileBase = kv->tileStart(tile);
  Value validRows = k.sub(tokEnd, tileBase);
  Value pageRows = t.raggedPages() ? kv->tileRows(tile) : Value();
  Value next = k.add(tile, k.idx(t.stages));
  SharedTile kTile = kv->kvTile(t.dequantize() ? computeK : stageK);
  SharedTile vTile = kv->kvTile(t.dequantize() ? computeV : stageV);

  if (t.dequantize()) {
    // Each warp converts 16 rows of the staged bytes (V rows past the last
    // key become zeros); once all have, every warp reads all 64 rows, and
    // the stage is free: refill it while this tile is computed.
    kv->convertTile(warp, lane, stageK,
                    k.add(k.idx(t.kScaleOffset(0)), stageOffset), kTile,
                    t.tileTokens, k.idx(t.tileTokens));
    kv->convertTile(warp, lane, stageV,
                    k.add(k.idx(t.vScaleOffset(0)), stageOffset), vTile,
                    t.tileTokens, k.minS(validRows, k.idx(t.tileTokens)));
    gpu::BarrierOp::create(b);
    k.ifThen(k.andI(isLeader, k.lt(next, numTiles)),
             [&] { kv->issueTile(next, stage); });
  } else {
    // The last tile: zero V rows past the last key (stale or page-tail).
    Value isLast = k.eq(tile, k.sub(numTiles, k.idx(1)));
    k.ifThen(isLast, [&] {
      kv->zeroRows(tid, vTile, k.minS(validRows, k.idx(t.tileTokens)),
                   t.tileTokens);
      gpu::BarrierOp::create(b);
    });
  }

  // S = Q K^T: s[n] covers keys 8n .. 8n + 7 of the tile.
  int64_t nTiles = kKeys / 8;
  SmallVector<Acc> s(nTiles, Acc(4, k.f32(0)));
  Value qRow = k.add(k.add(k.mul(warp, 16), lane8), k.mul(laneBit3, 8));
  Value qCol = k.mul(laneBit4, 8);
  // B for S (K rows are keys): {keys 0-7: dims 0-7, 8-15}, {keys 8-15: ...}.
  Value kRowLane = k.add(lane8, k.mul(laneBit4, 8));
  Value kColLane = k.mul(laneBit3, 8);
  for (int64_t kk = 0; kk < t.headDim / 16; ++kk) {
    SmallVector<Value, 4> a =
        t.headDim <= 128
            ? qFrags[kk]
            : mmaOps.ldmatrix(*qTile, qRow, k.add(qCol, k.idx(kk * 16)), false);
    for (int64_t kb = 0; kb < kKeys / 16; ++kb) {
      SmallVector<Value, 4> bk =
          mmaOps.ldmatrix(kTile, k.add(kRowLane, k.idx(kb * 16)),
                          k.add(kColLane, k.idx(kk * 16)), false);
      for (int64_t n = 0; n < 2; ++n)
        s[2 * kb + n] =
            mmaOps.mma(a, {bk[2 * n], bk[2 * n + 1]}, s[2 * kb + n]);
    }
  }

  // The online softmax of rows g and g + 8 over the tile's keys. A
  // per-tensor K scale multiplies every logit.
  double scale = op.getScale().convertToDouble();
  Value logitScale =
      kScaleValue ? k.mulF(kScaleValue, k.f32(scale)) : k.f32(scale);
  std::optional<double> cap;
  if (std::optional<APFloat> c = op.getLogitsSoftCap())
    cap = c->convertToDouble();
  OnlineSoftmax softmax(k, logitScale, cap);
  AttentionMask mask{op.getCausal(), static_cast<int64_t>(op.getWindowLeft())};
  Value keyLane = k.add(k.mul(tig, 2), tileBase);
  SmallVector<Value> alpha(2);
  // p[rr][n * 2 + j]: row g + 8 rr, key 8 n + 2 tig + j.
  SmallVector<SmallVector<Value>> p(2);
  for (int64_t rr = 0; rr < 2; ++rr) {
    Value token = k.add(tileToken0, k.div(qRowOf(rr), t.group));
    Value qPos = k.add(qPosBase, token);
    SmallVector<Value> x;
    for (int64_t n = 0; n < nTiles; ++n) {
      for (int64_t j = 0; j < 2; ++j) {
        Value key = k.add(keyLane, k.idx(8 * n + j));
        Value valid = k.lt(key, tokEnd);
        if (t.tileTokens < kKeys)
          valid =
              k.andI(valid, k.lt(k.sub(key, tileBase), k.idx(t.tileTokens)));
        // Rows past a ragged page's end hold zeros, not keys.
        if (pageRows)
          valid = k.andI(valid, k.lt(k.sub(key, tileBase), pageRows));
        valid = mask.apply(k, valid, key, qPos);
        x.push_back(softmax.mask(valid, softmax.logit(s[n][2 * rr + j])));
      }
    }
    alpha[rr] = softmax.update(
        rows[rr], x, [&](Value v) { return mmaOps.rowMax(v); }, p[rr]);
  }

  // O *= alpha (c0, c1 are row g; c2, c3 row g + 8), then O += P V, 16
  // keys per step.
  for (Acc &acc : o)
    for (int64_t e = 0; e < 4; ++e)
      acc[e] = k.mulF(acc[e], alpha[e / 2]);
  auto narrow = [&](Value v) {
    return arith::TruncFOp::create(b, computeType(), v).getResult();
  };
  // B for O (V rows are keys, transposed): {keys 0-7, 8-15} x {dims 0-7,
  // 8-15}.
  Value vRowLane = k.add(lane8, k.mul(laneBit3, 8));
  Value vColLane = k.mul(laneBit4, 8);
  for (int64_t kb = 0; kb < kKeys / 16; ++kb) {
    // The A fragment of P: {row g keys 0-7, row g+8 keys 0-7, row g keys
    // 8-15, row g+8 keys 8-15} of the step's 16 keys.
    SmallVector<Value> pFrag;
    for (int64_t n = 2 * kb; n < 2 * kb + 2; ++n)
      for (int64_t rr = 0; rr < 2; ++rr)
        pFrag.push_back(
            mmaOps.pack(narrow(p[rr][2 * n]), narrow(p[rr][2 * n + 1])));
    for (int64_t dn = 0; dn < t.headDim / 16; ++dn) {
      SmallVector<Value, 4> bv =
          mmaOps.ldmatrix(vTile, k.add(vRowLane, k.idx(kb * 16)),
                          k.add(vColLane, k.idx(dn * 16)), true);
      for (int64_t n = 0; n < 2; ++n)
        o[2 * dn + n] =
            mmaOps.mma(pFrag, {bv[2 * n], bv[2 * n + 1]}, o[2 * dn + n]);
    }
  }

  // Every warp is done with this tile (and with the compute tiles): refill
  // its stage (16-bit caches) or let the next conversion overwrite them.
  gpu::BarrierOp::create(b);
  if (!t.dequantize())
    k.ifThen(k.andI(isLeader, k.lt(next, numTiles)),
             [&] { kv->issueTile(next, stage); });
}

/// Each warp normalizes its own rows and stores those of the request's
/// tokens at out's strides.
void PrefillKernelEmitter::emitEpilogue(ArrayRef<Row> rows, ArrayRef<Acc> o) {
  OnlineSoftmax softmax(k, Value(), std::nullopt);
  Value numTokens = memref::DimOp::create(b, args.out, 0);
  for (int64_t rr = 0; rr < 2; ++rr) {
    Value row = qRowOf(rr);
    Value token = k.add(tileToken0, k.div(row, t.group));
    Value head = k.add(k.mul(kvHead, t.group), k.rem(row, t.group));
    Value sum = mmaOps.rowSum(rows[rr].sum);
    Value max = softmax.safeMax(rows[rr].max);
    Value hasKeys = softmax.hasKeys(sum);
    Value sink = args.sinks
                     ? memref::LoadOp::create(b, args.sinks, ValueRange{head})
                           .getResult()
                     : Value();
    Value stored =
        k.andI(k.andI(k.lt(row, k.idx(t.qRows())), k.le(firstToken, token)),
               k.andI(k.lt(token, endToken), k.lt(token, numTokens)));
    k.ifThen(stored, [&] {
      for (int64_t n = 0; n < static_cast<int64_t>(o.size()); ++n)
        for (int64_t j = 0; j < 2; ++j) {
          Value value = o[n][2 * rr + j];
          // A per-tensor V scale multiplies the output.
          if (vScaleValue)
            value = k.mulF(value, vScaleValue);
          value = sink ? softmax.normalizeWithSink(value, sum, max, sink)
                       : softmax.normalize(value, sum, hasKeys);
          Value col = k.add(k.mul(tig, 2), k.idx(n * 8 + j));
          memref::StoreOp::create(
              b, arith::TruncFOp::create(b, outElemType(), value), args.out,
              ValueRange{token, head, col});
        }
    });
  }
}

/// The prefill kernel's signature for `op`.
static PrefillKernelArgs<Type> getPrefillKernelSignature(OpBuilder &builder,
                                                         PrefillOp op) {
  PrefillKernelArgs<Type> sig;
  Type map = getDescriptorParamType(builder.getContext());
  sig.qMap = sig.kCacheMap = sig.vCacheMap = map;
  if (op.getKScale())
    sig.kScaleMap = sig.vScaleMap = map;
  sig.qoIndptr = op.getQoIndptr().getType();
  sig.blockTable = op.getBlockTable().getType();
  sig.seqLens = op.getSeqLens().getType();
  sig.out = op.getOut().getType();
  auto typeOf = [](Value v) { return v ? v.getType() : Type(); };
  sig.sinks = typeOf(op.getSinks());
  sig.kGlobalScale = typeOf(op.getKGlobalScale());
  sig.vGlobalScale = typeOf(op.getVGlobalScale());
  return sig;
}

gpu::GPUFuncOp mlir::paged_attn::buildPrefillKernel(
    OpBuilder &builder, gpu::GPUModuleOp module, StringRef name, PrefillOp op,
    const PrefillPlan &plan, const TmaDescriptors &tma,
    const attn::TargetInfo &target) {
  PrefillKernelArgs<Type> sig = getPrefillKernelSignature(builder, op);
  gpu::GPUFuncOp func =
      createKernelFunc(builder, module, op.getLoc(), name, getPresentArgs(sig),
                       PagedKVPlan::kThreads);
  SmallVector<int32_t> mapArgs;
  for (int32_t i = 0, e = tma.all().size(); i < e; ++i)
    mapArgs.push_back(i);
  func->setAttr(kGridConstantArgsAttr, builder.getDenseI32ArrayAttr(mapArgs));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&func.getBody().front());
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  PrefillKernelEmitter(b, op, plan, tma, target, bindKernelArgs(sig, func))
      .emit();
  return func;
}
