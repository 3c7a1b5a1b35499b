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

private:
  KernelBuilder &k;
  Type computeType;
  const attn::TargetInfo &target;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_DEQUANT_H
