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
  /// exact in f16).
  Type computeType() {
    Type q = cast<MemRefType>(op.getQ().getType()).getElementType();
    return t.qDequantize() ? b.getF16Type() : q;
  }
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
  void emitEpilogue(ArrayRef<Row> rows, ArrayRef<Acc> o);

  // Mechanics (PagedKVTiles).
  Value tileStart(Value tile) { return kv->tileStart(tile); }
  Value tileRows(Value tile) { return kv->tileRows(tile); }
  void issueTile(Value tile, Value stage) { kv->issueTile(tile, stage); }
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
  std::optional<SharedTile> qTile;
  /// The compute tiles of quantized caches.
  Value computeK, computeV;
  /// Per-lane fragment addressing: q rows/cols (A of S), K (B of S), V (B
  /// of O), and q's fragments when they stay in registers.
  Value qRow, qColLane, kRowLane, kColLane, vRowLane, vColLane;
  SmallVector<SmallVector<Value, 4>> qFrags;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DECODEEMITTER_H
