//===- TileLoop.h - The loop over key tiles ---------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The loop every attention kernel runs over its key tiles: it carries the
// online softmax's state of a lane's rows g and g + 8 and O's n8 tiles in
// the mma C layout. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TILELOOP_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TILELOOP_H

#include "KernelBuilder.h"
#include "MmaSync.h"
#include "OnlineSoftmax.h"

namespace mlir {
namespace paged_attn {

/// The loop over tiles [0, numTiles): it carries (max, sum) of rows g and
/// g + 8 (from -inf, 0) and `oTiles` n8 tiles of O (four f32 each, from
/// 0); `body` updates them for one tile. Returns the state after the loop.
inline std::pair<SmallVector<OnlineSoftmax::Row>, SmallVector<Acc>>
emitTileLoop(KernelBuilder &k, Value numTiles, int64_t oTiles,
             function_ref<void(Value, SmallVectorImpl<OnlineSoftmax::Row> &,
                               SmallVectorImpl<Acc> &)>
                 body) {
  using Row = OnlineSoftmax::Row;
  ImplicitLocOpBuilder &b = k.builder();
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
    body(loop.getInductionVar(), rows, o);
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
  return {rows, o};
}

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TILELOOP_H
