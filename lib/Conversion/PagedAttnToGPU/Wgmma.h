//===- Wgmma.h - Warpgroup MMA (wgmma) on shared-memory tiles ---*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// wgmma.mma_async m64nNk16 for 16-bit operands (sm_90a): matrix descriptors
// of 128-byte swizzled shared-memory tiles (the layout TMA writes with
// SWIZZLE_128B: 8-row atoms of 128-byte rows), the shared-memory A form
// (nvvm.wgmma.mma_async) and the register A form (inline PTX: the NVVM op
// takes descriptors only), and the fence / commit / wait that order them.
// Accumulators are f32, per thread in the mma.sync C order: for each n8
// block j, {row g, cols 8j + 2 tig + (0, 1)}, {row g + 8, same cols}, rows
// relative to the warp's 16 of the warpgroup's 64. Internal to
// lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_WGMMA_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_WGMMA_H

#include "KernelBuilder.h"
#include "MmaSync.h"

namespace mlir {
namespace paged_attn {

class WgmmaF16 {
public:
  /// `elemType`: bf16 or f16.
  WgmmaF16(KernelBuilder &k, Type elemType) : k(k), elemType(elemType) {}

  /// A descriptor of a 128-byte swizzled tile, as its two words: `low`
  /// (i32: the start address >> 4 in bits 0-13, the leading byte offset
  /// >> 4 in bits 16-29) and the constant high word (the stride byte offset
  /// >> 4, the swizzle). Shared-memory addresses stay below 2^18, so adding
  /// `bytes >> 4` to `low` moves the start by `bytes` without a carry out of
  /// its field: a tile's descriptors are one base plus constants.
  struct Descriptor {
    Value low;
    int64_t strideBytes;
  };
  /// The descriptor of the tile at shared-memory address `address` (i64,
  /// 1024-byte aligned up to k-step offsets). `leadingBytes`: between
  /// 64-element column blocks along MN (MN-major operands); `strideBytes`:
  /// between 8-row groups.
  Descriptor descriptor(Value address, int64_t leadingBytes,
                        int64_t strideBytes);
  /// `d` moved by `bytes` (a multiple of 16; i32 or a constant).
  Descriptor advance(Descriptor d, int64_t bytes);
  Descriptor advance(Descriptor d, Value bytes);
  /// The i64 descriptor wgmma reads.
  Value value(Descriptor d);

  /// D = A B (+ D unless `accumulate` is false), m64nNk16, A and B from
  /// shared memory, both K-major. `acc` holds N / 2 f32.
  SmallVector<Value> mmaShared(Value descA, Value descB, ArrayRef<Value> acc,
                               int64_t n, bool accumulate);
  /// D += A B, m64nNk16, A from registers (four packed pairs, the mma.sync
  /// A fragment of the warp's 16 rows), B from shared memory, MN-major
  /// (N contiguous) when `transposeB`.
  SmallVector<Value> mmaRegisterA(ArrayRef<Value> a, Value descB,
                                  ArrayRef<Value> acc, int64_t n,
                                  bool transposeB);

  /// Orders register accesses before the next wgmma (wgmma.fence).
  void fence();
  /// Closes the group of wgmmas issued so far (wgmma.commit_group).
  void commit();
  /// Waits until at most `pending` groups are in flight (wgmma.wait_group).
  void wait(int64_t pending);
  /// wait() that also reads `inFlight` (A registers of a wgmma it
  /// completes), so that no register allocation reuses them for values
  /// computed before the wait.
  void wait(int64_t pending, ArrayRef<Value> inFlight);
  /// `values` (f32 or i32) passed through an empty side-effecting asm: their
  /// uses stay after the wait before it (LLVM may otherwise move arithmetic
  /// on an accumulator above the wgmma.wait_group that completes it), and
  /// registers carried across iterations are written only here (not while
  /// a wgmma still reads the previous iteration's).
  SmallVector<Value> fenceOperands(ArrayRef<Value> values);
  /// An A fragment register (packed pair) as the i32 wgmma reads.
  Value asI32(Value pair);

private:
  KernelBuilder &k;
  Type elemType;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_WGMMA_H
