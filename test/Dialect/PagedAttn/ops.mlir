// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
//
// Valid IR: the passing side of every rule in invalid.mlir, and round trips
// through the custom and the generic form.

// HND, GQA group 4, a query whose token stride (8192) is wider than
// heads * head_dim (4096), dynamic strides on V.
// CHECK-LABEL: func.func @decode_hnd_strided_q
// CHECK: paged_attn.decode q(%{{[a-z0-9_]+}} : memref<?x32x128xbf16, strided<[8192, 128, 1]>>)
// CHECK-SAME: v_cache(%{{[a-z0-9_]+}} : memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
// CHECK-SAME: {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0883789062 : f32}
// GENERIC-LABEL: sym_name = "decode_hnd_strided_q"
// GENERIC: "paged_attn.decode"({{.*}}) <{kv_layout = #paged_attn.kv_layout<hnd>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1>, q_len_per_request = 1 : i64, scale = {{.*}} : f32, window_left = -1 : i64}>
func.func @decode_hnd_strided_q(
    %q: memref<?x32x128xbf16, strided<[8192, 128, 1]>>,
    %k: memref<?x8x16x128xbf16>,
    %v: memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  paged_attn.decode
      q(%q : memref<?x32x128xbf16, strided<[8192, 128, 1]>>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08837890625 : f32}
  return
}

// NHD, f16, head_dim 64, GQA group 5, every option.
// CHECK-LABEL: func.func @decode_nhd_all_options
// CHECK: paged_attn.decode
// CHECK-SAME: sinks(%{{[a-z0-9_]+}} : memref<40xf32>)
// CHECK-SAME: kv_layout = #paged_attn.kv_layout<nhd>
// CHECK-SAME: logits_soft_cap = 3.000000e+01 : f32
// CHECK-SAME: q_len_per_request = 3 : i64
// CHECK-SAME: window_left = 127 : i64
func.func @decode_nhd_all_options(
    %q: memref<12x40x64xf16>, %k: memref<?x64x8x64xf16>,
    %v: memref<?x64x8x64xf16>, %bt: memref<4x?xi32>, %sl: memref<4xi32>,
    %s: memref<40xf32>, %o: memref<12x40x64xf16>) {
  paged_attn.decode
      q(%q : memref<12x40x64xf16>)
      k_cache(%k : memref<?x64x8x64xf16>) v_cache(%v : memref<?x64x8x64xf16>)
      block_table(%bt : memref<4x?xi32>) seq_lens(%sl : memref<4xi32>)
      sinks(%s : memref<40xf32>) out(%o : memref<12x40x64xf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.125 : f32,
       q_len_per_request = 3, window_left = 127, logits_soft_cap = 30.0 : f32}
  return
}

// One cache [pages, 2, kv_heads, page_size, head_dim] split into K and V by
// subview: K and V keep different offsets (and may have any strides).
// CHECK-LABEL: func.func @decode_split_cache
// CHECK: memref.subview
// CHECK: memref.subview
// CHECK: paged_attn.decode
func.func @decode_split_cache(
    %q: memref<?x8x256xbf16>, %kv: memref<?x2x1x1x256xbf16>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x8x256xbf16>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %kv, %c0 : memref<?x2x1x1x256xbf16>
  %k = memref.subview %kv[0, 0, 0, 0, 0] [%n, 1, 1, 1, 256] [1, 1, 1, 1, 1]
      : memref<?x2x1x1x256xbf16>
        to memref<?x1x1x256xbf16, strided<[512, 256, 256, 1]>>
  %v = memref.subview %kv[0, 1, 0, 0, 0] [%n, 1, 1, 1, 256] [1, 1, 1, 1, 1]
      : memref<?x2x1x1x256xbf16>
        to memref<?x1x1x256xbf16, strided<[512, 256, 256, 1], offset: 256>>
  paged_attn.decode
      q(%q : memref<?x8x256xbf16>)
      k_cache(%k : memref<?x1x1x256xbf16, strided<[512, 256, 256, 1]>>)
      v_cache(%v : memref<?x1x1x256xbf16, strided<[512, 256, 256, 1], offset: 256>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x256xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0625 : f32}
  return
}

// fp8 query and cache, bf16 out.
// CHECK-LABEL: func.func @decode_fp8
// CHECK: paged_attn.decode q(%{{[a-z0-9_]+}} : memref<?x32x128xf8E4M3FN>)
func.func @decode_fp8(
    %q: memref<?x32x128xf8E4M3FN>, %k: memref<?x8x16x128xf8E4M3FN>,
    %v: memref<?x8x16x128xf8E4M3FN>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x32x128xbf16>) {
  paged_attn.decode
      q(%q : memref<?x32x128xf8E4M3FN>)
      k_cache(%k : memref<?x8x16x128xf8E4M3FN>)
      v_cache(%v : memref<?x8x16x128xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// bf16 query with an NVFP4 cache (two e2m1 per byte, innermost extent
// head_dim / 2) and block scales; V scales are padded (page stride 2048 > 1024).
// CHECK-LABEL: func.func @decode_nvfp4_hnd
// CHECK: k_cache(%{{[a-z0-9_]+}} : memref<100x8x16x64xvector<2xf4E2M1FN>>)
// CHECK-SAME: k_scale(%{{[a-z0-9_]+}} : memref<100x8x16x8xf8E4M3FN>)
// CHECK-SAME: v_scale(%{{[a-z0-9_]+}} : memref<100x8x16x8xf8E4M3FN, strided<[2048, 128, 8, 1]>>)
func.func @decode_nvfp4_hnd(
    %q: memref<?x32x128xbf16>, %k: memref<100x8x16x64xvector<2xf4E2M1FN>>,
    %v: memref<100x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %ks: memref<100x8x16x8xf8E4M3FN>,
    %vs: memref<100x8x16x8xf8E4M3FN, strided<[2048, 128, 8, 1]>>,
    %o: memref<?x32x128xbf16>) {
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<100x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<100x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<100x8x16x8xf8E4M3FN>)
      v_scale(%vs : memref<100x8x16x8xf8E4M3FN, strided<[2048, 128, 8, 1]>>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// fp8 query with an NHD NVFP4 cache and NHD-ordered scales, MHA (group 1).
// CHECK-LABEL: func.func @decode_nvfp4_nhd_fp8_q
// CHECK: paged_attn.decode
func.func @decode_nvfp4_nhd_fp8_q(
    %q: memref<?x8x128xf8E4M3FN>, %k: memref<?x32x8x64xvector<2xf4E2M1FN>>,
    %v: memref<?x32x8x64xvector<2xf4E2M1FN>>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %ks: memref<?x32x8x8xf8E4M3FN>,
    %vs: memref<?x32x8x8xf8E4M3FN>, %o: memref<?x8x128xf16>) {
  paged_attn.decode
      q(%q : memref<?x8x128xf8E4M3FN>)
      k_cache(%k : memref<?x32x8x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x32x8x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_scale(%ks : memref<?x32x8x8xf8E4M3FN>)
      v_scale(%vs : memref<?x32x8x8xf8E4M3FN>)
      out(%o : memref<?x8x128xf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// Ragged causal prefill, NHD, static batch 4 (qo_indptr has 5 entries).
// CHECK-LABEL: func.func @prefill_causal
// CHECK: paged_attn.prefill q(%{{[a-z0-9_]+}} : memref<?x32x128xbf16>)
// CHECK-SAME: qo_indptr(%{{[a-z0-9_]+}} : memref<5xi32>)
// CHECK-SAME: {causal, kv_layout = #paged_attn.kv_layout<nhd>
// GENERIC-LABEL: sym_name = "prefill_causal"
// GENERIC: "paged_attn.prefill"
// GENERIC-SAME: causal
func.func @prefill_causal(
    %q: memref<?x32x128xbf16>, %k: memref<?x16x8x128xbf16>,
    %v: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>, %qi: memref<5xi32>,
    %bt: memref<4x?xi32>, %sl: memref<4xi32>, %o: memref<?x32x128xbf16>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x16x8x128xbf16>)
      v_cache(%v : memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>)
      qo_indptr(%qi : memref<5xi32>)
      block_table(%bt : memref<4x?xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<?x32x128xbf16>)
      {causal, kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// An fp8 cache read by a bf16 query, with per-tensor K and V scales.
// CHECK-LABEL: func.func @decode_fp8_global_scales
// CHECK: k_global_scale(%{{[a-z0-9_]+}} : memref<f32>) v_global_scale(%{{[a-z0-9_]+}} : memref<f32>) out(
// GENERIC-LABEL: sym_name = "decode_fp8_global_scales"
// GENERIC: operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1>
func.func @decode_fp8_global_scales(
    %q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xf8E4M3FN>,
    %v: memref<?x8x16x128xf8E4M3FN>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ks: memref<f32>, %vs: memref<f32>, %o: memref<?x32x128xbf16>) {
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xf8E4M3FN>)
      v_cache(%v : memref<?x8x16x128xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_global_scale(%ks : memref<f32>) v_global_scale(%vs : memref<f32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
