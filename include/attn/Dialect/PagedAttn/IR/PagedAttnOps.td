//===- PagedAttnOps.td - paged_attn operations -------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNOPS_TD
#define ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNOPS_TD

include "attn/Dialect/PagedAttn/IR/PagedAttnDialect.td"
include "attn/Dialect/PagedAttn/IR/PagedAttnAttrs.td"
include "attn/Dialect/PagedAttn/IR/PagedAttnInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Operands shared by both attention ops, in assembly order. The index
// operand qo_indptr of prefill is spliced in by the op itself.
defvar PagedAttn_QKVOperands = (ins
  Arg<AnyMemRef, "query [num_tokens, num_qo_heads, head_dim]",
      [MemRead]>:$q,
  Arg<AnyMemRef, "K cache", [MemRead]>:$k_cache,
  Arg<AnyMemRef, "V cache", [MemRead]>:$v_cache);

defvar PagedAttn_PagingOperands = (ins
  Arg<AnyMemRef, "page table [batch, max_pages] i32", [MemRead]>:$block_table,
  Arg<AnyMemRef, "KV length per request [batch] i32", [MemRead]>:$seq_lens,
  Arg<Optional<AnyMemRef>, "NVFP4 K block scales", [MemRead]>:$k_scale,
  Arg<Optional<AnyMemRef>, "NVFP4 V block scales", [MemRead]>:$v_scale,
  Arg<Optional<AnyMemRef>,
      "per-tensor f32 scale of an fp8 or nvfp4 K cache (rank 0)",
      [MemRead]>:$k_global_scale,
  Arg<Optional<AnyMemRef>,
      "per-tensor f32 scale of an fp8 or nvfp4 V cache (rank 0)",
      [MemRead]>:$v_global_scale,
  Arg<Optional<AnyMemRef>, "attention sinks [num_qo_heads] f32",
      [MemRead]>:$sinks,
  Arg<AnyMemRef, "output, shaped like q", [MemWrite]>:$out);

defvar PagedAttn_CommonAttrs = (ins
  F32Attr:$scale,
  PagedAttn_KVLayoutAttr:$kv_layout,
  DefaultValuedAttr<I64Attr, "-1">:$window_left,
  OptionalAttr<F32Attr>:$logits_soft_cap);

class PagedAttn_AttentionOp<string mnemonic, list<Trait> traits = []>
    : Op<PagedAttn_Dialect, mnemonic, !listconcat(traits, [
        AttrSizedOperandSegments,
        PagedAttn_AttentionOpInterface])> {
  let hasVerifier = 1;
}

def PagedAttn_DecodeOp : PagedAttn_AttentionOp<"decode"> {
  let summary = "attention of a few new query tokens over a paged KV cache";
  let description = [{
    Decode attention: each of the `batch` requests has `q_len_per_request`
    query tokens (1 for plain decoding, more for speculative decoding) that
    attend to the first `seq_lens[b]` tokens of its KV cache, stored in the
    pages `block_table[b, 0 .. ceil(seq_lens[b] / page_size))`.

    Shapes (`G = num_qo_heads / num_kv_heads`, the GQA group):

    | operand | shape | element type |
    |---|---|---|
    | q | [batch * q_len_per_request, num_qo_heads, head_dim] | bf16, f16, f8E4M3FN |
    | k_cache, v_cache | HND [pages, kv_heads, page_size, head_dim]; NHD [pages, page_size, kv_heads, head_dim] | bf16, f16, f8E4M3FN, vector<2xf4E2M1FN> (NVFP4, innermost extent head_dim / 2) |
    | block_table | [batch, max_pages] | i32 |
    | seq_lens | [batch] | i32 |
    | k_scale, v_scale | the cache's order with head_dim / 16 innermost; present exactly when the cache is NVFP4 | f8E4M3FN |
    | k_global_scale, v_global_scale | rank 0 (one value, read on the device); only with fp8 or nvfp4 caches; optional (1 when absent) | f32 |
    | sinks | [num_qo_heads] | f32 |
    | out | like q | bf16, f16 |

    Every memref may have any strided layout, static or dynamic: K and V,
    and K and V scales, each carry their own strides. `head_dim` (64, 128 or
    256), `num_qo_heads`, `num_kv_heads` and `page_size` must be static: the
    kernel is specialized on them. The number of tokens, pages and requests
    may be dynamic. Static strides are facts the compiler uses: when both
    HND caches state a row stride of one row (dense pages, e.g.
    `strided<[?, ?, 64, 1]>`), the decode kernels that convert fp8 or
    NVFP4 rows under 128 bytes in registers load several rows as one
    128-byte TMA box row.

    Attributes: `scale` multiplies the logits; `window_left` (default -1,
    no window) limits each query to the last `window_left + 1` keys;
    `logits_soft_cap` applies `cap * tanh(logits / cap)`;
    `q_len_per_request` (default 1).

    Example (HND, GQA group 4, a query whose token stride is wider than
    heads * head_dim):

    ```mlir
    paged_attn.decode
        q(%q : memref<?x32x128xbf16, strided<[8192, 128, 1]>>)
        k_cache(%k : memref<?x8x16x128xbf16>)
        v_cache(%v : memref<?x8x16x128xbf16>)
        block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
        out(%o : memref<?x32x128xbf16>)
        {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0883883 : f32}
    ```
  }];
  let arguments = !con(PagedAttn_QKVOperands, PagedAttn_PagingOperands,
      PagedAttn_CommonAttrs,
      (ins DefaultValuedAttr<I64Attr, "1">:$q_len_per_request));
  let assemblyFormat = [{
    `q` `(` $q `:` type($q) `)`
    `k_cache` `(` $k_cache `:` type($k_cache) `)`
    `v_cache` `(` $v_cache `:` type($v_cache) `)`
    `block_table` `(` $block_table `:` type($block_table) `)`
    `seq_lens` `(` $seq_lens `:` type($seq_lens) `)`
    (`k_scale` `(` $k_scale^ `:` type($k_scale) `)`)?
    (`v_scale` `(` $v_scale^ `:` type($v_scale) `)`)?
    (`k_global_scale` `(` $k_global_scale^ `:` type($k_global_scale) `)`)?
    (`v_global_scale` `(` $v_global_scale^ `:` type($v_global_scale) `)`)?
    (`sinks` `(` $sinks^ `:` type($sinks) `)`)?
    `out` `(` $out `:` type($out) `)`
    attr-dict
  }];
}

def PagedAttn_PrefillOp : PagedAttn_AttentionOp<"prefill"> {
  let summary = "ragged prefill attention over a paged KV cache";
  let description = [{
    Prefill attention: the query tokens of request `b` are the rows
    `qo_indptr[b] .. qo_indptr[b + 1]` of `q` and attend to the first
    `seq_lens[b]` tokens of the request's paged KV cache (which include the
    new tokens, placed last). With `causal`, query row `i` of a request of
    `n` query tokens sees keys up to position `seq_lens[b] - n + i`.

    Operands and attributes are those of `paged_attn.decode` (see there for
    the shapes) plus `qo_indptr` ([batch + 1] i32) and the unit attribute
    `causal`; `q_len_per_request` does not apply.

    ```mlir
    paged_attn.prefill
        q(%q : memref<?x32x128xbf16>)
        k_cache(%k : memref<?x16x8x128xbf16>)
        v_cache(%v : memref<?x16x8x128xbf16>)
        qo_indptr(%qi : memref<?xi32>)
        block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
        out(%o : memref<?x32x128xbf16>)
        {causal, kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.0883883 : f32}
    ```
  }];
  let arguments = !con(PagedAttn_QKVOperands,
      (ins Arg<AnyMemRef, "query row offsets [batch + 1] i32",
               [MemRead]>:$qo_indptr),
      PagedAttn_PagingOperands, PagedAttn_CommonAttrs,
      (ins UnitAttr:$causal));
  let assemblyFormat = [{
    `q` `(` $q `:` type($q) `)`
    `k_cache` `(` $k_cache `:` type($k_cache) `)`
    `v_cache` `(` $v_cache `:` type($v_cache) `)`
    `qo_indptr` `(` $qo_indptr `:` type($qo_indptr) `)`
    `block_table` `(` $block_table `:` type($block_table) `)`
    `seq_lens` `(` $seq_lens `:` type($seq_lens) `)`
    (`k_scale` `(` $k_scale^ `:` type($k_scale) `)`)?
    (`v_scale` `(` $v_scale^ `:` type($v_scale) `)`)?
    (`k_global_scale` `(` $k_global_scale^ `:` type($k_global_scale) `)`)?
    (`v_global_scale` `(` $v_global_scale^ `:` type($v_global_scale) `)`)?
    (`sinks` `(` $sinks^ `:` type($sinks) `)`)?
    `out` `(` $out `:` type($out) `)`
    attr-dict
  }];
}

def PagedAttn_AssumeOp : Op<PagedAttn_Dialect, "assume",
    [Pure, AllTypesMatch<["source", "result"]>]> {
  let summary = "state facts about a memref that the TMA rules need";
  let description = [{
    Returns `source` unchanged and states facts the TMA verification cannot
    see in the type: `alignment`, the byte alignment of the address of the
    first element (what torch's `data_ptr()` returns), and
    `stride_divisors`, one entry per dim: stride `i`, in elements, is a
    multiple of `stride_divisors[i]` (1 states nothing). The facts are
    trusted at compile time; the runtime still validates every descriptor
    with the real values before it encodes it.

    ```mlir
    %k2 = paged_attn.assume %k {alignment = 256,
        stride_divisors = array<i64: 8, 8, 8, 1>} : memref<?x8x16x128xbf16, strided<[?, ?, ?, 1]>>
    ```

    Upstream `memref.assume_alignment` is understood too (its alignment is
    that of the base pointer; with a static offset the first element's
    alignment follows).
  }];
  let arguments = (ins AnyMemRef:$source,
                       OptionalAttr<I64Attr>:$alignment,
                       OptionalAttr<DenseI64ArrayAttr>:$stride_divisors);
  let results = (outs AnyMemRef:$result);
  let assemblyFormat = "$source attr-dict `:` type($source)";
  let hasVerifier = 1;
}

def PagedAttn_CheckTmaOp : Op<PagedAttn_Dialect, "check_tma"> {
  let summary = "runtime check of the TMA rules that were not proven";
  let description = [{
    Inserted by `--paged-attn-verify-tma` before an attention op for each
    TMA-loaded operand with rules that could not be proven at compile
    time. `plan` is the descriptor the lowering encodes for `source`
    (derived by the same function), `deferred` names the rule instances
    left to check (`rule` or `rule@dim`, dims in descriptor order). The host
    lowering turns it into a call that evaluates the plan on the memref
    descriptor's real sizes, strides and offset, checks the rules with
    TmaRules and fails with a message naming `operand`, dim, value and rule
    before any descriptor is encoded or kernel launched.

    ```mlir
    paged_attn.check_tma %v {operand = "v_cache", chip = "sm_90a",
        plan = #paged_attn.tma_plan<...>,
        deferred = ["global-address-align", "global-stride-align@2"]}
        : memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>
    ```
  }];
  let arguments = (ins Arg<AnyMemRef, "checked memref", [MemRead]>:$source,
                       StrAttr:$operand, StrAttr:$chip,
                       PagedAttn_TmaPlanAttr:$plan,
                       StrArrayAttr:$deferred);
  let assemblyFormat = "$source attr-dict `:` type($source)";
  let hasVerifier = 1;
}

#endif // ATTN_DIALECT_PAGEDATTN_IR_PAGEDATTNOPS_TD
