//===- Dequant.h - fp8 and NVFP4 to the MMA type ----------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Converts quantized cache and query bytes into the 16-bit type the MMAs
// compute in, with the instructions the chip has (TargetInfo):
// cvt.rn.f16x2.e4m3x2 for e4m3 on both chips; for e2m1,
// cvt.rn.f16x2.e2m1x2 where it exists (sm_100a, f16) and integer bit
// placement everywhere else. Eight values at a time into 16-bit tiles
// (fp8x8, nvfp4x8), or a 32-bit register of staged bytes straight into
// f16 MMA operand registers (fp8Halves, nvfp4PairRegister). Internal to
// lib/Conversion.
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DEQUANT_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DEQUANT_H

#include "KernelBuilder.h"
#include "MmaSync.h"

#include "attn/Kernels/DecodePlan.h"
#include "attn/Support/TargetInfo.h"

#include <optional>

namespace mlir {
namespace paged_attn {

class Dequantizer {
public:
  /// Converts into `computeType` (f16 or bf16) on `target`.
  Dequantizer(KernelBuilder &k, Type computeType,
              const attn::TargetInfo &target)
      : k(k), computeType(computeType), target(target) {}

  /// Eight e4m3 bytes (vector<8xi8>) as eight compute-type values.
  Value fp8x8(Value bytes);
  /// Four nvfp4 bytes (vector<4xi8>: eight e2m1 values, low nibble first)
  /// times one e4m3 block scale byte, as eight compute-type values.
  Value nvfp4x8(Value bytes, Value scaleByte);
  /// Eight f16 values as the compute type.
  Value fromHalf(Value halves);
  /// The four e4m3 bytes of a 32-bit `word` as two f16 MMA operand
  /// registers {bytes (0, 1), bytes (2, 3)} (low byte, low half): two
  /// cvt.rn.f16x2.e4m3x2, exact, NaN included. They run on the conversion
  /// pipe, which the MMA loop leaves idle otherwise; one instruction per two
  /// values, against about three for integer bit placement.
  std::pair<Value, Value> fp8Halves(Value word);
  /// The bytes of (lo, hi) that a prmt `selector` puts at bytes 0 and 1, as
  /// f16 (cvt.rn.f16x2.e4m3x2; byte 0 low): a pair of e4m3 block scales.
  Value fp8PickPair(Value lo, Value hi, Value selector);
  /// Nibbles i and i + 4 (e2m1 codes, i in 0..3) of a 32-bit `word` times
  /// `scales` (f16 block scales, one per nibble) and 2^-14, as one f16 MMA
  /// operand register: each half's sign and code bits put in place (the
  /// value times 2^-14, e2m1's 0.5 a subnormal) by two shifts and one
  /// and-or of the word's masked even or odd nibbles, or (`bytePermute`)
  /// by a prmt of the word's nibbles made bytes in place (the same bits,
  /// more of them on the ALU pipe, fewer on the FMA pipe); then one
  /// multiply by the scales. Exact: e2m1
  /// times e4m3 is an integer multiple of 2^-10, so the product times 2^-14
  /// is one of 2^-24, f16's subnormal step, with at most 6 significant bits.
  /// The 2^14 is owed by whoever reads the register (nvfp4RegisterUnscale).
  Value nvfp4PairRegister(Value word, int64_t i, Value scales,
                          bool bytePermute = false);
  /// Byte `byte` of a 32-bit `word` (two e2m1 codes, the low nibble the
  /// low half) times `scales` (f16 block scales, one per half), as one f16
  /// MMA operand register (DecodeNvfp4::BytePairs). A word's four bytes are
  /// converted once, at its first register (e2m1BytePairs). Exact, and not
  /// scaled by 2^-14.
  Value nvfp4BytePair(Value word, int64_t byte, Value scales);
  /// A transposed V register (nibbles 0-3 of key 2 tig in bits 0-15, of
  /// key 2 tig + 1 in bits 16-31) with its keys' nibbles interleaved:
  /// byte keyPairByte(i) holds nibble i of both keys, key 2 tig low. One
  /// delta swap of nibbles 1, 3 with 4, 6 (four operations a word).
  Value interleaveKeyNibbles(Value word);
  static int64_t keyPairByte(int64_t i) { return (i % 2) * 2 + i / 2; }
  /// A staged word as an f16 MMA operand register, unconverted and
  /// unscaled (DecodeNvfp4::LeaveOut: timing only, wrong values).
  Value nvfp4Unconverted(Value word);
  /// 2^14 for a plan whose NVFP4 cache is converted in registers by
  /// placement (nvfp4PairRegister), which the logits (K) and the output
  /// (V) take back; nothing otherwise (byte pairs are exact).
  static std::optional<double> nvfp4RegisterUnscale(const DecodePlan &plan) {
    if (plan.registerDequant && plan.nvfp4 &&
        plan.nvfp4Conversion == DecodeNvfp4::Placement)
      return 16384.0;
    return std::nullopt;
  }

private:
  /// The four bytes of `word` as f16 pairs: cvt.rn.f16x2.e2m1x2 where the
  /// chip has it (one inline-PTX block: the bytes unpacked into .b8
  /// registers, which the cvts read in place; nvfp4x8's f16 tiles use it
  /// too), else the same values by integer placement (as nvfp4x8) and one
  /// multiply by 2^14 each.
  SmallVector<Value, 4> e2m1BytePairs(Value word);

  KernelBuilder &k;
  Type computeType;
  const attn::TargetInfo &target;
  /// e2m1BytePairs of each word converted so far.
  llvm::DenseMap<Value, SmallVector<Value, 4>> bytePairs;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DEQUANT_H
