//===- PagedAttnAttrs.td - paged_attn attributes -----------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNATTRS_TD
#define ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNATTRS_TD

include "attn/Dialect/PagedAttn/IR/PagedAttnDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def PagedAttn_KVLayoutHND : I32EnumAttrCase<"HND", 0, "hnd">;
def PagedAttn_KVLayoutNHD : I32EnumAttrCase<"NHD", 1, "nhd">;

def PagedAttn_KVLayout : I32EnumAttr<"KVLayout",
    "order of the dims of one KV cache page",
    [PagedAttn_KVLayoutHND, PagedAttn_KVLayoutNHD]> {
  let cppNamespace = "::mlir::paged_attn";
  let genSpecializedAttr = 0;
}

def PagedAttn_KVLayoutAttr : EnumAttr<PagedAttn_Dialect, PagedAttn_KVLayout,
                                      "kv_layout"> {
  let summary = "KV cache layout: hnd or nhd";
  let description = [{
    `#paged_attn.kv_layout<hnd>`: a cache is `[pages, kv_heads, page_size,
    head_dim]`. `#paged_attn.kv_layout<nhd>`: `[pages, page_size, kv_heads,
    head_dim]`. The NVFP4 block-scale tensors follow the same order with
    `head_dim / 16` as the innermost extent.
  }];
  let assemblyFormat = "`<` $value `>`";
}

def PagedAttn_TmaPlanAttr : AttrDef<PagedAttn_Dialect, "TmaPlan"> {
  let mnemonic = "tma_plan";
  let summary = "how one TMA descriptor is read off one memref";
  let description = [{
    The descriptor plan of `attn/Support/TmaPlan.h` as an attribute: global
    dim `i` (innermost first) is `dim_scales[i] * sizes[dim_sources[i]]`,
    or the constant `dim_scales[i]` when `dim_sources[i]` is -1; strides
    likewise from the memref's strides in elements. `box` and `swizzle` are
    the kernel's static choices. `required_strides` lists pairs
    (memref dim, stride in elements) that the plan relies on.

    Optional, omitted when they have their default value:
    `element_strides` (one traversal stride per dim, innermost first;
    default all 1), `interleave` (`"none"`, `"16b"` or `"32b"`; default
    `"none"`) and `oob_fill` (`"none"` or `"nan-request-zero-fma"`; default
    `"none"`). The strings are the names used by `attn/Support/TmaRules.h`.

    ```mlir
    #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [3, 2, 1, 0],
        dim_scales = [1, 1, 1, 1], stride_sources = [3, 2, 1, 0],
        stride_scales = [1, 1, 1, 1], box = [16, 1, 16, 1], swizzle = "32b",
        required_strides = [], element_strides = [1, 1, 2, 1],
        interleave = "32b", oob_fill = "nan-request-zero-fma">
    ```
  }];
  let parameters = (ins
    StringRefParameter<"descriptor element type">:$elem_type,
    "::mlir::DenseI64ArrayAttr":$dim_sources,
    "::mlir::DenseI64ArrayAttr":$dim_scales,
    "::mlir::DenseI64ArrayAttr":$stride_sources,
    "::mlir::DenseI64ArrayAttr":$stride_scales,
    "::mlir::DenseI64ArrayAttr":$box,
    StringRefParameter<"swizzle">:$swizzle,
    "::mlir::DenseI64ArrayAttr":$required_strides,
    OptionalParameter<"::mlir::DenseI64ArrayAttr",
                      "traversal strides; absent means all 1">:$element_strides,
    StringRefParameter<"global-memory interleave", "\"none\"">:$interleave,
    StringRefParameter<"out-of-bounds fill", "\"none\"">:$oob_fill);
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNATTRS_TD
