// Ragged causal prefill over a paged KV cache.
//
//   attn-opt examples/prefill.mlir
//
// The query rows of request b are q[qo_indptr[b] .. qo_indptr[b + 1]); its
// keys are the first seq_lens[b] tokens of its pages. GQA group 4, head_dim
// 128, bf16, a query sliced out of a fused qkv buffer (token stride 6144).

// HND cache.
func.func @prefill_hnd(
    %q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>,
    %k_cache: memref<?x8x16x128xbf16>,
    %v_cache: memref<?x8x16x128xbf16>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x32x128xbf16>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16, strided<[6144, 128, 1]>>)
      k_cache(%k_cache : memref<?x8x16x128xbf16>)
      v_cache(%v_cache : memref<?x8x16x128xbf16>)
      qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32>)
      seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x32x128xbf16>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>,
       scale = 0.08838834764 : f32}
  return
}

// NHD cache with a sliding window of 4096 keys and a logits soft cap.
func.func @prefill_nhd_window(
    %q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>,
    %k_cache: memref<?x16x8x128xbf16>,
    %v_cache: memref<?x16x8x128xbf16>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x32x128xbf16>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16, strided<[6144, 128, 1]>>)
      k_cache(%k_cache : memref<?x16x8x128xbf16>)
      v_cache(%v_cache : memref<?x16x8x128xbf16>)
      qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32>)
      seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x32x128xbf16>)
      {causal, kv_layout = #paged_attn.kv_layout<nhd>,
       scale = 0.08838834764 : f32, window_left = 4095,
       logits_soft_cap = 50.0 : f32}
  return
}
