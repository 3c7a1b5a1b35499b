// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
//
// The decode epilogue: each warp's row maxima and sums go to shared memory
// (a row's four side by side), then warp w combines rows w, w + 4, ... of
// the CTA's q rows (here 4: a GQA group of 4, one row a warp). Each lane
// finds the row's weights once, four exps and one reciprocal, and combines
// its columns (lane, lane + 32, ...) with one FMA a warp each: no
// division, no exponential per element.
//
// The merge kernel reads every split's log-sum-exp at once (lane l of every
// warp those of splits l and l + 32), reduces them by shuffles, and sums
// the partial outputs eight splits at a time, each split's weight
// broadcast from the lane that holds it.

// CHECK-LABEL: gpu.func @decode_0(
// CHECK: %[[WARP:[0-9]+]] = arith.divui %thread_id_x, %c32 : index
// CHECK: %[[LANE:[0-9]+]] = arith.remui %thread_id_x, %c32 : index
// The per-row loop, after the tile loop's results are stored.
// CHECK: gpu.barrier
// CHECK: scf.for %[[ROW:arg[0-9]+]] = %[[WARP]] to %c4 step %c4 {
// CHECK: %[[STAT:[0-9]+]] = arith.muli %[[ROW]], %c4 : index
// CHECK: %[[M0:[0-9]+]] = memref.load %[[SCRATCH:view[_0-9]*]][%[[STAT]]]
// CHECK: %[[L0:[0-9]+]] = arith.addi %[[STAT]], %c64 : index
// CHECK: memref.load %[[SCRATCH]][%[[L0]]]
// CHECK-COUNT-4: ex2.approx.ftz.f32
// CHECK-NOT: ex2.approx
// CHECK: %[[KEYS:[0-9]+]] = arith.cmpf une
// CHECK: scf.if
// CHECK: %[[INV:[0-9]+]] = arith.divf %cst{{.*}}, %{{[0-9]+}} : f32
// CHECK: %[[FACTOR:[0-9]+]] = arith.select %[[KEYS]], %[[INV]], %cst
// CHECK-COUNT-4: arith.mulf %{{[0-9]+}}, %[[FACTOR]] : f32
// Columns lane, lane + 32, lane + 64, lane + 96: one mulf and three FMAs.
// CHECK: arith.mulf
// CHECK-COUNT-3: math.fma
// CHECK-NEXT: arith.truncf
// CHECK-NEXT: memref.store %{{[0-9]+}}, %arg5[%{{[0-9]+}}, %{{[0-9]+}}, %[[LANE]]]
// CHECK-NOT: arith.divf
// CHECK-NOT: ex2.approx
// CHECK: memref.store
// CHECK: memref.store
// CHECK: memref.store
// Several splits: the normalized partials and, from lane 0, the row's
// log-sum-exp.
// CHECK: } else {
// CHECK: arith.divf
// CHECK-COUNT-4: memref.store %{{[0-9]+}}, %arg6[
// CHECK: arith.cmpi eq, %[[LANE]], %c0 : index
// CHECK: math.log
// CHECK: memref.store %{{[0-9]+}}, %arg6[
// CHECK: gpu.return

// CHECK-LABEL: gpu.func @decode_0_merge(
// CHECK: %[[MLANE:[0-9]+]] = arith.remui %thread_id_x, %c32 : index
// CHECK: memref.load %arg0[
// CHECK: %[[LSE0:[0-9]+]] = arith.select %{{[0-9]+}}, %{{[0-9]+}}, %cst{{.*}} : f32
// CHECK: arith.addi %[[MLANE]], %c32 : index
// CHECK: memref.load %arg0[
// CHECK: %[[LSE1:[0-9]+]] = arith.select
// CHECK: arith.maximumf %[[LSE0]], %[[LSE1]] : f32
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK-COUNT-2: ex2.approx.ftz.f32
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: arith.divf
// CHECK: scf.for
// CHECK: arith.ceildivui %arg1, %c8 : index
// CHECK: scf.for
// CHECK-COUNT-8: gpu.shuffle  idx
// CHECK-COUNT-8: math.fma
// CHECK-NEXT: scf.yield
// CHECK-NOT: scf.for
// CHECK: memref.store
// CHECK: gpu.return
func.func @g4(%q: memref<?x8x128xbf16>,
    %k: memref<?x2x16x128xbf16>, %v: memref<?x2x16x128xbf16>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x128xbf16>) v_cache(%v : memref<?x2x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
