//===- PagedAttnInterfaces.td - paged_attn op interfaces ---*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNINTERFACES_TD
#define ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNINTERFACES_TD

include "mlir/IR/OpBase.td"

def PagedAttn_AttentionOpInterface : OpInterface<"AttentionOpInterface"> {
  let cppNamespace = "::mlir::paged_attn";
  let description = [{
    Common view of `paged_attn.decode` and `paged_attn.prefill`: the operands
    by role, so that verification, TMA descriptor derivation and lowering are
    written once for both ops.
  }];
  let methods = [
    InterfaceMethod<"The query [num_tokens, num_qo_heads, head_dim].",
                    "::mlir::Value", "getQ">,
    InterfaceMethod<"The K cache (layout given by kv_layout).",
                    "::mlir::Value", "getKCache">,
    InterfaceMethod<"The V cache, with its own strides.",
                    "::mlir::Value", "getVCache">,
    InterfaceMethod<"The page table [batch, max_pages] i32.",
                    "::mlir::Value", "getBlockTable">,
    InterfaceMethod<"The KV lengths [batch] i32.",
                    "::mlir::Value", "getSeqLens">,
    InterfaceMethod<"The NVFP4 K block scales, or null.",
                    "::mlir::Value", "getKScale">,
    InterfaceMethod<"The NVFP4 V block scales, or null.",
                    "::mlir::Value", "getVScale">,
    InterfaceMethod<"The per-tensor f32 scale of the K cache, or null.",
                    "::mlir::Value", "getKGlobalScale">,
    InterfaceMethod<"The per-tensor f32 scale of the V cache, or null.",
                    "::mlir::Value", "getVGlobalScale">,
    InterfaceMethod<"The attention sinks [num_qo_heads] f32, or null.",
                    "::mlir::Value", "getSinks">,
    InterfaceMethod<"The output, shaped like the query.",
                    "::mlir::Value", "getOut">,
    InterfaceMethod<"The ragged query offsets [batch + 1] i32, or null.",
                    "::mlir::Value", "getQoIndptr", (ins), [{}],
                    [{ return ::mlir::Value(); }]>,
    InterfaceMethod<"The KV cache layout.",
                    "::mlir::paged_attn::KVLayout", "getKvLayout">,
  ];
}

#endif // ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNINTERFACES_TD
