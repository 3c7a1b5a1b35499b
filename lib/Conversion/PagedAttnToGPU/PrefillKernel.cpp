//===- PrefillKernel.cpp - The prefill attention kernel -------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The prefill kernels, built from the device building blocks. PrefillPlan
// describes their tiling; per CTA (one q tile of one request, one kv head):
//
//  - every warp finds the CTA's request with a 32-way search over
//    qo_indptr (the grid comes from host-known sizes only);
//  - one thread loads the q tile (TMA; rows past the tokens are zero or not
//    stored) and keeps up to `stages` K/V tiles in flight (PagedKVTiles);
//    the key range ends at the tile's last causal position and starts at
//    its window, so fully masked tiles are never loaded;
//  - each warp owns 16 q rows: S = Q K^T over a tile's 64 keys, the online
//    softmax in f32, O += P V with P from registers; it normalizes its rows
//    and stores them at out's strides.
//
// Portable (mma.sync; sm_90a and sm_100a): 4 warps, thread 0 produces
// besides computing, a block barrier per tile. Wgmma (sm_90a): a producer
// warpgroup (setmaxnreg down) and two consumer warpgroups (setmaxnreg up)
// with wgmma from shared memory for S and from registers (P) for O; full
// and empty mbarriers per stage, no block barrier in the loop.
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
#include "TileLoop.h"
#include "Tma.h"
#include "Wgmma.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::paged_attn;

namespace {
/// The wgmma consumers' slack for a row's reference max (log2 units): the
/// max moves only when a tile's exceeds it by more than this, so weights
/// stay below 2^8. H200, causal bf16 d128: 1.4-3% faster than exact maxima
/// (O's rescale skipped in more tiles).
static constexpr double kLazyRescaleLog2 = 8;

/// Builds one prefill kernel; member state is the kernel's shared values.
class PrefillKernelEmitter {
public:
  PrefillKernelEmitter(ImplicitLocOpBuilder &b, PrefillOp op,
                       const PrefillPlan &t, const TmaDescriptors &tma,
                       const attn::TargetInfo &target,
                       PrefillKernelArgs<Value> args)
      : b(b), k(b), op(op), t(t), tma(tma), args(args),
        mmaOps(k, computeType()), wgmmaOps(k, computeType()),
        dequant(k, computeType(), target) {}

  void emit();

private:
  using Row = OnlineSoftmax::Row;

  Type computeType() {
    return cast<MemRefType>(op.getQ().getType()).getElementType();
  }
  Type outElemType() {
    return cast<MemRefType>(op.getOut().getType()).getElementType();
  }

  // Both kernels, in order.
  /// The request whose q tile `x` is (the largest b with
  /// qo_indptr[b] / qTokens + b <= x), searched by each warp.
  Value findRequest(Value x);
  /// The key range of the tile, shared memory, barriers, descriptors.
  void emitPrologue();
  /// The calling thread: expect and issue the q tile's boxes.
  void issueQuery();
  /// The loop over the key tiles with (max, sum) of rows g and g + 8 and
  /// O's n8 tiles; `body` computes one tile. Then the epilogue.
  void emitTileLoop(
      function_ref<void(Value, SmallVectorImpl<Row> &, SmallVectorImpl<Acc> &)>
          body);
  /// The online softmax of the tile whose first key is `tileBase` over the
  /// warp's S (s[n]: keys 8n .. 8n + 7); sets p (rows g, g + 8) and returns
  /// the factors that rescale O.
  SmallVector<Value> emitSoftmax(ArrayRef<Acc> s, Value tile, Value tileBase,
                                 SmallVectorImpl<Row> &rows,
                                 SmallVectorImpl<SmallVector<Value>> &p);
  void emitEpilogue(ArrayRef<Row> rows, ArrayRef<Acc> o);

  // The portable kernel.
  void emitPortable();
  void emitPortableTile(Value tile, SmallVectorImpl<Row> &rows,
                        SmallVectorImpl<Acc> &o);
  // The wgmma kernel.
  void emitWarpSpecialized();
  void emitProducer();
  void emitDequantProducer();
  /// The producer warps that issue a tile's pages: W = min(4, pages per
  /// tile) (pagesPerTile is 1 for pages of 64 tokens and more); page i is
  /// issued by lane i / W of warp i % W, this thread's `issuer` index.
  int64_t issuingWarps() const { return std::min<int64_t>(4, t.pagesPerTile); }
  Value issuerIndex() { return k.add(k.mul(lane, issuingWarps()), warp); }
  void emitConsumer(Value consumer);
  /// Shared-memory address (i64) of byte `offset` of the dynamic shared
  /// memory.
  Value sharedAddress(Value offset);

  /// The sum of `v` (i32) over the warp's lanes.
  Value warpSum(Value v);
  /// Makes this thread's shared-memory writes visible to the async proxy
  /// (wgmma operands, TMA and bulk copies read through it).
  void fenceAsyncShared() {
    NVVM::FenceProxyOp::create(
        b, NVVM::ProxyKind::async_shared,
        NVVM::SharedSpaceAttr::get(b.getContext(),
                                   NVVM::SharedSpace::shared_cta));
  }
  /// Named barrier `id` of `threads` threads.
  void namedBarrier(int64_t id, int64_t threads) {
    namedBarrier(k.i32(id), threads);
  }
  void namedBarrier(Value id, int64_t threads) {
    NVVM::BarrierOp::create(b, Type(), id, k.i32(threads),
                            NVVM::BarrierReductionAttr(), Value());
  }
  /// With a per-tensor K scale below zero: flips the sign of q rows
  /// [firstRow, firstRow + rows) in the q tile, `threads` threads from
  /// `thread`, and then runs `after` (the barrier that orders the flip
  /// before the tile's readers). Nothing without a K scale.
  void negateQueryRows(Value firstRow, int64_t rows, Value thread,
                       int64_t threads, const std::function<void()> &after);
  /// Row `rr` (0: g, 1: g + 8) of this lane's fragments: q row index.
  Value qRowOf(int64_t rr) { return k.add(k.add(warpRow0, g), k.idx(8 * rr)); }
  /// The q tile's shared memory (regions of qInnerBox columns, 128-byte
  /// swizzled) as `elem` elements: q's, or out's rows staged in its place.
  SharedTile queryTile(Type elem) {
    return SharedTile{
        smem->view(k.idx(0), {t.qRegions * t.qTileRows, t.qInnerBox}, elem),
        t.qInnerBox, t.qTileRows, /*swizzled=*/true};
  }

  ImplicitLocOpBuilder &b;
  KernelBuilder k;
  PrefillOp op;
  const PrefillPlan &t;
  const TmaDescriptors &tma;
  PrefillKernelArgs<Value> args;
  MmaSyncF16 mmaOps;
  WgmmaF16 wgmmaOps;
  Dequantizer dequant;

  // Values of the prologue.
  Value tid, warp, lane, g, tig, kvHead, batch, seqLen;
  /// The first q row of the calling warp's 16.
  Value warpRow0;
  /// The tile's first global token (qTokens-aligned) and the tokens of its
  /// request it holds, [firstToken, endToken).
  Value tileToken0, firstToken, endToken;
  /// Position of global token t in its sequence: qPosBase + t.
  Value qPosBase;
  Value tokStart, tokEnd, numTiles, isLeader;
  std::optional<SharedMemory> smem;
  /// Full barriers (the K/V stages, then q); the wgmma kernel's empty ones.
  std::optional<MBarrierPipeline> pipeline, empty;
  std::optional<PagedKVTiles> kv;
  Value qMap, qBarrier;
  Value kScaleValue, vScaleValue;
  std::optional<SharedTile> qTile;
  Value computeK, computeV;
  /// wgmma with a quantized cache: a stage's converted K/V tiles are ready.
  std::optional<MBarrierPipeline> ready;
  Value lane8, laneBit3, laneBit4;
  SmallVector<SmallVector<Value, 4>> qFrags;
  /// Wgmma: the consumer's first q row (0 or 64).
  Value consumerRow0;
};
} // namespace

void PrefillKernelEmitter::emit() {
  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  warp = k.div(tid, 32);
  lane = k.rem(tid, 32);
  g = k.div(lane, 4);
  tig = k.rem(lane, 4);
  // The hardware dispatches CTAs in linear order (x fastest). Walk the
  // kv heads fastest and the q tiles in reverse: every head's last tiles
  // (with a causal mask, the ones with the most keys) start before any
  // head's first ones, so the grid's tail is the shortest tiles.
  Value tiles = gpu::GridDimOp::create(b, gpu::Dimension::x);
  Value heads = gpu::GridDimOp::create(b, gpu::Dimension::y);
  Value linear =
      k.add(gpu::BlockIdOp::create(b, gpu::Dimension::x),
            k.mul(tiles, gpu::BlockIdOp::create(b, gpu::Dimension::y)));
  Value x = k.sub(k.sub(tiles, k.idx(1)), k.div(linear, heads));
  kvHead = k.rem(linear, heads);
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
    if (t.wgmma())
      emitWarpSpecialized();
    else
      emitPortable();
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
  if (t.wgmma())
    empty.emplace(k, t.stages, /*extra=*/0, /*arrivals=*/256);
  if (t.wgmma() && t.dequantize())
    ready.emplace(k, t.stages, /*extra=*/0, /*arrivals=*/128);
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

  qTile = queryTile(computeType());
  computeK = k.idx(t.computeKOffset());
  computeV = k.idx(t.computeVOffset());

  isLeader = k.eq(tid, k.idx(0));
  k.ifThen(isLeader, [&] {
    pipeline->init();
    if (empty)
      empty->init();
    if (ready)
      ready->init();
  });
  // Rows past a tile's tokens (page sizes that do not divide 64) are never
  // loaded: zero them once in every V stage (the first 128 threads).
  if (t.tileTokens < PagedKVPlan::kTileRows) {
    k.ifThen(k.lt(tid, k.idx(PagedKVPlan::kThreads)), [&] {
      if (t.dequantize())
        for (int64_t s = 0; s < t.computeStages; ++s)
          kv->zeroRows(tid, kv->kvTile(k.idx(t.computeVOffset(s))),
                       k.idx(t.tileTokens), PagedKVPlan::kTileRows);
      else
        for (int64_t s = 0; s < t.stages; ++s)
          kv->zeroRows(tid, kv->kvTile(k.idx(t.vOffset(s))),
                       k.idx(t.tileTokens), PagedKVPlan::kTileRows);
      // wgmma reads them through the async proxy.
      if (t.wgmma())
        fenceAsyncShared();
    });
  }
  gpu::BarrierOp::create(b);
  qMap = getTensorMap(k, args.qMap, tma.q);
}

void PrefillKernelEmitter::issueQuery() {
  SmallVector<int64_t> qShape = getBoxShape(tma.q.plan);
  int64_t boxBytes = t.qInnerBox * t.group * t.qTokens * t.elemBytes;
  pipeline->expectBytes(k.idx(t.qRegions * boxBytes), qBarrier);
  Type qElem = getTmaMoveType(tma.q);
  for (int64_t r = 0; r < t.qRegions; ++r) {
    int64_t offset = r * t.qTileRows * t.qInnerBox * t.elemBytes;
    Value dst = smem->view(k.idx(offset), qShape, qElem);
    SmallVector<Value> coords{k.idx(r * t.qInnerBox), k.idx(0), kvHead,
                              tileToken0};
    loadBox(k, dst, pipeline->barriers(), qBarrier, qMap, coords);
  }
}

void PrefillKernelEmitter::emitTileLoop(
    function_ref<void(Value, SmallVectorImpl<Row> &, SmallVectorImpl<Acc> &)>
        body) {
  auto [rows, o] = paged_attn::emitTileLoop(k, numTiles, t.headDim / 8, body);
  emitEpilogue(rows, o);
}

SmallVector<Value>
PrefillKernelEmitter::emitSoftmax(ArrayRef<Acc> s, Value tile, Value tileBase,
                                  SmallVectorImpl<Row> &rows,
                                  SmallVectorImpl<SmallVector<Value>> &p) {
  // A per-tensor K scale multiplies every logit: its magnitude here, its
  // sign in q (negateQueryRows).
  double scale = op.getScale().convertToDouble();
  Value logitScale =
      kScaleValue
          ? k.mulF(math::AbsFOp::create(b, kScaleValue), k.f32(scale))
          : k.f32(scale);
  std::optional<double> cap;
  if (std::optional<APFloat> c = op.getLogitsSoftCap())
    cap = c->convertToDouble();
  OnlineSoftmax softmax(k, logitScale, cap);
  // The op's scale is verified positive, and so is the K scale's magnitude.
  softmax.setRawScores(true);
  // The wgmma consumers skip O's rescale when the warp's rows are steady:
  // lazy maxima make that the common case (the portable kernel rescales
  // every tile, so exact maxima cost it nothing).
  if (t.wgmma())
    softmax.setLazyRescale(kLazyRescaleLog2);
  int64_t window = op.getWindowLeft();
  int64_t keys = static_cast<int64_t>(s.size()) * 8;
  Value keyLane = k.add(k.mul(tig, 2), tileBase);
  // Keys a row sees: [lo, hi) (lo only with a window), so a score's
  // validity is two compares of constants against per-row bounds.
  auto rowBounds = [&](int64_t rr) -> std::pair<Value, Value> {
    Value qPos = k.add(qPosBase, k.add(tileToken0, k.div(qRowOf(rr), t.group)));
    Value hi = tokEnd;
    if (op.getCausal())
      hi = k.minS(hi, k.add(qPos, k.idx(1)));
    // Rows past a tile's tokens, or past a ragged page's end, hold zeros.
    if (t.tileTokens < PagedKVPlan::kTileRows)
      hi = k.minS(hi, k.add(tileBase, k.idx(t.tileTokens)));
    if (t.raggedPages())
      hi = k.minS(hi, k.add(tileBase, kv->tileRows(tile)));
    Value lo = window >= 0 ? k.sub(qPos, k.idx(window)) : Value();
    return {hi, lo};
  };
  auto update = [&](bool masked) {
    SmallVector<Value> results;
    SmallVector<SmallVector<Value>> probs(2);
    SmallVector<Row> state(rows.begin(), rows.end());
    for (int64_t rr = 0; rr < 2; ++rr) {
      Value hiOffset, loOffset;
      if (masked) {
        auto [hi, lo] = rowBounds(rr);
        hiOffset = k.sub(hi, keyLane);
        if (lo)
          loOffset = k.sub(lo, keyLane);
      }
      SmallVector<Value> x;
      for (int64_t n = 0, e = s.size(); n < e; ++n)
        for (int64_t j = 0; j < 2; ++j) {
          Value score = softmax.score(s[n][2 * rr + j]);
          if (masked) {
            Value at = k.idx(8 * n + j);
            Value valid = k.lt(at, hiOffset);
            if (loOffset)
              valid = k.andI(valid, k.ge(at, loOffset));
            score = softmax.mask(valid, score);
          }
          x.push_back(score);
        }
      auto rowMax = [&](Value v) { return mmaOps.rowMax(v); };
      results.push_back(
          softmax.updateScores(state[rr], x, rowMax, probs[rr]));
    }
    for (int64_t rr = 0; rr < 2; ++rr) {
      results.append({state[rr].max, state[rr].sum});
      results.append(probs[rr].begin(), probs[rr].end());
    }
    return results;
  };
  // Tiles inside every stored row's key range need no mask: before the
  // first row's causal end and the sequence's end, after the last row's
  // window start, whole (no page-tail rows).
  SmallVector<Value> results;
  bool alwaysMasked = t.tileTokens < PagedKVPlan::kTileRows || t.raggedPages();
  if (alwaysMasked) {
    results = update(true);
  } else {
    Value hiMin = tokEnd;
    if (op.getCausal())
      hiMin = k.minS(hiMin, k.add(k.add(qPosBase, firstToken), k.idx(1)));
    Value masked = k.lt(hiMin, k.add(tileBase, k.idx(keys)));
    if (window >= 0) {
      Value loMax =
          k.sub(k.add(qPosBase, k.sub(endToken, k.idx(1))), k.idx(window));
      masked = arith::OrIOp::create(b, masked, k.lt(tileBase, loMax));
    }
    results = k.selectBranch(
        masked, [&] { return update(true); }, [&] { return update(false); });
  }
  SmallVector<Value> alpha{results[0], results[1]};
  p.assign(2, {});
  int64_t perRow = keys / 4; // this lane's scores of a row
  for (int64_t rr = 0; rr < 2; ++rr) {
    int64_t base = 2 + rr * (2 + perRow);
    rows[rr].max = results[base];
    rows[rr].sum = results[base + 1];
    p[rr].assign(results.begin() + base + 2,
                 results.begin() + base + 2 + perRow);
  }
  return alpha;
}

//===----------------------------------------------------------------------===//
// The portable kernel
//===----------------------------------------------------------------------===//

void PrefillKernelEmitter::negateQueryRows(Value firstRow, int64_t rows,
                                           Value thread, int64_t threads,
                                           const std::function<void()> &after) {
  if (!kScaleValue)
    return;
  // The logits are q K^T times the scale and the K scale, a device value of
  // either sign. The softmax folds a positive scale into one FMA per raw
  // score (OnlineSoftmax::setRawScores), so a negative K scale's sign moves
  // into q instead: (-q) K^T = -(q K^T) exactly, an xor of every 16-bit
  // value's sign bit, once a CTA, and only when the scale is negative. The
  // swizzle moves 16-byte chunks within a row, so a row's bytes are where
  // they are whatever the swizzle.
  Value negative =
      k.cmpF(arith::CmpFPredicate::OLT, kScaleValue, k.f32(0));
  k.ifThen(negative, [&] {
    int64_t rowChunks = t.qInnerBox * t.elemBytes / 16;
    Type i32 = b.getI32Type();
    auto chunkType = VectorType::get({4}, i32);
    Value view = smem->view(
        k.idx(0), {t.qRegions * t.qTileRows * rowChunks, 4}, i32);
    Value signs = arith::ConstantOp::create(
        b, DenseElementsAttr::get(
               chunkType, b.getI32IntegerAttr(kPairSignBits).getValue()));
    for (int64_t r = 0; r < t.qRegions; ++r) {
      Value first = k.mul(k.add(firstRow, k.idx(r * t.qTileRows)), rowChunks);
      k.forLoop(thread, k.idx(rows * rowChunks), k.idx(threads),
                [&](Value i) {
                  Value at[2] = {k.add(first, i), k.idx(0)};
                  Value chunk =
                      vector::LoadOp::create(b, chunkType, view, at);
                  vector::StoreOp::create(
                      b, arith::XOrIOp::create(b, chunk, signs), view, at);
                });
    }
    after();
  });
}

void PrefillKernelEmitter::emitPortable() {
  warpRow0 = k.mul(warp, 16);
  k.ifThen(isLeader, [&] {
    issueQuery();
    for (int64_t s = 0; s < t.stages; ++s)
      k.ifThen(k.lt(k.idx(s), numTiles),
               [&] { kv->issueTile(k.idx(s), k.idx(s)); });
  });
  pipeline->waitFirstPhase(qBarrier);
  // Each warp flips its own 16 rows, which only its ldmatrix reads.
  negateQueryRows(warpRow0, 16, lane, 32,
                  [&] { NVVM::SyncWarpOp::create(b, k.i32(-1)); });

  lane8 = k.rem(lane, 8);
  laneBit3 = k.rem(k.div(lane, 8), 2);
  laneBit4 = k.div(lane, 16);
  // Keep q's fragments (A of S, 16 x 16 per step) in registers when they
  // fit beside O.
  if (t.headDim <= 128) {
    Value qRow = k.add(k.add(warpRow0, lane8), k.mul(laneBit3, 8));
    Value qCol = k.mul(laneBit4, 8);
    for (int64_t kk = 0; kk < t.headDim / 16; ++kk)
      qFrags.push_back(
          mmaOps.ldmatrix(*qTile, qRow, k.add(qCol, k.idx(kk * 16)), false));
  }
  emitTileLoop(
      [&](Value tile, SmallVectorImpl<Row> &rows, SmallVectorImpl<Acc> &o) {
        emitPortableTile(tile, rows, o);
      });
}

/// One K/V tile for the warp's 16 q rows: S = Q K^T over its 64 keys, the
/// online softmax, O = alpha O + P V.
void PrefillKernelEmitter::emitPortableTile(Value tile,
                                            SmallVectorImpl<Row> &rows,
                                            SmallVectorImpl<Acc> &o) {
  constexpr int64_t kKeys = PagedKVPlan::kTileRows;
  Value stage = pipeline->stageOf(tile);
  pipeline->wait(stage, pipeline->parityOf(tile));
  Value stageOffset = k.mul(stage, t.stageBytes());
  Value stageK = k.add(k.idx(t.kOffset(0)), stageOffset);
  Value stageV = k.add(k.idx(t.vOffset(0)), stageOffset);
  Value tileBase = kv->tileStart(tile);
  Value validRows = k.sub(tokEnd, tileBase);
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
  Value qRow = k.add(k.add(warpRow0, lane8), k.mul(laneBit3, 8));
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

  SmallVector<SmallVector<Value>> p;
  SmallVector<Value> alpha = emitSoftmax(s, tile, tileBase, rows, p);

  // O *= alpha (c0, c1 are row g; c2, c3 row g + 8), then O += P V, 16
  // keys per step.
  for (Acc &acc : o)
    for (int64_t e = 0; e < 4; ++e)
      acc[e] = k.mulF(acc[e], alpha[e / 2]);
  // B for O (V rows are keys, transposed): {keys 0-7, 8-15} x {dims 0-7,
  // 8-15}.
  Value vRowLane = k.add(lane8, k.mul(laneBit3, 8));
  Value vColLane = k.mul(laneBit4, 8);
  for (int64_t kb = 0; kb < kKeys / 16; ++kb) {
    SmallVector<Value> pFrag = mmaOps.pFragment(p, kb);
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

//===----------------------------------------------------------------------===//
// The wgmma kernel
//===----------------------------------------------------------------------===//

/// Threads of the producer warpgroup; of the two consumer warpgroups, and
/// their named barrier.
static constexpr int64_t kProducerThreads = 128;
static constexpr int64_t kConsumerThreads = 256;
static constexpr int64_t kConsumerBarrier = 1;
/// Registers per thread: the producer warpgroup gives up what the two
/// consumers take. `.minnctapersm 1` makes ptxas start every thread at 168
/// registers (64K / 384, rounded down to a multiple of 8), and
/// `setmaxnreg.inc` waits until the pool has what it asks for: the two
/// counts must fit in 168 x 384, or the consumers wait forever (32 / 240
/// hung on the H200).
static constexpr int64_t kEntryRegisters =
    65536 / (kProducerThreads + kConsumerThreads) / 8 * 8;
static constexpr int64_t kProducerRegisters = 24;
static constexpr int64_t kConsumerRegisters = 240;
/// With a quantized cache the producers also convert tiles (a chunk of 8
/// values, its scale and its address in flight): 56 registers, and the
/// consumers keep 224.
static constexpr int64_t kDequantProducerRegisters = 56;
static constexpr int64_t kDequantConsumerRegisters = 224;
static constexpr bool fitsEntryRegisters(int64_t producer, int64_t consumer) {
  return producer * kProducerThreads + consumer * kConsumerThreads <=
         kEntryRegisters * (kProducerThreads + kConsumerThreads);
}
static_assert(fitsEntryRegisters(kProducerRegisters, kConsumerRegisters) &&
                  fitsEntryRegisters(kDequantProducerRegisters,
                                     kDequantConsumerRegisters),
              "setmaxnreg counts exceed the registers the CTA starts with");
/// The producer warpgroup's named barrier (converting producers).
static constexpr int64_t kProducerBarrier = 2;
/// Consumer c's own named barrier (128 threads) is kQueryBarrier + c: its
/// q rows flipped for a negative K scale (negateQueryRows).
static constexpr int64_t kQueryBarrier = 3;

Value PrefillKernelEmitter::sharedAddress(Value offset) {
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(
      b, smem->view(k.idx(0), {t.sharedMemoryBytes()}, b.getI8Type()));
  return k.toI64(k.add(base, offset));
}

void PrefillKernelEmitter::emitWarpSpecialized() {
  Value warpgroup = k.div(tid, 128);
  k.ifThenElse(
      k.eq(warpgroup, k.idx(0)),
      [&] {
        NVVM::SetMaxRegisterOp::create(
            b, t.dequantize() ? kDequantProducerRegisters : kProducerRegisters,
            NVVM::SetMaxRegisterAction::decrease);
        if (t.dequantize())
          emitDequantProducer();
        else
          emitProducer();
      },
      [&] {
        NVVM::SetMaxRegisterOp::create(
            b, t.dequantize() ? kDequantConsumerRegisters : kConsumerRegisters,
            NVVM::SetMaxRegisterAction::increase);
        emitConsumer(k.sub(warpgroup, k.idx(1)));
      });
}

/// Warpgroup 0: q (thread 0), then every K/V tile into the stage the
/// consumers last released. Up to four warps share a tile's pages: page i
/// goes to lane i / W of warp i % W, so a tile of W pages issues from one
/// lane of each warp, side by side (a warp issues its lanes' TMA loads one
/// lane at a time). W = min(4, pages per tile): every producer warp has a
/// page in every tile but the last, so none can fall two phases behind on
/// an empty barrier (a parity wait would never see its phase).
void PrefillKernelEmitter::emitProducer() {
  k.ifThen(isLeader, [&] { issueQuery(); });
  int64_t warps = issuingWarps();
  k.ifThen(k.lt(warp, k.idx(warps)), [&] {
    Value issuer = issuerIndex();
    k.forLoop(k.idx(0), numTiles, k.idx(1), [&](Value tile) {
      Value stage = pipeline->stageOf(tile);
      k.ifThen(k.le(k.idx(t.stages), tile), [&] {
        empty->wait(stage, empty->parityOf(k.sub(tile, k.idx(t.stages))));
      });
      kv->issueTile(tile, stage, issuer, 32 * warps);
    });
  });
}

/// Warpgroup 0 with a quantized cache: q (thread 0); the first `stages`
/// tiles' bytes as emitProducer issues them; then, tile by tile, each warp
/// converts 16 rows of the staged K and V into the stage's 16-bit tiles
/// (once the consumers have released them), fences them for wgmma's async
/// proxy and arrives on the stage's ready barrier; when all four warps have
/// read the staged bytes (named barrier), the stage's next tile is issued
/// into them. The rows of V past the sequence become zeros as converted.
void PrefillKernelEmitter::emitDequantProducer() {
  k.ifThen(isLeader, [&] { issueQuery(); });
  int64_t warps = issuingWarps();
  Value issuer = issuerIndex();
  auto issue = [&](Value tile) {
    k.ifThen(k.lt(warp, k.idx(warps)), [&] {
      kv->issueTile(tile, pipeline->stageOf(tile), issuer, 32 * warps);
    });
  };
  k.forLoop(k.idx(0), k.minS(numTiles, k.idx(t.stages)), k.idx(1), issue);
  k.forLoop(k.idx(0), numTiles, k.idx(1), [&](Value tile) {
    Value stage = pipeline->stageOf(tile);
    k.ifThen(k.le(k.idx(t.stages), tile), [&] {
      empty->wait(stage, empty->parityOf(k.sub(tile, k.idx(t.stages))));
    });
    pipeline->wait(stage, pipeline->parityOf(tile));
    Value stageOffset = k.mul(stage, t.stageBytes());
    Value kTile = k.add(computeK, k.mul(stage, t.computeStageBytes()));
    Value validRows = k.sub(tokEnd, kv->tileStart(tile));
    kv->convertTile(warp, lane, k.add(k.idx(t.kOffset(0)), stageOffset),
                    k.add(k.idx(t.kScaleOffset(0)), stageOffset),
                    kv->kvTile(kTile), t.tileTokens, k.idx(t.tileTokens));
    kv->convertTile(
        warp, lane, k.add(k.idx(t.vOffset(0)), stageOffset),
        k.add(k.idx(t.vScaleOffset(0)), stageOffset),
        kv->kvTile(k.add(kTile, k.idx(t.computeTileBytes()))), t.tileTokens,
        k.minS(validRows, k.idx(t.tileTokens)));
    fenceAsyncShared();
    ready->arrive(stage);
    namedBarrier(kProducerBarrier, kProducerThreads);
    Value next = k.add(tile, k.idx(t.stages));
    k.ifThen(k.lt(next, numTiles), [&] { issue(next); });
  });
}

/// A consumer warpgroup, software-pipelined: the PV product of tile j - 1
/// runs on the tensor cores while the softmax of tile j runs on the ALUs:
///
///   S_0 = Q K_0; P_0 = softmax(S_0)
///   for j in 1 .. n-1:  issue S_j = Q K_j, then O += P_(j-1) V_(j-1);
///                       wait for S_j; P_j = softmax(S_j) (the PV product
///                       still runs); wait for it; O *= alpha_j; release
///                       stage j - 1
///   O += P_(n-1) V_(n-1); release stage n - 1
void PrefillKernelEmitter::emitConsumer(Value consumer) {
  consumerRow0 = k.mul(consumer, 64);
  warpRow0 = k.add(consumerRow0, k.mul(k.rem(warp, 4), 16));
  pipeline->waitFirstPhase(qBarrier);
  // The consumer warpgroup flips its 64 rows, which its wgmmas read through
  // the async proxy: a fence, and the warpgroup's own named barrier.
  negateQueryRows(consumerRow0, 64, k.rem(tid, k.idx(128)), 128, [&] {
    fenceAsyncShared();
    namedBarrier(k.toI32(k.add(consumer, k.idx(kQueryBarrier))), 128);
  });

  constexpr int64_t kKeys = PagedKVPlan::kTileRows;
  // 128-byte swizzled tiles: 8-row atoms of 128-byte rows, regions of 64
  // columns.
  constexpr int64_t kAtomBytes = 1024;
  constexpr int64_t kRowBytes = 128;
  int64_t regionBytesQ = t.qTileRows * kRowBytes;
  int64_t regionBytesKV = kKeys * kRowBytes;
  int64_t oTiles = t.headDim / 8;
  // The descriptors of q and of stage 0's K and V tiles; a tile's are
  // these plus its stage's offset and constant steps.
  WgmmaF16::Descriptor qDesc = wgmmaOps.descriptor(
      sharedAddress(k.mul(consumerRow0, kRowBytes)), 16, kAtomBytes);
  // Quantized caches: the stage's converted tiles instead of its boxes.
  bool converted = t.dequantize();
  int64_t kTile0 = converted ? t.computeKOffset() : t.kOffset(0);
  int64_t vTile0 = converted ? t.computeVOffset() : t.vOffset(0);
  int64_t stageStride = converted ? t.computeStageBytes() : t.stageBytes();
  WgmmaF16::Descriptor kDesc0 =
      wgmmaOps.descriptor(sharedAddress(k.idx(kTile0)), 16, kAtomBytes);
  WgmmaF16::Descriptor vDesc0 = wgmmaOps.descriptor(
      sharedAddress(k.idx(vTile0)), regionBytesKV, kAtomBytes);
  auto stageOffset = [&](Value tile) {
    return k.toI32(k.mul(pipeline->stageOf(tile), stageStride));
  };
  // S = Q K^T of `tile`: m64n64k16 per 16 columns of head_dim. Both
  // operands are K-major: the k-th step starts 32 bytes further in its
  // 128-byte rows, a new region every 4 steps.
  auto sDescriptors = [&](Value tile) {
    WgmmaF16::Descriptor kDesc = wgmmaOps.advance(kDesc0, stageOffset(tile));
    SmallVector<std::pair<Value, Value>> descs;
    for (int64_t kk = 0; kk < t.headDim / 16; ++kk) {
      int64_t inRegion = (kk % 4) * 32;
      descs.push_back({wgmmaOps.value(wgmmaOps.advance(
                           qDesc, (kk / 4) * regionBytesQ + inRegion)),
                       wgmmaOps.value(wgmmaOps.advance(
                           kDesc, (kk / 4) * regionBytesKV + inRegion))});
    }
    return descs;
  };
  // O += P V of `tile`: m64n{head_dim}k16 per 16 keys, P from registers, V
  // MN-major (head_dim contiguous): regions of 64 columns are the leading
  // dimension, 8-key atoms the stride; 16 keys are two atoms.
  auto vDescriptors = [&](Value tile) {
    WgmmaF16::Descriptor vDesc = wgmmaOps.advance(vDesc0, stageOffset(tile));
    SmallVector<Value> descs;
    for (int64_t kb = 0; kb < kKeys / 16; ++kb)
      descs.push_back(
          wgmmaOps.value(wgmmaOps.advance(vDesc, kb * 2 * kAtomBytes)));
    return descs;
  };
  // Every descriptor is computed before the wgmma.fence that opens a batch,
  // and the fence follows the barrier's wait loop: ptxas serializes wgmmas
  // whose inputs are defined inside a batch or after a branch.
  auto issueS = [&](ArrayRef<std::pair<Value, Value>> descs) {
    SmallVector<Value> s(kKeys / 2, k.f32(0));
    for (auto [kk, d] : llvm::enumerate(descs))
      s = wgmmaOps.mmaShared(d.first, d.second, s, kKeys, /*accumulate=*/kk);
    wgmmaOps.commit();
    return s;
  };
  auto issuePV = [&](ArrayRef<Value> pFrags, ArrayRef<Value> descs,
                     ArrayRef<Value> o) {
    SmallVector<Value> out(o.begin(), o.end());
    for (auto [kb, desc] : llvm::enumerate(descs))
      out = wgmmaOps.mmaRegisterA(pFrags.slice(4 * kb, 4), desc, out, t.headDim,
                                  /*transposeB=*/true);
    wgmmaOps.commit();
    return out;
  };
  auto waitFull = [&](Value tile) {
    MBarrierPipeline &full = converted ? *ready : *pipeline;
    full.wait(full.stageOf(tile), full.parityOf(tile));
  };
  auto toAcc = [&](ArrayRef<Value> flat) {
    SmallVector<Acc> acc(flat.size() / 4);
    for (size_t n = 0; n < acc.size(); ++n)
      acc[n].assign(flat.begin() + 4 * n, flat.begin() + 4 * n + 4);
    return acc;
  };
  // The softmax of S (waited for) of `tile`: P's fragments for the PV
  // product and the factors that rescale O.
  auto softmaxOf = [&](ArrayRef<Value> s, Value tile,
                       SmallVectorImpl<Row> &rows,
                       SmallVectorImpl<Value> &pFrags) {
    SmallVector<SmallVector<Value>> p;
    SmallVector<Value> alpha =
        emitSoftmax(toAcc(s), tile, kv->tileStart(tile), rows, p);
    pFrags.clear();
    for (int64_t kb = 0; kb < kKeys / 16; ++kb)
      for (Value v : mmaOps.pFragment(p, kb))
        pFrags.push_back(wgmmaOps.asI32(v));
    return alpha;
  };

  Value zero = k.f32(0);
  SmallVector<Value> init{k.negInf(), k.negInf(), zero, zero};
  init.append(oTiles * 4, zero);
  SmallVector<Value> state = k.selectBranch(
      k.lt(k.idx(0), numTiles),
      [&] {
        SmallVector<Row> rows{{init[0], init[2]}, {init[1], init[3]}};
        auto descs0 = sDescriptors(k.idx(0));
        waitFull(k.idx(0));
        wgmmaOps.fence();
        SmallVector<Value> s0 = issueS(descs0);
        wgmmaOps.wait(0);
        s0 = wgmmaOps.fenceOperands(s0);
        SmallVector<Value> p0;
        softmaxOf(s0, k.idx(0), rows, p0);
        // The loop carries (max, sum) of rows g and g + 8, O, and P of the
        // previous tile.
        SmallVector<Value> inits{rows[0].max, rows[1].max, rows[0].sum,
                                 rows[1].sum};
        inits.append(init.begin() + 4, init.end());
        size_t pStart = inits.size();
        inits.append(p0.begin(), p0.end());
        auto loop = scf::ForOp::create(b, k.idx(1), numTiles, k.idx(1), inits);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(loop.getBody());
          Value j = loop.getInductionVar();
          Value prev = k.sub(j, k.idx(1));
          ValueRange iter = loop.getRegionIterArgs();
          SmallVector<Row> rows{{iter[0], iter[2]}, {iter[1], iter[3]}};
          SmallVector<Value> o(iter.begin() + 4, iter.begin() + pStart);
          SmallVector<Value> pPrev(iter.begin() + pStart, iter.end());
          auto sDescs = sDescriptors(j);
          SmallVector<Value> vDescs = vDescriptors(prev);
          waitFull(j);
          wgmmaOps.fence();
          SmallVector<Value> s = issueS(sDescs);
          o = issuePV(pPrev, vDescs, o);
          wgmmaOps.wait(1);
          s = wgmmaOps.fenceOperands(s);
          SmallVector<Value> p;
          SmallVector<Value> alpha = softmaxOf(s, j, rows, p);
          // The previous tile's P stays live until its PV product is
          // done: the softmax's P does not reuse its registers.
          wgmmaOps.wait(0, pPrev);
          o = wgmmaOps.fenceOperands(o);
          OnlineSoftmax softmax(k, Value(), std::nullopt);
          o = softmax.rescaleUnlessSteady(
              alpha, rows, o, [](int64_t i) { return (i % 4) / 2; });
          empty->arrive(pipeline->stageOf(prev));
          SmallVector<Value> yields{rows[0].max, rows[1].max, rows[0].sum,
                                    rows[1].sum};
          yields.append(o.begin(), o.end());
          yields.append(p.begin(), p.end());
          scf::YieldOp::create(b, yields);
        }
        ValueRange res = loop.getResults();
        SmallVector<Value> o(res.begin() + 4, res.begin() + pStart);
        SmallVector<Value> pLast(res.begin() + pStart, res.end());
        // The last tile: zero V rows past the last key (stale, or past the
        // sequence in its last page), make them visible to wgmma, and wait
        // for the other consumer.
        // (Converted tiles have those rows zeroed by the producers.)
        Value last = k.sub(numTiles, k.idx(1));
        if (!converted) {
          Value lastBase = kv->tileStart(last);
          SharedTile vLast = kv->kvTile(
              k.add(k.idx(t.vOffset(0)),
                    k.mul(pipeline->stageOf(last), t.stageBytes())));
          kv->zeroRows(k.sub(tid, k.idx(128)), vLast,
                       k.minS(k.sub(tokEnd, lastBase), k.idx(t.tileTokens)),
                       t.tileTokens, kConsumerThreads);
          fenceAsyncShared();
          namedBarrier(kConsumerBarrier, kConsumerThreads);
        }
        SmallVector<Value> vDescs = vDescriptors(last);
        wgmmaOps.fence();
        o = issuePV(pLast, vDescs, o);
        wgmmaOps.wait(0);
        o = wgmmaOps.fenceOperands(o);
        empty->arrive(pipeline->stageOf(last));
        SmallVector<Value> result{res[0], res[1], res[2], res[3]};
        result.append(o.begin(), o.end());
        return result;
      },
      [&] { return init; });
  SmallVector<Row> rows{{state[0], state[2]}, {state[1], state[3]}};
  emitEpilogue(rows, toAcc(ArrayRef<Value>(state).drop_front(4)));
}

//===----------------------------------------------------------------------===//
// The epilogue
//===----------------------------------------------------------------------===//

/// Each warp normalizes its own rows (one factor per row) and stores those
/// of the request's tokens at out's strides. Where out's inner stride is
/// statically 1 the kernel checks out's start, token stride and head stride
/// once: all multiples of 16 bytes, the warp stages its 16 rows in its own
/// rows of the q tile (free once its last S is done; same 128-byte swizzle,
/// so both the 4-byte writes and the 16-byte reads are conflict-free) and
/// stores whole 16-byte chunks, a row's chunks from consecutive lanes; all
/// even, it stores two adjacent columns as one 4-byte store; otherwise one
/// element at a time.
void PrefillKernelEmitter::emitEpilogue(ArrayRef<Row> rows, ArrayRef<Acc> o) {
  OnlineSoftmax softmax(k, Value(), std::nullopt);
  Value numTokens = memref::DimOp::create(b, args.out, 0);
  auto outType = cast<MemRefType>(args.out.getType());
  Type elem = outElemType();
  int64_t elemBytes = elem.getIntOrFloatBitWidth() / 8;
  // Row `row` of the tile: its token and head, and whether out takes it.
  auto tokenOf = [&](Value row) {
    return k.add(tileToken0, k.div(row, t.group));
  };
  auto headOf = [&](Value row) {
    return k.add(k.mul(kvHead, t.group), k.rem(row, t.group));
  };
  auto isStored = [&](Value row, Value token) {
    return k.andI(k.andI(k.lt(row, k.idx(t.qRows())), k.le(firstToken, token)),
                  k.andI(k.lt(token, endToken), k.lt(token, numTokens)));
  };
  // The bits of out's start and of its token and head steps, in bytes.
  Value strideBits, start;
  memref::ExtractStridedMetadataOp meta;
  if (auto [strides, offset] = outType.getStridesAndOffset();
      strides.back() == 1) {
    meta = memref::ExtractStridedMetadataOp::create(b, args.out);
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, args.out);
    start = k.add(base, k.mul(meta.getOffset(), elemBytes));
    strideBits = arith::OrIOp::create(
        b, start,
        arith::OrIOp::create(b, k.mul(meta.getStrides()[0], elemBytes),
                             k.mul(meta.getStrides()[1], elemBytes)));
  }
  // The normalized values of rows g and g + 8: [rr][n] = columns
  // 8 n + 2 tig and 8 n + 2 tig + 1.
  SmallVector<SmallVector<SmallVector<Value, 2>>> values(2);
  for (int64_t rr = 0; rr < 2; ++rr) {
    Value head = headOf(qRowOf(rr));
    Value sum = mmaOps.rowSum(rows[rr].sum);
    Value max = softmax.safeMax(rows[rr].max);
    Value hasKeys = softmax.hasKeys(sum);
    Value sink = args.sinks
                     ? memref::LoadOp::create(b, args.sinks, ValueRange{head})
                           .getResult()
                     : Value();
    Value factor = softmax.rowFactor(sum, max, hasKeys, sink);
    // A per-tensor V scale multiplies the output.
    if (vScaleValue)
      factor = k.mulF(factor, vScaleValue);
    for (const Acc &acc : o) {
      SmallVector<Value, 2> pair;
      for (int64_t j = 0; j < 2; ++j)
        pair.push_back(
            arith::TruncFOp::create(b, elem, k.mulF(acc[2 * rr + j], factor)));
      values[rr].push_back(pair);
    }
  }
  auto pairType = VectorType::get({2}, elem);
  // Straight from the registers: pairs or single elements.
  auto storeDirect = [&](bool paired) {
    for (int64_t rr = 0; rr < 2; ++rr) {
      Value row = qRowOf(rr);
      Value token = tokenOf(row);
      Value head = headOf(row);
      k.ifThen(isStored(row, token), [&] {
        for (auto [n, pair] : llvm::enumerate(values[rr])) {
          Value col = k.add(k.mul(tig, 2), k.idx(n * 8));
          if (paired) {
            vector::StoreOp::create(
                b, vector::FromElementsOp::create(b, pairType, pair), args.out,
                ValueRange{token, head, col}, /*nontemporal=*/false,
                llvm::Align(2 * elemBytes));
            continue;
          }
          for (int64_t j = 0; j < 2; ++j)
            memref::StoreOp::create(
                b, pair[j], args.out,
                ValueRange{token, head, k.add(col, k.idx(j))});
        }
      });
    }
  };
  // Through the warp's rows of the q tile, 16 bytes a store.
  auto storeStaged = [&] {
    SharedTile stage = queryTile(elem);
    for (int64_t rr = 0; rr < 2; ++rr)
      for (auto [n, pair] : llvm::enumerate(values[rr])) {
        Value col = k.add(k.mul(tig, 2), k.idx(n * 8));
        vector::StoreOp::create(
            b, vector::FromElementsOp::create(b, pairType, pair), stage.view,
            stage.at(k, qRowOf(rr), col));
      }
    NVVM::SyncWarpOp::create(b, k.i32(-1));
    constexpr int64_t kChunk = 8;
    int64_t chunksPerRow = t.headDim / kChunk;
    int64_t rowsPerStep = 32 / chunksPerRow;
    auto chunkType = VectorType::get({kChunk}, elem);
    Value col = k.mul(k.rem(lane, chunksPerRow), kChunk);
    for (int64_t r = 0; r < 16; r += rowsPerStep) {
      Value row = k.add(warpRow0, k.add(k.div(lane, chunksPerRow), k.idx(r)));
      Value token = tokenOf(row);
      Value chunk = vector::LoadOp::create(b, chunkType, stage.view,
                                           stage.at(k, row, col));
      k.ifThen(isStored(row, token), [&] {
        vector::StoreOp::create(
            b, chunk, args.out, ValueRange{token, headOf(row), col},
            /*nontemporal=*/false, llvm::Align(kChunk * elemBytes));
      });
    }
  };
  // The wgmma kernel: rows staged unswizzled in a free K/V stage, 16 bytes
  // of padding a row (so the 8 rows of a fragment store land in distinct
  // banks), then one bulk copy (cp.async.bulk, the TMA engine) per row of
  // the request's tokens. Consumer c stages in stage (last + 1 + c) %
  // stages, after a barrier of both consumers: no stage is read any more
  // (and the last tile's stage is kept out regardless).
  int64_t rowBytes = t.headDim * elemBytes;
  int64_t pitch = rowBytes + 16;
  auto storeBulk = [&](Value consumer) {
    // Both consumers are done with every tile before either writes a stage
    // (nothing else orders them if one of them stops early).
    namedBarrier(kConsumerBarrier, kConsumerThreads);
    Value last = k.maxS(k.sub(numTiles, k.idx(1)), k.idx(0));
    Value stage = k.rem(k.add(pipeline->stageOf(last), k.add(consumer, 1)),
                        k.idx(t.stages));
    Value area = k.add(k.idx(t.kOffset(0)), k.mul(stage, t.stageBytes()));
    Value rows = smem->view(area, {64 * pitch / elemBytes}, elem);
    auto at = [&](Value row, Value col) {
      return k.add(k.mul(k.sub(row, consumerRow0), pitch / elemBytes), col);
    };
    for (int64_t rr = 0; rr < 2; ++rr)
      for (auto [n, pair] : llvm::enumerate(values[rr]))
        vector::StoreOp::create(
            b, vector::FromElementsOp::create(b, pairType, pair), rows,
            ValueRange{at(qRowOf(rr), k.add(k.mul(tig, 2), k.idx(n * 8)))});
    // The rows go out through the async proxy.
    fenceAsyncShared();
    NVVM::SyncWarpOp::create(b, k.i32(-1));
    Value row = k.add(warpRow0, lane);
    Value token = tokenOf(row);
    k.ifThen(k.andI(k.lt(lane, k.idx(16)), isStored(row, token)), [&] {
      Value element = k.add(k.mul(token, meta.getStrides()[0]),
                            k.mul(headOf(row), meta.getStrides()[1]));
      Value dst = LLVM::IntToPtrOp::create(
          b, LLVM::LLVMPointerType::get(b.getContext(), 1),
          k.toI64(k.add(start, k.mul(element, elemBytes))));
      Value src = LLVM::IntToPtrOp::create(
          b, LLVM::LLVMPointerType::get(b.getContext(), 3),
          sharedAddress(k.add(area, k.mul(k.sub(row, consumerRow0), pitch))));
      NVVM::CpAsyncBulkSharedCTAToGlobalOp::create(
          b, dst, src, k.i32(rowBytes), /*l2CacheHint=*/Value(),
          /*byteMask=*/Value());
    });
    NVVM::CpAsyncBulkCommitGroupOp::create(b);
    // The CTA's shared memory must outlive the copies' reads.
    NVVM::CpAsyncBulkWaitGroupOp::create(b, 0, b.getUnitAttr());
  };
  if (!strideBits) {
    storeDirect(/*paired=*/false);
    return;
  }
  auto multipleOf = [&](int64_t bytes) {
    return k.eq(k.rem(strideBits, bytes), k.idx(0));
  };
  auto pairsOrElements = [&] {
    k.ifThenElse(
        multipleOf(2 * elemBytes), [&] { storeDirect(true); },
        [&] { storeDirect(false); });
  };
  // The warp's rows of the q tile hold its rows of out: 16-bit q and out;
  // a row's 16-byte chunks divide a warp (head_dim 64, 128, 256).
  bool stageable =
      elemBytes == 2 && t.qElemBytes == 2 && 32 % (t.headDim / 8) == 0;
  if (!stageable) {
    pairsOrElements();
    return;
  }
  if (t.bulkStore) {
    Value consumer = k.div(consumerRow0, k.idx(64));
    k.ifThenElse(
        multipleOf(16), [&] { storeBulk(consumer); }, pairsOrElements);
    return;
  }
  k.ifThenElse(multipleOf(16), storeStaged, pairsOrElements);
}

/// The prefill kernel's signature for `op`.
static PrefillKernelArgs<Type> getPrefillKernelSignature(OpBuilder &builder,
                                                         PrefillOp op) {
  PrefillKernelArgs<Type> sig;
  setCommonSignature(sig, cast<AttentionOpInterface>(op.getOperation()));
  sig.qoIndptr = op.getQoIndptr().getType();
  return sig;
}

gpu::GPUFuncOp mlir::paged_attn::buildPrefillKernel(
    OpBuilder &builder, gpu::GPUModuleOp module, StringRef name, PrefillOp op,
    const PrefillPlan &plan, const TmaDescriptors &tma,
    const attn::TargetInfo &target) {
  PrefillKernelArgs<Type> sig = getPrefillKernelSignature(builder, op);
  gpu::GPUFuncOp func = createKernelFunc(builder, module, op.getLoc(), name,
                                         getPresentArgs(sig), plan.threads());
  // The descriptors lead the arguments; they are passed by value.
  markDescriptorArgs(func, tma.all().size());
  // One CTA per SM: .minnctapersm 1 pins the register count at entry, which
  // ptxas needs to honour setmaxnreg. Without it ptxas ignored setmaxnreg
  // in every head_dim 64 wgmma kernel (C7508), so their consumers had 168
  // registers, not 240.
  if (plan.wgmma())
    func->setAttr("nvvm.minctasm", builder.getI32IntegerAttr(1));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&func.getBody().front());
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  PrefillKernelEmitter(b, op, plan, tma, target, bindKernelArgs(sig, func))
      .emit();
  return func;
}
