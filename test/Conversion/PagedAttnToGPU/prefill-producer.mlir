// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
//
// The wgmma prefill's producer warps: W = min(4, pages per 64-key tile)
// warps share a tile's pages (page i from lane i / W of warp i % W), so
// that every producer warp has a page in every tile but the last and none
// falls a phase behind on an empty barrier. Issuer 0 (warp 0, lane 0)
// expects the tile's bytes.

// 32-token pages, two a tile: two warps.
// CHECK-LABEL: gpu.func @prefill_0(
// CHECK: nvvm.setmaxregister  decrease 24
// CHECK: %[[PRODUCER:[0-9]+]] = arith.cmpi slt, %[[WARP:[0-9]+]], %c2 : index
// CHECK: scf.if %[[PRODUCER]] {
// CHECK: %[[LANE2:[0-9]+]] = arith.muli %{{[0-9]+}}, %c2 : index
// CHECK: %[[ISSUER:[0-9]+]] = arith.addi %[[LANE2]], %[[WARP]] : index
// CHECK: scf.for
// CHECK: arith.cmpi eq, %[[ISSUER]], %c0 : index
// CHECK: nvgpu.mbarrier.arrive.expect_tx
// CHECK: scf.for %{{.*}} = %[[ISSUER]] to %{{.*}} step %c64 {
// CHECK: nvgpu.tma.async.load
// CHECK: nvvm.setmaxregister  increase 240

// 128-token pages, half a page a tile: one warp, whose lane 0 issues.
// CHECK-LABEL: gpu.func @prefill_1(
// CHECK: nvvm.setmaxregister  decrease 24
// CHECK: %[[PRODUCER1:[0-9]+]] = arith.cmpi slt, %[[WARP1:[0-9]+]], %c1 : index
// CHECK: scf.if %[[PRODUCER1]] {
// CHECK: %[[ISSUER1:[0-9]+]] = arith.addi %{{[0-9]+}}, %[[WARP1]] : index
// CHECK: scf.for
// CHECK: %[[FIRST1:[0-9]+]] = arith.cmpi eq, %[[ISSUER1]], %c0 : index
// CHECK: scf.if %[[FIRST1]] {
// CHECK: nvgpu.mbarrier.arrive.expect_tx
// CHECK: nvgpu.tma.async.load
// CHECK: nvvm.setmaxregister  increase 240

func.func @page32(%q: memref<?x32x128xbf16>, %k: memref<?x8x32x128xbf16>,
    %v: memref<?x8x32x128xbf16>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x32x128xbf16>) v_cache(%v : memref<?x8x32x128xbf16>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x32x128xbf16>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

func.func @page128(%q: memref<?x32x128xbf16>, %k: memref<?x8x128x128xbf16>,
    %v: memref<?x8x128x128xbf16>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x128x128xbf16>) v_cache(%v : memref<?x8x128x128xbf16>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x32x128xbf16>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
