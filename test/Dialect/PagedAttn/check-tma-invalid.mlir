// RUN: attn-opt %s -split-input-file -verify-diagnostics
//
// paged_attn.check_tma verifies its own plan: a malformed, hand-written or
// stale check is rejected, and no static part of the plan (box, swizzle,
// element type, target, static strides) may break a TMA rule. This gives a
// lit case through real IR for the rules that the derived descriptors cannot
// break (the kernel picks those parameters), including those on the optional
// plan fields element_strides, interleave and oob_fill. The passing side: the
// check_tma ops produced by verify-tma.mlir re-parse and verify.

func.func @unknown_chip(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects chip to be sm_90a or sm_100a, got 'sm_80'}}
  paged_attn.check_tma %m {chip = "sm_80", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @unknown_elem_type(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects a well-formed plan (known elem_type and swizzle, paired sources and scales)}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf17", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @unpaired_sources(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects a well-formed plan}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @source_out_of_range(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects plan stride sources in [-1, 2), got 2}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 2], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @box_rank(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects plan dims, strides and box of one rank, got 2, 2 and 3}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16, 1], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @unknown_deferred_rule(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects deferred entries to name TMA rules, got 'stride-magic@1'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["stride-magic@1"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

// A box of 128 x 64 x 15 bf16 is 245760 bytes: more than the 228 KiB that
// cuTensorMapEncodeTiled accepts (14 rows of 64: 229376 bytes, would pass).
func.func @box_bytes_max(%m: memref<16x64x128xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'box-bytes-max': a box must be at most 233472 bytes (228 KiB), got 245760 bytes (128 x 64 x 15 bf16)}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [2, 1, 0], dim_scales = [1, 1, 1], stride_sources = [2, 1, 0], stride_scales = [1, 1, 1], box = [128, 64, 15], swizzle = "none", required_strides = []>}
      : memref<16x64x128xbf16>
  return
}

// -----

// 128 bf16 = 256 bytes of inner box under a 128-byte swizzle.
func.func @swizzle_span(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'swizzle-span'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [128, 16], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @box_inner_bytes(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'box-inner-bytes'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [4, 16], swizzle = "none", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @swizzle_target(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'swizzle-target'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b-atom-32b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// -----

// sm_100 packed types on sm_90a.
func.func @packed_target(%m: memref<16x256xi8>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'packed-target'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u4x16-align16b", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [128, 16], swizzle = "none", required_strides = []>}
      : memref<16x256xi8>
  return
}

// -----

func.func @packed_align16b_box(%m: memref<16x256xi8>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'packed-align16b-box'}}
  paged_attn.check_tma %m {chip = "sm_100a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u4x16-align16b", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "none", required_strides = []>}
      : memref<16x256xi8>
  return
}

// -----

func.func @packed_align8b_dim(%m: memref<16x256xi8>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'packed-align8b-dim'}}
  paged_attn.check_tma %m {chip = "sm_100a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u4x16-align8b", dim_sources = [-1, 0], dim_scales = [33, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [32, 16], swizzle = "none", required_strides = []>}
      : memref<16x256xi8>
  return
}

// -----

// Whatever the static type fixes is checked too.
func.func @global_stride_align_static(%m: memref<16x132xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'global-stride-align'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x132xbf16>
  return
}

// -----

func.func @bad_interleave(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects plan interleave to be none, 16b or 32b, got '64b'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = [], interleave = "64b">}
      : memref<16x128xbf16>
  return
}

// -----

func.func @bad_oob_fill(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects plan oob_fill to be none or nan-request-zero-fma, got 'nan'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = [], oob_fill = "nan">}
      : memref<16x128xbf16>
  return
}

// -----

func.func @element_strides_rank(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects plan element_strides to have one entry per dim (2), got 3}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = [], element_strides = [1, 1, 1]>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @element_strides_negative(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{expects plan element_strides[1] to be in [0, 2^32), got -1}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = [], element_strides = [1, -1]>}
      : memref<16x128xbf16>
  return
}

// -----

// Interleaved layouts need rank 3 or more.
func.func @interleave_rank(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'interleave-rank': rank must be at least 3 with interleave 16b, got 2}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "none", required_strides = [], interleave = "16b">}
      : memref<16x128xbf16>
  return
}

// -----

func.func @interleave_swizzle(%m: memref<4x16x128xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'interleave-swizzle': interleave 32b requires swizzle 32b, got swizzle 128b}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [2, 1, 0], dim_scales = [1, 1, 1], stride_sources = [2, 1, 0], stride_scales = [1, 1, 1], box = [64, 16, 1], swizzle = "128b", required_strides = [], interleave = "32b">}
      : memref<4x16x128xbf16>
  return
}

// -----

// Element strides are in [1, 8]: 9 above, 0 below.
func.func @element_stride_range(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'element-stride-range': element stride of dim 1 must be in [1, 8], got 9}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = [], element_strides = [1, 9]>}
      : memref<16x128xbf16>
  return
}

// -----

func.func @element_stride_range_zero(%m: memref<16x128xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'element-stride-range': element stride of dim 0 must be in [1, 8], got 0}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = [], element_strides = [0, 1]>}
      : memref<16x128xbf16>
  return
}

// -----

// Otherwise legal (128 x u6 = 96 bytes per row), but 16U6 allows no interleave.
func.func @packed_interleave(%m: memref<4x16x128xi8>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'packed-interleave': element type u6x16-align16b requires interleave none, got interleave 16b}}
  paged_attn.check_tma %m {chip = "sm_100a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u6x16-align16b", dim_sources = [2, 1, 0], dim_scales = [1, 1, 1], stride_sources = [2, 1, 0], stride_scales = [1, 1, 1], box = [128, 16, 1], swizzle = "none", required_strides = [], interleave = "16b">}
      : memref<4x16x128xi8>
  return
}

// -----

func.func @oob_nan_float(%m: memref<16x128xi8>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'oob-nan-float': nan-request-zero-fma oob fill requires a float element type, got u8}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u8", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "64b", required_strides = [], oob_fill = "nan-request-zero-fma">}
      : memref<16x128xi8>
  return
}

// -----

// Rows of 192 x u4 = 96 bytes: 32-byte aligned, but not a multiple of 128 values.
func.func @packed_align16b_dim(%m: memref<16x192xi8>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'packed-align16b-dim': extent of dim 0 must be a multiple of 128 for u4x16-align16b, got 192}}
  paged_attn.check_tma %m {chip = "sm_100a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u4x16-align16b", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [128, 16], swizzle = "none", required_strides = []>}
      : memref<16x192xi8>
  return
}

// -----

// A row stride of 101 x u4 is half a byte short: a packed stride that is no
// whole number of bytes is never a 16-byte multiple either, so both rules break.
func.func @packed_byte_stride(%m: memref<16x101xi8>) {
  // expected-error @+2 {{plan for k_cache breaks TMA rule 'global-stride-align': global stride of dim 1 must be a multiple of 16 bytes, got 50.5 bytes (101 x u4)}}
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'packed-byte-stride': global stride of dim 1 must be a whole number of bytes (a multiple of 2 x u4), got 50.5 bytes (101 x u4)}}
  paged_attn.check_tma %m {chip = "sm_100a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u4x16-align8b", dim_sources = [-1, 0], dim_scales = [100, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [32, 16], swizzle = "none", required_strides = []>}
      : memref<16x101xi8>
  return
}

// -----

// An extent of 2^32 + 16 from a static memref dim (the row stride, 2^33 + 32
// bytes, is legal).
func.func @global_dim_range_max(%m: memref<16x4294967312xbf16>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'global-dim-range': extent of dim 0 must be in [1, 2^32], got 4294967312}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x4294967312xbf16>
  return
}

// -----

func.func @packed_swizzle(%m: memref<4x16x128xi8>) {
  // expected-error @+1 {{plan for k_cache breaks TMA rule 'packed-swizzle': element type u4x16-align16b supports swizzle none, 128b or 128b-atom-32b, got swizzle 64b}}
  paged_attn.check_tma %m {chip = "sm_100a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u4x16-align16b", dim_sources = [2, 1, 0], dim_scales = [1, 1, 1], stride_sources = [2, 1, 0], stride_scales = [1, 1, 1], box = [128, 16, 1], swizzle = "64b", required_strides = []>}
      : memref<4x16x128xi8>
  return
}

// -----

func.func @rank_over_5(%m: memref<2x2x2x2x2x64xbf16>) {
  // expected-error @+1 {{plan for q breaks TMA rule 'rank'}}
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "q",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [5, 4, 3, 2, 1, 0], dim_scales = [1, 1, 1, 1, 1, 1], stride_sources = [5, 4, 3, 2, 1, 0], stride_scales = [1, 1, 1, 1, 1, 1], box = [64, 2, 2, 2, 2, 2], swizzle = "128b", required_strides = []>}
      : memref<2x2x2x2x2x64xbf16>
  return
}
