//===- KernelBuilder.h - Small IR-building helpers for kernels --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Arithmetic and control-flow shorthands shared by the device kernels and the
// host code of the paged_attn lowering. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_KERNELBUILDER_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <functional>

namespace mlir {
namespace paged_attn {

/// Builds index and f32 arithmetic and structured control flow at the
/// builder's insertion point.
class KernelBuilder {
public:
  explicit KernelBuilder(ImplicitLocOpBuilder &b) : b(b) {}

  ImplicitLocOpBuilder &builder() { return b; }

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, b.getI32Type(), v);
  }
  Value i64(int64_t v) {
    return arith::ConstantIntOp::create(b, b.getI64Type(), v);
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value negInf() { return f32(-std::numeric_limits<double>::infinity()); }

  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  Value ceilDiv(Value x, Value y) {
    return arith::CeilDivUIOp::create(b, x, y);
  }
  Value xorI(Value x, Value y) { return arith::XOrIOp::create(b, x, y); }
  Value minS(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value maxS(Value x, Value y) { return arith::MaxSIOp::create(b, x, y); }
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, idx(y)); }
  Value mul(Value x, int64_t y) { return y == 1 ? x : mul(x, idx(y)); }
  Value div(Value x, int64_t y) { return y == 1 ? x : div(x, idx(y)); }
  Value rem(Value x, int64_t y) { return rem(x, idx(y)); }

  Value cmp(arith::CmpIPredicate pred, Value x, Value y) {
    return arith::CmpIOp::create(b, pred, x, y);
  }
  Value lt(Value x, Value y) { return cmp(arith::CmpIPredicate::slt, x, y); }
  Value le(Value x, Value y) { return cmp(arith::CmpIPredicate::sle, x, y); }
  Value ge(Value x, Value y) { return cmp(arith::CmpIPredicate::sge, x, y); }
  Value eq(Value x, Value y) { return cmp(arith::CmpIPredicate::eq, x, y); }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, c, x, y);
  }

  Value addF(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value subF(Value x, Value y) { return arith::SubFOp::create(b, x, y); }
  Value mulF(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  Value divF(Value x, Value y) { return arith::DivFOp::create(b, x, y); }
  Value maxF(Value x, Value y) { return arith::MaximumFOp::create(b, x, y); }
  Value cmpF(arith::CmpFPredicate pred, Value x, Value y) {
    return arith::CmpFOp::create(b, pred, x, y);
  }

  Value toIndex(Value v) {
    return arith::IndexCastOp::create(b, b.getIndexType(), v);
  }
  Value toI32(Value v) {
    return arith::IndexCastOp::create(b, b.getI32Type(), v);
  }
  Value toI64(Value v) {
    return arith::IndexCastOp::create(b, b.getI64Type(), v);
  }

  /// `scf.for` without results; `body` gets the induction variable.
  void forLoop(Value lb, Value ub, Value step,
               const std::function<void(Value)> &body) {
    auto loop = scf::ForOp::create(b, lb, ub, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// `scf.if` without results or else branch.
  void ifThen(Value cond, const std::function<void()> &body) {
    auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    body();
  }

  /// `scf.if` with an else branch and no results.
  void ifThenElse(Value cond, const std::function<void()> &thenBody,
                  const std::function<void()> &elseBody) {
    auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    thenBody();
    b.setInsertionPoint(op.elseBlock()->getTerminator());
    elseBody();
  }

  /// `scf.if` whose branches each return values of the same types.
  SmallVector<Value>
  selectBranch(Value cond, const std::function<SmallVector<Value>()> &thenBody,
               const std::function<SmallVector<Value>()> &elseBody) {
    // scf.if infers its result types from the then branch's yield.
    auto branch = [&](const std::function<SmallVector<Value>()> &body) {
      return [&, body](OpBuilder &nested, Location) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        scf::YieldOp::create(b, body());
      };
    };
    auto op = scf::IfOp::create(b, cond, branch(thenBody), branch(elseBody));
    return SmallVector<Value>(op.getResults());
  }

  /// Inline PTX `ptx` (AT&T operand syntax, $N) on `operands` with LLVM
  /// inline-asm `constraints`; its result (of `resultType`: a value, an LLVM
  /// struct of several, or none when null). Without side effects it may be
  /// moved, merged or dropped like arithmetic.
  Value inlinePtx(Type resultType, ValueRange operands, StringRef ptx,
                  StringRef constraints, bool hasSideEffects);

private:
  ImplicitLocOpBuilder &b;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_KERNELBUILDER_H
