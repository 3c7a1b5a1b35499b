//===- TmaEncoding.h - Host code that checks and encodes TMA ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The host half of "proven or checked": calls into the runtime
// (include/attn/Runtime/Runtime.h) that instantiate a descriptor plan with
// a memref's runtime sizes, strides and offset, check every rule and
// requirement, and encode the descriptor. A broken rule is recorded and no
// kernel launches. Used by every attention lowering and by deferred
// paged_attn.check_tma ops. Internal to lib/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMAENCODING_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMAENCODING_H

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include "llvm/ADT/StringMap.h"

#include <string>

namespace mlir {
namespace paged_attn {

/// Declares (once) the runtime's C functions in a module.
class RuntimeCalls {
public:
  explicit RuntimeCalls(ModuleOp module) : module(module) {}

  func::FuncOp get(StringRef name, TypeRange args, TypeRange results);
  /// Calls `name` (declared from the operand types) and returns its one
  /// result, if any.
  Value call(ImplicitLocOpBuilder &b, StringRef name, ValueRange args,
             TypeRange results);

private:
  ModuleOp module;
};

/// Builds the host code that checks and encodes descriptors.
class TmaEncoder {
public:
  explicit TmaEncoder(ModuleOp module) : runtime(module) {}

  RuntimeCalls &getRuntime() { return runtime; }

  /// Replaces a deferred check by its runtime check.
  LogicalResult lowerCheck(CheckTmaOp op);

  /// Checks and encodes every descriptor of `set` (an op named `opName`, at
  /// `where`) into its own 64-byte aligned 128 bytes of the host stack;
  /// returns a pointer to each (!llvm.ptr), in the order of
  /// TmaDescriptors::all(). A launch passes the bytes by value (Tma.h).
  SmallVector<Value> encodeAll(ImplicitLocOpBuilder &b,
                               const TmaDescriptors &set, StringRef opName,
                               StringRef where, attn::tma::Target chip);

  /// Checks, at run time, every size agreement of `op` (getDimAgreements)
  /// that involves a dynamic size; `where` names the op in messages.
  void checkSizes(ImplicitLocOpBuilder &b, AttentionOpInterface op,
                  StringRef where);

  /// i1: no check of this call has failed (attnRuntimeStatusOk).
  Value statusOk(ImplicitLocOpBuilder &b);

  /// The aligned pointer of `memref`, as an LLVM pointer.
  static Value pointerTo(ImplicitLocOpBuilder &b, Value memref);

private:
  /// Calls attnTmaCheck (no `tensorMap`) or attnTmaEncode for `plan`
  /// instantiated on `memref`, after attnTmaRequireStride for each of its
  /// requirements; returns the call's i32 status.
  Value emitTmaCall(ImplicitLocOpBuilder &b, StringRef label,
                    const attn::tma::DescriptorPlan &plan, Value memref,
                    Value tensorMap, attn::tma::Target chip);
  /// A stack array of `values` (cast to `type`), as a pointer.
  Value stackArray(ImplicitLocOpBuilder &b, ArrayRef<Value> values, Type type);
  /// A NUL-terminated global string constant, as a pointer.
  Value globalString(ImplicitLocOpBuilder &b, StringRef text);

  RuntimeCalls runtime;
  unsigned stringCounter = 0;
  /// The global of each string already emitted, by its text.
  llvm::StringMap<std::string> strings;
};

/// Where an op sits, for runtime messages: "@func".
std::string describeLocation(Operation *op);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_TMAENCODING_H
