// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
//
// Register-dequantized decode with swapped operands (at most 8 q rows)
// computes two key tiles a step (DecodePlan::tilesPerStep) where 4 stages
// still fit four CTAs an SM: both tiles' stage waits, their S^T (one MMA
// chain each), one online-softmax update and rescale check over both, both
// P V, one CTA barrier and both refills. An odd last tile runs alone in a
// second loop that continues from the first one's state.

// decode_0: NVFP4, head_dim 128, GQA 4: pairs, 4 stages of 9216 bytes after
// 4096 bytes of q.
// CHECK-LABEL: gpu.func @decode_0(
// CHECK-SAME: nvvm.minctasm = 4 : i32
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [40960]
// CHECK: %[[PAIRED:[0-9]+]]:36 = scf.for %{{.*}} = %c0 to %[[EVEN:[0-9]+]] step %c2 iter_args(
// CHECK-COUNT-2: nvgpu.mbarrier.try_wait.parity
// CHECK-NOT: nvgpu.mbarrier.try_wait.parity
// CHECK-NOT: nvvm.vote.sync
// CHECK-COUNT-16: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: nvvm.vote.sync
// CHECK-NOT: nvvm.vote.sync
// CHECK-COUNT-4: movmatrix.sync.aligned.m8n8.trans.b16
// CHECK-COUNT-16: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK-COUNT-2: nvgpu.mbarrier.arrive.expect_tx
// CHECK: scf.yield
// The odd last tile: one wait, one rescale check, 8 + 8 MMAs.
// CHECK: scf.for %{{.*}} = %[[EVEN]] to %{{.*}} step %c1 iter_args(%{{.*}} = %[[PAIRED]]#0,
// CHECK-COUNT-1: nvgpu.mbarrier.try_wait.parity
// CHECK-NOT: nvgpu.mbarrier.try_wait.parity
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK: nvvm.vote.sync
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield

// decode_1: fp8, head_dim 128: 4 stages of 16 KiB would not fit four CTAs,
// so one tile a step in 3 stages.
// CHECK-LABEL: gpu.func @decode_1(
// CHECK-SAME: nvvm.minctasm = 4 : i32
// CHECK: sizes: [53248]
// CHECK-NOT: step %c2 iter_args
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args(
// CHECK-NOT: step %c2 iter_args
// CHECK: gpu.return

// decode_2: NVFP4 with 16 q rows (GQA 16) keeps the plain operand order,
// and one tile a step.
// CHECK-LABEL: gpu.func @decode_2(
// CHECK-NOT: step %c2 iter_args
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args(
// CHECK-NOT: step %c2 iter_args
// CHECK: gpu.return

func.func @nvfp4_g4(%q: memref<?x8x128xbf16>,
    %k: memref<?x2x16x64xvector<2xf4E2M1FN>>, %v: memref<?x2x16x64xvector<2xf4E2M1FN>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ksc: memref<?x2x16x8xf8E4M3FN>, %vsc: memref<?x2x16x8xf8E4M3FN>,
    %ks: memref<f32>, %vs: memref<f32>, %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x64xvector<2xf4E2M1FN>>) v_cache(%v : memref<?x2x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_scale(%ksc : memref<?x2x16x8xf8E4M3FN>) v_scale(%vsc : memref<?x2x16x8xf8E4M3FN>)
      k_global_scale(%ks : memref<f32>) v_global_scale(%vs : memref<f32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

func.func @fp8_g4(%q: memref<?x8x128xbf16>,
    %k: memref<?x2x16x128xf8E4M3FN>, %v: memref<?x2x16x128xf8E4M3FN>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<f32>, %vs: memref<f32>,
    %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x128xf8E4M3FN>) v_cache(%v : memref<?x2x16x128xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_global_scale(%ks : memref<f32>) v_global_scale(%vs : memref<f32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

func.func @nvfp4_g16(%q: memref<?x32x128xbf16>,
    %k: memref<?x2x16x64xvector<2xf4E2M1FN>>, %v: memref<?x2x16x64xvector<2xf4E2M1FN>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ksc: memref<?x2x16x8xf8E4M3FN>, %vsc: memref<?x2x16x8xf8E4M3FN>,
    %ks: memref<f32>, %vs: memref<f32>, %o: memref<?x32x128xbf16>) {
  paged_attn.decode q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x2x16x64xvector<2xf4E2M1FN>>) v_cache(%v : memref<?x2x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_scale(%ksc : memref<?x2x16x8xf8E4M3FN>) v_scale(%vsc : memref<?x2x16x8xf8E4M3FN>)
      k_global_scale(%ks : memref<f32>) v_global_scale(%vs : memref<f32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
