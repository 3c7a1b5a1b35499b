// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
//
// Register-dequantized decode kernels (fp8, NVFP4) read a warp's
// block-table entry of the tile its stage takes next at the start of the
// tile, before waiting for the stage: the refill after the tile's barrier
// then issues its boxes at once, where a read there held every warp of the
// CTA for its latency. The column is clamped into the table (the page count
// of the refill never passes it), and nothing is read past the last tile or
// from a table without columns. 16-bit caches (bound by HBM, not by issue)
// and pages of which a warp has several a tile read after the barrier.

// fp8, page 16: a tile's 4 pages, one a warp.
// CHECK-LABEL: gpu.func @decode_0(
// CHECK-SAME: %[[BT:arg[0-9]+]]: memref<?x?xi32>
// CHECK: scf.for
// CHECK: %[[NEXT:[0-9]+]] = scf.if %{{[0-9]+}} -> (i32) {
// CHECK: arith.minsi
// CHECK-NEXT: %[[ENTRY:[0-9]+]] = memref.load %[[BT]][%block_id_z, %{{[0-9]+}}] : memref<?x?xi32>
// CHECK-NEXT: scf.yield %[[ENTRY]] : i32
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %c0_i32 : i32
// CHECK-NEXT: }
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: gpu.barrier
// CHECK-NOT: memref.load %[[BT]]
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.{{.*}} ro(%{{[0-9]+}}, %arg1, %c0_i32, %c0_i32, %{{[0-9]+}}, %[[NEXT]], %{{[0-9]+}} : i32,
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.{{.*}} ro(%{{[0-9]+}}, %arg2, %c0_i32, %c0_i32, %{{[0-9]+}}, %[[NEXT]], %{{[0-9]+}} : i32,
// CHECK: scf.yield
// CHECK: atom.relaxed.gpu.add.u32

// bf16, page 16: the entry is read after the barrier.
// CHECK-LABEL: gpu.func @decode_1(
// CHECK-SAME: %[[BT1:arg[0-9]+]]: memref<?x?xi32>
// CHECK: scf.for
// CHECK-NOT: -> (i32) {
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: gpu.barrier
// CHECK: memref.load %[[BT1]]
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d
// CHECK: atom.relaxed.gpu.add.u32

// fp8, page 8: 8 pages a tile, two a warp: read after the barrier.
// CHECK-LABEL: gpu.func @decode_2(
// CHECK-SAME: %[[BT2:arg[0-9]+]]: memref<?x?xi32>
// CHECK: scf.for
// CHECK-NOT: -> (i32) {
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: gpu.barrier
// CHECK: memref.load %[[BT2]]
// CHECK: atom.relaxed.gpu.add.u32

func.func @fp8_page16(%q: memref<?x8x128xbf16>,
    %k: memref<?x2x16x128xf8E4M3FN>, %v: memref<?x2x16x128xf8E4M3FN>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x128xf8E4M3FN>) v_cache(%v : memref<?x2x16x128xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
func.func @bf16_page16(%q: memref<?x8x128xbf16>, %k: memref<?x2x16x128xbf16>,
    %v: memref<?x2x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x128xbf16>) v_cache(%v : memref<?x2x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
func.func @fp8_page8(%q: memref<?x8x128xbf16>,
    %k: memref<?x2x8x128xf8E4M3FN>, %v: memref<?x2x8x128xf8E4M3FN>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x8x128xf8E4M3FN>) v_cache(%v : memref<?x2x8x128xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
