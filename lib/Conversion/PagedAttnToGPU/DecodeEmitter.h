//===- DecodeEmitter.h - The decode kernel's builder ------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The class that builds one decode kernel. DecodeKernel.cpp holds the
// algorithm (prologue, tile loop, one tile, epilogue); PagedKVTiles the
// mechanics of paged K/V tiles (TMA issue per page, ragged tails, the
// conversion of quantized stages). Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEEMITTER_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEEMITTER_H

#include "DecodeKernel.h"
#include "Dequant.h"
#include "KernelBuilder.h"
#include "MBarrierPipeline.h"
#include "MmaSync.h"
#include "OnlineSoftmax.h"
#include "PagedKVTiles.h"
#include "SharedMemory.h"

#include <optional>

namespace mlir {
namespace paged_attn {

class SplitWorkspace;

/// Builds one decode kernel; member state is the kernel's shared values.
class DecodeKernelEmitter {
public:
  DecodeKernelEmitter(ImplicitLocOpBuilder &b, DecodeOp op, const DecodePlan &t,
                      const TmaDescriptors &tma, const attn::TargetInfo &target,
                      DecodeKernelArgs<Value> args)
      : b(b), k(b), op(op), t(t), tma(tma), args(args),
        mmaOps(k, computeType()), dequant(k, computeType(), target) {}

  void emit();

private:
  using Row = OnlineSoftmax::Row;

  /// The type the MMAs compute in: the query's, or f16 for an fp8 query
  /// (e4m3 and e2m1 values, and their products with e4m3 block scales, are
  /// exact in f16) and for caches converted in registers (fp8 bytes become
  /// f16 by cvt.rn.f16x2.e4m3x2; a bf16 query moves to f16 first:
  /// halveQuery).
  Type computeType() {
    return t.qDequantize() || t.registerDequant ? b.getF16Type()
                                                : queryType();
  }
  Type queryType() {
    return cast<MemRefType>(op.getQ().getType()).getElementType();
  }
  /// The q tile's element type as TMA lands it: the query's (fp8 q is
  /// staged apart and converted into an f16 tile).
  Type qTileType() { return t.qDequantize() ? b.getF16Type() : queryType(); }
  Type outElemType() {
    return cast<MemRefType>(op.getOut().getType()).getElementType();
  }
  int64_t numHeads() {
    return t.group *
           op.getKCache().getType().getDimSize(getKvHeadsDim(op.getKvLayout()));
  }

  // The kernel, in order.
  void emitPrologue();
  void emitLoadQuery();
  void emitTileLoop();
  /// One K/V tile: S = Q K^T, the online softmax, O = alpha O + P V.
  void emitTile(Value tile, SmallVectorImpl<Row> &rows,
                SmallVectorImpl<Acc> &o);
  /// Tiles `first` and `first + 1` (DecodePlan::tilesPerStep 2, swapped
  /// operands): both tiles' S^T, one softmax update, both P V, one
  /// barrier, both refills.
  void emitTilePair(Value first, SmallVectorImpl<Row> &rows,
                    SmallVectorImpl<Acc> &o);
  /// A tile in its stage: the stage, the tile that refills it next (and
  /// its prefetched page), and once waited for, its shared-memory offsets
  /// (K, V, nvfp4 scales), first key, keys left in the split from it, and
  /// rows (ragged pages only).
  struct StagedTile {
    Value tile, stage, next, prefetched;
    Value stageOffset, stageK, stageV, scalesK, scalesV;
    Value tileBase, validRows, pageRows;
  };
  /// The stage of `tile`, its refill's tile and prefetched page.
  StagedTile planTile(Value tile);
  /// Waits for the tile's stage, then fills in its offsets.
  void waitForTile(StagedTile &s);
  /// Register-dequantized stages: the last tile zeroes its staged V rows
  /// (and scales) past the last key.
  void zeroStaleRowsIfLast(const StagedTile &s);
  /// The online softmax of one tile's scores; rescales O, returns P's A
  /// fragment.
  SmallVector<Value> emitSoftmax(Value tileBase, Value pageRows,
                                 ArrayRef<Acc> s, SmallVectorImpl<Row> &rows,
                                 SmallVectorImpl<Acc> &o);
  /// O *= alpha unless every row of the warp kept its max.
  void rescaleUnlessSteady(ArrayRef<Value> alpha, ArrayRef<Row> rows,
                           SmallVectorImpl<Acc> &o);
  /// The online softmax with the logit scale (K scale, and the powers of
  /// two of halveQuery and NVFP4 placement) and soft cap.
  OnlineSoftmax makeSoftmax();
  /// Whether the softmax takes raw scores (OnlineSoftmax::updateRaw: the
  /// logit scale folded into one FMA per score), which needs a positive
  /// scale: no soft cap, and no K scale or a K scale whose sign q's register
  /// fragments take (negateQueryFragments).
  bool rawScores();
  /// Flips the sign of every element of q's register fragments where
  /// `negative` (i1) holds.
  void negateQueryFragments(Value negative);
  /// Whether `key` (tile starting at `tileBase`) is a key the q row at
  /// `qPos` sees: in the split, in the tile's rows, in the mask.
  Value keyVisible(Value key, Value tileBase, Value pageRows,
                   const AttentionMask &mask, Value qPos);
  void emitEpilogue(ArrayRef<Row> rows, ArrayRef<Acc> o);
  void mergeIfLastSplit(SplitWorkspace &workspace, Value blockRows);
  /// The (token, head) of row `r` of this CTA's 16 q rows.
  std::pair<Value, Value> tokenAndHead(Value r);
  /// V's NVFP4 bits are placed by byte permutes, K's by shifts
  /// (Dequantizer::nvfp4PairRegister): the mix measured best on the H200
  /// (session 16).
  static constexpr bool kVBytePermute = true;
  /// A block barrier (every warp is done with the tiles' stages), then each
  /// warp refills each stage with its pages of the tile's `next`, if there
  /// is one (with the page prefetchNextPage read at the tile's start, if
  /// it did).
  void refillAfterBarrier(ArrayRef<StagedTile> tiles);
  /// This warp's block-table entry of tile `next` (if there is one), read
  /// before the tile is computed so that the refill after it does not wait
  /// for the read: register-dequantized kernels with at most one page a
  /// warp a tile, else null.
  Value prefetchNextPage(Value next);

  // Mechanics (PagedKVTiles).
  Value tileStart(Value tile) { return kv->tileStart(tile); }
  Value tileRows(Value tile) { return kv->tileRows(tile); }
  /// Called by every thread (the whole warp: an elect.sync picks the lane
  /// that issues): warp w issues pages w, w + 4, ... of the tile (warp 0
  /// also expects its bytes), so that no one warp's scheduler carries every
  /// box of the CTA.
  void issueTile(Value tile, Value stage, Value prefetched = Value());
  void zeroRows(const SharedTile &tile, Value fromRow, int64_t toRow) {
    kv->zeroRows(tid, tile, fromRow, toRow);
  }
  SharedTile kvTile(Value offset) { return kv->kvTile(offset); }
  /// Quantized caches: converts the calling warp's 16 rows (those its MMAs
  /// read) of a staged tile.
  void convertTile(Value stagedOffset, Value scaleOffset, const SharedTile &dst,
                   int64_t rows, Value zeroFrom) {
    kv->convertTile(warp, lane, stagedOffset, scaleOffset, dst, rows, zeroFrom);
  }
  /// An fp8 q: converts the staged q rows into the 16-bit q tile.
  void convertQuery(const SharedTile &dst);
  /// A bf16 q read by f16 MMAs (register dequantization): scales the q tile by 2^-s
  /// and rewrites it in f16, in place; returns 2^s (f32), the factor the
  /// logits take back.
  Value halveQuery();

  // Register dequantization (t.registerDequant: fp8 and nvfp4 caches).
  /// S = Q K^T for this warp's 16 keys, K converted from the staged bytes
  /// at `stageK` (nvfp4: block scales at `scalesK`) in registers.
  SmallVector<Acc> emitScoresFromStaged(Value stageK, Value scalesK);
  /// O += P V, V converted from the staged bytes at `stageV` (and scales).
  void emitPVFromStaged(Value stageV, Value scalesV, ArrayRef<Value> pFrag,
                        SmallVectorImpl<Acc> &o);
  /// Walks the warp's 16 rows of a staged K (or V, `isV`: transposed)
  /// tile, 16-byte chunk by chunk: `body(chunk, keys 0-7 register, keys
  /// 8-15 register, block-scale pairs)`, the pairs (nvfp4 only) those of K
  /// keys g and g + 8 (one scale twice) or of V keys 2 tig, 2 tig + 1 and
  /// 2 tig + 8, 2 tig + 9.
  void forEachStagedChunk(
      Value staged, Value scales, bool isV,
      function_ref<void(int64_t, Value, Value, ArrayRef<Value>)> body);
  /// nvfp4: the 32-bit word `word` of the block scales of the row that
  /// starts at `rowOffset` in the staged scale tile at `scales`.
  Value loadScaleWord(Value scales, Value rowOffset, int64_t word);
  /// nvfp4: one tile's scale words of the lane's rows (`rowOffsets`), each
  /// loaded once, on first use.
  struct ScaleWords {
    ScaleWords(DecodeKernelEmitter &e, Value scales, ArrayRef<Value> rows)
        : e(e), scales(scales), rows(rows) {}
    Value get(int64_t row, int64_t word) {
      Value &v = loaded[{row, word}];
      if (!v)
        v = e.loadScaleWord(scales, rows[row], word);
      return v;
    }
    DecodeKernelEmitter &e;
    Value scales;
    ArrayRef<Value> rows;
    DenseMap<std::pair<int64_t, int64_t>, Value> loaded;
  };
  /// ldmatrix.x4 (as bytes) of the staged tile at `stagedOffset`: this
  /// warp's keys {0-7, 8-15} x 16-byte chunks {chunk, chunk + 1}, in that
  /// order; 32-bit registers of four bytes.
  SmallVector<Value, 4> ldmatrixStaged(Value stagedOffset, int64_t chunk,
                                       bool transpose);
  /// The A fragment of q for k16 step `step` of S in the column order a
  /// lane holds K's staged values in (fp8: step = chunk, MMA k index
  /// 2 tig + j is column 16 step + 4 tig + 2 j, k index 2 tig + 8 + j column
  /// 16 step + 4 tig + 2 j + 1; nvfp4: step = 2 chunk + h, k index 2 tig and
  /// 2 tig + 1 are columns 32 chunk + 8 tig + 2 h and + 4, k index 2 tig +
  /// 8 and 2 tig + 9 columns 32 chunk + 8 tig + 2 h + 1 and + 5).
  SmallVector<Value, 4> qFragmentForStaged(int64_t step, bool asB = false);
  /// Register dequantization with at most 8 q rows swaps the MMA operands:
  /// S^T = K q^T, O^T = V^T P^T (DecodeKernel.cpp, "Swapped operands").
  bool swapped() const { return t.swappedOperands(); }
  /// S^T = K q^T for the warp's 16 keys of one tile, in `chains`
  /// independent MMA chains (summed at the end).
  Acc emitScoresSwapped(Value stageK, Value scalesK, int64_t chains = 2);
  /// The online softmax of q rows 2 tig, 2 tig + 1 over the scores `sT` of
  /// one or more tiles (starting at `tileBases`, with `pageRows` rows where
  /// pages are ragged): one update, one rescale of O; returns P^T's B
  /// fragments, two registers a tile.
  SmallVector<Value> emitSoftmaxSwapped(ArrayRef<Value> tileBases,
                                        ArrayRef<Value> pageRows,
                                        ArrayRef<Acc> sT,
                                        SmallVectorImpl<Row> &rows,
                                        SmallVectorImpl<Acc> &o);
  void emitPVSwapped(Value stageV, Value scalesV, ArrayRef<Value> pFrag,
                     SmallVectorImpl<Acc> &o);
  /// The column of O that element (row g + 8 half) of O^T's tile n holds.
  Value oColumnSwapped(int64_t n, int64_t half);
  /// Max or sum over the lanes that hold one q row in the swapped layout.
  Value reduceAcrossKeys(Value v, bool isMax);
  Value sumAcrossKeys(Value v) { return reduceAcrossKeys(v, false); }
  /// The q tile (all m blocks' rows) as `elem`.
  SharedTile queryTile(Type elem);
  /// A transposed staged fp8 register (bytes: keys 2 tig, 2 tig + 1 of
  /// columns c, c + 1 as k0c, k0c+1, k1c, k1c+1) with the key pairs of one
  /// column together: {k0c, k1c, k0c+1, k1c+1}.
  Value pairKeys(Value word);
  /// fp8 V: the f16 registers of columns 2 g (even) and 2 g + 1 (odd) of a
  /// chunk, keys 2 tig, 2 tig + 1 (`keys0`) and + 8 (`keys8`): {even0,
  /// odd0, even8, odd8}.
  SmallVector<Value, 4> fp8ColumnPairs(Value keys0, Value keys8);
  /// The column of O that accumulator element (row, 2 tig + j) of O's n8
  /// tile `n` holds.
  Value oColumn(int64_t n, int64_t j);
  /// NVFP4 register `i` (0..3) of a staged K word times `scales`: nibbles
  /// i and i + 4 (placement) or byte i, nibbles 2 i and 2 i + 1 (byte
  /// pairs, DecodePlan::e2m1BytePairs()). q's fragments take the same
  /// columns (qFragmentForStaged).
  Value nvfp4KeyRegister(Value word, int64_t i, Value scales);
  /// A transposed staged V word as the V registers read it: as it is
  /// (placement) or with its two keys' nibbles interleaved (byte pairs).
  Value nvfp4ValueWord(Value word);
  /// NVFP4 register `i` (0..3) of a V word from nvfp4ValueWord times
  /// `scales`: nibble i (column 4 g + i) of keys 2 tig (low half) and 2 tig
  /// + 1.
  Value nvfp4ValueRegister(Value word, int64_t i, Value scales);

  ImplicitLocOpBuilder &b;
  KernelBuilder k;
  DecodeOp op;
  const DecodePlan &t;
  const TmaDescriptors &tma;
  DecodeKernelArgs<Value> args;
  MmaSyncF16 mmaOps;
  Dequantizer dequant;

  // Values of the prologue.
  Value tid, warp, lane, g, tig, split, batch, kvHead, mBlock, seqLen;
  Value tokStart, tokEnd, numTiles, isLeader;
  std::optional<SharedMemory> smem;
  std::optional<MBarrierPipeline> pipeline;
  std::optional<PagedKVTiles> kv;
  Value qBarrier;
  Value qMap, kMap, vMap;
  /// nvfp4 block scales' tensor maps, or null.
  Value kScaleMap, vScaleMap;
  /// Per-tensor K and V scales (fp8, nvfp4 caches), or null.
  Value kScaleValue, vScaleValue;
  /// 2^s for a query scaled by 2^-s into f16 (halveQuery), or null.
  Value qUnscale;
  std::optional<SharedTile> qTile;
  /// The compute tiles of quantized caches.
  Value computeK, computeV;
  /// Per-lane fragment addressing: q rows/cols (A of S), K (B of S), V (B
  /// of O), and q's fragments when they stay in registers.
  Value qRow, qColLane, kRowLane, kColLane, vRowLane, vColLane;
  SmallVector<SmallVector<Value, 4>> qFrags;
  /// Register dequantization: the lane's ldmatrix row (bytes into a staged
  /// tile) and the XOR of its chunk indices.
  Value stagedLaneOffset, stagedLaneXor;
  /// nvfp4: scale row offsets of the lane's K rows (keys g and g + 8 of the
  /// warp's 16) and V rows (keys 2 tig, 2 tig + 1, 2 tig + 8, 2 tig + 9),
  /// and the prmt selectors of a K and a V scale pair for even and odd
  /// chunks.
  SmallVector<Value> scaleRowsK, scaleRowsV, scaleSelV;
  Value scaleSelK;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEEMITTER_H
