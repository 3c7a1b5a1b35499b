// RUN: attn-opt %s -split-input-file -verify-diagnostics --paged-attn-verify-tma
//
// TMA rules broken through real ops, one case per rule that the derived
// descriptors can break. Rules the derivation cannot break by construction
// (swizzle-span, element-stride-range, interleave-*, packed-*, oob-nan-float,
// swizzle-target: the kernel picks those parameters) are covered by
// unittests/Support/TmaRulesTest.cpp and by check-tma-plans.mlir.

// K is contiguous and legal; V has its own (padded, misaligned) row stride:
// only v_cache is reported, from its own strides.
func.func @global_stride_align(%q: memref<4x32x128xbf16>, %k: memref<64x8x16x128xbf16>, %v: memref<64x8x16x128xbf16, strided<[16896, 2112, 132, 1]>>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  // expected-error @+2 {{v_cache breaks TMA rule 'global-stride-align': global stride of dim 1 (page_size, memref dim 2) must be a multiple of 16 bytes, got 264 bytes (132 x bf16)}}
  // expected-note @+1 {{v_cache descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x8x16x128xbf16>)
      v_cache(%v : memref<64x8x16x128xbf16, strided<[16896, 2112, 132, 1]>>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// The GQA group is folded into the q descriptor {D, G, H/G, T}: the head
// stride is descriptor dim 1, G times it dim 2.
func.func @q_gqa_folded_stride(%q: memref<4x32x128xbf16, strided<[4224, 132, 1]>>, %k: memref<64x8x16x128xbf16>, %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  // expected-error @+2 {{q breaks TMA rule 'global-stride-align': global stride of dim 1 (gqa group, memref dim 1) must be a multiple of 16 bytes, got 264 bytes (132 x bf16)}}
  // expected-note @+1 {{q descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16, strided<[4224, 132, 1]>>)
      k_cache(%k : memref<64x8x16x128xbf16>)
      v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @global_stride_max(%q: memref<4x32x128xbf16>, %k: memref<64x8x16x128xbf16, strided<[549755813888, 2048, 128, 1]>>, %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  // expected-error @+2 {{k_cache breaks TMA rule 'global-stride-max': global stride of dim 3 (pages, memref dim 0) must be less than 2^40 bytes, got 1099511627776 bytes (549755813888 x bf16)}}
  // expected-note @+1 {{k_cache descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x8x16x128xbf16, strided<[549755813888, 2048, 128, 1]>>)
      v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

func.func @inner_stride_unit(%q: memref<4x32x128xbf16, strided<[8192, 256, 2]>>, %k: memref<64x8x16x128xbf16>, %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  // expected-error @+2 {{q breaks TMA rule 'inner-stride-unit'}}
  // expected-note @+1 {{q descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16, strided<[8192, 256, 2]>>)
      k_cache(%k : memref<64x8x16x128xbf16>)
      v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// A cache with no pages.
func.func @global_dim_range(%q: memref<4x32x128xbf16>, %k: memref<0x8x16x128xbf16>, %v: memref<0x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  // expected-error @+4 {{k_cache breaks TMA rule 'global-dim-range'}}
  // expected-note @+3 {{k_cache descriptor: }}
  // expected-error @+2 {{v_cache breaks TMA rule 'global-dim-range'}}
  // expected-note @+1 {{v_cache descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<0x8x16x128xbf16>)
      v_cache(%v : memref<0x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// One q box holds a request's q_len_per_request tokens: more than 256 do not
// fit a box. (A K/V box holds at most 64 rows of a page, whatever its size.)
func.func @box_dim_range(%q: memref<1200x32x128xbf16>, %k: memref<64x8x16x128xbf16>, %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<1200x32x128xbf16>) {
  // expected-error @+2 {{q breaks TMA rule 'box-dim-range': box extent of dim 3 (num_tokens, memref dim 0) must be in [1, 256], got 300}}
  // expected-note @+1 {{q descriptor: }}
  paged_attn.decode
      q(%q : memref<1200x32x128xbf16>)
      k_cache(%k : memref<64x8x16x128xbf16>)
      v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<1200x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32, q_len_per_request = 300 : i64}
  return
}

// -----

// NVFP4 with page_size 1 and head_dim 64, scales packed: a head's scales
// are 4 bytes, so the kv_heads stride of the scale descriptor is 4 bytes,
// not a multiple of 16 (the scale tensors need padded head strides there;
// verify-tma.mlir has the padded case, which passes).
func.func @scale_head_stride_align(%q: memref<4x32x64xbf16>, %k: memref<64x8x1x32xvector<2xf4E2M1FN>>, %v: memref<64x8x1x32xvector<2xf4E2M1FN>>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %ks: memref<64x8x1x4xf8E4M3FN>, %vs: memref<64x8x1x4xf8E4M3FN, strided<[128, 16, 4, 1]>>, %o: memref<4x32x64xbf16>) {
  // expected-error @+2 {{k_scale breaks TMA rule 'global-stride-align': global stride of dim 1 (kv_heads, memref dim 1) must be a multiple of 16 bytes, got 4 bytes (4 x u8)}}
  // expected-note @+1 {{k_scale descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x64xbf16>)
      k_cache(%k : memref<64x8x1x32xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<64x8x1x32xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      k_scale(%ks : memref<64x8x1x4xf8E4M3FN>)
      v_scale(%vs : memref<64x8x1x4xf8E4M3FN, strided<[128, 16, 4, 1]>>)
      out(%o : memref<4x32x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// V scale rows padded to 16 bytes: the scale descriptor folds page_size and
// head_dim / 16 into one dim, which needs rows of exactly head_dim / 16.
func.func @folded_scale_stride(%q: memref<4x32x128xbf16>, %k: memref<64x8x16x64xvector<2xf4E2M1FN>>, %v: memref<64x8x16x64xvector<2xf4E2M1FN>>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %ks: memref<64x8x16x8xf8E4M3FN>, %vs: memref<64x8x16x8xf8E4M3FN, strided<[2048, 256, 16, 1]>>, %o: memref<4x32x128xbf16>) {
  // expected-error @+2 {{v_scale breaks descriptor requirement 'folded-stride': stride of memref dim 2 must be 8 elements (the head_dim / 16 scales of consecutive rows of dim 2 must be contiguous to fold dims 2-3), got 16}}
  // expected-note @+1 {{v_scale descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<64x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      k_scale(%ks : memref<64x8x16x8xf8E4M3FN>)
      v_scale(%vs : memref<64x8x16x8xf8E4M3FN, strided<[2048, 256, 16, 1]>>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// -----

// The base pointer is 64-byte aligned and the view starts one bf16 later.
func.func @global_address_align(%q: memref<4x32x128xbf16>, %k: memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: 1>>, %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  %ka = memref.assume_alignment %k, 64 : memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: 1>>
  // expected-error @+2 {{k_cache breaks TMA rule 'global-address-align'}}
  // expected-note @+1 {{k_cache descriptor: }}
  paged_attn.decode
      q(%q : memref<4x32x128xbf16>)
      k_cache(%ka : memref<64x8x16x128xbf16, strided<[16384, 2048, 128, 1], offset: 1>>)
      v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>)
      seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
