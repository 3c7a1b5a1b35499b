//===- Dequant.cpp - fp8 and NVFP4 to the MMA type ------------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "Dequant.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::paged_attn;

/// cvt.rn.f16x2.e4m3x2 of two e4m3 bytes (vector<2xi8>, byte 0 low):
/// exact, NaN kept.
/// The 32-bit `bits` as two 16-bit `elem` values (vector<2 x elem>).
static Value bitsAsPair(ImplicitLocOpBuilder &b, Type elem, Value bits) {
  return vector::BitCastOp::create(
      b, VectorType::get({2}, elem),
      vector::BroadcastOp::create(b, VectorType::get({1}, b.getI32Type()),
                                  bits));
}

static Value e4m3PairToHalf(ImplicitLocOpBuilder &b, Value two) {
  return NVVM::ConvertF8x2ToF16x2Op::create(
      b, VectorType::get({2}, b.getF16Type()), two, /*relu=*/false,
      b.getType<Float8E4M3FNType>());
}

Value Dequantizer::fromHalf(Value halves) {
  ImplicitLocOpBuilder &b = k.builder();
  if (computeType.isF16())
    return halves;
  // bf16: exact for every value a quantized cache or q produces.
  return arith::TruncFOp::create(
      b, VectorType::get({8}, computeType),
      arith::ExtFOp::create(b, VectorType::get({8}, b.getF32Type()), halves));
}

Value Dequantizer::fp8x8(Value bytes) {
  ImplicitLocOpBuilder &b = k.builder();
  // cvt.rn.f16x2.e4m3x2, two values at a time.
  Type f16 = b.getF16Type();
  SmallVector<Value> halves;
  for (int64_t pair = 0; pair < 4; ++pair) {
    Value two = vector::FromElementsOp::create(
        b, VectorType::get({2}, b.getI8Type()),
        ValueRange{
            vector::ExtractOp::create(b, bytes, ArrayRef<int64_t>{2 * pair}),
            vector::ExtractOp::create(b, bytes,
                                      ArrayRef<int64_t>{2 * pair + 1})});
    Value h = e4m3PairToHalf(b, two);
    for (int64_t j = 0; j < 2; ++j)
      halves.push_back(vector::ExtractOp::create(b, h, ArrayRef<int64_t>{j}));
  }
  return fromHalf(
      vector::FromElementsOp::create(b, VectorType::get({8}, f16), halves));
}

/// Byte j of the i32 `word` (two e2m1 codes) placed in two 16-bit halves
/// (low nibble, low half): each sign at bit 15, each code at bits codeShift
/// + 2 .. codeShift (f16: 9, the value times 2^-14; bf16: 6, times 2^-126).
static Value placeE2M1Byte(KernelBuilder &k, Value word, int64_t j,
                           int64_t codeShift) {
  ImplicitLocOpBuilder &b = k.builder();
  // Byte j as b | b << 12: the low nibble at bits 0-3, the high one at
  // bits 16-19; then codes and signs move to their places in both halves.
  Value x = arith::AndIOp::create(
      b, arith::ShRUIOp::create(b, word, k.i32(8 * j)), k.i32(0xFF));
  Value spread =
      arith::OrIOp::create(b, x, arith::ShLIOp::create(b, x, k.i32(12)));
  auto field = [&](int64_t mask, int64_t shift) {
    return arith::ShLIOp::create(
        b, arith::AndIOp::create(b, spread, k.i32(mask)), k.i32(shift));
  };
  return arith::OrIOp::create(b, field(0x00070007, codeShift),
                              field(0x00080008, 12));
}

Value Dequantizer::nvfp4x8(Value bytes, Value scaleByte) {
  ImplicitLocOpBuilder &b = k.builder();
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  Type elem = computeType;
  auto pairType = VectorType::get({2}, elem);
  // The block scale in the compute type (exact), in both lanes.
  Value scalePair = e4m3PairToHalf(
      b, vector::FromElementsOp::create(
             b, VectorType::get({2}, i8),
             ValueRange{scaleByte,
                        arith::ConstantIntOp::create(b, i8, 0).getResult()}));
  Value scale = vector::ExtractOp::create(b, scalePair, ArrayRef<int64_t>{0});
  if (elem.isBF16())
    scale = arith::TruncFOp::create(
        b, elem, arith::ExtFOp::create(b, b.getF32Type(), scale));
  scale = vector::BroadcastOp::create(b, pairType, scale);
  // An e2m1 code s.e1e0.m placed in a 16-bit float as the sign bit and the
  // three bits above the mantissa's top bit (f16: bits 11-9, exponent
  // field 000e1e0, mantissa m0...; bf16: bits 8-6) is the e2m1 value times
  // 2^-14 (f16) or 2^-126 (bf16), subnormals included (0.5 = m at the
  // mantissa's top of a zero exponent). So: place both nibbles of a byte,
  // then multiply by 2^14 or 2^126 (exact). No conversion instructions,
  // which run at a quarter of the integer rate.
  bool bf16 = elem.isBF16();
  int64_t codeShift = bf16 ? 6 : 9;
  Value unscale = arith::ConstantOp::create(
      b,
      DenseElementsAttr::get(
          pairType, bf16 ? b.getFloatAttr(elem, std::ldexp(1.0, 126)).getValue()
                         : b.getFloatAttr(elem, 16384.0).getValue()));
  Value word = vector::ExtractOp::create(
      b, vector::BitCastOp::create(b, VectorType::get({1}, i32), bytes),
      ArrayRef<int64_t>{0});
  // cvt.rn.f16x2.e2m1x2 where the chip has it (the low nibble becomes the
  // low half), the word's four bytes in one block, as the register path.
  SmallVector<Value, 4> cvtPairs;
  if (target.hasCvtE2M1ToF16x2() && !bf16)
    cvtPairs = e2m1BytePairs(word);
  SmallVector<Value> values;
  for (int64_t j = 0; j < 4; ++j) {
    Value pair;
    if (!cvtPairs.empty()) {
      pair = cvtPairs[j];
    } else {
      Value bits = placeE2M1Byte(k, word, j, codeShift);
      pair = k.mulF(bitsAsPair(b, elem, bits), unscale);
    }
    // e2m1 times e4m3 has at most 6 significant bits and a magnitude of at
    // most 6 * 448: exact in f16 and bf16.
    pair = k.mulF(pair, scale);
    for (int64_t h = 0; h < 2; ++h)
      values.push_back(
          vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{h}));
  }
  return vector::FromElementsOp::create(b, VectorType::get({8}, elem), values);
}

/// Two e4m3 bytes, the low 16 bits of `x`, as vector<2xf16> (byte 0 low).
static Value fp8x2ToHalf(KernelBuilder &k, Value x) {
  ImplicitLocOpBuilder &b = k.builder();
  Value two = vector::BitCastOp::create(
      b, VectorType::get({2}, b.getI8Type()),
      vector::BroadcastOp::create(b, VectorType::get({1}, b.getI16Type()), x));
  return e4m3PairToHalf(b, two);
}

Value Dequantizer::fp8PickPair(Value lo, Value hi, Value selector) {
  ImplicitLocOpBuilder &b = k.builder();
  Value x = NVVM::PermuteOp::create(b, b.getI32Type(), lo, hi, selector,
                                    NVVM::PermuteMode::DEFAULT);
  return fp8x2ToHalf(k, arith::TruncIOp::create(b, b.getI16Type(), x));
}

std::pair<Value, Value> Dequantizer::fp8Halves(Value word) {
  ImplicitLocOpBuilder &b = k.builder();
  Value halves = bitsAsPair(b, b.getI16Type(), word);
  auto half = [&](int64_t h) {
    return fp8x2ToHalf(
        k, vector::ExtractOp::create(b, halves, ArrayRef<int64_t>{h}));
  };
  return {half(0), half(1)};
}

Value Dequantizer::nvfp4PairRegister(Value word, int64_t i, Value scales,
                                      bool bytePermute) {
  ImplicitLocOpBuilder &b = k.builder();
  assert(computeType.isF16() && "register dequantization computes in f16");
  // Each half takes the sign at its bit 15 and the code at bits 11-9
  // (exponent 000e1e0, mantissa m0..: the value times 2^-14, e2m1's 0.5 a
  // subnormal, as nvfp4x8). Two placements, the same bits:
  Value bits;
  if (!bytePermute) {
    // The word's even nibbles (i = 0, 2) or odd ones (1, 3) alone, the
    // others cleared: shifted by d (code) and d + 3 (sign), each field
    // lands where the other shift left zeros, so one and-or per register
    // places both halves' fields: {9, 12} (nibbles 0, 4), {1, 4} (2, 6),
    // {5, 8} (1, 5), {-3, 0} (3, 7). A word's four registers share the two
    // masks: 13 operations a word of eight, 7 on the ALU pipe (the shifts
    // by a constant run as IMAD.SHL, on the FMA pipe).
    Value half = arith::AndIOp::create(
        b, word, k.i32(i % 2 ? 0xF0F0F0F0 : 0x0F0F0F0F));
    static constexpr int64_t kCodeShift[4] = {9, 5, 1, -3};
    auto shifted = [&](int64_t by) -> Value {
      if (by > 0)
        return arith::ShLIOp::create(b, half, k.i32(by));
      if (by < 0)
        return arith::ShRUIOp::create(b, half, k.i32(-by));
      return half;
    };
    bits = arith::AndIOp::create(
        b,
        arith::OrIOp::create(b, shifted(kCodeShift[i]),
                             shifted(kCodeShift[i] + 3)),
        k.i32(0x8E008E00));
  } else {
    // The half's high byte is s000 e1e0m0 0 above a zero byte. The even
    // (i = 0, 2) or odd (1, 3) nibbles become such bytes in place: odd,
    // the sign stays at bit 7 and the code moves down 3; even, the sign
    // moves up 4 and the code up 1. Then one prmt a register puts bytes 0
    // and 2 (nibbles i, i + 4 for i = 0, 1) or 1 and 3 (i = 2, 3) above
    // zero bytes: 11 operations a word, but 9 on the ALU pipe. Measured on
    // the H200 (session 16): for V with K's and-or placement, NVFP4 +1% at
    // head_dim 128 and +6% at 256; for both operands, -1% at 128, though
    // 50 fewer instructions a warp-tile (no pipe is saturated there: the
    // warps wait on dependency chains, which the prmt lengthens by one).
    Value placed;
    if (i % 2) {
      Value code = arith::AndIOp::create(
          b, arith::ShRUIOp::create(b, word, k.i32(3)), k.i32(0x0E0E0E0E));
      placed = arith::OrIOp::create(
          b, arith::AndIOp::create(b, word, k.i32(0x80808080)), code);
    } else {
      Value sign = arith::AndIOp::create(
          b, arith::ShLIOp::create(b, word, k.i32(4)), k.i32(0x80808080));
      Value code = arith::AndIOp::create(
          b, arith::ShLIOp::create(b, word, k.i32(1)), k.i32(0x0E0E0E0E));
      placed = arith::OrIOp::create(b, sign, code);
    }
    // Selector nibbles, low output byte first: 4 is a zero byte (the second
    // operand), 0-3 the placed word's bytes.
    bits = NVVM::PermuteOp::create(b, b.getI32Type(), placed, k.i32(0),
                                   k.i32(i < 2 ? 0x2404 : 0x3414),
                                   NVVM::PermuteMode::DEFAULT);
  }
  Value pair = bitsAsPair(b, computeType, bits);
  return asMmaRegister(b, k.mulF(pair, scales));
}

Value Dequantizer::nvfp4Unconverted(Value word) {
  ImplicitLocOpBuilder &b = k.builder();
  return asMmaRegister(b, bitsAsPair(b, b.getF16Type(), word));
}

Value Dequantizer::nvfp4BytePair(Value word, int64_t byte, Value scales) {
  ImplicitLocOpBuilder &b = k.builder();
  assert(computeType.isF16() && "register dequantization computes in f16");
  auto [it, inserted] = bytePairs.try_emplace(word);
  if (inserted)
    it->second = e2m1BytePairs(word);
  return asMmaRegister(b, k.mulF(it->second[byte], scales));
}

SmallVector<Value, 4> Dequantizer::e2m1BytePairs(Value word) {
  ImplicitLocOpBuilder &b = k.builder();
  Type i32 = b.getI32Type();
  auto pairType = VectorType::get({2}, b.getF16Type());
  auto asPair = [&](Value bits) { return bitsAsPair(b, b.getF16Type(), bits); };
  SmallVector<Value, 4> pairs;
  if (target.hasCvtE2M1ToF16x2()) {
    // The word's bytes as four .b8 registers, one cvt each: ptxas reads
    // each byte in place (F2FP.F16.E2M1.UNPACK_B R.B1, .B2, .B3), where
    // the NVVM op's i8 operand costs a shift and a mask a byte.
    auto four =
        LLVM::LLVMStructType::getLiteral(b.getContext(), {i32, i32, i32, i32});
    Value cvts =
        k.inlinePtx(four, ValueRange{word},
                    "{ .reg .b8 b0, b1, b2, b3; mov.b32 {b0, b1, b2, b3}, $4; "
                    "cvt.rn.f16x2.e2m1x2 $0, b0; cvt.rn.f16x2.e2m1x2 $1, b1; "
                    "cvt.rn.f16x2.e2m1x2 $2, b2; cvt.rn.f16x2.e2m1x2 $3, b3; }",
                    "=r,=r,=r,=r,r", /*hasSideEffects=*/false);
    for (int64_t j = 0; j < 4; ++j)
      pairs.push_back(
          asPair(LLVM::ExtractValueOp::create(b, cvts, ArrayRef<int64_t>{j})));
    return pairs;
  }
  // The exact integer equivalent: each half the e2m1 value times 2^-14
  // (placeE2M1Byte, as nvfp4x8's f16 tiles), which one multiply takes back.
  Value unscale = arith::ConstantOp::create(
      b, DenseElementsAttr::get(
             pairType, b.getFloatAttr(b.getF16Type(), 16384.0).getValue()));
  for (int64_t j = 0; j < 4; ++j)
    pairs.push_back(
        k.mulF(asPair(placeE2M1Byte(k, word, j, /*codeShift=*/9)), unscale));
  return pairs;
}

Value Dequantizer::interleaveKeyNibbles(Value word) {
  ImplicitLocOpBuilder &b = k.builder();
  // Nibbles 1 and 3 (key 2 tig's) trade places with 4 and 6 (key 2 tig +
  // 1's), 12 bits apart: t marks where they differ.
  Value t = arith::AndIOp::create(
      b,
      arith::XOrIOp::create(b, word,
                            arith::ShRUIOp::create(b, word, k.i32(12))),
      k.i32(0x0000F0F0));
  return arith::XOrIOp::create(b, arith::XOrIOp::create(b, word, t),
                               arith::ShLIOp::create(b, t, k.i32(12)));
}
