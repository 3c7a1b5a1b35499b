// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
//
// The decode epilogue: each warp's row maxima and sums go to shared memory
// (a row's four side by side), then warp w combines rows w, w + 4, ... of
// the CTA's q rows (here 4: a GQA group of 4, one row a warp). Each lane
// finds the row's weights once, four exps and one reciprocal, and combines
// its columns (lane, lane + 32, ...) with one FMA a warp each: no
// division, no exponential per element.
//
// With several splits, the CTAs' partial rows meet in the workspace: after
// a barrier, thread 0 adds one to the row group's counter (blockIdx.z x
// gridDim.y + blockIdx.y) between gpu-scope fences; the CTA that brings it
// to the split count resets it and tells the others through shared memory,
// and its warp w merges row w: every split's log-sum-exp at once (lane l
// those of splits l and l + 32, coherent loads), reduced by shuffles, then
// the partial outputs eight splits at a time, each split's weight
// broadcast once from the lane that holds it for the lane's four columns.

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
// CHECK: %[[MULTI:[0-9]+]] = arith.cmpi sgt, %arg8, %c1 : index
// CHECK-NEXT: scf.if %[[MULTI]] {
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: %[[VERDICT:view[_0-9]*]] = memref.view {{.*}} to memref<1xi32, #gpu.address_space<workgroup>>
// CHECK-NEXT: scf.if
// CHECK-NEXT: %[[GDY:.*]] = gpu.grid_dim y
// CHECK-NEXT: %[[G0:[0-9]+]] = arith.muli %block_id_z, %[[GDY]] : index
// CHECK-NEXT: %[[GROUP:[0-9]+]] = arith.addi %[[G0]], %block_id_y : index
// CHECK: %[[OLD:[0-9]+]] = llvm.inline_asm has_side_effects asm_dialect = att "fence.acq_rel.gpu;\0A\09atom.relaxed.gpu.add.u32 $0, [$1], 1;\0A\09fence.acq_rel.gpu;"
// CHECK-NEXT: %[[LASTSPLIT:[0-9]+]] = arith.subi %arg8, %c1 : index
// CHECK-NEXT: %[[LASTI32:[0-9]+]] = arith.index_cast %[[LASTSPLIT]] : index to i32
// CHECK-NEXT: %[[LAST:[0-9]+]] = arith.cmpi eq, %[[OLD]], %[[LASTI32]] : i32
// CHECK-NEXT: scf.if %[[LAST]] {
// CHECK-NEXT: memref.store %c0_i32, %arg7[%[[GROUP]]] : memref<?xi32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[FLAG:[0-9]+]] = arith.extui %[[LAST]] : i1 to i32
// CHECK-NEXT: memref.store %[[FLAG]], %[[VERDICT]][%c0]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: %[[READ:[0-9]+]] = memref.load %[[VERDICT]][%c0]
// CHECK-NEXT: %[[ISLAST:[0-9]+]] = arith.cmpi ne, %[[READ]], %c0_i32 : i32
// CHECK-NEXT: scf.if %[[ISLAST]] {
// CHECK-NEXT: scf.for %{{.*}} = %[[WARP]] to %c4 step %c4 {
// CHECK: ld.relaxed.gpu.f32
// CHECK: %[[LSE0:[0-9]+]] = arith.select %{{[0-9]+}}, %{{[0-9]+}}, %cst{{.*}} : f32
// CHECK: arith.addi %[[LANE]], %c32 : index
// CHECK: ld.relaxed.gpu.f32
// CHECK: %[[LSE1:[0-9]+]] = arith.select
// CHECK: arith.maximumf %[[LSE0]], %[[LSE1]] : f32
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK-COUNT-2: ex2.approx.ftz.f32
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: arith.divf
// CHECK: arith.ceildivui %arg8, %c8 : index
// CHECK: scf.for
// CHECK-COUNT-8: gpu.shuffle  idx
// CHECK-NOT: gpu.shuffle
// CHECK-COUNT-8: ld.relaxed.gpu.f32
// CHECK-COUNT-8: math.fma
// CHECK-COUNT-8: ld.relaxed.gpu.f32
// CHECK-COUNT-8: math.fma
// CHECK-COUNT-8: ld.relaxed.gpu.f32
// CHECK-COUNT-8: math.fma
// CHECK-COUNT-8: ld.relaxed.gpu.f32
// CHECK-COUNT-8: math.fma
// CHECK-NEXT: scf.yield
// CHECK-NOT: scf.for
// CHECK-COUNT-4: memref.store %{{[0-9]+}}, %arg5[
// CHECK: gpu.return
// No merge kernel.
// CHECK-NOT: gpu.func

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
