//===- MmaSync.h - mma.sync fragments of the kernels ------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Warp-level MMA with mma.sync m16n8k16 on 16-bit operands (f16 or bf16)
// and f32 accumulators: operand fragments from shared memory (ldmatrix),
// register packing, the MMA itself, and the reductions along an
// accumulator row. PTX ISA 9.7.13.4 (mma.m16n8k16) and 9.7.13.4.15
// (ldmatrix). Internal to lib/Conversion.
//
// Accumulator layout (c0..c3): lane l holds rows g = l / 4 and g + 8,
// columns 2 * (l % 4) and 2 * (l % 4) + 1 of an m16n8 tile, so a row is
// spread over the 4 lanes of a quad.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_MMASYNC_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_MMASYNC_H

#include "KernelBuilder.h"
#include "SharedMemory.h"

namespace mlir {
namespace paged_attn {

/// An m16n8 f32 accumulator fragment: c0..c3.
using Acc = SmallVector<Value, 4>;

/// The sign bits of both halves of a 32-bit f16 or bf16 pair: an xor with
/// them negates both values exactly (a K scale's sign moved into q).
inline constexpr int64_t kPairSignBits = 0x80008000;

/// A vector<2xf16> or vector<2xbf16> pair as an mma.sync operand register:
/// nvvm.mma.sync takes f16 pairs as they are and bf16 pairs as i32.
Value asMmaRegister(ImplicitLocOpBuilder &b, Value pair);

/// `v` reduced (max, NaN-propagating, or sum) over the lanes that differ in
/// the lane-index bits of `offsets` (shfl.bfly by each offset in turn).
Value xorReduce(KernelBuilder &k, Value v, ArrayRef<int32_t> offsets,
                bool isMax);
/// `v` reduced (as xorReduce) over the whole warp.
inline Value warpReduce(KernelBuilder &k, Value v, bool isMax) {
  return xorReduce(k, v, {16, 8, 4, 2, 1}, isMax);
}

class MmaSyncF16 {
public:
  /// MMAs whose operands are `elemType` (f16 or bf16).
  MmaSyncF16(KernelBuilder &k, Type elemType) : k(k), elemType(elemType) {}

  /// The four 8x8 matrices of an ldmatrix.x4 at (row, col) of `tile` (the
  /// calling lane's address), as operand registers.
  SmallVector<Value, 4> ldmatrix(const SharedTile &tile, Value row, Value col,
                                 bool transpose);
  /// Packs two 16-bit values into one operand register.
  Value pack(Value lo, Value hi);
  /// A vector<2xT> pair as the operand register type for T.
  Value asRegister(Value pair);
  /// Two f32 values rounded to the operand type and packed (lo low).
  Value packRounded(Value lo, Value hi);
  /// The A fragment of P for keys 16 kb .. 16 kb + 15, from a lane's f32
  /// probabilities in the accumulator order (p[rr][2 n + j]: row g + 8 rr,
  /// key 8 n + 2 tig + j), rounded to the operand type: {row g keys 0-7,
  /// row g+8 keys 0-7, row g keys 8-15, row g+8 keys 8-15}.
  SmallVector<Value> pFragment(ArrayRef<SmallVector<Value>> p, int64_t kb);
  /// The 8x8 16-bit matrix whose rows the warp holds as accumulator-style
  /// pairs (lane 4 r + c: row r, columns 2 c, 2 c + 1) transposed, in the
  /// same layout (movmatrix.sync.aligned.m8n8.trans.b16).
  Value transpose8x8(Value reg);
  /// D = A B + C (A: 4 registers, B: 2 registers).
  Acc mma(ArrayRef<Value> a, ArrayRef<Value> bFrag, const Acc &c);

  /// Reduces `v` over the quad of lanes that hold one accumulator row: the
  /// row's max or sum.
  Value rowMax(Value v) { return xorReduce(k, v, {1, 2}, /*isMax=*/true); }
  Value rowSum(Value v) { return xorReduce(k, v, {1, 2}, /*isMax=*/false); }

private:
  KernelBuilder &k;
  Type elemType;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_MMASYNC_H
