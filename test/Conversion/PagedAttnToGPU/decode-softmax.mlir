// RUN: attn-opt %s --convert-paged-attn-to-gpu | FileCheck %s
//
// Decode's online softmax takes raw scores where the logit scale is known
// positive: the scale and log2(e) fold into one FMA per score before its
// ex2, and the row max is the max of the raw scores times the scale. A
// per-tensor K scale is a device value of either sign: with q's fragments in
// registers (head_dim <= 128) its sign goes into them (an xor of every
// 16-bit value's sign bit, once a CTA, as i32 words) and its magnitude into the scale;
// otherwise (head_dim 256) and under a soft cap the logits are formed first.

// decode_0: fp8 cache, K scale, head_dim 128.
// CHECK-LABEL: gpu.func @decode_0(
// CHECK: %[[KS:[0-9]+]] = memref.load %arg10[] : memref<f32>
// CHECK: %[[NEG:[0-9]+]] = arith.cmpf olt, %[[KS]], %{{.*}} : f32
// CHECK: %[[SIGNS:[0-9]+]] = arith.select %[[NEG]], %c-2147450880_i32, %c0_i32{{.*}} : i32
// CHECK-COUNT-16: arith.xori %{{[0-9]+}}, %[[SIGNS]] : i32
// CHECK: scf.for
// CHECK: math.absf %[[KS]] : f32
// CHECK: math.fma
// CHECK: atom.relaxed.gpu.add.u32

// decode_1: the same at head_dim 256 (q's fragments are read from shared
// memory each tile): logits first, the K scale as it is. (Up to the
// epilogue, which combines the warps' outputs with FMAs.)
// CHECK-LABEL: gpu.func @decode_1(
// CHECK-NOT: math.absf %{{[0-9]+}} : f32
// CHECK-NOT: math.fma
// CHECK-NOT: arith.cmpf olt
// CHECK: arith.cmpf une
// CHECK: atom.relaxed.gpu.add.u32

// decode_2: a bf16 cache under a soft cap: tanh of the logits, no FMA
// before the epilogue.
// CHECK-LABEL: gpu.func @decode_2(
// CHECK: math.tanh
// CHECK-NOT: math.fma
// CHECK: arith.cmpf une
// CHECK: atom.relaxed.gpu.add.u32

// decode_3: a bf16 cache, no K scale, no cap: raw scores, q as it is.
// CHECK-LABEL: gpu.func @decode_3(
// CHECK-NOT: arith.cmpf olt
// CHECK: math.fma
// CHECK: atom.relaxed.gpu.add.u32

func.func @kscale_d128(%q: memref<?x8x128xbf16>,
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
func.func @kscale_d256(%q: memref<?x8x256xbf16>,
    %k: memref<?x2x16x256xf8E4M3FN>, %v: memref<?x2x16x256xf8E4M3FN>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<f32>, %vs: memref<f32>,
    %o: memref<?x8x256xbf16>) {
  paged_attn.decode q(%q : memref<?x8x256xbf16>)
      k_cache(%k : memref<?x2x16x256xf8E4M3FN>) v_cache(%v : memref<?x2x16x256xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_global_scale(%ks : memref<f32>) v_global_scale(%vs : memref<f32>)
      out(%o : memref<?x8x256xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0625 : f32}
  return
}
func.func @softcap(%q: memref<?x8x128xbf16>, %k: memref<?x2x16x128xbf16>,
    %v: memref<?x2x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x128xbf16>) v_cache(%v : memref<?x2x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32, logits_soft_cap = 30.0 : f32}
  return
}
func.func @plain(%q: memref<?x8x128xbf16>, %k: memref<?x2x16x128xbf16>,
    %v: memref<?x2x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x128xbf16>) v_cache(%v : memref<?x2x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
