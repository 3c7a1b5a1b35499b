// RUN: attn-opt %s -split-input-file -verify-diagnostics
//
// paged_attn.check_tma verifies its own plan: a malformed, hand-written or
// stale check is rejected, and no static part of the plan (box, swizzle,
// element type, target, static strides) may break a TMA rule. This gives a
// lit case through real IR for the rules that the derived descriptors cannot
// break (the kernel picks those parameters). The passing side: the
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
