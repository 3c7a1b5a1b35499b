//===- SharedMemory.cpp - Shared-memory tiles of the kernels --------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "SharedMemory.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::paged_attn;

SmallVector<Value, 2> SharedTile::at(KernelBuilder &k, Value row,
                                     Value col) const {
  Value region = k.div(col, inner);
  Value c = k.rem(col, inner);
  Value physRow = k.add(k.mul(region, regionRows), row);
  if (!swizzled)
    return {physRow, c};
  Value chunk = k.xorI(k.div(c, 8), k.rem(row, 8));
  return {physRow, k.add(k.mul(chunk, 8), k.rem(c, 8))};
}

static gpu::AddressSpaceAttr getWorkgroupSpace(MLIRContext *ctx) {
  return gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
}

SharedMemory::SharedMemory(KernelBuilder &k, int64_t bytes) : k(k) {
  ImplicitLocOpBuilder &b = k.builder();
  MLIRContext *ctx = b.getContext();
  auto space = getWorkgroupSpace(ctx);
  auto globalType =
      MemRefType::get({0}, b.getI8Type(), MemRefLayoutAttrInterface(), space);
  auto module =
      b.getInsertionBlock()->getParentOp()->getParentOfType<gpu::GPUModuleOp>();
  StringRef name = "__attn_dynamic_shared";
  if (!module.lookupSymbol(name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    // Public and uninitialized: an `.extern .shared` array, i.e. the
    // dynamic shared memory (a private one would be a static 1-byte array).
    memref::GlobalOp::create(b, name, StringAttr(), globalType, Attribute(),
                             /*constant=*/false, b.getI64IntegerAttr(1024));
  }
  Value global = memref::GetGlobalOp::create(b, globalType, name);
  auto viewType = MemRefType::get({bytes}, b.getI8Type(),
                                  MemRefLayoutAttrInterface(), space);
  shared = memref::ReinterpretCastOp::create(
      b, viewType, global, 0, ArrayRef<int64_t>{bytes}, ArrayRef<int64_t>{1});
  base = k.idx(0);
}

Value SharedMemory::view(Value byteOffset, ArrayRef<int64_t> shape, Type elem) {
  ImplicitLocOpBuilder &b = k.builder();
  auto type = MemRefType::get(shape, elem, MemRefLayoutAttrInterface(),
                              getWorkgroupSpace(b.getContext()));
  return memref::ViewOp::create(b, type, shared, k.add(base, byteOffset),
                                ValueRange{});
}
