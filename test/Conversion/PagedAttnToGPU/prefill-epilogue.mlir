// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
//
// The prefill epilogue honours out's strides. Each row is normalized by one
// factor (one division per row, not per output). Where out's inner stride
// is statically 1, the kernel checks out's start, token stride and head
// stride: multiples of 16 bytes, 16-byte chunks staged through shared
// memory; even, two adjacent columns as one 4-byte store. An out whose
// inner stride is dynamic gets one store per element.

// An out with a dynamic inner stride: no pair store into it, ever.
// CHECK-LABEL: gpu.func @prefill_0(
// CHECK: arith.divf %cst{{.*}}, %{{.*}} : f32
// CHECK-NOT: vector.store {{.*}} : memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>
// CHECK: memref.store {{.*}} : memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>
// CHECK-NOT: vector.store {{.*}} : memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>
// CHECK: gpu.return

// A unit inner stride: the device checks out's start, 2 token stride and
// 2 head stride once. All multiples of 16 bytes: each warp writes its rows
// into its own rows of the q tile, syncs, and stores whole 16-byte chunks
// of a row. All even: pairs as 4-byte stores. Otherwise elements.
// CHECK-LABEL: gpu.func @prefill_1(
// CHECK: %{{.*}}, %[[OFF:[a-z0-9_]+]], %{{.*}}:3, %[[STRIDES:[a-z0-9_]+]]:3 = memref.extract_strided_metadata %[[OUT:arg[0-9]+]] : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>
// CHECK: %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: %[[OFFB:[0-9]+]] = arith.muli %[[OFF]], %c2 : index
// CHECK: %[[START:[0-9]+]] = arith.addi %[[PTR]], %[[OFFB]] : index
// CHECK: %[[HEADB:[0-9]+]] = arith.muli %[[STRIDES]]#1, %c2 : index
// CHECK: %[[TOKB:[0-9]+]] = arith.muli %[[STRIDES]]#0, %c2 : index
// CHECK: %[[STEPS:[0-9]+]] = arith.ori %[[TOKB]], %[[HEADB]] : index
// CHECK: %[[BITS:[0-9]+]] = arith.ori %[[START]], %[[STEPS]] : index
// CHECK: %[[REM16:[0-9]+]] = arith.remui %[[BITS]], %c16 : index
// CHECK: %[[ALIGNED:[0-9]+]] = arith.cmpi eq, %[[REM16]], %c0 : index
// CHECK: scf.if %[[ALIGNED]] {
// CHECK-COUNT-32: vector.store %{{.*}}, %[[STAGE:[0-9a-z_]+]][%{{.*}}, %{{.*}}] : memref<256x64xf16, #gpu.address_space<workgroup>>, vector<2xf16>
// CHECK: nvvm.bar.warp.sync %c-1_i32
// CHECK-COUNT-8: vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>, vector<8xf16>
// CHECK: } else {
// CHECK: %[[REM4:[0-9]+]] = arith.remui %[[BITS]], %c4 : index
// CHECK: %[[EVEN:[0-9]+]] = arith.cmpi eq, %[[REM4]], %c0 : index
// CHECK: scf.if %[[EVEN]] {
// CHECK: vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}, %{{.*}}] {alignment = 4 : i64} : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>, vector<2xf16>
// CHECK: } else {
// CHECK: memref.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>

func.func @strided_out(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>,
    %v: memref<?x8x16x128xbf16>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>) v_cache(%v : memref<?x8x16x128xbf16>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

func.func @f16_out(%q: memref<?x32x128xf16>, %k: memref<?x8x16x128xf16>,
    %v: memref<?x8x16x128xf16>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xf16>)
      k_cache(%k : memref<?x8x16x128xf16>) v_cache(%v : memref<?x8x16x128xf16>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
