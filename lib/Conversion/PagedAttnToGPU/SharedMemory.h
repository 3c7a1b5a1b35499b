//===- SharedMemory.h - Shared-memory tiles of the kernels ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The kernels' dynamic shared memory (one 1024-byte aligned extern array per
// gpu.module), typed views into it at byte offsets, and 2-D tiles with the
// 128-byte swizzle that TMA writes and ldmatrix reads. Internal to
// lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SHAREDMEMORY_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SHAREDMEMORY_H

#include "KernelBuilder.h"

namespace mlir {
namespace paged_attn {

/// A tile in shared memory: `regions` column slices of `inner` elements,
/// each `regionRows` rows deep, 128-byte swizzled or not. Logical (row, col)
/// maps to (physical row, physical col) of a 2-D view.
struct SharedTile {
  Value view;
  int64_t inner;
  int64_t regionRows;
  bool swizzled;

  /// Indices of logical (row, col); `col` must be a multiple of 8 when the
  /// tile is swizzled and the caller reads 16 bytes.
  SmallVector<Value, 2> at(KernelBuilder &k, Value row, Value col) const;
};

/// The kernel's dynamic shared memory, `bytes` of it, 1024-byte aligned (a
/// 128-byte swizzle repeats every 1024 bytes; gpu.dynamic_shared_memory is
/// only 16-byte aligned).
class SharedMemory {
public:
  /// Declares the module's extern shared array (once) and views `bytes`.
  SharedMemory(KernelBuilder &k, int64_t bytes);

  /// A `shape` x `elem` view at `byteOffset` bytes from the base.
  Value view(Value byteOffset, ArrayRef<int64_t> shape, Type elem);

private:
  KernelBuilder &k;
  Value shared, base;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_SHAREDMEMORY_H
