// RUN: attn-opt %s -split-input-file -verify-diagnostics
//
// Inputs found by fuzzing (scripts/run-fuzz.sh, docs/Testing.md) that
// crashed the verifiers under ASan/UBSan; each is a diagnostic now.

// batch * q_len_per_request overflowed int64 (UBSan: signed overflow in
// DimAgreement::staticExpected).
func.func @num_tokens_overflow(%q: memref<4x32x128xbf16>, %k: memref<64x8x16x128xbf16>, %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  // expected-error @+1 {{expects q dim 0 (num_tokens) (batch * q_len_per_request) to fit in 64 bits, got 4 * 4611686018427387904}}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x8x16x128xbf16>)
      v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32, q_len_per_request = 4611686018427387904}
  return
}

// -----

// batch + 1 overflowed int64 (same place).
func.func @qo_indptr_overflow(%q: memref<?x32x128xbf16>, %k: memref<64x16x8x128xbf16>, %v: memref<64x16x8x128xbf16>, %qi: memref<?xi32>, %bt: memref<9223372036854775807x4xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{expects qo_indptr dim 0 (batch + 1) (one more than the batch) to fit in 64 bits, got 9223372036854775807 + 1}}
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<64x16x8x128xbf16>)
      v_cache(%v : memref<64x16x8x128xbf16>)
      qo_indptr(%qi : memref<?xi32>)
      block_table(%bt : memref<9223372036854775807x4xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {causal, kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// -----

// stride_divisors on a layout that has no strides: getStridesAndOffset()
// failed and the verifier read past its empty result (ASan:
// stack-buffer-overflow from rank 7 on).
func.func @assume_not_strided(%m: memref<1x1x1x1x1x1x1x4xf32, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d7 floordiv 2)>>) {
  // expected-error @+1 {{'paged_attn.assume' op expects source to have a strided layout with stride_divisors, got affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d7 floordiv 2)>}}
  %0 = paged_attn.assume %m {stride_divisors = array<i64: 1, 1, 1, 1, 1, 1, 1, 3>} : memref<1x1x1x1x1x1x1x4xf32, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d7 floordiv 2)>>
  return
}

// -----

// Alignment alone needs no strides.
func.func @assume_not_strided_alignment(%m: memref<4x4xf32, affine_map<(d0, d1) -> (d0 floordiv 2 + d1)>>) {
  %0 = paged_attn.assume %m {alignment = 16} : memref<4x4xf32, affine_map<(d0, d1) -> (d0 floordiv 2 + d1)>>
  return
}

// -----

// A required stride of memref dim 7 of a rank-4 memref: the lowering read
// a stride that does not exist (SEGV in --paged-attn-to-nvvm).
func.func @required_stride_source(%v: memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) {
  // expected-error @+1 {{expects plan required_strides sources in [0, 4), got 7}}
  paged_attn.check_tma %v {chip = "sm_90a", deferred = ["global-address-align"], operand = "v_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [3, 2, 1, 0], dim_scales = [1, 1, 1, 1], stride_sources = [3, 2, 1, 0], stride_scales = [1, 1, 1, 1], box = [64, 16, 1, 1], swizzle = "128b", required_strides = [7, 16]>}
      : memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>
  return
}

// -----

// Sources and box sizes are checked as written, not narrowed: 2^32 would
// have been dim 0, and a box of 2^32 + 16 a box of 16.
func.func @dim_source_narrowed(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects plan dim sources in [-1, 2), got 4294967296}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 4294967296], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @box_narrowed(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects plan box[1] to be in [0, 2^32), got 4294967312}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 4294967312], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}
