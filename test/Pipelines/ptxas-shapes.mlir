// REQUIRES: ptxas
//
// The decode kernels compile to PTX that ptxas assembles, for sm_90a and
// sm_100a, across the rest of the matrix: head_dim 64/128/256, bf16 and f16,
// GQA groups 1/4/8/16, page sizes 1/8/12/16/32/64/96/100/128/256, static,
// dynamic and strided shapes, q_len_per_request > 1, sinks, logits soft cap
// and window. (Layout x page size for bf16/d128/g4: ptxas-layout-page.mlir;
// function text generated once by a script, not at test time.)
//
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa toolkit=%cuda_root" -o %t.sm_90a.mlir
// RUN: FileCheck %s --check-prefixes=HOST,HOST-SM90 --implicit-check-not=func.func --implicit-check-not=memref. < %t.sm_90a.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_90a.mlir > %t.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX,PTX-SM90 < %t.sm_90a.ptx
// RUN: %ptxas -arch=sm_90a %t.sm_90a.ptx -o %t.sm_90a.cubin
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_100a format=isa toolkit=%cuda_root" -o %t.sm_100a.mlir
// RUN: FileCheck %s --check-prefixes=HOST,HOST-SM100 --implicit-check-not=func.func --implicit-check-not=memref. < %t.sm_100a.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_100a.mlir > %t.sm_100a.ptx
// RUN: FileCheck %s --check-prefixes=PTX,PTX-SM100 < %t.sm_100a.ptx
// RUN: %ptxas -arch=sm_100a %t.sm_100a.ptx -o %t.sm_100a.cubin

// PTX-SM90: .version 8.0
// PTX-SM90-NEXT: .target sm_90a
// PTX-SM100: .version 8.6
// PTX-SM100-NEXT: .target sm_100a
// The dynamic shared memory is 1024-byte aligned (the 128-byte swizzle
// pattern repeats every 1024 bytes).
// PTX: .extern .shared .align 1024 .b8 __attn_dynamic_shared[];
// Every decode kernel: TMA tile loads of 4-d boxes completing on mbarriers,
// ldmatrix (K plain, V transposed) and mma.sync m16n8k16 of its type.
// PTX-LABEL: .visible .entry decode_0(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_1(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_2(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_3(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_4(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_5(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_6(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_7(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_8(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_9(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_10(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_11(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_12(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_13(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_14(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_15(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_16(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_17(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32

// Host code of every function: deferred TMA checks, one encoded descriptor
// per operand, launch only when the runtime reports no error.
// HOST-LABEL: llvm.func @hnd_g1_d64_bf16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_g8_d256_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_p32_g4_d256_bf16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_p64_g1_d256_bf16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_p8_g8_d64_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_p12_g4_d128_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_p1_g1_d64_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_p1_g8_d256_bf16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_p128_g8_d64_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_p256_g4_d128_bf16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_fused_qkv(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_qlen4_g4(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_qlen3_g8_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_sinks_cap_window(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_sinks_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_g16_d128_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_p100_ragged(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_p96_f16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// Host: LLVM dialect only (no func or memref op is left), the kernels one
// gpu.binary holding PTX for the chip with its default PTX ISA version.
// HOST-SM90: gpu.binary @paged_attn_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, properties = {{{.*}}}, assembly = "
// HOST-SM100: gpu.binary @paged_attn_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_100a", features = "+ptx86">, properties = {{{.*}}}, assembly = "

// HND, page 16, group 1 (8 q heads, 8 kv heads), head_dim 64, bf16, static shapes.
func.func @hnd_g1_d64_bf16(%q: memref<4x8x64xbf16>,
    %k: memref<64x8x16x64xbf16>,
    %v: memref<64x8x16x64xbf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x8x64xbf16>) {
  paged_attn.decode q(%q : memref<4x8x64xbf16>)
      k_cache(%k : memref<64x8x16x64xbf16>) v_cache(%v : memref<64x8x16x64xbf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x8x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125000 : f32}
  return
}

// NHD, page 16, group 8 (32 q heads, 4 kv heads), head_dim 256, f16, strided shapes.
func.func @nhd_g8_d256_f16(%q: memref<?x32x256xf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x16x4x256xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x16x4x256xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x32x256xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x32x256xf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x16x4x256xf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x16x4x256xf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x256xf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.062500 : f32}
  return
}

// HND, page 32, group 4 (8 q heads, 2 kv heads), head_dim 256, bf16, dynamic shapes.
func.func @hnd_p32_g4_d256_bf16(%q: memref<?x8x256xbf16>,
    %k: memref<?x2x32x256xbf16>,
    %v: memref<?x2x32x256xbf16>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x8x256xbf16>) {
  paged_attn.decode q(%q : memref<?x8x256xbf16>)
      k_cache(%k : memref<?x2x32x256xbf16>) v_cache(%v : memref<?x2x32x256xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x256xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.062500 : f32}
  return
}

// NHD, page 64, group 1 (4 q heads, 4 kv heads), head_dim 256, bf16, static shapes.
func.func @nhd_p64_g1_d256_bf16(%q: memref<4x4x256xbf16>,
    %k: memref<64x64x4x256xbf16>,
    %v: memref<64x64x4x256xbf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x4x256xbf16>) {
  paged_attn.decode q(%q : memref<4x4x256xbf16>)
      k_cache(%k : memref<64x64x4x256xbf16>) v_cache(%v : memref<64x64x4x256xbf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x4x256xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.062500 : f32}
  return
}

// HND, page 8, group 8 (16 q heads, 2 kv heads), head_dim 64, f16, strided shapes.
func.func @hnd_p8_g8_d64_f16(%q: memref<?x16x64xf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x2x8x64xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x2x8x64xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x16x64xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x16x64xf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x2x8x64xf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x2x8x64xf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x16x64xf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125000 : f32}
  return
}

// NHD, page 12, group 4 (8 q heads, 2 kv heads), head_dim 128, f16, dynamic shapes; unswizzled pages.
func.func @nhd_p12_g4_d128_f16(%q: memref<?x8x128xf16>,
    %k: memref<?x12x2x128xf16>,
    %v: memref<?x12x2x128xf16>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x8x128xf16>) {
  paged_attn.decode q(%q : memref<?x8x128xf16>)
      k_cache(%k : memref<?x12x2x128xf16>) v_cache(%v : memref<?x12x2x128xf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088388 : f32}
  return
}

// HND, page 1, group 1 (4 q heads, 4 kv heads), head_dim 64, f16, strided shapes.
func.func @hnd_p1_g1_d64_f16(%q: memref<?x4x64xf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x4x1x64xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x4x1x64xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x4x64xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x4x64xf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x4x1x64xf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x4x1x64xf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x4x64xf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125000 : f32}
  return
}

// NHD, page 1, group 8 (8 q heads, 1 kv heads), head_dim 256, bf16, static shapes; unswizzled 512-byte rows.
func.func @nhd_p1_g8_d256_bf16(%q: memref<4x8x256xbf16>,
    %k: memref<64x1x1x256xbf16>,
    %v: memref<64x1x1x256xbf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x8x256xbf16>) {
  paged_attn.decode q(%q : memref<4x8x256xbf16>)
      k_cache(%k : memref<64x1x1x256xbf16>) v_cache(%v : memref<64x1x1x256xbf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x8x256xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.062500 : f32}
  return
}

// HND, page 128, group 8 (8 q heads, 1 kv heads), head_dim 64, f16, static shapes.
func.func @hnd_p128_g8_d64_f16(%q: memref<4x8x64xf16>,
    %k: memref<64x1x128x64xf16>,
    %v: memref<64x1x128x64xf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x8x64xf16>) {
  paged_attn.decode q(%q : memref<4x8x64xf16>)
      k_cache(%k : memref<64x1x128x64xf16>) v_cache(%v : memref<64x1x128x64xf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x8x64xf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125000 : f32}
  return
}

// NHD, page 256, group 4 (8 q heads, 2 kv heads), head_dim 128, bf16, strided shapes.
func.func @nhd_p256_g4_d128_bf16(%q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x256x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x256x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x256x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x256x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088388 : f32}
  return
}

// HND, page 16, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, fused shapes; q is a slice of a fused qkv buffer.
func.func @hnd_fused_qkv(%q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>,
    %k: memref<?x8x16x128xbf16>,
    %v: memref<?x8x16x128xbf16>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x32x128xbf16>) {
  paged_attn.decode q(%q : memref<?x32x128xbf16, strided<[6144, 128, 1]>>)
      k_cache(%k : memref<?x8x16x128xbf16>) v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088388 : f32}
  return
}

// NHD, page 16, group 4 (8 q heads, 2 kv heads), head_dim 128, bf16, dynamic shapes, q_len_per_request 4.
func.func @nhd_qlen4_g4(%q: memref<?x8x128xbf16>,
    %k: memref<?x16x2x128xbf16>,
    %v: memref<?x16x2x128xbf16>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x16x2x128xbf16>) v_cache(%v : memref<?x16x2x128xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088388 : f32, q_len_per_request = 4}
  return
}

// HND, page 16, group 8 (8 q heads, 1 kv heads), head_dim 64, f16, static shapes, q_len_per_request 3; 24 q rows: two 16-row blocks.
func.func @hnd_qlen3_g8_f16(%q: memref<12x8x64xf16>,
    %k: memref<64x1x16x64xf16>,
    %v: memref<64x1x16x64xf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<12x8x64xf16>) {
  paged_attn.decode q(%q : memref<12x8x64xf16>)
      k_cache(%k : memref<64x1x16x64xf16>) v_cache(%v : memref<64x1x16x64xf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<12x8x64xf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125000 : f32, q_len_per_request = 3}
  return
}

// HND, page 16, group 4 (8 q heads, 2 kv heads), head_dim 128, bf16, dynamic shapes, sinks, soft cap 30.0, window 127.
func.func @hnd_sinks_cap_window(%q: memref<?x8x128xbf16>,
    %k: memref<?x2x16x128xbf16>,
    %v: memref<?x2x16x128xbf16>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %s: memref<8xf32>,
    %o: memref<?x8x128xbf16>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16>)
      k_cache(%k : memref<?x2x16x128xbf16>) v_cache(%v : memref<?x2x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      sinks(%s : memref<8xf32>)
      out(%o : memref<?x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088388 : f32, window_left = 127, logits_soft_cap = 30.0 : f32}
  return
}

// NHD, page 64, group 1 (4 q heads, 4 kv heads), head_dim 64, f16, strided shapes, sinks.
func.func @nhd_sinks_f16(%q: memref<?x4x64xf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x64x4x64xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x64x4x64xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %s: memref<4xf32>,
    %o: memref<?x4x64xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x4x64xf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x64x4x64xf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x64x4x64xf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      sinks(%s : memref<4xf32>)
      out(%o : memref<?x4x64xf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.125000 : f32}
  return
}

// HND, page 32, group 16 (32 q heads, 2 kv heads), head_dim 128, f16, static shapes.
func.func @hnd_g16_d128_f16(%q: memref<4x32x128xf16>,
    %k: memref<64x2x32x128xf16>,
    %v: memref<64x2x32x128xf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x32x128xf16>) {
  paged_attn.decode q(%q : memref<4x32x128xf16>)
      k_cache(%k : memref<64x2x32x128xf16>) v_cache(%v : memref<64x2x32x128xf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088388 : f32}
  return
}

// HND, page 100, group 4 (8 q heads, 2 kv heads), head_dim 128, bf16, strided shapes; the last 64-row box of a page runs past its end.
func.func @hnd_p100_ragged(%q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x2x100x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x2x100x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x2x100x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x2x100x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088388 : f32}
  return
}

// NHD, page 96, group 8 (8 q heads, 1 kv heads), head_dim 64, f16, static shapes.
func.func @nhd_p96_f16(%q: memref<4x8x64xf16>,
    %k: memref<64x96x1x64xf16>,
    %v: memref<64x96x1x64xf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x8x64xf16>) {
  paged_attn.decode q(%q : memref<4x8x64xf16>)
      k_cache(%k : memref<64x96x1x64xf16>) v_cache(%v : memref<64x96x1x64xf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x8x64xf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.125000 : f32}
  return
}
