// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-paged-attn-to-gpu
// RUN: not attn-opt %s -split-input-file --convert-paged-attn-to-gpu=chip=sm_80 2>&1 | FileCheck %s --check-prefix=CHIP
//
// What --convert-paged-attn-to-gpu rejects: valid paged_attn IR (each case
// verifies without the pass) that has no kernel yet, and unknown chips.

// An unknown chip is an error on the module, before anything is lowered.
// CHIP: error: convert-paged-attn-to-gpu: unknown chip 'sm_80': expected sm_90a or sm_100a
// CHIP-NOT: error: 'paged_attn.

// The prefill kernel reads a 16-bit q (an fp8 q is a decode feature).
func.func @prefill_fp8_q(%q: memref<?x32x128xf8E4M3FN>, %k: memref<?x8x16x128xf8E4M3FN>,
    %v: memref<?x8x16x128xf8E4M3FN>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+1 {{'paged_attn.prefill' op the prefill kernel needs a bf16 or f16 q, not 'f8E4M3FN' (an fp8 q is a decode-only feature)}}
  paged_attn.prefill
      q(%q : memref<?x32x128xf8E4M3FN>)
      k_cache(%k : memref<?x8x16x128xf8E4M3FN>) v_cache(%v : memref<?x8x16x128xf8E4M3FN>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x32x128xbf16>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// A prefill q tile holds whole GQA groups of 64 rows at most.
func.func @prefill_group_over_64(%q: memref<?x128x64xbf16>, %k: memref<?x1x16x64xbf16>,
    %v: memref<?x1x16x64xbf16>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x128x64xbf16>) {
  // expected-error @+1 {{'paged_attn.prefill' op the prefill kernel needs a gqa group of at most 64 (one q tile), not 128}}
  paged_attn.prefill
      q(%q : memref<?x128x64xbf16>)
      k_cache(%k : memref<?x1x16x64xbf16>) v_cache(%v : memref<?x1x16x64xbf16>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x128x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}

// -----

// The q box holds a kv head's whole GQA group: at most 256 heads.
func.func @gqa_group_over_256(%q: memref<?x512x64xbf16>, %k: memref<?x1x16x64xbf16>,
    %v: memref<?x1x16x64xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x512x64xbf16>) {
  // expected-error @+1 {{'paged_attn.decode' op the decode kernel needs gqa group (512) and q_len_per_request (1) of at most 256 each (one q box)}}
  paged_attn.decode
      q(%q : memref<?x512x64xbf16>)
      k_cache(%k : memref<?x1x16x64xbf16>) v_cache(%v : memref<?x1x16x64xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x512x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}

// -----

// ... and a request's q_len_per_request tokens: at most 256.
func.func @q_len_over_256(%q: memref<?x8x64xbf16>, %k: memref<?x16x8x64xbf16>,
    %v: memref<?x16x8x64xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x8x64xbf16>) {
  // expected-error @+1 {{'paged_attn.decode' op the decode kernel needs gqa group (1) and q_len_per_request (300) of at most 256 each (one q box)}}
  paged_attn.decode
      q(%q : memref<?x8x64xbf16>)
      k_cache(%k : memref<?x16x8x64xbf16>) v_cache(%v : memref<?x16x8x64xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.125 : f32, q_len_per_request = 300}
  return
}

// -----

// All q rows of a kv head (group * q_len_per_request) stay in shared memory.
func.func @shared_memory_over_limit(%q: memref<?x16x256xbf16>, %k: memref<?x1x16x256xbf16>,
    %v: memref<?x1x16x256xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x16x256xbf16>) {
  // expected-error @+1 {{'paged_attn.decode' op the decode kernel would need 655360 bytes of shared memory (524288 for the 1024 q rows of a kv head, 2 stages of 65536 for K and V), more than the 232448 a CTA can have: lower gqa group * q_len_per_request}}
  paged_attn.decode
      q(%q : memref<?x16x256xbf16>)
      k_cache(%k : memref<?x1x16x256xbf16>) v_cache(%v : memref<?x1x16x256xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x16x256xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0625 : f32, q_len_per_request = 64}
  return
}
