//===- DecodeKernel.cpp - The decode attention kernel ---------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The split-KV decode kernel, built from the device building blocks
// (SharedMemory, Tma, MBarrierPipeline, MmaSync, Dequant, OnlineSoftmax,
// SplitWorkspace). docs/DecodeKernel.md describes it; per CTA (one batch
// entry, one kv head, 16 q rows, one KV split):
//
//  - thread 0 initializes one mbarrier per stage (plus one for q) and loads
//    q (the GQA group's heads of the request's q_len tokens, one box per
//    128-byte column region); each warp keeps its share of up to `stages`
//    K/V tiles in flight (warp w the pages w, w + 4, ..., issued by the
//    lane elect.sync picks), one TMA box per page (or per 64 rows of a
//    large page);
//  - each of the 4 warps takes 16 of a tile's 64 rows: S = Q K^T and
//    O += P V with mma.sync m16n8k16 (quantized caches with at most 8 q
//    rows: S^T = K q^T and O^T = V^T P^T), an online softmax in f32 per
//    warp;
//  - the warps' (max, sum, O) merge through shared memory; with one split
//    the CTA writes `out`, otherwise its normalized partial output and
//    log-sum-exp go to the split workspace, and the row group's last CTA
//    merges the splits into `out` (SplitMerge.h).
//
//===----------------------------------------------------------------------===//

#include "DecodeEmitter.h"
#include "KernelArgs.h"
#include "SplitMerge.h"
#include "SplitWorkspace.h"
#include "TileLoop.h"
#include "Tma.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <optional>

using namespace mlir;
using namespace mlir::paged_attn;

void DecodeKernelEmitter::emit() {
  emitPrologue();
  emitLoadQuery();
  emitTileLoop();
  gpu::ReturnOp::create(b);
}

/// Who am I, which tokens does my split cover, and the shared memory,
/// barriers and descriptors.
void DecodeKernelEmitter::emitPrologue() {
  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  warp = k.div(tid, 32);
  lane = k.rem(tid, 32);
  g = k.div(lane, 4);
  tig = k.rem(lane, 4);
  split = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value headBlock = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  batch = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  kvHead = k.div(headBlock, t.mBlocks);
  mBlock = k.rem(headBlock, t.mBlocks);
  seqLen =
      k.toIndex(memref::LoadOp::create(b, args.seqLens, ValueRange{batch}));
  tokStart = k.mul(split, args.splitTokens);
  tokEnd = k.minS(seqLen, k.add(tokStart, args.splitTokens));
  numTiles = countKVTiles(k, t, tokStart, tokEnd);

  smem.emplace(k, t.sharedMemoryBytes());
  pipeline.emplace(k, t.stages, /*extra=*/1);
  qBarrier = pipeline->extra(0);
  if (args.kGlobalScale)
    kScaleValue = memref::LoadOp::create(b, args.kGlobalScale, ValueRange{});
  if (args.vGlobalScale)
    vScaleValue = memref::LoadOp::create(b, args.vGlobalScale, ValueRange{});
  qMap = getTensorMap(k, args.qMap, tma.q);
  kMap = getTensorMap(k, args.kCacheMap, tma.kCache);
  vMap = getTensorMap(k, args.vCacheMap, tma.vCache);
  if (t.nvfp4) {
    kScaleMap = getTensorMap(k, args.kScaleMap, *tma.kScale);
    vScaleMap = getTensorMap(k, args.vScaleMap, *tma.vScale);
  }
  kv.emplace(
      k, t, tma, *smem, *pipeline, dequant, computeType(),
      PagedKVTiles::Sources{kMap, vMap, kScaleMap, vScaleMap, args.blockTable},
      batch, kvHead, tokStart, tokEnd);

  qTile = queryTile(qTileType());
  computeK = k.idx(t.computeOffset());
  computeV = k.idx(t.computeOffset() + t.computeTileBytes());

  isLeader = k.eq(tid, k.idx(0));
  k.ifThen(isLeader, [&] { pipeline->init(); });
  // Rows past a tile's tokens (page sizes that do not divide 64) are never
  // loaded: zero them once in every V stage.
  if (t.tileTokens < DecodePlan::kTileRows) {
    if (t.registerDequant)
      for (int64_t s = 0; s < t.stages; ++s)
        kv->zeroStagedRows(tid, k.idx(t.vOffset(s)), k.idx(t.vScaleOffset(s)),
                           k.idx(t.tileTokens), DecodePlan::kTileRows);
    else if (t.dequantize())
      zeroRows(kvTile(computeV), k.idx(t.tileTokens), DecodePlan::kTileRows);
    else
      for (int64_t s = 0; s < t.stages; ++s)
        zeroRows(kvTile(k.idx(t.vOffset(s))), k.idx(t.tileTokens),
                 DecodePlan::kTileRows);
  }
  gpu::BarrierOp::create(b);
}

/// Thread 0 loads q (the group's heads of this request's q_len tokens), each
/// warp its share of the first `stages` tiles; everyone waits for q and
/// takes its fragments.
void DecodeKernelEmitter::emitLoadQuery() {
  k.ifThen(isLeader, [&] {
    SmallVector<int64_t> qShape = getBoxShape(tma.q.plan);
    int64_t qBoxBytes = t.qInnerBox * t.group * t.qLen * t.qElemBytes;
    pipeline->expectBytes(k.idx(t.qRegions * qBoxBytes), qBarrier);
    Type qElem = getTmaMoveType(tma.q);
    for (int64_t r = 0; r < t.qRegions; ++r) {
      // 16-bit q: straight into the q tile; fp8 q: into its staging bytes.
      int64_t offset =
          t.qDequantize()
              ? t.qStagedOffset()
              : t.qOffset() + r * t.mBlocks * 16 * t.qInnerBox * t.elemBytes;
      Value dst = smem->view(k.idx(offset), qShape, qElem);
      SmallVector<Value> coords{k.idx(r * t.qInnerBox), k.idx(0), kvHead,
                                k.mul(batch, t.qLen)};
      loadBox(k, dst, pipeline->barriers(), qBarrier, qMap, coords);
    }
  });
  // Each warp issues its share of the first tiles' pages.
  for (int64_t s = 0; s < t.stages; ++s)
    k.ifThen(k.lt(k.idx(s), numTiles), [&] { issueTile(k.idx(s), k.idx(s)); });

  pipeline->waitFirstPhase(qBarrier);
  if (t.qDequantize()) {
    convertQuery(*qTile);
    gpu::BarrierOp::create(b);
  }
  if (qTileType() != computeType()) {
    qUnscale = halveQuery();
    qTile = queryTile(computeType());
  }

  // Per-lane addressing of the mma fragments.
  Value lane8 = k.rem(lane, 8);
  Value laneBit3 = k.rem(k.div(lane, 8), 2);
  Value laneBit4 = k.div(lane, 16);
  // A (q, 16 x 16): matrices {rows 0-7, 8-15} x {cols 0-7, 8-15}.
  qRow = k.add(k.add(k.mul(mBlock, 16), lane8), k.mul(laneBit3, 8));
  qColLane = k.mul(laneBit4, 8);
  // B for S (K rows are keys): {keys 0-7: dims 0-7, 8-15}, {keys 8-15: ...}.
  kRowLane = k.add(k.add(k.mul(warp, 16), lane8), k.mul(laneBit4, 8));
  kColLane = k.mul(laneBit3, 8);
  // B for O (V rows are keys, transposed): {keys 0-7, 8-15} x {dims 0-7,
  // 8-15}.
  vRowLane = k.add(k.add(k.mul(warp, 16), lane8), k.mul(laneBit3, 8));
  vColLane = k.mul(laneBit4, 8);

  if (t.registerDequant) {
    // Lane l gives the address of row l % 8 of ldmatrix matrix m = l / 8:
    // keys 8 (m % 2) + l % 8 of the warp's 16, chunk + m / 2 (chunk even).
    Value m = k.div(lane, 8);
    Value row = k.add(k.add(k.mul(warp, 16), lane8), k.mul(k.rem(m, 2), 8));
    stagedLaneOffset = kv->stagedRowOffset(row);
    stagedLaneXor = k.xorI(kv->stagedRowSwizzle(row), k.div(m, 2));
    if (t.nvfp4) {
      Value warpRow = k.mul(warp, 16);
      for (int64_t n = 0; n < 2; ++n)
        scaleRowsK.push_back(
            kv->scaleRowOffset(k.add(k.add(warpRow, g), k.idx(8 * n))));
      for (int64_t key : {0, 1, 8, 9})
        scaleRowsV.push_back(kv->scaleRowOffset(
            k.add(k.add(warpRow, k.mul(tig, 2)), k.idx(key))));
      // A K word's values share block 2 chunk + tig / 2 (byte 2 (chunk % 2)
      // + tig / 2 of scale word chunk / 2), a V pair's block 2 chunk + g / 4.
      // prmt selectors of byte p of the low word and byte p + hiBase of the
      // low word (K: chunks c and c + 1's blocks, hiBase 2) or p of the
      // high word (V: keys 2 tig and 2 tig + 1, hiBase 4) into the low half.
      auto selector = [&](Value byte, int64_t hiBase) -> Value {
        Value p = k.toI32(byte);
        Value q = arith::AddIOp::create(b, p, k.i32(hiBase));
        return arith::OrIOp::create(
            b, p, arith::ShLIOp::create(b, q, k.i32(4)));
      };
      scaleSelK = selector(k.div(tig, 2), 2);
      for (int64_t odd = 0; odd < 2; ++odd)
        scaleSelV.push_back(selector(k.add(k.div(g, 4), 2 * odd), 4));
    }
    if (t.headDim <= 128)
      for (int64_t step = 0; step < t.headDim / 16; ++step)
        qFrags.push_back(qFragmentForStaged(step, /*asB=*/swapped()));
  } else if (t.headDim <= 128) {
    // Keep q's fragments in registers when they fit beside O.
    for (int64_t kk = 0; kk < t.headDim / 16; ++kk)
      qFrags.push_back(mmaOps.ldmatrix(*qTile, qRow,
                                       k.add(qColLane, k.idx(kk * 16)), false));
  }
  if (rawScores() && kScaleValue)
    negateQueryFragments(
        k.cmpF(arith::CmpFPredicate::OLT, kScaleValue, k.f32(0)));
}

bool DecodeKernelEmitter::rawScores() {
  // A per-tensor K scale is a device value of either sign: its sign moves
  // into q's fragments, which only registers hold (head_dim <= 128).
  return !op.getLogitsSoftCap() && (!kScaleValue || t.headDim <= 128);
}

void DecodeKernelEmitter::negateQueryFragments(Value negative) {
  // (-q) K^T = -(q K^T) exactly: flip the sign bit of every 16-bit value
  // (registers are f16 pairs, or bf16 pairs as i32), as an i32 xor. (The
  // same xor on vector<2xi16> with a splat of the select came out of MLIR
  // 22's gpu-module-to-binary as an unconditional neg.f16x2, the condition
  // lost; the GPU suite caught it. The i32 form compiles as written.)
  Type i32 = b.getI32Type();
  auto word = VectorType::get({1}, i32);
  Value signs = k.select(negative, k.i32(kPairSignBits), k.i32(0));
  for (SmallVector<Value, 4> &frag : qFrags)
    for (Value &reg : frag) {
      if (reg.getType() == i32) {
        reg = k.xorI(reg, signs);
        continue;
      }
      Type type = reg.getType();
      Value bits = vector::ExtractOp::create(
          b, vector::BitCastOp::create(b, word, reg), ArrayRef<int64_t>{0});
      bits = vector::BroadcastOp::create(b, word, k.xorI(bits, signs));
      reg = vector::BitCastOp::create(b, type, bits);
    }
}

/// The loop over this split's tiles carries (max, sum) of rows g and g + 8
/// and O's n8 tiles, four f32 each; the epilogue follows it.
void DecodeKernelEmitter::emitTileLoop() {
  int64_t oTiles = swapped() ? t.headDim / 16 : t.headDim / 8;
  auto oneTile = [&](Value tile, SmallVectorImpl<Row> &rows,
                     SmallVectorImpl<Acc> &o) { emitTile(tile, rows, o); };
  if (t.tilesPerStep == 1) {
    auto [rows, o] = paged_attn::emitTileLoop(k, numTiles, oTiles, oneTile);
    emitEpilogue(rows, o);
    return;
  }
  // Two tiles a step, then the last one alone where their count is odd.
  Value pairedTiles = k.mul(k.div(numTiles, 2), 2);
  TileLoopState paired = paged_attn::emitTileLoop(
      k, k.idx(0), pairedTiles, 2, initialTileLoopState(k, oTiles),
      [&](Value tile, SmallVectorImpl<Row> &rows, SmallVectorImpl<Acc> &o) {
        emitTilePair(tile, rows, o);
      });
  TileLoopState last =
      paged_attn::emitTileLoop(k, pairedTiles, numTiles, 1, paired, oneTile);
  emitEpilogue(last.rows, last.o);
}

DecodeKernelEmitter::StagedTile DecodeKernelEmitter::planTile(Value tile) {
  StagedTile s;
  s.tile = tile;
  s.stage = pipeline->stageOf(tile);
  s.next = k.add(tile, k.idx(t.stages));
  s.prefetched = prefetchNextPage(s.next);
  return s;
}

void DecodeKernelEmitter::waitForTile(StagedTile &s) {
  pipeline->wait(s.stage, pipeline->parityOf(s.tile));
  s.stageOffset = k.mul(s.stage, t.stageBytes());
  s.stageK = k.add(k.idx(t.kOffset(0)), s.stageOffset);
  s.stageV = k.add(k.idx(t.vOffset(0)), s.stageOffset);
  s.tileBase = tileStart(s.tile);
  s.validRows = k.sub(tokEnd, s.tileBase);
  s.pageRows = t.raggedPages() ? tileRows(s.tile) : Value();
  if (t.registerDequant) {
    s.scalesK = k.add(k.idx(t.kScaleOffset(0)), s.stageOffset);
    s.scalesV = k.add(k.idx(t.vScaleOffset(0)), s.stageOffset);
  }
}

void DecodeKernelEmitter::zeroStaleRowsIfLast(const StagedTile &s) {
  // The last tile: zero staged V rows (and scales) past the last key
  // (stale or page-tail bytes may hold e4m3 NaN codes, and P = 0 times
  // NaN is NaN).
  Value isLast = k.eq(s.tile, k.sub(numTiles, k.idx(1)));
  k.ifThen(isLast, [&] {
    kv->zeroStagedRows(tid, s.stageV, s.scalesV,
                       k.minS(s.validRows, k.idx(t.tileTokens)), t.tileTokens);
    gpu::BarrierOp::create(b);
  });
}

void DecodeKernelEmitter::emitTilePair(Value first, SmallVectorImpl<Row> &rows,
                                       SmallVectorImpl<Acc> &o) {
  // Tiles `first` and `first + 1` (the split's last tile can only be the
  // second of a pair): their scores, one softmax update over both, their
  // P V, one barrier, both refills.
  StagedTile tiles[2] = {planTile(first), planTile(k.add(first, k.idx(1)))};
  // Both tiles' stages first (they were refilled together, a step ago),
  // then one MMA chain each: the two chains interleave, where waiting for
  // the second tile between them kept its chain behind the first and took
  // two chains a tile (and their sum) to fill the gaps (H200: 1-2% at four
  // of the five table shapes, -1% at B256 L1024).
  for (StagedTile &s : tiles)
    waitForTile(s);
  zeroStaleRowsIfLast(tiles[1]);
  SmallVector<Acc> sT;
  for (StagedTile &s : tiles)
    sT.push_back(emitScoresSwapped(s.stageK, s.scalesK, /*chains=*/1));
  SmallVector<Value> pFrag =
      emitSoftmaxSwapped({tiles[0].tileBase, tiles[1].tileBase},
                         {tiles[0].pageRows, tiles[1].pageRows}, sT, rows, o);
  for (auto [i, s] : llvm::enumerate(tiles))
    emitPVSwapped(s.stageV, s.scalesV, ArrayRef(pFrag).slice(2 * i, 2), o);
  refillAfterBarrier(tiles);
}

void DecodeKernelEmitter::emitTile(Value tile, SmallVectorImpl<Row> &rows,
                                   SmallVectorImpl<Acc> &o) {
  StagedTile st = planTile(tile);
  waitForTile(st);
  Value stageK = st.stageK, stageV = st.stageV, tileBase = st.tileBase;
  Value validRows = st.validRows, pageRows = st.pageRows;
  if (t.registerDequant) {
    zeroStaleRowsIfLast(st);
    if (swapped()) {
      Acc sT = emitScoresSwapped(stageK, st.scalesK);
      SmallVector<Value> pFrag =
          emitSoftmaxSwapped({tileBase}, {pageRows}, {sT}, rows, o);
      emitPVSwapped(stageV, st.scalesV, pFrag, o);
      refillAfterBarrier(st);
      return;
    }
    SmallVector<Acc> s = emitScoresFromStaged(stageK, st.scalesK);
    SmallVector<Value> pFrag = emitSoftmax(tileBase, pageRows, s, rows, o);
    emitPVFromStaged(stageV, st.scalesV, pFrag, o);
    refillAfterBarrier(st);
    return;
  }
  SharedTile kTile = kvTile(t.dequantize() ? computeK : stageK);
  SharedTile vTile = kvTile(t.dequantize() ? computeV : stageV);

  if (t.dequantize()) {
    // Convert the staged bytes (V rows past the last key become zeros),
    // each warp its own rows; once every warp has, the stage is free:
    // refill it while this tile is computed.
    convertTile(stageK, k.add(k.idx(t.kScaleOffset(0)), st.stageOffset), kTile,
                t.tileTokens, k.idx(t.tileTokens));
    convertTile(stageV, k.add(k.idx(t.vScaleOffset(0)), st.stageOffset), vTile,
                t.tileTokens, k.minS(validRows, k.idx(t.tileTokens)));
    refillAfterBarrier(st);
  } else {
    // The last tile: zero V rows past the last key (stale or page-tail).
    Value isLast = k.eq(tile, k.sub(numTiles, k.idx(1)));
    k.ifThen(isLast, [&] {
      zeroRows(vTile, k.minS(validRows, k.idx(t.tileTokens)), t.tileTokens);
      gpu::BarrierOp::create(b);
    });
  }

  // S = Q K^T for this warp's 16 keys: s[n] covers keys 8n .. 8n + 7.
  int64_t nTilesQK = 2;
  SmallVector<Acc> s(nTilesQK, Acc(4, k.f32(0)));
  for (int64_t kk = 0; kk < t.headDim / 16; ++kk) {
    SmallVector<Value, 4> a =
        t.headDim <= 128
            ? qFrags[kk]
            : mmaOps.ldmatrix(*qTile, qRow, k.add(qColLane, k.idx(kk * 16)),
                              false);
    SmallVector<Value, 4> bk = mmaOps.ldmatrix(
        kTile, kRowLane, k.add(kColLane, k.idx(kk * 16)), false);
    for (int64_t n = 0; n < nTilesQK; ++n)
      s[n] = mmaOps.mma(a, {bk[2 * n], bk[2 * n + 1]}, s[n]);
  }

  SmallVector<Value> pFrag = emitSoftmax(tileBase, pageRows, s, rows, o);
  for (int64_t dn = 0; dn < t.headDim / 16; ++dn) {
    SmallVector<Value, 4> bv =
        mmaOps.ldmatrix(vTile, vRowLane, k.add(vColLane, k.idx(dn * 16)), true);
    for (int64_t n = 0; n < 2; ++n)
      o[2 * dn + n] =
          mmaOps.mma(pFrag, {bv[2 * n], bv[2 * n + 1]}, o[2 * dn + n]);
  }

  if (t.dequantize()) {
    // The warp's own compute rows may be overwritten by its next
    // conversion once all its lanes have read them.
    NVVM::SyncWarpOp::create(b, k.i32(-1));
  } else {
    refillAfterBarrier(st);
  }
}

void DecodeKernelEmitter::issueTile(Value tile, Value stage,
                                    Value prefetched) {
  kv->issueTile(tile, stage, warp, PagedKVPlan::kThreads / 32,
                NVVM::ElectSyncOp::create(b, b.getI1Type(), Value()),
                prefetched);
}

Value DecodeKernelEmitter::prefetchNextPage(Value next) {
  // The refill after the tile's barrier issues its boxes as soon as the
  // page is known: a block-table read there held every warp of the CTA
  // for its latency, each tile. Register-dequantized kernels only: they are
  // bound by issue, and NVFP4 gained 1-2% (its 4-byte spill gone); the
  // 16-bit kernels, bound by HBM, lost 4-5% at B128 L2048 in two runs on
  // the H200 and were even elsewhere
  // (bench/results/h200-decode-2026-12-01-session14-prefetch-ab.txt).
  if (!t.registerDequant || !kv->canPrefetchPage(PagedKVPlan::kThreads / 32))
    return Value();
  return kv->prefetchPage(next, warp, k.lt(next, numTiles));
}

void DecodeKernelEmitter::refillAfterBarrier(ArrayRef<StagedTile> tiles) {
  // Every warp is done with the stages: each warp refills them with its
  // share of their next tiles' pages.
  gpu::BarrierOp::create(b);
  for (const StagedTile &s : tiles)
    k.ifThen(k.lt(s.next, numTiles),
             [&] { issueTile(s.next, s.stage, s.prefetched); });
}

Value DecodeKernelEmitter::keyVisible(Value key, Value tileBase,
                                      Value pageRows,
                                      const AttentionMask &mask, Value qPos) {
  // In 32 bits: tokens are i32 and a key at most 63 past the last one, so
  // both fit unsigned.
  Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                      k.toI32(key), k.toI32(tokEnd));
  if (t.tileTokens < DecodePlan::kTileRows)
    valid = k.andI(valid, k.lt(k.sub(key, tileBase), k.idx(t.tileTokens)));
  // Rows past a ragged page's end hold zeros, not keys.
  if (pageRows)
    valid = k.andI(valid, k.lt(k.sub(key, tileBase), pageRows));
  return mask.apply(k, valid, key, qPos);
}

OnlineSoftmax DecodeKernelEmitter::makeSoftmax() {
  // A per-tensor K scale multiplies every logit, as do the powers of two
  // that q's move to f16 and NVFP4's placement leave in the scores.
  double scale = op.getScale().convertToDouble();
  Value kScale = kScaleValue;
  if (kScale && rawScores())
    kScale = math::AbsFOp::create(b, kScale);
  Value logitScale = kScale ? k.mulF(kScale, k.f32(scale)) : k.f32(scale);
  if (qUnscale)
    logitScale = k.mulF(logitScale, qUnscale);
  if (std::optional<double> f = Dequantizer::nvfp4RegisterUnscale(t))
    logitScale = k.mulF(logitScale, k.f32(*f));
  std::optional<double> cap;
  if (std::optional<APFloat> c = op.getLogitsSoftCap())
    cap = c->convertToDouble();
  OnlineSoftmax softmax(k, logitScale, cap);
  softmax.setRawScores(rawScores());
  return softmax;
}

/// The online softmax of rows g and g + 8 over the scores `s` (n8 tiles of
/// this warp's 16 keys) of the tile that starts at key `tileBase` (with
/// `pageRows` rows, ragged pages only); rescales O and returns P's A
/// fragment.
SmallVector<Value> DecodeKernelEmitter::emitSoftmax(Value tileBase,
                                                    Value pageRows,
                                                    ArrayRef<Acc> s,
                                                    SmallVectorImpl<Row> &rows,
                                                    SmallVectorImpl<Acc> &o) {
  int64_t nTilesQK = s.size();
  // The online softmax of rows g and g + 8 over this tile's keys. A
  // per-tensor K scale multiplies every logit.
  OnlineSoftmax softmax = makeSoftmax();
  AttentionMask mask{/*causal=*/t.qLen > 1,
                     static_cast<int64_t>(op.getWindowLeft())};
  Value keyLane = k.add(k.add(k.mul(warp, 16), k.mul(tig, 2)), tileBase);
  SmallVector<Value> alpha(2);
  // p[rr][n * 2 + j]: row g + 8 rr, key 8 n + 2 tig + j.
  SmallVector<SmallVector<Value>> p(2);
  for (int64_t rr = 0; rr < 2; ++rr) {
    Value row = k.add(k.add(k.mul(mBlock, 16), g), k.idx(8 * rr));
    Value qPos = k.add(k.sub(seqLen, k.idx(t.qLen)), k.div(row, t.group));
    SmallVector<Value> x;
    for (int64_t n = 0; n < nTilesQK; ++n) {
      for (int64_t j = 0; j < 2; ++j) {
        Value key = k.add(keyLane, k.idx(8 * n + j));
        Value valid = keyVisible(key, tileBase, pageRows, mask, qPos);
        x.push_back(softmax.mask(valid, softmax.score(s[n][2 * rr + j])));
      }
    }
    alpha[rr] = softmax.updateScores(
        rows[rr], x, [&](Value v) { return mmaOps.rowMax(v); }, p[rr]);
  }

  rescaleUnlessSteady(alpha, rows, o);
  // The A fragment of P: {row g keys 0-7, row g+8 keys 0-7, row g keys
  // 8-15, row g+8 keys 8-15}, two keys per register.
  return mmaOps.pFragment(p, 0);
}

/// O *= alpha (c0, c1 are row g; c2, c3 row g + 8), before O += P V, unless
/// every row of the warp is steady (OnlineSoftmax::rescaleUnlessSteady).
void DecodeKernelEmitter::rescaleUnlessSteady(ArrayRef<Value> alpha,
                                              ArrayRef<Row> rows,
                                              SmallVectorImpl<Acc> &o) {
  // Accumulator element e belongs to row e / 2 (c0, c1: row g; c2, c3: row
  // g + 8), or e % 2 in the swapped layout (c0, c2: q row 2 tig).
  SmallVector<Value> flat;
  for (const Acc &acc : o)
    flat.append(acc.begin(), acc.end());
  OnlineSoftmax softmax(k, Value(), std::nullopt);
  SmallVector<Value> out =
      softmax.rescaleUnlessSteady(alpha, rows, flat, [&](int64_t i) {
        return swapped() ? i % 2 : (i % 4) / 2;
      });
  for (auto [n, acc] : llvm::enumerate(o))
    acc.assign(out.begin() + 4 * n, out.begin() + 4 * n + 4);
}

/// The four warps' (max, sum, O) of each q row meet in shared memory; warp
/// w then combines rows w, w + 4, ...: each lane finds the row's weights
/// once (the warps' exp(max - row max), the normalization, the V scale)
/// and combines columns lane, lane + 32, ... with one FMA a warp each,
/// into `out` (one split) or the split workspace. (It did all of that per
/// element, 128 threads over 16 rows x head_dim: the row's four exps and a
/// division each time; on the H200 the new form gained NVFP4 +2-6%, fp8
/// +1-2.5%, bf16 +0.5%.)
void DecodeKernelEmitter::emitEpilogue(ArrayRef<Row> rows, ArrayRef<Acc> o) {
  Type f32 = b.getF32Type();
  SmallVector<Value> lRow;
  for (int64_t rr = 0; rr < 2; ++rr)
    lRow.push_back(swapped() ? sumAcrossKeys(rows[rr].sum)
                             : mmaOps.rowSum(rows[rr].sum));
  int64_t warps = DecodePlan::kNumWarps;
  // Row r's maxima at [r * warps + w], its sums at [16 warps + r * warps + w]
  // (one row's are adjacent), then warp w's O rows at statBase + (16 w + r)
  // * head_dim. (DecodePlan::epilogueBytes.)
  int64_t sumBase = warps * 16;
  int64_t statBase = 2 * warps * 16;
  Value scratch =
      smem->view(k.idx(t.qBytes()), {statBase + warps * 16 * t.headDim}, f32);
  gpu::BarrierOp::create(b);
  for (int64_t rr = 0; rr < 2; ++rr) {
    // Swapped: lane (g, tig) holds q rows 2 tig, 2 tig + 1 (every g alike).
    Value local = swapped() ? k.add(k.mul(tig, 2), k.idx(rr))
                            : k.add(g, k.idx(8 * rr));
    Value row = k.add(k.mul(warp, 16), local);
    k.ifThen(k.eq(swapped() ? g : tig, k.idx(0)), [&] {
      Value stat = k.add(k.mul(local, warps), warp);
      memref::StoreOp::create(b, rows[rr].max, scratch, ValueRange{stat});
      memref::StoreOp::create(b, lRow[rr], scratch,
                              ValueRange{k.add(stat, k.idx(sumBase))});
    });
    for (int64_t n = 0; n < static_cast<int64_t>(o.size()); ++n)
      for (int64_t j = 0; j < 2; ++j) {
        Value col = swapped() ? oColumnSwapped(n, j) : oColumn(n, j);
        Value index = k.add(k.add(k.idx(statBase), k.mul(row, t.headDim)), col);
        memref::StoreOp::create(b, o[n][swapped() ? 2 * j + rr : 2 * rr + j],
                                scratch, ValueRange{index});
      }
  }
  gpu::BarrierOp::create(b);

  OnlineSoftmax softmax(k, Value(), std::nullopt);
  Value numSplits = args.numSplits;
  SplitWorkspace workspace(k, memref::DimOp::create(b, args.out, 0), numHeads(),
                           numSplits, t.headDim);
  // This CTA's q rows: 16, or what is left of qRows in the last block.
  Value blockRows =
      t.mBlocks == 1
          ? k.idx(std::min<int64_t>(16, t.qRows))
          : k.minS(k.idx(16), k.sub(k.idx(t.qRows), k.mul(mBlock, 16)));
  // What multiplies the output besides the softmax's normalization: a
  // per-tensor V scale, and the NVFP4 placement's power of two.
  Value post;
  auto times = [&](Value x, Value y) { return x ? k.mulF(x, y) : y; };
  if (vScaleValue)
    post = vScaleValue;
  if (std::optional<double> f = Dequantizer::nvfp4RegisterUnscale(t))
    post = times(post, k.f32(*f));
  k.forLoop(warp, blockRows, k.idx(warps), [&](Value r) {
    SmallVector<Value> maxes, sums;
    for (int64_t w = 0; w < warps; ++w) {
      Value stat = k.add(k.mul(r, warps), k.idx(w));
      maxes.push_back(memref::LoadOp::create(b, scratch, ValueRange{stat}));
      sums.push_back(memref::LoadOp::create(
          b, scratch, ValueRange{k.add(stat, k.idx(sumBase))}));
    }
    Value mMax;
    for (Value m : maxes)
      mMax = mMax ? k.maxF(mMax, m) : m;
    Value mUse = softmax.safeMax(mMax);
    SmallVector<Value> weights;
    Value lSum = k.f32(0);
    for (int64_t w = 0; w < warps; ++w) {
      weights.push_back(softmax.exp(k.subF(maxes[w], mUse)));
      lSum = k.addF(lSum, k.mulF(sums[w], weights[w]));
    }
    Value hasKeys = softmax.hasKeys(lSum);
    Value token, head;
    std::tie(token, head) = tokenAndHead(r);
    // out[d] = sum over warps of (weight * factor * post) O_w[d].
    auto combine = [&](Value factor,
                       const std::function<void(Value, Value)> &store) {
      factor = times(post, factor);
      SmallVector<Value> c;
      for (int64_t w = 0; w < warps; ++w)
        c.push_back(k.mulF(weights[w], factor));
      for (int64_t j = 0; j < t.headDim / 32; ++j) {
        Value d = k.add(lane, k.idx(32 * j));
        Value sum;
        for (int64_t w = 0; w < warps; ++w) {
          Value index = k.add(
              k.add(k.idx(statBase),
                    k.mul(k.add(r, k.idx(16 * w)), t.headDim)),
              d);
          Value ow = memref::LoadOp::create(b, scratch, ValueRange{index});
          sum = sum ? math::FmaOp::create(b, ow, c[w], sum).getResult()
                    : k.mulF(ow, c[w]);
        }
        store(d, sum);
      }
    };
    k.ifThenElse(
        k.eq(numSplits, k.idx(1)),
        [&] {
          Value sink;
          if (args.sinks)
            sink = memref::LoadOp::create(b, args.sinks, ValueRange{head});
          combine(softmax.rowFactor(lSum, mUse, hasKeys, sink),
                  [&](Value d, Value value) {
                    Value cast =
                        arith::TruncFOp::create(b, outElemType(), value);
                    memref::StoreOp::create(b, cast, args.out,
                                            ValueRange{token, head, d});
                  });
        },
        [&] {
          Value slot = workspace.slot(
              workspace.firstSlot(workspace.row(token, head)), split);
          combine(softmax.rowFactor(lSum, mUse, hasKeys, Value()),
                  [&](Value d, Value value) {
                    memref::StoreOp::create(
                        b, value, args.workspace,
                        ValueRange{workspace.partialIndex(slot, d)});
                  });
          k.ifThen(k.eq(lane, k.idx(0)), [&] {
            Value lse = softmax.logSumExp(mUse, lSum, hasKeys);
            memref::StoreOp::create(
                b, lse, args.workspace,
                ValueRange{workspace.lseIndex(workspace.lseBase(), slot)});
          });
        });
  });
  k.ifThen(k.lt(k.idx(1), numSplits),
           [&] { mergeIfLastSplit(workspace, blockRows); });
}

/// Several splits: the CTA's partial rows are in the workspace. The last
/// CTA of the row group to get here merges the group's splits into `out`
/// (SplitMerge.h), warp w rows w, w + 4, ... as in the epilogue.
void DecodeKernelEmitter::mergeIfLastSplit(SplitWorkspace &workspace,
                                           Value blockRows) {
  // Every thread's workspace stores are done; the epilogue's scratch is
  // free to carry thread 0's verdict.
  gpu::BarrierOp::create(b);
  Value verdict = smem->view(k.idx(t.qBytes()), {1}, b.getI32Type());
  k.ifThen(isLeader, [&] {
    Value headBlocks = gpu::GridDimOp::create(b, gpu::Dimension::y);
    Value headBlock = gpu::BlockIdOp::create(b, gpu::Dimension::y);
    Value group = k.add(k.mul(batch, headBlocks), headBlock);
    Value last = arriveOnSplitCounter(k, args.splitCounters, group,
                                      args.numSplits);
    memref::StoreOp::create(b, arith::ExtUIOp::create(b, b.getI32Type(), last),
                            verdict, ValueRange{k.idx(0)});
  });
  gpu::BarrierOp::create(b);
  Value isLast = arith::CmpIOp::create(
      b, arith::CmpIPredicate::ne,
      memref::LoadOp::create(b, verdict, ValueRange{k.idx(0)}), k.i32(0));
  k.ifThen(isLast, [&] {
    SplitMergeArgs merge{args.workspace, args.numSplits, args.out, args.sinks};
    k.forLoop(warp, blockRows, k.idx(DecodePlan::kNumWarps), [&](Value r) {
      Value token, head;
      std::tie(token, head) = tokenAndHead(r);
      mergeSplitRow(k, merge, workspace, token, head, lane, t.headDim);
    });
  });
}

std::pair<Value, Value> DecodeKernelEmitter::tokenAndHead(Value r) {
  // Row r of this CTA's 16 is q row 16 mBlock + r of the kv head: token
  // row / group of the request, head row % group of the kv head's group.
  Value qRow = k.add(k.mul(mBlock, 16), r);
  return {k.add(k.mul(batch, t.qLen), k.div(qRow, t.group)),
          k.add(k.mul(kvHead, t.group), k.rem(qRow, t.group))};
}

void DecodeKernelEmitter::convertQuery(const SharedTile &dst) {
  int64_t chunksPerRow = t.headDim / 8;
  Value staged =
      smem->view(k.idx(t.qStagedOffset()), {t.qStagedBytes()}, b.getI8Type());
  auto bytesType = VectorType::get({8}, b.getI8Type());
  k.forLoop(tid, k.idx(t.qRows * chunksPerRow), k.idx(DecodePlan::kThreads),
            [&](Value i) {
              Value row = k.div(i, chunksPerRow);
              Value col = k.mul(k.rem(i, chunksPerRow), 8);
              Value byte = k.add(k.mul(row, t.headDim), col);
              Value bytes = vector::LoadOp::create(b, bytesType, staged,
                                                   ValueRange{byte});
              vector::StoreOp::create(b, dequant.fp8x8(bytes), dst.view,
                                      dst.at(k, row, col));
            });
}

SharedTile DecodeKernelEmitter::queryTile(Type elem) {
  return SharedTile{
      smem->view(k.idx(t.qOffset()),
                 {t.qComputeRegions() * t.mBlocks * 16, t.qComputeInner()},
                 elem),
      t.qComputeInner(), t.mBlocks * 16, /*swizzled=*/true};
}

/// f16 has the bits of every bf16 value from 2^-14 to 2^15 (8 significant
/// bits in 11), not those above 65504. So the query's rows (0 .. qRows,
/// those TMA wrote) are scaled by 2^-s with s = max(0, e - 14), e the
/// exponent of their largest magnitude: exact except for elements 2^39 and
/// more below that magnitude, which lose bits as f16 subnormals, far under
/// the f32 rounding of the scores. Every warp reads every row (its MMAs use
/// them all), so each finds the same s without an exchange; inf and NaN
/// stay what they are.
Value DecodeKernelEmitter::halveQuery() {
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  int64_t chunks = t.headDim / 8;
  auto chunkAt = [&](Value i) -> std::pair<Value, Value> {
    return {k.div(i, chunks), k.mul(k.rem(i, chunks), 8)};
  };
  auto vec8 = [&](Type elem) { return VectorType::get({8}, elem); };
  auto loop = scf::ForOp::create(b, lane, k.idx(t.qRows * chunks), k.idx(32),
                                 ValueRange{k.f32(0)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    auto [row, col] = chunkAt(loop.getInductionVar());
    Value v = vector::LoadOp::create(b, vec8(qTileType()), qTile->view,
                                     qTile->at(k, row, col));
    Value mag = math::AbsFOp::create(
        b, arith::ExtFOp::create(b, vec8(f32), v));
    Value m = vector::ReductionOp::create(b, vector::CombiningKind::MAXIMUMF,
                                          mag);
    scf::YieldOp::create(b, ValueRange{k.maxF(loop.getRegionIterArgs()[0], m)});
  }
  Value maxAbs =
      warpReduce(k, loop.getResult(0), /*isMax=*/true);
  // s = max(0, biased exponent - 141): max|q| 2^-s < 2^15.
  Value biased = arith::AndIOp::create(
      b,
      arith::ShRUIOp::create(b, arith::BitcastOp::create(b, i32, maxAbs),
                             k.i32(23)),
      k.i32(0xFF));
  Value shift = arith::MaxSIOp::create(
      b, arith::SubIOp::create(b, biased, k.i32(141)), k.i32(0));
  auto power = [&](Value exponent) {
    return arith::BitcastOp::create(
               b, f32, arith::ShLIOp::create(b, exponent, k.i32(23)))
        .getResult();
  };
  Value down = power(arith::SubIOp::create(b, k.i32(127), shift));
  Value up = power(arith::AddIOp::create(b, k.i32(127), shift));
  // Every warp has read q: rewrite it.
  gpu::BarrierOp::create(b);
  SharedTile half = queryTile(computeType());
  k.forLoop(tid, k.idx(t.qRows * chunks), k.idx(DecodePlan::kThreads),
            [&](Value i) {
              auto [row, col] = chunkAt(i);
              Value v = vector::LoadOp::create(b, vec8(qTileType()),
                                               qTile->view,
                                               qTile->at(k, row, col));
              v = arith::ExtFOp::create(b, vec8(f32), v);
              v = arith::MulFOp::create(
                  b, v, vector::BroadcastOp::create(b, vec8(f32), down));
              vector::StoreOp::create(
                  b, arith::TruncFOp::create(b, vec8(computeType()), v),
                  half.view, half.at(k, row, col));
            });
  gpu::BarrierOp::create(b);
  return up;
}

SmallVector<Value, 4> DecodeKernelEmitter::fp8ColumnPairs(Value keys0,
                                                          Value keys8) {
  // Even columns: bytes 0 and 2 (keys 2 tig, 2 tig + 1); odd: bytes 1 and
  // 3: a prmt pairs them, cvt makes them f16.
  auto [even0, odd0] = dequant.fp8Halves(pairKeys(keys0));
  auto [even8, odd8] = dequant.fp8Halves(pairKeys(keys8));
  return {even0, odd0, even8, odd8};
}

Value DecodeKernelEmitter::pairKeys(Value word) {
  // Bytes 0 and 2 to the low half, 1 and 3 to the high one.
  return NVVM::PermuteOp::create(b, b.getI32Type(), word, k.i32(0),
                                 k.i32(0x3120), NVVM::PermuteMode::DEFAULT);
}

//===----------------------------------------------------------------------===//
// Register dequantization (fp8 and nvfp4 caches, PagedKVPlan::registerDequant)
//
// A lane's ldmatrix register of a staged row holds four consecutive bytes:
// without transposition, bytes 4 tig .. 4 tig + 3 of a 16-byte chunk of
// key g; transposed, bytes 2 g and 2 g + 1 of keys 2 tig and 2 tig + 1.
// S = Q K^T sums over the columns in any order, so K's bytes stay where
// they are and q's fragment takes the same columns (qFragmentForStaged).
// For P V, a transposed register holds pairs of consecutive keys of one
// column, the B fragment's pairs: fp8 bytes 0 and 2 (column 2 g), 1 and 3
// (2 g + 1); nvfp4 nibbles i and i + 4 (column 4 g + i). A chunk of V
// becomes 2 (fp8) or 4 (nvfp4) n8 tiles of O (oColumn). The bytes become f16
// in registers, never through shared memory: fp8 by cvt.rn.f16x2.e4m3x2
// (Dequantizer::fp8Halves; V's key pairs first meet in a prmt, pairKeys),
// nvfp4 by shifts and masks and one multiply by the block scales
// (nvfp4PairRegister). With at most 8 q rows the MMA operands swap (the
// "Swapped operands" section below).
//===----------------------------------------------------------------------===//

SmallVector<Value, 4> DecodeKernelEmitter::ldmatrixStaged(Value stagedOffset,
                                                          int64_t chunk,
                                                          bool transpose) {
  int64_t perRegion = kv->stagedChunksPerRegion();
  int64_t region = chunk / perRegion;
  // chunk is even and a region holds an even number of chunks: chunk + m /
  // 2 is chunk ^ (m / 2), folded into stagedLaneXor.
  Value byte = k.add(
      k.add(stagedOffset, k.idx(region * kv->stagedRegionBytes())),
      k.add(stagedLaneOffset,
            k.mul(k.xorI(k.idx(chunk % perRegion), stagedLaneXor), 16)));
  Type f16 = b.getF16Type();
  Value view = smem->view(k.idx(0), {t.sharedMemoryBytes() / 2}, f16);
  auto fragType = VectorType::get({4, 2}, f16);
  Value frag = nvgpu::LdMatrixOp::create(b, fragType, view,
                                         ValueRange{k.div(byte, 2)}, transpose,
                                         4);
  SmallVector<Value, 4> regs;
  for (int64_t i = 0; i < 4; ++i)
    regs.push_back(vector::ExtractOp::create(
        b,
        vector::BitCastOp::create(
            b, VectorType::get({1}, b.getI32Type()),
            vector::ExtractOp::create(b, frag, ArrayRef<int64_t>{i})),
        ArrayRef<int64_t>{0}));
  return regs;
}

SmallVector<Value, 4> DecodeKernelEmitter::qFragmentForStaged(int64_t step,
                                                              bool asB) {
  Type elem = computeType();
  // fp8: 4 columns from 16 step + 4 tig, pairs (0, 1) and (2, 3); nvfp4: 8
  // columns from 32 (step / 2) + 8 tig, pairs (2 h, 2 h + 4) and (2 h + 1,
  // 2 h + 5) with h = step % 2 (placement), or (4 h, 4 h + 1) and (4 h + 2,
  // 4 h + 3) (byte pairs): K's registers 2 h and 2 h + 1
  // (nvfp4KeyRegister).
  int64_t width = t.nvfp4 ? 8 : 4;
  Value col = t.nvfp4 ? k.add(k.mul(tig, 8), k.idx(32 * (step / 2)))
                      : k.add(k.mul(tig, 4), k.idx(16 * step));
  int64_t h = step % 2;
  SmallVector<int64_t, 4> firsts =
      !t.nvfp4 ? SmallVector<int64_t, 4>{0, 1, 2, 3}
      : t.e2m1BytePairs()
          ? SmallVector<int64_t, 4>{4 * h, 4 * h + 1, 4 * h + 2, 4 * h + 3}
          : SmallVector<int64_t, 4>{2 * h, 2 * h + 4, 2 * h + 1, 2 * h + 5};
  SmallVector<Value, 4> rowsAt;
  for (int64_t rr = 0; rr < (asB ? 1 : 2); ++rr) {
    Value row = k.add(k.add(k.mul(mBlock, 16), g), k.idx(8 * rr));
    rowsAt.push_back(vector::LoadOp::create(
        b, VectorType::get({width}, elem), qTile->view, qTile->at(k, row, col),
        /*nontemporal=*/false, llvm::MaybeAlign(2 * width)));
  }
  auto pairOf = [&](Value v, int64_t lo, int64_t hi) {
    return mmaOps.pack(vector::ExtractOp::create(b, v, ArrayRef<int64_t>{lo}),
                       vector::ExtractOp::create(b, v, ArrayRef<int64_t>{hi}));
  };
  // B of S^T (k x n8 q rows): {k 2tig.. of row g, k 2tig+8.. of row g}.
  if (asB)
    return {pairOf(rowsAt[0], firsts[0], firsts[1]),
            pairOf(rowsAt[0], firsts[2], firsts[3])};
  // {row g k 2tig.., row g+8 k 2tig.., row g k 2tig+8.., row g+8 k 2tig+8..}
  return {pairOf(rowsAt[0], firsts[0], firsts[1]),
          pairOf(rowsAt[1], firsts[0], firsts[1]),
          pairOf(rowsAt[0], firsts[2], firsts[3]),
          pairOf(rowsAt[1], firsts[2], firsts[3])};
}

Value DecodeKernelEmitter::loadScaleWord(Value scales, Value rowOffset,
                                         int64_t word) {
  Value view = smem->view(k.idx(0), {t.sharedMemoryBytes() / 4},
                          b.getI32Type());
  Value byte = k.add(k.add(scales, rowOffset), k.idx(4 * word));
  return vector::ExtractOp::create(
      b,
      vector::LoadOp::create(b, VectorType::get({1}, b.getI32Type()), view,
                             ValueRange{k.div(byte, 4)}),
      ArrayRef<int64_t>{0});
}

void DecodeKernelEmitter::forEachStagedChunk(
    Value staged, Value scales, bool isV,
    function_ref<void(int64_t, Value, Value, ArrayRef<Value>)> body) {
  int64_t chunks = t.kvRowBytes() / 16;
  ScaleWords scaleWords(*this, scales, isV ? scaleRowsV : scaleRowsK);
  for (int64_t c = 0; c < chunks; c += 2) {
    // {keys 0-7, keys 8-15} x {chunk c, chunk c + 1} (V transposed).
    SmallVector<Value, 4> regs = ldmatrixStaged(staged, c, /*transpose=*/isV);
    // nvfp4, K: keys g and g + 8 take one block scale each a chunk (the
    // lane's 8 values share it), both chunks' in one pair (one prmt, one
    // cvt), each broadcast to both halves where it multiplies (ptxas reads
    // it as the HMUL2 operand's .H0_H0 / .H1_H1: no instruction). One pair
    // a chunk (prmt and cvt of the same byte twice) measured 1-2% slower
    // at head_dim 128 on the H200 (session 16).
    SmallVector<Value, 2> kPairs;
    for (int64_t kh = 0; t.nvfp4 && !isV && kh < 2; ++kh) {
      Value word = scaleWords.get(kh, c / 2);
      kPairs.push_back(dequant.fp8PickPair(word, word, scaleSelK));
    }
    for (int64_t half = 0; half < 2; ++half) {
      int64_t chunk = c + half;
      // V: keys 2 tig and 2 tig + 1 (and + 8) one each, a pair a register.
      SmallVector<Value, 2> pairs;
      for (Value both : kPairs)
        pairs.push_back(vector::ShuffleOp::create(
            b, both, both, ArrayRef<int64_t>{half, half}));
      for (int64_t kh = 0; t.nvfp4 && isV && kh < 2; ++kh) {
        Value lo = scaleWords.get(2 * kh, chunk / 2);
        Value hi = scaleWords.get(2 * kh + 1, chunk / 2);
        pairs.push_back(dequant.fp8PickPair(lo, hi, scaleSelV[chunk % 2]));
      }
      body(chunk, regs[2 * half], regs[2 * half + 1], pairs);
    }
  }
}

SmallVector<Acc> DecodeKernelEmitter::emitScoresFromStaged(Value stageK,
                                                           Value scalesK) {
  // s[n]: keys 8 n .. 8 n + 7 of the warp's 16. One ldmatrix.x4 covers
  // two 16-byte chunks: two k16 steps (fp8) or four (nvfp4).
  SmallVector<Acc> s(2, Acc(4, k.f32(0)));
  auto qFrag = [&](int64_t step) {
    return t.headDim <= 128 ? qFrags[step] : qFragmentForStaged(step);
  };
  forEachStagedChunk(
      stageK, scalesK, /*isV=*/false,
      [&](int64_t chunk, Value key0, Value key8, ArrayRef<Value> scales) {
        Value regs[2] = {key0, key8};
        for (int64_t n = 0; n < 2; ++n) {
          if (!t.nvfp4) {
            // Bytes 0, 1: k 2 tig, 2 tig + 1; bytes 2, 3: k 2 tig + 8, + 9.
            auto [lo, hi] = dequant.fp8Halves(regs[n]);
            s[n] = mmaOps.mma(qFrag(chunk), {lo, hi}, s[n]);
            continue;
          }
          // Nibbles (2h, 2h + 4) and (2h + 1, 2h + 5) are step 2 chunk +
          // h's two registers.
          for (int64_t h = 0; h < 2; ++h)
            s[n] = mmaOps.mma(qFrag(2 * chunk + h),
                              {nvfp4KeyRegister(regs[n], 2 * h, scales[n]),
                               nvfp4KeyRegister(regs[n], 2 * h + 1, scales[n])},
                              s[n]);
        }
      });
  return s;
}

void DecodeKernelEmitter::emitPVFromStaged(Value stageV, Value scalesV,
                                           ArrayRef<Value> pFrag,
                                           SmallVectorImpl<Acc> &o) {
  forEachStagedChunk(
      stageV, scalesV, /*isV=*/true,
      [&](int64_t chunk, Value keys0, Value keys8, ArrayRef<Value> scales) {
        if (!t.nvfp4) {
          SmallVector<Value, 4> v = fp8ColumnPairs(keys0, keys8);
          o[2 * chunk] = mmaOps.mma(pFrag, {v[0], v[2]}, o[2 * chunk]);
          o[2 * chunk + 1] = mmaOps.mma(pFrag, {v[1], v[3]}, o[2 * chunk + 1]);
          return;
        }
        // Nibble i: column 4 g + i of keys 2 tig and 2 tig + 1, each with
        // its own block scale.
        Value words[2] = {nvfp4ValueWord(keys0), nvfp4ValueWord(keys8)};
        for (int64_t i = 0; i < 4; ++i) {
          int64_t n = 4 * chunk + i;
          o[n] = mmaOps.mma(pFrag,
                            {nvfp4ValueRegister(words[0], i, scales[0]),
                             nvfp4ValueRegister(words[1], i, scales[1])},
                            o[n]);
        }
      });
}

Value DecodeKernelEmitter::nvfp4KeyRegister(Value word, int64_t i,
                                            Value scales) {
  if (t.e2m1LeftOut())
    return dequant.nvfp4Unconverted(word);
  if (t.e2m1BytePairs())
    return dequant.nvfp4BytePair(word, i, scales);
  return dequant.nvfp4PairRegister(word, i, scales);
}

Value DecodeKernelEmitter::nvfp4ValueWord(Value word) {
  return t.e2m1BytePairs() ? dequant.interleaveKeyNibbles(word) : word;
}

Value DecodeKernelEmitter::nvfp4ValueRegister(Value word, int64_t i,
                                              Value scales) {
  if (t.e2m1LeftOut())
    return dequant.nvfp4Unconverted(word);
  if (t.e2m1BytePairs())
    return dequant.nvfp4BytePair(word, Dequantizer::keyPairByte(i), scales);
  return dequant.nvfp4PairRegister(word, i, scales, kVBytePermute);
}

Value DecodeKernelEmitter::oColumn(int64_t n, int64_t j) {
  if (!t.registerDequant)
    return k.add(k.mul(tig, 2), k.idx(n * 8 + j));
  // A staged 16-byte chunk of V (16 fp8 or 32 nvfp4 columns) is `per` n8
  // tiles: tile n holds columns values * (n / per) + per * i + n % per.
  int64_t per = t.nvfp4 ? 4 : 2;
  int64_t values = 8 * per;
  return k.add(k.mul(tig, 2 * per),
               k.idx(values * (n / per) + per * j + n % per));
}

//===----------------------------------------------------------------------===//
// Swapped operands (register dequantization with at most 8 q rows)
//
// S^T = K q^T and O^T = V^T P^T: a warp's 16 keys fill the MMA's 16 rows and
// the q rows (a GQA group of up to 8) its 8 columns, instead of padding 4 or
// 8 q rows to 16. Half the MMAs, half the O accumulators (and their
// rescale), a quarter of the softmax's values a lane. K's converted registers
// are the A fragment as they come (a lane's key g and g + 8); q's fragments
// are the B fragment (qFragmentForStaged(asB)); P^T leaves the accumulator
// layout (lane (g, tig): keys g, g + 8 of q rows 2 tig, 2 tig + 1) and
// becomes the B fragment (keys 2 tig, 2 tig + 1 of q row g) by one
// movmatrix.trans per 8 keys; V's transposed registers are the A fragment,
// a column pair of them per 16 rows of O^T (oColumnSwapped).
//===----------------------------------------------------------------------===//

Value DecodeKernelEmitter::reduceAcrossKeys(Value v, bool isMax) {
  // The lanes of one q row differ in g: lane bits 2-4.
  return xorReduce(k, v, {4, 8, 16}, isMax);
}

Acc DecodeKernelEmitter::emitScoresSwapped(Value stageK, Value scalesK,
                                           int64_t chains) {
  // `chains` accumulators (2: even and odd chunks) keep that many MMA
  // chains in flight.
  SmallVector<Acc> s(chains, Acc(4, k.f32(0)));
  auto qFrag = [&](int64_t step) {
    return t.headDim <= 128 ? qFrags[step]
                            : qFragmentForStaged(step, /*asB=*/true);
  };
  forEachStagedChunk(
      stageK, scalesK, /*isV=*/false,
      [&](int64_t chunk, Value key0, Value key8, ArrayRef<Value> scales) {
        Acc &acc = s[chunk % chains];
        if (!t.nvfp4) {
          // A: {key g k 2tig.., key g+8 k 2tig.., key g k 2tig+8.., key
          // g+8 k 2tig+8..}.
          auto [lo0, hi0] = dequant.fp8Halves(key0);
          auto [lo8, hi8] = dequant.fp8Halves(key8);
          acc = mmaOps.mma({lo0, lo8, hi0, hi8}, qFrag(chunk), acc);
          return;
        }
        for (int64_t h = 0; h < 2; ++h)
          acc = mmaOps.mma({nvfp4KeyRegister(key0, 2 * h, scales[0]),
                            nvfp4KeyRegister(key8, 2 * h, scales[1]),
                            nvfp4KeyRegister(key0, 2 * h + 1, scales[0]),
                            nvfp4KeyRegister(key8, 2 * h + 1, scales[1])},
                           qFrag(2 * chunk + h), acc);
      });
  if (chains == 1)
    return s[0];
  Acc sum;
  for (int64_t e = 0; e < 4; ++e)
    sum.push_back(k.addF(s[0][e], s[1][e]));
  return sum;
}

SmallVector<Value> DecodeKernelEmitter::emitSoftmaxSwapped(
    ArrayRef<Value> tileBases, ArrayRef<Value> pageRows, ArrayRef<Acc> sT,
    SmallVectorImpl<Row> &rows, SmallVectorImpl<Acc> &o) {
  OnlineSoftmax softmax = makeSoftmax();
  AttentionMask mask{/*causal=*/t.qLen > 1,
                     static_cast<int64_t>(op.getWindowLeft())};
  SmallVector<Value> keyLanes;
  for (Value tileBase : tileBases)
    keyLanes.push_back(k.add(k.add(k.mul(warp, 16), g), tileBase));
  SmallVector<Value> alpha(2);
  // p[rr][2 i + j]: q row 2 tig + rr, key g + 8 j of tile i (sT[i][2 j +
  // rr]).
  SmallVector<SmallVector<Value>> p(2);
  for (int64_t rr = 0; rr < 2; ++rr) {
    Value row = k.add(k.mul(tig, 2), k.idx(rr));
    // Rows past the group (and q_len) hold no query: masked, so that their
    // max stays -inf and never blocks the rescale skip.
    Value rowValid = k.lt(row, k.idx(t.qRows));
    Value qPos = k.add(k.sub(seqLen, k.idx(t.qLen)), k.div(row, t.group));
    SmallVector<Value> x;
    for (auto [i, acc] : llvm::enumerate(sT)) {
      for (int64_t j = 0; j < 2; ++j) {
        Value key = k.add(keyLanes[i], k.idx(8 * j));
        Value valid = k.andI(
            rowValid, keyVisible(key, tileBases[i], pageRows[i], mask, qPos));
        x.push_back(softmax.mask(valid, softmax.score(acc[2 * j + rr])));
      }
    }
    alpha[rr] = softmax.updateScores(
        rows[rr], x, [&](Value v) { return reduceAcrossKeys(v, true); },
        p[rr]);
  }
  rescaleUnlessSteady(alpha, rows, o);
  // P^T of keys g and g + 8 (rows 2 tig, 2 tig + 1), transposed into the B
  // fragment {keys 2 tig, 2 tig + 1 of row g; keys 2 tig + 8, + 9 of row g}:
  // two registers a tile.
  SmallVector<Value> frag;
  for (int64_t j = 0; j < static_cast<int64_t>(p[0].size()); ++j)
    frag.push_back(
        mmaOps.transpose8x8(mmaOps.packRounded(p[0][j], p[1][j])));
  return frag;
}

void DecodeKernelEmitter::emitPVSwapped(Value stageV, Value scalesV,
                                        ArrayRef<Value> pFrag,
                                        SmallVectorImpl<Acc> &o) {
  forEachStagedChunk(
      stageV, scalesV, /*isV=*/true,
      [&](int64_t chunk, Value keys0, Value keys8, ArrayRef<Value> scales) {
        if (!t.nvfp4) {
          // A rows g and g + 8: columns 2 g and 2 g + 1 of the chunk.
          o[chunk] = mmaOps.mma(fp8ColumnPairs(keys0, keys8), pFrag, o[chunk]);
          return;
        }
        // A rows g and g + 8: columns 4 g + 2 m and 4 g + 2 m + 1.
        Value words[2] = {nvfp4ValueWord(keys0), nvfp4ValueWord(keys8)};
        for (int64_t m = 0; m < 2; ++m) {
          int64_t n = 2 * chunk + m;
          o[n] =
              mmaOps.mma({nvfp4ValueRegister(words[0], 2 * m, scales[0]),
                          nvfp4ValueRegister(words[0], 2 * m + 1, scales[0]),
                          nvfp4ValueRegister(words[1], 2 * m, scales[1]),
                          nvfp4ValueRegister(words[1], 2 * m + 1, scales[1])},
                         pFrag, o[n]);
        }
      });
}

Value DecodeKernelEmitter::oColumnSwapped(int64_t n, int64_t half) {
  // O^T tile n's row g (half 0) and g + 8 (half 1): fp8, chunk n's column
  // 2 g + half; nvfp4, chunk n / 2's column 4 g + 2 (n % 2) + half.
  if (t.nvfp4)
    return k.add(k.mul(g, 4), k.idx(32 * (n / 2) + 2 * (n % 2) + half));
  return k.add(k.mul(g, 2), k.idx(16 * n + half));
}

/// The decode kernel's signature for `op`.
static DecodeKernelArgs<Type> getDecodeKernelSignature(OpBuilder &builder,
                                                       DecodeOp op) {
  DecodeKernelArgs<Type> sig;
  setCommonSignature(sig, cast<AttentionOpInterface>(op.getOperation()));
  sig.workspace = MemRefType::get({ShapedType::kDynamic}, builder.getF32Type());
  sig.splitCounters =
      MemRefType::get({ShapedType::kDynamic}, builder.getI32Type());
  sig.numSplits = builder.getIndexType();
  sig.splitTokens = builder.getIndexType();
  return sig;
}

gpu::GPUFuncOp mlir::paged_attn::buildDecodeKernel(
    OpBuilder &builder, gpu::GPUModuleOp module, StringRef name, DecodeOp op,
    const DecodePlan &plan, const TmaDescriptors &tma,
    const attn::TargetInfo &target) {
  DecodeKernelArgs<Type> sig = getDecodeKernelSignature(builder, op);
  gpu::GPUFuncOp func =
      createKernelFunc(builder, module, op.getLoc(), name, getPresentArgs(sig),
                       DecodePlan::kThreads);
  // The descriptors lead the arguments; they are passed by value.
  markDescriptorArgs(func, tma.all().size());
  if (plan.minCtasPerSM)
    func->setAttr("nvvm.minctasm", builder.getI32IntegerAttr(
                                       static_cast<int32_t>(plan.minCtasPerSM)));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&func.getBody().front());
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  DecodeKernelEmitter(b, op, plan, tma, target, bindKernelArgs(sig, func))
      .emit();
  return func;
}
