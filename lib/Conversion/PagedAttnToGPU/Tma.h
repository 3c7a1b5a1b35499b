//===- Tma.h - TMA descriptors and loads in the kernels ---------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The device side of the TMA descriptors: the host encodes the descriptors
// of an op (TmaDescriptors, one 128-byte slot each, in slot order) into one
// device buffer whose address is a kernel argument; a kernel reads each
// descriptor by operand (q, k_cache, ...) and issues box loads into shared
// memory that complete on an mbarrier. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMA_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMA_H

#include "KernelBuilder.h"

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

namespace mlir {
namespace paged_attn {

/// Bytes of one encoded descriptor (CUtensorMap), and so of a slot.
constexpr int64_t kTensorMapBytes = 128;

/// The shared-memory shape of one box of `plan`: its box dims, outermost
/// first.
SmallVector<int64_t> getBoxShape(const attn::tma::DescriptorPlan &plan);

/// The element type TMA moves for `operand`: its memref element type, or i8
/// for byte descriptors (fp8 and nvfp4 data, block scales).
Type getTmaMoveType(const TmaOperandPlan &operand);

/// The kernel's view of an op's descriptors.
class TensorMaps {
public:
  /// `address`: the i64 device address of the descriptors' buffer.
  TensorMaps(KernelBuilder &k, Value address, const TmaDescriptors &set)
      : k(k), address(address), set(set) {}

  /// The descriptor of `operand` (a member of the set), typed for
  /// nvgpu.tma.async.load.
  Value get(const TmaOperandPlan &operand);

private:
  KernelBuilder &k;
  Value address;
  const TmaDescriptors &set;
};

/// Loads one box of `map` at `coords` (innermost first) into the shared
/// view `dst`; the load completes on mbarrier `barrier` of `barriers`.
void loadBox(KernelBuilder &k, Value dst, Value barriers, Value barrier,
             Value map, ValueRange coords);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMA_H
