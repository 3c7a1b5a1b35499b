//===- Passes.h - paged_attn passes ------------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_TRANSFORMS_PASSES_H
#define ATTN_DIALECT_PAGEDATTN_TRANSFORMS_PASSES_H

#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace paged_attn {

#define GEN_PASS_DECL
#include "attn/Dialect/PagedAttn/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "attn/Dialect/PagedAttn/Transforms/Passes.h.inc"

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_DIALECT_PAGEDATTN_TRANSFORMS_PASSES_H
