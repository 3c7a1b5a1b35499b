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

/// The online softmax's rows g and g + 8 and O's n8 tiles, as a tile loop
/// carries them.
struct TileLoopState {
  SmallVector<OnlineSoftmax::Row> rows;
  SmallVector<Acc> o;
};

/// The loop over tiles [lb, ub) in steps of `step`, from `init`: `body`
/// updates the state for the tiles from its induction variable on. Returns
/// the state after the loop.
inline TileLoopState
emitTileLoop(KernelBuilder &k, Value lb, Value ub, int64_t step,
             const TileLoopState &init,
             function_ref<void(Value, SmallVectorImpl<OnlineSoftmax::Row> &,
                               SmallVectorImpl<Acc> &)>
                 body) {
  using Row = OnlineSoftmax::Row;
  ImplicitLocOpBuilder &b = k.builder();
  int64_t oTiles = init.o.size();
  SmallVector<Value> inits{init.rows[0].max, init.rows[1].max, init.rows[0].sum,
                           init.rows[1].sum};
  for (const Acc &acc : init.o)
    inits.append(acc.begin(), acc.end());
  auto loop = scf::ForOp::create(b, lb, ub, k.idx(step), inits);
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
  TileLoopState out;
  out.rows = {{res[0], res[2]}, {res[1], res[3]}};
  out.o.resize(oTiles);
  for (int64_t n = 0; n < oTiles; ++n)
    out.o[n].assign(res.begin() + 4 + 4 * n, res.begin() + 8 + 4 * n);
  return out;
}

/// The state a tile loop starts from: (max, sum) of rows g and g + 8 at
/// (-inf, 0), `oTiles` n8 tiles of O (four f32 each) at 0.
inline TileLoopState initialTileLoopState(KernelBuilder &k, int64_t oTiles) {
  Value zero = k.f32(0);
  TileLoopState init;
  init.rows = {{k.negInf(), zero}, {k.negInf(), zero}};
  init.o.assign(oTiles, Acc(4, zero));
  return init;
}

/// The loop over tiles [0, numTiles) from the initial state, one tile a
/// step. Returns the rows and O after the loop.
inline std::pair<SmallVector<OnlineSoftmax::Row>, SmallVector<Acc>>
emitTileLoop(KernelBuilder &k, Value numTiles, int64_t oTiles,
             function_ref<void(Value, SmallVectorImpl<OnlineSoftmax::Row> &,
                               SmallVectorImpl<Acc> &)>
                 body) {
  TileLoopState init = initialTileLoopState(k, oTiles);
  TileLoopState out = emitTileLoop(k, k.idx(0), numTiles, 1, init, body);
  return {out.rows, out.o};
}

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TILELOOP_H
