// Decode attention over a paged KV cache: start here.
//
//   attn-opt examples/decode.mlir                  # parse, verify, print
//   attn-opt examples/decode.mlir --paged-attn-verify-tma   (TMA rules)
//
// Llama-3-8B-like shapes: 32 query heads sharing 8 KV heads (GQA group 4),
// head_dim 128, pages of 16 tokens, bf16. Both kernels take a query that is a
// slice of a wider buffer (for example the q part of a fused qkv projection):
// its token stride is 6144 elements = (32 + 8 + 8) heads * 128, not
// 32 * 128 = 4096. Nothing in the dialect assumes contiguity: every operand
// carries its own strides in its type, static or `?`.

// HND cache: [pages, kv_heads, page_size, head_dim].
func.func @decode_hnd(
    %q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>,
    %k_cache: memref<?x8x16x128xbf16>,
    %v_cache: memref<?x8x16x128xbf16>,
    %block_table: memref<?x?xi32>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x32x128xbf16>) {
  paged_attn.decode
      q(%q : memref<?x32x128xbf16, strided<[6144, 128, 1]>>)
      k_cache(%k_cache : memref<?x8x16x128xbf16>)
      v_cache(%v_cache : memref<?x8x16x128xbf16>)
      block_table(%block_table : memref<?x?xi32>)
      seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764 : f32}
  return
}

// NHD cache: [pages, page_size, kv_heads, head_dim], K and V taken from one
// [pages, 2, page_size, kv_heads, head_dim] allocation, so V's offset differs
// from K's and both have page stride 2 * 16 * 8 * 128 = 32768; the strides
// are dynamic here and become facts or runtime checks in the TMA pass.
func.func @decode_nhd(
    %q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>,
    %k_cache: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %block_table: memref<?x?xi32>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x32x128xbf16>) {
  paged_attn.decode
      q(%q : memref<?x32x128xbf16, strided<[6144, 128, 1]>>)
      k_cache(%k_cache : memref<?x16x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x16x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%block_table : memref<?x?xi32>)
      seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.08838834764 : f32}
  return
}
