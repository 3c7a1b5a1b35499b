//===- OnlineSoftmax.cpp - Online softmax over accumulator rows -----------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "OnlineSoftmax.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::paged_attn;

Value AttentionMask::apply(KernelBuilder &k, Value valid, Value key,
                           Value qPos) const {
  auto narrow = [&](Value cond) { return valid ? k.andI(valid, cond) : cond; };
  if (causal)
    valid = narrow(k.le(key, qPos));
  if (windowLeft >= 0)
    valid = narrow(k.ge(k.add(key, k.idx(windowLeft)), qPos));
  return valid;
}

Value OnlineSoftmax::logit(Value raw) {
  if (!softCap)
    return k.mulF(raw, logitScale);
  double c = *softCap;
  return k.mulF(
      math::TanhOp::create(k.builder(),
                           k.mulF(k.mulF(raw, logitScale), k.f32(1.0 / c))),
      k.f32(c));
}

Value OnlineSoftmax::update(Row &row, ArrayRef<Value> x,
                            function_ref<Value(Value)> rowMax,
                            SmallVectorImpl<Value> &p) {
  // A pairwise tree, (x0 max x1) max (x2 max x3) for four values; each
  // level is built last pair first (the order the generated IR has always
  // had).
  SmallVector<Value> level(x.begin(), x.end());
  while (level.size() > 1) {
    SmallVector<Value> next((level.size() + 1) / 2);
    if (level.size() % 2)
      next.back() = level.back();
    for (size_t i = level.size() / 2; i-- > 0;)
      next[i] = k.maxF(level[2 * i], level[2 * i + 1]);
    level = std::move(next);
  }
  Value tileMax = rowMax(level.front());
  Value newMax = referenceMax(row.max, tileMax);
  Value use = safeMax(newMax);
  Value alpha = exp(k.subF(row.max, use));
  Value sum = k.f32(0);
  p.clear();
  for (Value v : x) {
    p.push_back(exp(k.subF(v, use)));
    sum = k.addF(sum, p.back());
  }
  row.sum = k.addF(k.mulF(row.sum, alpha), sum);
  row.max = newMax;
  return alpha;
}

Value OnlineSoftmax::updateRaw(Row &row, ArrayRef<Value> raw, Value scale,
                               function_ref<Value(Value)> rowMax,
                               SmallVectorImpl<Value> &p) {
  SmallVector<Value> level(raw.begin(), raw.end());
  while (level.size() > 1) {
    SmallVector<Value> next((level.size() + 1) / 2);
    if (level.size() % 2)
      next.back() = level.back();
    for (size_t i = 0; i < level.size() / 2; ++i)
      next[i] = k.maxF(level[2 * i], level[2 * i + 1]);
    level = std::move(next);
  }
  // max(raw) * scale is the max logit (scale > 0).
  Value tileMax = k.mulF(rowMax(level.front()), scale);
  Value newMax = referenceMax(row.max, tileMax);
  Value use = safeMax(newMax);
  Value alpha = exp(k.subF(row.max, use));
  Value factor = k.mulF(scale, k.f32(M_LOG2E));
  Value offset = k.mulF(use, k.f32(-M_LOG2E));
  Value sum = k.f32(0);
  p.clear();
  for (Value v : raw) {
    Value e = math::FmaOp::create(k.builder(), v, factor, offset);
    p.push_back(exp2(e));
    sum = k.addF(sum, p.back());
  }
  row.sum = k.addF(k.mulF(row.sum, alpha), sum);
  row.max = newMax;
  return alpha;
}

SmallVector<Value>
OnlineSoftmax::rescaleUnlessSteady(ArrayRef<Value> alpha, ArrayRef<Row> rows,
                                   ArrayRef<Value> o,
                                   function_ref<int64_t(int64_t)> rowOf) {
  ImplicitLocOpBuilder &b = k.builder();
  Value steady;
  for (auto [rr, row] : llvm::enumerate(rows)) {
    Value settled = arith::OrIOp::create(
        b, k.cmpF(arith::CmpFPredicate::OEQ, alpha[rr], k.f32(1)),
        k.cmpF(arith::CmpFPredicate::OEQ, row.max, k.negInf()));
    steady = steady ? k.andI(steady, settled) : settled;
  }
  Value allSteady = NVVM::VoteSyncOp::create(b, b.getI1Type(), k.i32(-1),
                                             steady, NVVM::VoteSyncKind::all);
  return k.selectBranch(
      allSteady, [&] { return SmallVector<Value>(o.begin(), o.end()); },
      [&] {
        SmallVector<Value> scaled;
        for (auto [i, v] : llvm::enumerate(o))
          scaled.push_back(k.mulF(v, alpha[rowOf(i)]));
        return scaled;
      });
}

Value OnlineSoftmax::referenceMax(Value oldMax, Value tileMax) {
  Value newMax = k.maxF(oldMax, tileMax);
  if (!lazySlack)
    return newMax;
  // Keep the old max while the new one is at most slack above it (in logit
  // units: slack / log2 e). A first max (old -inf: +inf growth) and NaN
  // (unordered) take the new one.
  Value growth = k.subF(newMax, oldMax);
  Value keep =
      k.cmpF(arith::CmpFPredicate::OLE, growth, k.f32(*lazySlack / M_LOG2E));
  return k.select(keep, oldMax, newMax);
}

Value OnlineSoftmax::safeMax(Value max) {
  Value isEmpty = k.cmpF(arith::CmpFPredicate::OEQ, max, k.negInf());
  return k.select(isEmpty, k.f32(0), max);
}

Value OnlineSoftmax::hasKeys(Value sum) {
  return k.cmpF(arith::CmpFPredicate::UNE, sum, k.f32(0));
}

std::pair<Value, Value> OnlineSoftmax::sinkTerms(Value sum, Value max,
                                                 Value sink) {
  Value all = k.maxF(max, sink);
  Value keep = exp(k.subF(max, all));
  Value denom = k.addF(k.mulF(sum, keep), exp(k.subF(sink, all)));
  return {keep, denom};
}

Value OnlineSoftmax::rowFactor(Value sum, Value max, Value hasKeys,
                               Value sink) {
  if (!sink)
    return k.select(hasKeys, k.divF(k.f32(1), sum), k.f32(0));
  auto [keep, denom] = sinkTerms(sum, max, sink);
  return k.divF(keep, denom);
}

Value OnlineSoftmax::logSumExp(Value max, Value sum, Value hasKeys) {
  return k.select(hasKeys, k.addF(max, math::LogOp::create(k.builder(), sum)),
                  k.negInf());
}

Value OnlineSoftmax::exp(Value x) { return exp2(k.mulF(x, k.f32(M_LOG2E))); }

Value OnlineSoftmax::exp2(Value x) {
  // ex2.approx.ftz: one MUFU.EX2. Without .ftz (what math.exp2 becomes)
  // ptxas wraps it in a compare and two predicated multiplies that keep
  // subnormal results; an exponent of a logit minus its row's max is <= 0,
  // and a probability below 2^-126 weighs nothing beside the max's 1.
  // Inline PTX without side effects: MLIR and LLVM may move and merge it
  // like the arithmetic around it (llvm.call_intrinsic would be a barrier
  // to CSE across it).
  return k.inlinePtx(k.builder().getF32Type(), x, "ex2.approx.ftz.f32 $0, $1;",
                     "=f,f",
                     /*hasSideEffects=*/false);
}
