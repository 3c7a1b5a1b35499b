// RUN: attn-opt %s | attn-opt | FileCheck %s
// Valid check_tma ops (the passing side of check-tma-invalid.mlir) round-trip.

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
