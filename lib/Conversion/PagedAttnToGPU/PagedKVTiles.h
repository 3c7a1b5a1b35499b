//===- PagedKVTiles.h - Paged K/V tiles in shared memory --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// How a kernel moves K and V (a PagedKVPlan): a tile is 64 rows, whole pages
// of up to 64 tokens (one TMA box per page and column region) or 64 rows of
// a larger page; rows past a tile's tokens are zero; quantized stages are
// converted into the 16-bit tiles the MMAs read, each warp 16 rows. Shared
// by the decode and prefill kernels. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_PAGEDKVTILES_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_PAGEDKVTILES_H

#include "Dequant.h"
#include "KernelBuilder.h"
#include "MBarrierPipeline.h"
#include "SharedMemory.h"

#include "attn/Kernels/PagedKVPlan.h"

namespace mlir {
namespace paged_attn {

/// The number of tiles that cover keys [tokStart, tokEnd) (tokStart a
/// multiple of t.splitUnit()).
Value countKVTiles(KernelBuilder &k, const PagedKVPlan &t, Value tokStart,
                   Value tokEnd);

/// The paged K/V tiles of one CTA: keys [tokStart, tokEnd) of request
/// `batch`, kv head `kvHead`.
class PagedKVTiles {
public:
  /// The descriptors and index operands the tiles read.
  struct Sources {
    Value kMap, vMap;
    /// nvfp4 block scales' tensor maps, or null.
    Value kScaleMap, vScaleMap;
    Value blockTable;
  };

  PagedKVTiles(KernelBuilder &k, const PagedKVPlan &t,
               const TmaDescriptors &tma, SharedMemory &smem,
               MBarrierPipeline &pipeline, Dequantizer &dequant,
               Type computeType, Sources sources, Value batch, Value kvHead,
               Value tokStart, Value tokEnd)
      : k(k), b(k.builder()), t(t), tma(tma), smem(smem), pipeline(pipeline),
        dequant(dequant), computeType(computeType), src(sources), batch(batch),
        kvHead(kvHead), tokStart(tokStart), tokEnd(tokEnd) {}

  /// The first token of tile `tile`.
  Value tileStart(Value tile);
  /// The rows of tile `tile` that belong to its page (ragged pages only).
  Value tileRows(Value tile);
  /// The calling thread: expect the bytes of tile `tile` and issue its K
  /// and V boxes (and nvfp4 block scales) into stage `stage`. With
  /// `issuer` (`issuers` threads calling, numbered 0 .. issuers - 1),
  /// issuer 0 expects the bytes and the threads share the pages of a tile:
  /// issuer i reads the block table and issues the boxes of pages i,
  /// i + issuers, ...
  /// With `elected` (i1), a whole warp calls as one issuer: every lane
  /// computes the same coordinates and the lane where `elected` holds (an
  /// elect.sync) expects the bytes and issues the boxes. ptxas then moves
  /// the operands to uniform registers directly instead of looping over
  /// the lanes' values (it cannot prove a block-table read warp-uniform).
  /// `prefetched`: issuer i's page of the tile read from the block table
  /// beforehand (prefetchPage), when every issuer has at most one.
  void issueTile(Value tile, Value stage, Value issuer = Value(),
                 int64_t issuers = 32, Value elected = Value(),
                 Value prefetched = Value());
  /// Whether issueTile can take a prefetched page for `issuers` issuers:
  /// pages of at most a tile, at most one a tile for each issuer.
  bool canPrefetchPage(int64_t issuers) const {
    return t.pageSize <= PagedKVPlan::kTileRows && t.pagesPerTile <= issuers;
  }
  /// Issuer `issuer`'s physical page of tile `tile` (the block-table entry
  /// of the tile's page `issuer`, its column clamped into the table; 0 when
  /// `when` does not hold or the table has no column), read now so that
  /// its latency passes before issueTile needs it.
  Value prefetchPage(Value tile, Value issuer, Value when);
  /// Zeroes rows [fromRow, toRow) of a V tile, 16 bytes per store, the
  /// calling threads (`tid` of `threads`) together, so that rows no key
  /// maps to hold no NaN for P (= 0 there) times V.
  void zeroRows(Value tid, const SharedTile &tile, Value fromRow, int64_t toRow,
                int64_t threads = PagedKVPlan::kThreads);
  /// Register-dequantized stages (PagedKVPlan::registerDequant): zeroes
  /// the staged byte rows [fromRow, toRow) of the tile at `stagedOffset`
  /// and, nvfp4, their block scales in the scale tile at `scaleOffset`.
  void zeroStagedRows(Value tid, Value stagedOffset, Value scaleOffset,
                      Value fromRow, int64_t toRow,
                      int64_t threads = PagedKVPlan::kThreads);
  /// Register-dequantized stages: where tile row `row` starts (bytes from
  /// the staged tile's start, region 0; folded, where its 128-byte line
  /// starts) and the value its 16-byte chunk indices are XORed with (the
  /// TMA swizzle; folded, it also places the row within its line).
  Value stagedRowOffset(Value row);
  Value stagedRowSwizzle(Value row);
  /// nvfp4: where the block scales of tile row `row` start (bytes from the
  /// staged scale tile's start; a row's scales are 4-byte aligned).
  Value scaleRowOffset(Value row) {
    Value slot = k.div(row, t.kvBoxRows);
    Value boxRow = k.rem(row, t.kvBoxRows);
    return k.add(k.add(k.mul(slot, t.scaleSlotBytes()),
                       k.mul(boxRow, t.scaleRowBytes())),
                 scaleWindowOffset());
  }
  /// Register-dequantized stages: bytes between column regions, and the
  /// 16-byte chunks of a region.
  int64_t stagedRegionBytes() const {
    return PagedKVPlan::kTileRows * t.stagedSpan();
  }
  int64_t stagedChunksPerRegion() const { return t.stagedSpan() / 16; }
  /// The 16-bit K or V tile the MMAs read at byte `offset`.
  SharedTile kvTile(Value offset);
  /// Quantized caches: warp `warp` converts its 16 rows (16 warp ..) of
  /// rows [0, rows) of a staged byte tile (and, for nvfp4, its block scales
  /// at `scaleOffset`) into `dst` (the compute type); rows at or past
  /// `zeroFrom` become zeros.
  void convertTile(Value warp, Value lane, Value stagedOffset,
                   Value scaleOffset, const SharedTile &dst, int64_t rows,
                   Value zeroFrom);

private:
  /// NHD scales: the head's scales start kvHead * head_dim / 16 bytes into
  /// the folded (kv_heads x head_dim / 16) row; TMA loads the 16-byte window
  /// that starts at the boundary below them (a TMA load's innermost
  /// coordinate must be a 16-byte multiple).
  Value scaleWindowStart() {
    return k.mul(k.div(k.mul(kvHead, t.headDim / 16), 16), 16);
  }
  /// Where this head's scales start in a row of the staged scales: 0 for
  /// HND, the head's offset in its 16-byte window for NHD.
  Value scaleWindowOffset() {
    return t.hnd ? k.idx(0) : k.rem(k.mul(kvHead, t.headDim / 16), 16);
  }

  KernelBuilder &k;
  ImplicitLocOpBuilder &b;
  const PagedKVPlan &t;
  const TmaDescriptors &tma;
  SharedMemory &smem;
  MBarrierPipeline &pipeline;
  Dequantizer &dequant;
  Type computeType;
  Sources src;
  Value batch, kvHead, tokStart, tokEnd;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_PAGEDKVTILES_H
