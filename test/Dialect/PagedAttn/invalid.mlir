// RUN: attn-opt %s -split-input-file -verify-diagnostics
//
// One case per structural rule of paged_attn.decode / paged_attn.prefill
// (PagedAttn.cpp, AttentionVerifier). Each passing counterpart is in ops.mlir.
// Generated once from a list and edited by hand; keep one rule per case.

// Unranked memrefs are rejected by the op syntax (ODS AnyMemRef).
func.func @q_unranked(%q: memref<*xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+2 {{invalid kind of type specified: expected builtin.memref, but found 'memref<*xbf16>'}}
  paged_attn.decode
      q(%q : memref<*xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @q_rank(%q: memref<32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects q to have rank 3 [num_tokens, num_qo_heads, head_dim], got rank 2}}
  paged_attn.decode
      q(%q : memref<32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @k_cache_rank_hnd(%q: memref<?x32x128xbf16>, %k: memref<?x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache to have rank 4 [pages, kv_heads, page_size, head_dim] (hnd), got rank 3}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @v_cache_rank_nhd(%q: memref<?x32x128xbf16>, %k: memref<?x16x8x128xbf16>, %v: memref<?x2x16x8x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_cache to have rank 4 [pages, page_size, kv_heads, head_dim] (nhd), got rank 5}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x16x8x128xbf16>)
      v_cache(%v : memref<?x2x16x8x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// -----

func.func @block_table_rank(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects block_table to have rank 2 [batch, max_pages], got rank 1}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @seq_lens_rank(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?x1xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects seq_lens to have rank 1 [batch], got rank 2}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?x1xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @qo_indptr_rank(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %qi: memref<?x2xi32>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects qo_indptr to have rank 1 [batch + 1], got rank 2}}
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      qo_indptr(%qi : memref<?x2xi32>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @k_scale_rank(%q: memref<?x32x128xf8E4M3FN>, %k: memref<?x8x16x64xvector<2xf4E2M1FN>>, %v: memref<?x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16xf8E4M3FN>, %vs: memref<?x8x16x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_scale to have rank 4 [pages, kv_heads, page_size, head_dim / 16] (hnd), got rank 3}}
  paged_attn.decode
      q(%q : memref<?x32x128xf8E4M3FN>)
      k_cache(%k : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16xf8E4M3FN>)
      v_scale(%vs : memref<?x8x16x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @sinks_rank(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %s: memref<1x32xf32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects sinks to have rank 1 [num_qo_heads], got rank 2}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      sinks(%s : memref<1x32xf32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @out_rank(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x1x32x128xbf16>) {
  // expected-error @+1 {{expects out to have rank 3 [num_tokens, num_qo_heads, head_dim], got rank 4}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x1x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @q_not_strided(%q: memref<?x32x128xbf16, affine_map<(d0, d1, d2) -> (d0, d1 floordiv 2, d2)>>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects q to have a strided layout, got affine_map<(d0, d1, d2) -> (d0, d1 floordiv 2, d2)>}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16, affine_map<(d0, d1, d2) -> (d0, d1 floordiv 2, d2)>>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @q_element_type(%q: memref<?x32x128xf32>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects q element type to be bf16, f16 or f8E4M3FN, got 'f32'}}
  paged_attn.decode
      q(%q : memref<?x32x128xf32>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @k_cache_element_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xi8>, %v: memref<?x8x16x128xi8>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache element type to be bf16, f16, f8E4M3FN or vector<2xf4E2M1FN> (nvfp4), got 'i8'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xi8>)
      v_cache(%v : memref<?x8x16x128xi8>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @out_element_type(%q: memref<?x32x128xf8E4M3FN>, %k: memref<?x8x16x128xf8E4M3FN>, %v: memref<?x8x16x128xf8E4M3FN>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xf8E4M3FN>) {
  // expected-error @+1 {{expects out element type to be bf16 or f16, got 'f8E4M3FN'}}
  paged_attn.decode
      q(%q : memref<?x32x128xf8E4M3FN>)
      k_cache(%k : memref<?x8x16x128xf8E4M3FN>)
      v_cache(%v : memref<?x8x16x128xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xf8E4M3FN>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @block_table_element_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi64>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects block_table element type to be i32, got 'i64'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi64>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @seq_lens_element_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xindex>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects seq_lens element type to be i32, got 'index'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xindex>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @qo_indptr_element_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %qi: memref<?xi64>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects qo_indptr element type to be i32, got 'i64'}}
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      qo_indptr(%qi : memref<?xi64>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @k_scale_element_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x64xvector<2xf4E2M1FN>>, %v: memref<?x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16x8xbf16>, %vs: memref<?x8x16x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_scale element type to be f8E4M3FN, got 'bf16'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16x8xbf16>)
      v_scale(%vs : memref<?x8x16x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @v_scale_element_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x64xvector<2xf4E2M1FN>>, %v: memref<?x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16x8xf8E4M3FN>, %vs: memref<?x8x16x8xf8E5M2>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_scale element type to be f8E4M3FN, got 'f8E5M2'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16x8xf8E4M3FN>)
      v_scale(%vs : memref<?x8x16x8xf8E5M2>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @sinks_element_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %s: memref<32xbf16>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects sinks element type to be f32, got 'bf16'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      sinks(%s : memref<32xbf16>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @v_cache_element_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_cache element type to be 'bf16' as k_cache, got 'f16'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @kv_16bit_differs_from_q(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xf16>, %v: memref<?x8x16x128xf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache element type 'f16' to match q element type 'bf16' (16-bit caches are not converted)}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xf16>)
      v_cache(%v : memref<?x8x16x128xf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @fp8_q_with_16bit_cache(%q: memref<?x32x128xf8E4M3FN>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache element type 'bf16' to match q element type 'f8E4M3FN' (16-bit caches are not converted)}}
  paged_attn.decode
      q(%q : memref<?x32x128xf8E4M3FN>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @out_type_differs_from_q(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xf16>) {
  // expected-error @+1 {{expects out element type to be 'bf16' as q, got 'f16'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @num_qo_heads_dynamic(%q: memref<?x?x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x?x128xbf16>) {
  // expected-error @+1 {{expects q dim 1 (num_qo_heads) to be static: kernels are specialized on it}}
  paged_attn.decode
      q(%q : memref<?x?x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x?x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @head_dim_dynamic(%q: memref<?x32x?xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects q dim 2 (head_dim) to be static: kernels are specialized on it}}
  paged_attn.decode
      q(%q : memref<?x32x?xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @kv_heads_dynamic(%q: memref<?x32x128xbf16>, %k: memref<?x?x16x128xbf16>, %v: memref<?x?x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache dim 1 (kv_heads) to be static: kernels are specialized on it}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x?x16x128xbf16>)
      v_cache(%v : memref<?x?x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @page_size_dynamic(%q: memref<?x32x128xbf16>, %k: memref<?x?x8x128xbf16>, %v: memref<?x?x8x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache dim 1 (page_size) to be static: kernels are specialized on it}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x?x8x128xbf16>)
      v_cache(%v : memref<?x?x8x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// -----

func.func @k_head_dim_dynamic(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x?xbf16>, %v: memref<?x8x16x?xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache dim 3 (head_dim) to be static: kernels are specialized on it}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x?xbf16>)
      v_cache(%v : memref<?x8x16x?xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @head_dim_unsupported(%q: memref<?x32x96xbf16>, %k: memref<?x8x16x96xbf16>, %v: memref<?x8x16x96xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x96xbf16>) {
  // expected-error @+1 {{expects q dim 2 (head_dim) to be 64, 128 or 256, got 96}}
  paged_attn.decode
      q(%q : memref<?x32x96xbf16>)
      k_cache(%k : memref<?x8x16x96xbf16>)
      v_cache(%v : memref<?x8x16x96xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x96xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @k_head_dim_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x64xbf16>, %v: memref<?x8x16x64xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache dim 3 (head_dim) to be 128 as q, got 64}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x64xbf16>)
      v_cache(%v : memref<?x8x16x64xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @nvfp4_head_dim_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xvector<2xf4E2M1FN>>, %v: memref<?x8x16x128xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16x8xf8E4M3FN>, %vs: memref<?x8x16x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache dim 3 (head_dim / 2, two nvfp4 values per byte) to be 64 as q, got 128}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x8x16x128xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16x8xf8E4M3FN>)
      v_scale(%vs : memref<?x8x16x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @out_head_dim_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x64xbf16>) {
  // expected-error @+1 {{expects out dim 2 (head_dim) to be 128 as q, got 64}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @gqa_heads_not_multiple(%q: memref<?x12x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x12x128xbf16>) {
  // expected-error @+1 {{expects q dim 1 (num_qo_heads) to be a multiple of k_cache dim 1 (kv_heads) = 8, got 12}}
  paged_attn.decode
      q(%q : memref<?x12x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x12x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @page_size_zero(%q: memref<?x32x128xbf16>, %k: memref<?x8x0x128xbf16>, %v: memref<?x8x0x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_cache dim 2 (page_size) to be at least 1, got 0}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x0x128xbf16>)
      v_cache(%v : memref<?x8x0x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @v_pages_mismatch(%q: memref<?x32x128xbf16>, %k: memref<100x8x16x128xbf16>, %v: memref<50x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_cache dim 0 (pages) to be 100 as k_cache, got 50}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<100x8x16x128xbf16>)
      v_cache(%v : memref<50x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @v_kv_heads_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x4x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_cache dim 1 (kv_heads) to be 8 as k_cache, got 4}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x4x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @v_page_size_mismatch_nhd(%q: memref<?x32x128xbf16>, %k: memref<?x16x8x128xbf16>, %v: memref<?x32x8x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_cache dim 1 (page_size) to be 16 as k_cache, got 32}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x16x8x128xbf16>)
      v_cache(%v : memref<?x32x8x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// -----

func.func @v_head_dim_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x64xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_cache dim 3 (head_dim) to be 128 as k_cache, got 64}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x64xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @out_tokens_mismatch(%q: memref<4x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<5x32x128xbf16>) {
  // expected-error @+1 {{expects out dim 0 (num_tokens) to be 4 as q, got 5}}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<5x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @out_heads_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x16x128xbf16>) {
  // expected-error @+1 {{expects out dim 1 (num_qo_heads) to be 32 as q, got 16}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x16x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @seq_lens_batch_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<4x?xi32>, %sl: memref<3xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects seq_lens dim 0 (batch) to be 4 as block_table dim 0, got 3}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<4x?xi32>)
      seq_lens(%sl : memref<3xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @qo_indptr_batch_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %qi: memref<4xi32>, %bt: memref<4x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects qo_indptr dim 0 (batch + 1) to be 5 (one more than the batch), got 4}}
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      qo_indptr(%qi : memref<4xi32>)
      block_table(%bt : memref<4x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @sinks_heads_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %s: memref<8xf32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects sinks dim 0 (num_qo_heads) to be 32 as q dim 1, got 8}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      sinks(%s : memref<8xf32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @q_len_per_request_zero(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects q_len_per_request to be at least 1, got 0}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, q_len_per_request = 0, scale = 0.088 : f32}
  return
}

// -----

func.func @num_tokens_not_batch_times_q_len(%q: memref<8x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<4xi32>, %o: memref<8x32x128xbf16>) {
  // expected-error @+1 {{expects q dim 0 (num_tokens) to be 12 (batch * q_len_per_request), got 8}}
  paged_attn.decode
      q(%q : memref<8x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<8x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, q_len_per_request = 3, scale = 0.088 : f32}
  return
}

// -----

func.func @scales_without_nvfp4(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16x8xf8E4M3FN>, %vs: memref<?x8x16x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects no k_scale or v_scale: block scales belong to nvfp4 caches, got 'bf16' caches}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16x8xf8E4M3FN>)
      v_scale(%vs : memref<?x8x16x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @nvfp4_without_scales(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x64xvector<2xf4E2M1FN>>, %v: memref<?x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_scale and v_scale with nvfp4 caches, got neither}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @nvfp4_only_k_scale(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x64xvector<2xf4E2M1FN>>, %v: memref<?x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_scale and v_scale with nvfp4 caches, got only k_scale}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @k_scale_blocks_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x64xvector<2xf4E2M1FN>>, %v: memref<?x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16x4xf8E4M3FN>, %vs: memref<?x8x16x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_scale dim 3 (head_dim / 16) to be 8 (one scale per 16 values), got 4}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16x4xf8E4M3FN>)
      v_scale(%vs : memref<?x8x16x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @v_scale_page_size_mismatch(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x64xvector<2xf4E2M1FN>>, %v: memref<?x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16x8xf8E4M3FN>, %vs: memref<?x8x32x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_scale dim 2 (page_size) to be 16 as v_cache, got 32}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16x8xf8E4M3FN>)
      v_scale(%vs : memref<?x8x32x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// NHD caches take NHD-ordered scales.
func.func @k_scale_nhd_order(%q: memref<?x32x128xbf16>, %k: memref<?x16x8x64xvector<2xf4E2M1FN>>, %v: memref<?x16x8x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<?x8x16x8xf8E4M3FN>, %vs: memref<?x16x8x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_scale dim 1 (page_size) to be 16 as k_cache, got 8}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x16x8x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x16x8x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x8x16x8xf8E4M3FN>)
      v_scale(%vs : memref<?x16x8x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// -----

func.func @k_scale_pages_mismatch(%q: memref<?x32x128xbf16>, %k: memref<64x8x16x64xvector<2xf4E2M1FN>>, %v: memref<64x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<32x8x16x8xf8E4M3FN>, %vs: memref<?x8x16x8xf8E4M3FN>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_scale dim 0 (pages) to be 64 as k_cache, got 32}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<64x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<64x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<32x8x16x8xf8E4M3FN>)
      v_scale(%vs : memref<?x8x16x8xf8E4M3FN>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @scale_not_positive(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects scale to be positive and finite, got 0}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0 : f32}
  return
}

// -----

func.func @window_left_below_minus_one(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects window_left to be -1 (no window) or at least 0, got -2}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32, window_left = -2}
  return
}

// -----

func.func @logits_soft_cap_not_positive(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects logits_soft_cap to be positive and finite, got -1}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, logits_soft_cap = -1.0 : f32, scale = 0.088 : f32}
  return
}

// -----

// ODS checks attribute presence and kind.
func.func @missing_scale_attribute(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{requires attribute 'scale'}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>}
  return
}

// -----

func.func @wrong_kv_layout_kind(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+8 {{attribute 'kv_layout' failed to satisfy constraint}}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = 1 : i32, scale = 0.088 : f32}
  return
}

// -----

func.func @global_scale_on_bf16_cache(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>,
    %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ks: memref<f32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_global_scale only with an fp8 or nvfp4 cache, got cache element type 'bf16'}}
  paged_attn.decode q(%q : memref<?x32x128xbf16>) k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) k_global_scale(%ks : memref<f32>) out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @global_scale_rank(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xf8E4M3FN>,
    %v: memref<?x8x16x128xf8E4M3FN>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %vs: memref<1xf32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects v_global_scale to have rank 0 (one f32), got rank 1}}
  paged_attn.decode q(%q : memref<?x32x128xbf16>) k_cache(%k : memref<?x8x16x128xf8E4M3FN>)
      v_cache(%v : memref<?x8x16x128xf8E4M3FN>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) v_global_scale(%vs : memref<1xf32>) out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @global_scale_type(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xf8E4M3FN>,
    %v: memref<?x8x16x128xf8E4M3FN>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ks: memref<f16>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects k_global_scale element type to be f32, got 'f16'}}
  paged_attn.decode q(%q : memref<?x32x128xbf16>) k_cache(%k : memref<?x8x16x128xf8E4M3FN>)
      v_cache(%v : memref<?x8x16x128xf8E4M3FN>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) k_global_scale(%ks : memref<f16>) out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
