// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s
// Valid check_tma ops (the passing side of check-tma-invalid.mlir) round-trip.
// The optional plan fields (element_strides, interleave, oob_fill) print only
// when they are not the defaults.

// CHECK-LABEL: func.func @valid_plans
// CHECK: paged_attn.check_tma %{{.*}} {chip = "sm_90a", deferred = ["global-address-align", "global-stride-align@1", "folded-stride@2"], operand = "v_cache"
// CHECK-SAME: box = [64, 16], swizzle = "128b"
// CHECK: paged_attn.check_tma %{{.*}} {chip = "sm_100a", deferred = [], operand = "k_cache", plan = #paged_attn.tma_plan<elem_type = "u4x16-align16b"
func.func @valid_plans(%m: memref<16x?xbf16, strided<[?, 1]>>, %p: memref<16x256xi8>) {
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align", "global-stride-align@1", "folded-stride@2"], operand = "v_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x?xbf16, strided<[?, 1]>>
  paged_attn.check_tma %p {chip = "sm_100a", deferred = [], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "u4x16-align16b", dim_sources = [-1, 0], dim_scales = [256, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [128, 16], swizzle = "none", required_strides = []>}
      : memref<16x256xi8>
  return
}

// The boundaries of element-stride-range (8) and global-dim-range (2^32).
// CHECK-LABEL: func.func @element_strides
// CHECK: paged_attn.check_tma
// CHECK-SAME: required_strides = [], element_strides = [1, 8]>}
// CHECK: paged_attn.check_tma
// CHECK-SAME: box = [64, 16], swizzle = "128b", required_strides = []>}
func.func @element_strides(%m: memref<16x128xbf16>, %big: memref<16x4294967296xbf16>) {
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = [], element_strides = [1, 8]>}
      : memref<16x128xbf16>
  paged_attn.check_tma %big {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x4294967296xbf16>
  return
}

// 32B interleave at rank 3 with the 32B swizzle it requires.
// CHECK-LABEL: func.func @interleave
// CHECK: paged_attn.check_tma
// CHECK-SAME: swizzle = "32b", required_strides = [], interleave = "32b">}
func.func @interleave(%m: memref<4x16x128xbf16>) {
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [2, 1, 0], dim_scales = [1, 1, 1], stride_sources = [2, 1, 0], stride_scales = [1, 1, 1], box = [16, 16, 1], swizzle = "32b", required_strides = [], interleave = "32b">}
      : memref<4x16x128xbf16>
  return
}

// NaN fill on a float type; the parameters may come in any order.
// CHECK-LABEL: func.func @oob_fill
// CHECK: paged_attn.check_tma
// CHECK-SAME: required_strides = [], oob_fill = "nan-request-zero-fma">}
func.func @oob_fill(%m: memref<16x128xbf16>) {
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", oob_fill = "nan-request-zero-fma", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = []>}
      : memref<16x128xbf16>
  return
}

// Spelled-out defaults are dropped when printing.
// CHECK-LABEL: func.func @explicit_defaults
// CHECK: paged_attn.check_tma
// CHECK-SAME: box = [64, 16], swizzle = "128b", required_strides = []>}
func.func @explicit_defaults(%m: memref<16x128xbf16>) {
  paged_attn.check_tma %m {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache",
      plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [1, 0], dim_scales = [1, 1], stride_sources = [1, 0], stride_scales = [1, 1], box = [64, 16], swizzle = "128b", required_strides = [], interleave = "none", oob_fill = "none">}
      : memref<16x128xbf16>
  return
}
