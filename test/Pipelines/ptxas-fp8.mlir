// REQUIRES: ptxas
//
// fp8 (e4m3) caches read by bf16 and f16 queries, with per-tensor K and V
// scales. Pages of whole 8-row blocks (decode_0: HND page 16) are staged
// swizzled (u8 boxes of 128-byte rows, 128-byte swizzle) and converted in
// registers: ldmatrix of the bytes, cvt.rn.f16x2.e4m3x2 (V's key pairs
// first meet in one prmt), f16 MMAs; the bf16 query moves into f16 once
// (scaled by a power of two found from its largest magnitude: a warp-wide
// max by shuffles). The O rescale is skipped when no row's max moved
// (vote.all). With at most 8 q rows (decode_0: a GQA group of 4) the MMA
// operands swap, S^T = K q^T and O^T = V^T P^T, P^T moving into the B
// fragment by movmatrix.trans. Other pages (decode_1: one-token pages of head_dim 64, whose
// 64-byte boxes sit 128 bytes apart for TMA alignment) are staged
// unswizzled and converted with cvt.rn.f16x2.e4m3x2 into the 16-bit tiles
// the mma.sync path reads. Assembles for sm_90a and sm_100a.
//
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa toolkit=%cuda_root" -o %t.sm_90a.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_90a.mlir > %t.sm_90a.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.sm_90a.ptx
// RUN: %ptxas -arch=sm_90a %t.sm_90a.ptx -o %t.sm_90a.cubin
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_100a format=isa toolkit=%cuda_root" -o %t.sm_100a.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_100a.mlir > %t.sm_100a.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.sm_100a.ptx
// RUN: %ptxas -arch=sm_100a %t.sm_100a.ptx -o %t.sm_100a.cubin
// RUN: attn-opt %s --convert-paged-attn-to-gpu | FileCheck %s --check-prefix=IR

// (Block order in PTX is not program order: DAG checks per kernel.)
// PTX-LABEL: .visible .entry decode_0(
// PTX-DAG: cp.async.bulk.tensor.4d
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: prmt.b32 {{.*}}, 0, 0x3120U;
// PTX-DAG: cvt.rn.f16x2.e4m3x2
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: shfl.sync.bfly.b32 {{.*}}, 16, 31, -1;
// PTX-DAG: vote.sync.all.pred
// PTX-DAG: movmatrix.sync.aligned.m8n8.trans.b16
// PTX-NOT: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_1(
// PTX-DAG: cvt.rn.f16x2.e4m3x2
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// The K and V descriptors are u8 boxes: 128-byte swizzled rows (decode_0)
// or the whole head_dim unswizzled (decode_1); the scales are read on the
// device.
// IR-LABEL: func.func @fp8_bf16_hnd(
// IR-COUNT-3: call @attnTmaEncode
// IR: gpu.launch_func async [%{{.*}}] @paged_attn_kernels::@decode_0 {{.*}}args({{.*}}, %arg5 : memref<f32>, %arg6 : memref<f32>)
// IR-LABEL: gpu.func @decode_0(
// IR: memref.load %arg10[] : memref<f32>
// IR: memref.load %arg11[] : memref<f32>
// IR: !nvgpu.tensormap.descriptor<tensor = memref<1x1x16x128xi8, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// IR: vector.reduction <maximumf>
// IR: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf16>
// IR: nvgpu.ldmatrix
// IR: nvvm.convert.f8x2.to.f16x2
// IR: movmatrix.sync.aligned.m8n8.trans.b16
// IR: nvvm.prmt
// IR-LABEL: gpu.func @decode_1(
// IR: !nvgpu.tensormap.descriptor<tensor = memref<1x1x1x64xi8, #gpu.address_space<workgroup>>, swizzle = none
// IR: nvvm.convert.f8x2.to.f16x2 %{{[0-9]+}} : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
// A group of 4 with q_len 3 is 12 q rows: more than the swapped layout's 8
// columns, so decode_2 keeps the plain one (q rows g and g + 8, no
// movmatrix), still converting in registers.
// IR-LABEL: gpu.func @decode_2(
// IR: nvvm.convert.f8x2.to.f16x2
// IR-NOT: movmatrix

func.func @fp8_bf16_hnd(%q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x2x16x128xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x2x16x128xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %ks: memref<f32>, %vs: memref<f32>,
    %o: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x2x16x128xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v : memref<?x2x16x128xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_global_scale(%ks : memref<f32>) v_global_scale(%vs : memref<f32>)
      out(%o : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

func.func @fp8_f16_nhd_page1_d64(%q: memref<?x4x64xf16>,
    %k: memref<?x1x1x64xf8E4M3FN>, %v: memref<?x1x1x64xf8E4M3FN>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x4x64xf16>) {
  paged_attn.decode q(%q : memref<?x4x64xf16>)
      k_cache(%k : memref<?x1x1x64xf8E4M3FN>) v_cache(%v : memref<?x1x1x64xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x4x64xf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.125 : f32}
  return
}

func.func @fp8_bf16_hnd_qlen3(%q: memref<?x8x128xbf16>,
    %k: memref<?x2x16x128xf8E4M3FN>, %v: memref<?x2x16x128xf8E4M3FN>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x128xf8E4M3FN>) v_cache(%v : memref<?x2x16x128xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32, q_len_per_request = 3}
  return
}
