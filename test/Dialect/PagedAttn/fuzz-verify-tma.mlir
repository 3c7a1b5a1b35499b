// RUN: attn-opt %s -split-input-file -verify-diagnostics --paged-attn-verify-tma
// RUN: not attn-opt %s -split-input-file --paged-attn-verify-tma=report -o /dev/null 2>&1 | FileCheck %s
//
// Inputs found by fuzzing (scripts/run-fuzz.sh, docs/Testing.md) that
// crashed --paged-attn-verify-tma under UBSan; each is a diagnostic or a
// verdict now.

// A static offset whose size in bytes does not fit in int64 (UBSan: signed
// overflow in getMemRefFacts). The address is computed modulo 2^64, like
// the pointer arithmetic: the first element is 48 bytes past a 64-byte
// boundary, so 16-byte alignment is proven and nothing is reported.
// CHECK: remark: k_cache: {{.*}} address 48; proven: [{{[a-z0-9@, -]*}}global-address-align
func.func @huge_offset(%q: memref<4x32x128xbf16>, %k: memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: 9223372036854775000>>, %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  %ka = memref.assume_alignment %k, 64 : memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: 9223372036854775000>>
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%ka : memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: 9223372036854775000>>)
      v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// A negative offset: 4 bf16 before a 64-byte boundary is 8 bytes off.
func.func @negative_offset(%q: memref<4x32x128xbf16>, %k: memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: -4>>, %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  %ka = memref.assume_alignment %k, 64 : memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: -4>>
  // expected-error @+2 {{k_cache breaks TMA rule 'global-address-align'}}
  // expected-note @+1 {{k_cache descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%ka : memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: -4>>)
      v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// A GQA group past 2^62 (one kv head): DecodePlan's q rows (group x
// q_len) and q bytes overflowed int64 (UBSan) before the verifier saw the
// boxes; they saturate now, and the group is a diagnostic (a box extent
// past 2^32 reads as 2^32 - 1).
func.func @decodeplan_group_overflow(%q: memref<?x4611686018427387904x128xbf16>, %k: memref<?x1x1x128xbf16>, %v: memref<?x1x1x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x4611686018427387904x128xbf16>) {
  // expected-error @+3 {{q breaks TMA rule 'global-dim-range': extent of dim 1 (gqa group, memref dim 1) must be in [1, 2^32], got 4611686018427387904}}
  // expected-error @+2 {{q breaks TMA rule 'box-dim-range': box extent of dim 1 (gqa group, memref dim 1) must be in [1, 256], got 4294967295}}
  // expected-note @+1 {{q descriptor: }}
  paged_attn.decode
      q(%q : memref<?x4611686018427387904x128xbf16>)
      k_cache(%k : memref<?x1x1x128xbf16>)
      v_cache(%v : memref<?x1x1x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x4611686018427387904x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// q_len_per_request = 2^63 - 1: group x q_len overflowed in DecodePlan; now
// the q box (q_len tokens) breaks box-dim-range.
func.func @decodeplan_qlen_overflow(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  // expected-error @+2 {{q breaks TMA rule 'box-dim-range': box extent of dim 3 (num_tokens, memref dim 0) must be in [1, 256], got 4294967295}}
  // expected-note @+1 {{q descriptor: }}
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>)
      v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32, q_len_per_request = 9223372036854775807}
  return
}
