//===- OnlineSoftmax.h - Online softmax over accumulator rows ---*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The attention softmax, computed a key tile at a time (FlashAttention's
// online softmax) over the rows of an accumulator fragment, whatever MMA
// produced it: logits (scale, soft cap), masks (causal / q_len, sliding
// window), the running max and sum per row with the rescale factor of the
// output, and the final normalization with attention sinks. A row that has
// seen no key keeps max -inf and sum 0; every step guards it, so no -inf -
// -inf and no 0 / 0 appears, while a NaN from K or V stays NaN. Internal to
// lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_ONLINESOFTMAX_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_ONLINESOFTMAX_H

#include "KernelBuilder.h"

#include <optional>

namespace mlir {
namespace paged_attn {

/// Which keys a query row sees, by position in its sequence. Bottom-right
/// aligned: the last q token sits at the last key.
struct AttentionMask {
  /// Keys after the row's own position are hidden (decode with
  /// q_len_per_request > 1, causal prefill).
  bool causal = false;
  /// Keys more than this far before the row's position are hidden; -1 for
  /// none.
  int64_t windowLeft = -1;

  /// Narrows `valid` (i1, or null for "every key") to the keys at `key`
  /// that the row at `qPos` sees.
  Value apply(KernelBuilder &k, Value valid, Value key, Value qPos) const;
};

class OnlineSoftmax {
public:
  /// One row's running state.
  struct Row {
    Value max, sum;
  };

  /// Logits are `raw * logitScale`, soft-capped to `cap * tanh(x / cap)`
  /// when `softCap` is set.
  OnlineSoftmax(KernelBuilder &k, Value logitScale,
                std::optional<double> softCap)
      : k(k), logitScale(logitScale), softCap(softCap) {}

  /// Lazy rescaling: a row keeps its reference max (the one its O and sum
  /// are relative to) until a tile's max exceeds it by more than
  /// `log2Slack` (in log2 units), so its alpha stays exactly 1 and
  /// rescaleUnlessSteady skips the multiplies. Weights then reach
  /// 2^log2Slack instead of 1, far inside f32, bf16 and f16 range, and the
  /// final O / sum is the same quotient. Off (exact max) by default.
  void setLazyRescale(double log2Slack) { lazySlack = log2Slack; }

  /// Raw scores: the caller vouches that the logit scale is positive.
  /// Without a soft cap, score() is then the raw score itself and
  /// updateScores() folds the scale into one FMA per score (updateRaw): the
  /// max of the raw scores times a positive scale is the max logit. A
  /// per-tensor K scale (a device value of either sign) cannot vouch.
  void setRawScores(bool positiveScale) {
    rawScores = positiveScale && !softCap;
  }
  /// What the softmax masks and folds for the raw score `raw`: `raw`
  /// itself with raw scores, else its logit.
  Value score(Value raw) { return rawScores ? raw : logit(raw); }
  /// update(), or updateRaw() with raw scores, of this tile's masked
  /// scores `x` (from score()).
  Value updateScores(Row &row, ArrayRef<Value> x,
                     function_ref<Value(Value)> rowMax,
                     SmallVectorImpl<Value> &p) {
    return rawScores ? updateRaw(row, x, logitScale, rowMax, p)
                     : update(row, x, rowMax, p);
  }
  /// The logit of a raw score.
  Value logit(Value raw);
  /// `logit` where `valid`, else -inf.
  Value mask(Value valid, Value logit) {
    return k.select(valid, logit, k.negInf());
  }

  /// Folds this tile's masked logits `x` (the calling lane's part of the
  /// row) into `row`. `rowMax` reduces over the lanes that share the row;
  /// the sum stays per lane (reduce it once, at the end). Returns the factor
  /// that rescales the row's output accumulator, and sets `p` to e^(x - max).
  Value update(Row &row, ArrayRef<Value> x, function_ref<Value(Value)> rowMax,
               SmallVectorImpl<Value> &p);

  /// update() for raw scores whose logits are `raw * scale` (scale > 0, no
  /// soft cap; masked scores are -inf): the scale and log2 e fold into one
  /// FMA per score before its ex2.
  Value updateRaw(Row &row, ArrayRef<Value> raw, Value scale,
                  function_ref<Value(Value)> rowMax, SmallVectorImpl<Value> &p);

  /// `o` (a warp's accumulators, element i in row `rowOf(i)` of `rows`)
  /// times its row's `alpha`, the multiplies skipped when every row of the
  /// warp is steady. Once a row's max has settled its alpha is exactly 1
  /// and they change nothing; rows with no key yet (max -inf) count as
  /// settled: their O is P V sums of zero weights, which a factor of 0
  /// would not change. One vote instead of a multiply per element,
  /// bit-identical.
  SmallVector<Value> rescaleUnlessSteady(ArrayRef<Value> alpha,
                                         ArrayRef<Row> rows, ArrayRef<Value> o,
                                         function_ref<int64_t(int64_t)> rowOf);

  /// The max to subtract from a row's logits: `max`, or 0 for a row with no
  /// key (max -inf).
  Value safeMax(Value max);
  /// Whether a row has a key: sum != 0 (true for a NaN sum).
  Value hasKeys(Value sum);
  /// The factor that normalizes a row's outputs: 1 / sum (0 for a row with
  /// no key), or with an attention sink (`sink` set; `max` from safeMax)
  /// e^(max - m) / (sum e^(max - m) + e^(sink - m)), m = max(max, sink): one
  /// division per row, a multiply per output.
  Value rowFactor(Value sum, Value max, Value hasKeys, Value sink);
  /// The row's log-sum-exp, max + log(sum); -inf for a row with no key.
  Value logSumExp(Value max, Value sum, Value hasKeys);

  /// e^x as 2^(x log2 e): one ex2.approx.
  Value exp(Value x);
  /// 2^x, ex2.approx.ftz.f32 (results below 2^-126 are 0).
  Value exp2(Value x);

private:
  /// The reference max of a row whose max was `oldMax` and whose tile's
  /// (logit) max is `tileMax`.
  Value referenceMax(Value oldMax, Value tileMax);
  /// A row with a sink: (e^(max - m), sum e^(max - m) + e^(sink - m)), m =
  /// max(max, sink): the factor O and the sum are scaled by, and the
  /// denominator.
  std::pair<Value, Value> sinkTerms(Value sum, Value max, Value sink);

  KernelBuilder &k;
  Value logitScale;
  std::optional<double> softCap;
  std::optional<double> lazySlack;
  bool rawScores = false;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_ONLINESOFTMAX_H
