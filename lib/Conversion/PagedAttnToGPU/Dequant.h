//===- Dequant.h - fp8 and NVFP4 to the MMA type ----------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Converts quantized cache and query bytes into the 16-bit type the MMAs
// compute in (f16 or bf16), eight values at a time, with the instructions
// the chip has (TargetInfo): cvt.rn.f16x2.e4m3x2 for e4m3 on both chips;
// for e2m1, cvt.rn.f16x2.e2m1x2 where it exists (sm_100a, f16) and integer
// bit placement everywhere else. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DEQUANT_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DEQUANT_H

#include "KernelBuilder.h"
#include "MmaSync.h"

#include "attn/Support/TargetInfo.h"

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
  /// Two e4m3 bytes chosen from the 8 bytes of (lo, hi) by a prmt
  /// `selector` (i32) that puts them at bytes 1 and 3 (bytes 0 and 2 are
  /// ignored), as a vector<2x compute type> (byte 1 low). Integer bit
  /// placement and one multiply by a power of two: no conversion
  /// instructions. `nanSelector` selects the same two bytes with sign
  /// replication into bytes {0, 1} and {2, 3} (selector nibbles 8 | i):
  /// e4m3's NaN codes stay NaN.
  Value fp8Pair(Value lo, Value hi, Value selector, Value nanSelector);
  /// The four e4m3 bytes of a 32-bit `word` as two MMA operand registers:
  /// {bytes (0, 2), bytes (1, 3)} (low byte, low half). Bytes 1 and 3 sit
  /// at the top of the word's 16-bit halves already and bytes 0 and 2 after
  /// one shift: no byte permutes.
  std::pair<Value, Value> fp8WordRegisters(Value word);
  /// Nibbles i and i + 4 (e2m1 codes, i in 0..3) of a 32-bit `word` times
  /// `scales` (a vector<2x compute type>, one per nibble), as one MMA
  /// operand register: the nibbles move to the top of the 16-bit halves,
  /// the code's bits into place, one multiply by a power of two and one by
  /// the scales (exact, as for nvfp4x8).
  Value nvfp4PairRegister(Value word, int64_t i, Value scales);

private:
  KernelBuilder &k;
  Type computeType;
  const attn::TargetInfo &target;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DEQUANT_H
