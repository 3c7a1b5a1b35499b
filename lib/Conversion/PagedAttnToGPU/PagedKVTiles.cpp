//===- PagedKVTiles.cpp - Paged K/V tiles in shared memory ----------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// How the kernels move K and V: a tile is 64 rows, whole pages of up to 64
// tokens (one TMA box per page and column region) or 64 rows of a larger
// page; rows past a tile's tokens are zero; quantized stages are converted
// into the 16-bit tiles the MMAs read, each warp 16 rows.
//
//===----------------------------------------------------------------------===//

#include "PagedKVTiles.h"
#include "Tma.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::paged_attn;

Value mlir::paged_attn::countKVTiles(KernelBuilder &k, const PagedKVPlan &t,
                                     Value tokStart, Value tokEnd) {
  Value numTokens = k.maxS(k.sub(tokEnd, tokStart), k.idx(0));
  if (!t.raggedPages())
    return k.ceilDiv(numTokens, k.idx(t.tileTokens));
  // Whole pages of tilesPerPage tiles, then the tiles the last page needs.
  Value pages = k.ceilDiv(numTokens, k.idx(t.pageSize));
  Value lastPageTokens = k.sub(
      numTokens, k.mul(k.maxS(k.sub(pages, k.idx(1)), k.idx(0)), t.pageSize));
  Value tiles = k.add(k.mul(k.sub(pages, k.idx(1)), t.tilesPerPage),
                      k.ceilDiv(lastPageTokens, k.idx(PagedKVPlan::kTileRows)));
  return k.select(k.lt(k.idx(0), numTokens), tiles, k.idx(0));
}

SharedTile PagedKVTiles::kvTile(Value offset) {
  int64_t inner = t.computeInner();
  return SharedTile{
      smem.view(offset, {t.headDim / inner * PagedKVPlan::kTileRows, inner},
                computeType),
      inner, PagedKVPlan::kTileRows, t.computeSwizzled()};
}

Value PagedKVTiles::tileStart(Value tile) {
  if (t.pageSize <= PagedKVPlan::kTileRows)
    return k.add(tokStart, k.mul(tile, t.tileTokens));
  // Splits start on a page: tile i is rows 64 (i % tilesPerPage) onwards of
  // the split's page i / tilesPerPage.
  Value page = k.add(k.div(tokStart, t.pageSize), k.div(tile, t.tilesPerPage));
  return k.add(k.mul(page, t.pageSize),
               k.mul(k.rem(tile, t.tilesPerPage), PagedKVPlan::kTileRows));
}

Value PagedKVTiles::tileRows(Value tile) {
  Value row0 = k.mul(k.rem(tile, t.tilesPerPage), PagedKVPlan::kTileRows);
  return k.minS(k.idx(PagedKVPlan::kTileRows), k.sub(k.idx(t.pageSize), row0));
}

/// Tiles of up to this many pages read their block-table entries all at
/// once (unrolled); smaller pages (more per tile) loop.
static constexpr int64_t kBatchedPages = 8;

/// The block table's columns, clamped to 2^31 - 1 for 32-bit page counts
/// (its first 2^31 - 1 pages hold more tokens than an i32 sequence length).
static Value tableColumns(KernelBuilder &k, Value blockTable) {
  return k.minS(memref::DimOp::create(k.builder(), blockTable, 1),
                k.idx(std::numeric_limits<int32_t>::max()));
}

Value PagedKVTiles::prefetchPage(Value tile, Value issuer, Value when) {
  Value cols = tableColumns(k, src.blockTable);
  Value page = k.add(k.div(tileStart(tile), t.pageSize), issuer);
  Value read = k.andI(when, k.lt(k.idx(0), cols));
  return k.selectBranch(
      read,
      [&]() -> SmallVector<Value> {
        Value col = k.minS(page, k.sub(cols, k.idx(1)));
        return {memref::LoadOp::create(b, src.blockTable,
                                       ValueRange{batch, col})};
      },
      [&]() -> SmallVector<Value> { return {k.i32(0)}; })[0];
}

void PagedKVTiles::issueTile(Value tile, Value stage, Value issuer,
                             int64_t issuers, Value elected,
                             Value prefetched) {
  Type elem = getTmaMoveType(tma.kCache);
  bool hnd = t.hnd;
  int64_t boxBytes = t.kvInnerBox * t.kvBoxRows * t.kvElemBytes;
  int64_t regionBytes = PagedKVPlan::kTileRows * t.kvInnerBox * t.kvElemBytes;
  SmallVector<int64_t> boxShape = getBoxShape(tma.kCache.plan);
  Value tileBase = tileStart(tile);
  Value stageOffset = k.mul(stage, t.stageBytes());
  Value stageK = k.add(k.idx(t.kOffset(0)), stageOffset);
  Value stageV = k.add(k.idx(t.vOffset(0)), stageOffset);
  Value blockTable = src.blockTable;

  auto physicalPage = [&](Value page) {
    return k.toIndex(
        memref::LoadOp::create(b, blockTable, ValueRange{batch, page}));
  };
  auto issuePage = [&](Value slot, Value phys, Value row0) {
    for (int64_t r = 0; r < t.kvRegions; ++r) {
      Value slotOffset =
          k.add(k.mul(slot, t.slotBytes()), k.idx(r * regionBytes));
      Value col = k.idx(r * t.kvInnerBox);
      // Folded boxes (dense pages) count rows of kvFold cache rows.
      Value row = t.kvFold > 1 ? k.div(row0, t.kvFold) : row0;
      SmallVector<Value> coords =
          hnd ? SmallVector<Value>{col, row, kvHead, phys}
              : SmallVector<Value>{col, kvHead, row0, phys};
      for (auto [map, offset] :
           {std::pair{src.kMap, stageK}, std::pair{src.vMap, stageV}}) {
        Value dst = smem.view(k.add(offset, slotOffset), boxShape, elem);
        loadBox(k, dst, pipeline.barriers(), stage, map, coords, elected);
      }
    }
    if (!t.nvfp4)
      return;
    // The block scales of the same rows: HND, consecutive boxes along the
    // page's scale rows; NHD, the 16-byte window of each row that holds the
    // head's scales. The innermost box coordinate must be a 16-byte
    // multiple (the H100 raises an illegal instruction otherwise): HND
    // starts at multiples of 16 scale bytes, NHD at the 16-byte boundary
    // below the head's scales (head_dim / 16 divides 16, so they never
    // straddle one); scaleWindowOffset() finds them in the window.
    SmallVector<int64_t> scaleShape = getBoxShape(tma.kScale->plan);
    int64_t blocks = t.headDim / 16;
    for (int64_t i = 0; i < t.scaleBoxes; ++i) {
      Value slotOffset =
          k.add(k.mul(slot, t.scaleSlotBytes()), k.idx(i * t.scaleBoxBytes()));
      SmallVector<Value> coords =
          hnd ? SmallVector<Value>{k.add(k.mul(row0, blocks),
                                         k.idx(i * t.scaleInnerBox)),
                                   kvHead, phys}
              : SmallVector<Value>{scaleWindowStart(), row0, phys};
      for (auto [map, offset] : {std::pair{src.kScaleMap, t.kScaleOffset(0)},
                                 std::pair{src.vScaleMap, t.vScaleOffset(0)}}) {
        Value dst =
            smem.view(k.add(k.add(k.idx(offset), stageOffset), slotOffset),
                      scaleShape, b.getI8Type());
        loadBox(k, dst, pipeline.barriers(), stage, map, coords, elected);
      }
    }
  };

  int64_t tileBytes =
      2 * (t.kvRegions * boxBytes + t.scaleBoxes * t.scaleBoxBytes());
  if (t.pageSize <= PagedKVPlan::kTileRows) {
    Value firstPage = k.div(tileBase, t.pageSize);
    // The page count in 32 bits (tokens are i32; an index is 64 bits, two
    // instructions an add, compare or select): the tile's pages, never
    // past the split's last token (the tile starts before it) nor the
    // block table's end.
    // (A table of 2^31 columns or more is clamped: its first 2^31 - 1 pages
    // hold more tokens than an i32 sequence length.)
    Value tableCols = tableColumns(k, blockTable);
    Value pages32 =
        k.minS(k.i32(t.pagesPerTile),
               k.ceilDiv(k.toI32(k.sub(tokEnd, tileBase)), k.i32(t.pageSize)));
    pages32 = k.minS(
        pages32,
        k.maxS(k.sub(k.toI32(tableCols), k.toI32(firstPage)), k.i32(0)));
    Value pages = arith::IndexCastUIOp::create(b, b.getIndexType(), pages32);
    if (issuer) {
      // The issuers share the pages: their block-table reads and box
      // issues run side by side.
      k.ifThen(k.eq(issuer, k.idx(0)), [&] {
        pipeline.expectBytes(k.mul(pages, tileBytes), stage, elected);
      });
      if (prefetched) {
        // The issuer's one page, read a tile ago (its column was clamped
        // into the table, which the tile's page count never passes).
        assert(canPrefetchPage(issuers) && "an issuer has several pages");
        k.ifThen(k.lt(issuer, pages), [&] {
          issuePage(issuer, k.toIndex(prefetched), k.idx(0));
        });
        return;
      }
      k.forLoop(issuer, pages, k.idx(issuers), [&](Value slot) {
        issuePage(slot, physicalPage(k.add(firstPage, slot)), k.idx(0));
      });
      return;
    }
    pipeline.expectBytes(k.mul(pages, tileBytes), stage, elected);
    if (t.pagesPerTile <= kBatchedPages) {
      // Every block-table read first, back to back (their latencies
      // overlap), at indices clamped into the table; then the boxes of the
      // pages the tile has.
      k.ifThen(k.lt(k.idx(0), pages), [&] {
        Value lastCol = k.sub(tableCols, k.idx(1));
        SmallVector<Value> phys;
        for (int64_t slot = 0; slot < t.pagesPerTile; ++slot)
          phys.push_back(
              physicalPage(k.minS(k.add(firstPage, k.idx(slot)), lastCol)));
        for (int64_t slot = 0; slot < t.pagesPerTile; ++slot) {
          auto body = [&] { issuePage(k.idx(slot), phys[slot], k.idx(0)); };
          if (slot == 0)
            body();
          else
            k.ifThen(k.lt(k.idx(slot), pages), body);
        }
      });
    } else {
      k.forLoop(k.idx(0), pages, k.idx(1), [&](Value slot) {
        issuePage(slot, physicalPage(k.add(firstPage, slot)), k.idx(0));
      });
    }
  } else {
    Value page = k.div(tileBase, t.pageSize);
    Value row0 = k.rem(tileBase, t.pageSize);
    // Never read the block table past its end.
    auto issue = [&] {
      Value inTable = k.lt(page, memref::DimOp::create(b, blockTable, 1));
      pipeline.expectBytes(k.select(inTable, k.idx(tileBytes), k.idx(0)),
                           stage, elected);
      k.ifThen(inTable, [&] { issuePage(k.idx(0), physicalPage(page), row0); });
    };
    // One page: issuer 0 issues it.
    if (issuer)
      k.ifThen(k.eq(issuer, k.idx(0)), issue);
    else
      issue();
  }
}

void PagedKVTiles::zeroRows(Value tid, const SharedTile &tile, Value fromRow,
                            int64_t toRow, int64_t threads) {
  int64_t chunksPerRow = t.headDim / 8;
  Value count = k.mul(k.sub(k.idx(toRow), fromRow), chunksPerRow);
  auto vecType = VectorType::get({8}, computeType);
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(vecType));
  k.forLoop(tid, k.maxS(count, k.idx(0)), k.idx(threads), [&](Value i) {
    Value row = k.add(fromRow, k.div(i, chunksPerRow));
    Value col = k.mul(k.rem(i, chunksPerRow), 8);
    vector::StoreOp::create(b, zero, tile.view, tile.at(k, row, col));
  });
}

Value PagedKVTiles::stagedRowOffset(Value row) {
  Value slot = k.div(row, t.kvBoxRows);
  Value boxRow = k.rem(row, t.kvBoxRows);
  if (t.kvFold > 1)
    return k.add(k.mul(slot, t.slotBytes()),
                 k.mul(k.div(boxRow, t.kvFold), 128));
  return k.add(k.mul(slot, t.slotBytes()), k.mul(boxRow, t.stagedSpan()));
}

Value PagedKVTiles::stagedRowSwizzle(Value row) {
  // The swizzle XORs a chunk's index with the address bits above the
  // 128-byte line (boxes start on a swizzle period): for span-byte rows,
  // row / (128 / span), modulo the span's chunks.
  int64_t span = t.stagedSpan();
  Value boxRow = k.rem(row, t.kvBoxRows);
  if (t.kvFold > 1) {
    // Folded (128-byte swizzle): the row's first chunk in its line, XORed
    // with the line's index in the stage modulo 8 (stages and tiles are
    // whole 1024-byte periods; a box may start half way through one).
    Value slot = k.div(row, t.kvBoxRows);
    Value line =
        k.add(k.mul(slot, t.slotBytes() / 128), k.div(boxRow, t.kvFold));
    Value first = k.mul(k.rem(boxRow, t.kvFold), span / 16);
    return k.xorI(first, k.rem(line, 8));
  }
  return k.rem(k.div(boxRow, 128 / span), span / 16);
}

void PagedKVTiles::zeroStagedRows(Value tid, Value stagedOffset,
                                  Value scaleOffset, Value fromRow,
                                  int64_t toRow, int64_t threads) {
  // The swizzle permutes chunks within a row: zeroing all of a row's
  // chunks zeroes the row. Folded, a row's chunks move within its 128-byte
  // line, so they are found through stagedRowSwizzle.
  int64_t chunksPerRow = t.kvRowBytes() / 16;
  int64_t perRegion = stagedChunksPerRegion();
  Value count = k.mul(k.sub(k.idx(toRow), fromRow), chunksPerRow);
  auto vecType = VectorType::get({4}, b.getI32Type());
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(vecType));
  Value staged = smem.view(stagedOffset, {t.kvTileBytes() / 4}, b.getI32Type());
  k.forLoop(tid, k.maxS(count, k.idx(0)), k.idx(threads), [&](Value i) {
    Value row = k.add(fromRow, k.div(i, chunksPerRow));
    Value chunk = k.rem(i, chunksPerRow);
    Value byte;
    if (t.kvFold > 1) {
      // A folded row is one region, within its 128-byte line.
      Value line = stagedRowOffset(row);
      Value swizzled = k.xorI(chunk, stagedRowSwizzle(row));
      byte = k.add(line, k.mul(swizzled, 16));
    } else {
      byte = k.add(k.add(stagedRowOffset(row),
                         k.mul(k.div(chunk, perRegion), stagedRegionBytes())),
                   k.mul(k.rem(chunk, perRegion), 16));
    }
    vector::StoreOp::create(b, zero, staged, ValueRange{k.div(byte, 4)},
                            /*nontemporal=*/false, llvm::MaybeAlign(16));
  });
  if (!t.nvfp4)
    return;
  // nvfp4: the rows' block scales too (a NaN scale times a zero code is
  // NaN), a 32-bit word at a time (a scale row is 4, 8 or 16 bytes, or the
  // 16-byte NHD window).
  int64_t wordsPerRow = t.scaleRowBytes() / 4;
  Value scales = smem.view(scaleOffset, {t.scaleTileBytes() / 4},
                           b.getI32Type());
  Value zeroWord = k.i32(0);
  Value words = k.mul(k.sub(k.idx(toRow), fromRow), wordsPerRow);
  k.forLoop(tid, k.maxS(words, k.idx(0)), k.idx(threads), [&](Value i) {
    Value row = k.add(fromRow, k.div(i, wordsPerRow));
    Value slot = k.div(row, t.kvBoxRows);
    Value boxRow = k.rem(row, t.kvBoxRows);
    Value byte = k.add(k.add(k.mul(slot, t.scaleSlotBytes()),
                             k.mul(boxRow, t.scaleRowBytes())),
                       k.mul(k.rem(i, wordsPerRow), 4));
    memref::StoreOp::create(b, zeroWord, scales, ValueRange{k.div(byte, 4)});
  });
}

void PagedKVTiles::convertTile(Value warp, Value lane, Value stagedOffset,
                               Value scaleOffset, const SharedTile &dst,
                               int64_t rows, Value zeroFrom) {
  int64_t chunksPerRow = t.headDim / 8;
  // Row r of the tile is row r % boxRows of the box r / boxRows.
  Value staged = smem.view(stagedOffset, {t.kvTileBytes()}, b.getI8Type());
  Value scales =
      t.nvfp4 ? smem.view(scaleOffset, {t.scaleTileBytes()}, b.getI8Type())
              : Value();
  int64_t bytesPerChunk = t.nvfp4 ? 4 : 8;
  auto bytesType = VectorType::get({bytesPerChunk}, b.getI8Type());
  auto outType = VectorType::get({8}, computeType);
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(outType));
  // Each warp converts the 16 rows its MMAs read (rows 16 warp + ...), so
  // the compute tiles need no block barrier. Unrolled: lane l takes chunks
  // l + 32 j of the warp's rows, so its column is the same in every step
  // and the index arithmetic folds.
  int64_t rowsPerWarp = PagedKVPlan::kTileRows / PagedKVPlan::kNumWarps;
  int64_t chunks = rowsPerWarp * chunksPerRow;
  Value warpRow0 = k.mul(warp, rowsPerWarp);
  for (int64_t j = 0; j * 32 < chunks; ++j) {
    Value i = k.add(lane, j * 32);
    Value row = k.add(warpRow0, k.div(i, chunksPerRow));
    auto body = [&] {
      Value col = k.mul(k.rem(i, chunksPerRow), 8);
      Value slot = k.div(row, t.kvBoxRows);
      Value boxRow = k.rem(row, t.kvBoxRows);
      Value byte = k.add(
          k.add(k.mul(slot, t.slotBytes()), k.mul(boxRow, t.kvRowBytes())),
          k.div(k.mul(col, bytesPerChunk), 8));
      Value bytes =
          vector::LoadOp::create(b, bytesType, staged, ValueRange{byte});
      Value value;
      if (t.nvfp4) {
        Value scaleIndex = k.add(k.add(k.mul(slot, t.scaleSlotBytes()),
                                       k.mul(boxRow, t.scaleRowBytes())),
                                 k.add(k.div(col, 16), scaleWindowOffset()));
        value = dequant.nvfp4x8(
            bytes, memref::LoadOp::create(b, scales, ValueRange{scaleIndex}));
      } else {
        value = dequant.fp8x8(bytes);
      }
      value = k.select(k.lt(row, zeroFrom), value, zero);
      vector::StoreOp::create(b, value, dst.view, dst.at(k, row, col));
    };
    // Tiles of fewer than 64 rows (page sizes that do not divide 64): the
    // rows past them were zeroed once and are never written.
    if (rows < PagedKVPlan::kTileRows)
      k.ifThen(k.lt(row, k.idx(rows)), body);
    else
      body();
  }
}
