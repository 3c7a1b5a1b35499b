//===- PagedAttnDialect.td - paged_attn dialect definition -*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNDIALECT_TD
#define ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNDIALECT_TD

include "mlir/IR/OpBase.td"

def PagedAttn_Dialect : Dialect {
  let name = "paged_attn";
  let cppNamespace = "::mlir::paged_attn";
  let summary = "Paged attention over strided memrefs, with TMA legality";
  let description = [{
    The `paged_attn` dialect describes attention over a paged KV cache as
    destination-passing operations on builtin memrefs with strided layouts.
    Every tensor that a kernel reads with the Tensor Memory Accelerator (the
    query, the K and V caches and the NVFP4 block-scale tensors) is its own
    operand with its own strides: nothing assumes that the query is
    contiguous, that V has the strides of K, or that the scale tensors follow
    the cache. The TMA verification pass proves each rule of
    `cuTensorMapEncodeTiled` for each operand at compile time or defers it to
    a runtime check that runs before any descriptor is encoded.

    NVFP4 (e2m1) values are stored two per byte. The dialect spells such a
    cache as a memref whose element type is `vector<2xf4E2M1FN>`: one element
    is one byte holding two e2m1 values (the low nibble is the even index),
    so the innermost extent is `head_dim / 2` and every stride is counted in
    bytes, exactly as the hardware and torch's `float4_e2m1fn_x2` see it.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

#endif // ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNDIALECT_TD
