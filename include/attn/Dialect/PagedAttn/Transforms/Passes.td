//===- Passes.td - paged_attn passes -----------------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_TRANSFORMS_PASSES_TD
#define ATTN_DIALECT_PAGEDATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PagedAttnVerifyTma : Pass<"paged-attn-verify-tma"> {
  let summary = "Prove the TMA rules of every descriptor or defer them to a "
                "runtime check";
  let description = [{
    For each `paged_attn.decode` / `paged_attn.prefill`, derives the TMA
    descriptor of every TMA-loaded operand (q with the GQA group folded in,
    k_cache, v_cache, k_scale, v_scale), each from its own memref, with the
    same function the lowering uses, and checks every rule of
    `cuTensorMapEncodeTiled` (attn/Support/TmaRules.h) against what the IR
    knows: static sizes and strides, and facts stated with
    `paged_attn.assume` or `memref.assume_alignment`.

    - A rule that is broken is an error naming the op, the operand, the
      descriptor dim (and the memref dim it comes from), the value in
      elements and bytes, the rule and its limit.
    - A rule that cannot be proven is deferred: a `paged_attn.check_tma`
      op is inserted before the attention op with the plan and the deferred
      rule instances; the host lowering turns it into a check that fails
      before any descriptor is encoded.

    Nothing is left unchecked. With `report`, a remark per operand lists the
    derived descriptor and the rules proven and deferred.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "Target chip: sm_90a or sm_100a">,
    Option<"prefillKernel", "prefill-kernel", "std::string",
           /*default=*/"\"auto\"",
           "Which prefill kernel: auto (wgmma where the chip and cache "
           "allow it) or portable (the mma.sync kernel sm_100a gets, e.g. "
           "to run it on an sm_90a machine)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark per operand with its descriptor and the rules "
           "proven and deferred">,
  ];
  let dependentDialects = ["::mlir::paged_attn::PagedAttnDialect"];
}

#endif // ATTN_DIALECT_PAGEDATTN_TRANSFORMS_PASSES_TD
