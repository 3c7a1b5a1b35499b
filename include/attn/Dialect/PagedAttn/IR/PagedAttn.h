//===- PagedAttn.h - paged_attn dialect ---------------------------*- C++
//-*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The paged_attn dialect: its attributes, the attention op interface and the
// decode and prefill ops.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTN_H
#define ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "attn/Support/TmaPlan.h"

#include "attn/Dialect/PagedAttn/IR/PagedAttnOpsDialect.h.inc"

#include "attn/Dialect/PagedAttn/IR/PagedAttnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "attn/Dialect/PagedAttn/IR/PagedAttnAttrs.h.inc"

#include "attn/Dialect/PagedAttn/IR/PagedAttnInterfaces.h.inc"

#define GET_OP_CLASSES
#include "attn/Dialect/PagedAttn/IR/PagedAttnOps.h.inc"

namespace mlir {
namespace paged_attn {

/// Returns true if `type` is the NVFP4 storage element type of this dialect:
/// `vector<2xf4E2M1FN>`, one byte holding two e2m1 values.
bool isNVFP4Type(Type type);

/// The problem dims of an attention op, read off its operand types. A dim
/// that is dynamic in the IR is ShapedType::kDynamic. `headDim` is the
/// logical head dim (twice the innermost extent for NVFP4 caches).
struct AttentionDims {
  int64_t numTokens = ShapedType::kDynamic;
  int64_t numQoHeads = ShapedType::kDynamic;
  int64_t headDim = ShapedType::kDynamic;
  int64_t numPages = ShapedType::kDynamic;
  int64_t numKvHeads = ShapedType::kDynamic;
  int64_t pageSize = ShapedType::kDynamic;
  int64_t batch = ShapedType::kDynamic;
  int64_t maxPages = ShapedType::kDynamic;
  bool nvfp4 = false;

  /// The GQA group size, or kDynamic when the head counts are not static.
  int64_t groupSize() const;
};

/// Reads the dims of a verified attention op.
AttentionDims getAttentionDims(AttentionOpInterface op);

/// The index of the page_size and kv_heads dims of a cache (or scale tensor)
/// in the given layout.
unsigned getPageSizeDim(KVLayout layout);
unsigned getKvHeadsDim(KVLayout layout);

/// One size agreement of an attention op: dim `dim` of operand `name` must
/// be `scale` x (dim `sourceDim` of `source`) + `offset`, or just `offset`
/// without a source. The verifier checks the ones whose sizes are static;
/// the lowering checks the others at run time, before anything launches,
/// in the verifier's words: "expects <name> dim <dim> (<dimName>) to be
/// <expected> <description>, got <found>".
struct DimAgreement {
  /// Which verifier step reports it: shapes, or the nvfp4 block scales.
  enum class Group { Shapes, Scales };
  Group group;
  StringRef name;
  Value value;
  unsigned dim;
  StringRef dimName;
  Value source;
  unsigned sourceDim = 0;
  int64_t scale = 1;
  int64_t offset = 0;
  /// "as k_cache", "(batch * q_len_per_request)", ...
  std::string description;
  /// Checks the same size against seq_lens where block_table's batch is
  /// dynamic (the verifier's fallback); redundant at run time, where
  /// seq_lens and block_table are checked to agree.
  bool fallback = false;

  /// The sizes when static, else ShapedType::kDynamic (also for an expected
  /// size that overflows, which the verifier rejects).
  int64_t staticFound() const;
  int64_t staticExpected() const;
  /// The expected size is static and `scale` x size + `offset` does not fit
  /// in int64_t (e.g. batch x a huge q_len_per_request).
  bool expectedOverflows() const;
  /// "q dim 0 (num_tokens)".
  std::string subject() const;
};

/// Every size agreement of an attention op whose operands have the right
/// ranks, in the order the verifier reports them.
SmallVector<DimAgreement> getDimAgreements(AttentionOpInterface op);

/// What a memref type alone tells: static sizes and strides exactly, the
/// rest (and the address) unknown.
attn::tma::MemRefFacts getStaticMemRefFacts(MemRefType type);

/// Conversions between a plan and its attribute form (on check_tma).
TmaPlanAttr getTmaPlanAttr(MLIRContext *context,
                           const attn::tma::DescriptorPlan &plan);
FailureOr<attn::tma::DescriptorPlan> getDescriptorPlan(TmaPlanAttr attr);

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTN_H
