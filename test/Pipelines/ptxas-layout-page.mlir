// REQUIRES: ptxas
//
// The decode kernels compile to PTX that ptxas assembles, for sm_90a and
// sm_100a: every KV layout crossed with page sizes 1 (unswizzled one-row
// boxes), 16, 64 (one box per 64-row tile) and 128 (two boxes per page),
// bf16, head_dim 128, GQA group 4. Static and dynamic (strided, offset)
// shapes alternate; dynamic ones add runtime TMA checks on the host.
// (Function text generated once by a script, not at test time.)
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
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
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
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_5(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_6(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32
// PTX-LABEL: .visible .entry decode_7(
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity.shared.b64
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: atom.relaxed.gpu.add.u32

// Host code of every function: deferred TMA checks, one encoded descriptor
// per operand, launch only when the runtime reports no error.
// HOST-LABEL: llvm.func @hnd_page1(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_page16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_page64(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @hnd_page128(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_page1(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_page16(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_page64(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// HOST-LABEL: llvm.func @nhd_page128(
// HOST: llvm.call @attnTmaCheck(
// HOST-COUNT-3: llvm.call @attnTmaEncode(
// HOST: llvm.call @attnRuntimeStatusOk()
// Host: LLVM dialect only (no func or memref op is left), the kernels one
// gpu.binary holding PTX for the chip with its default PTX ISA version.
// HOST-SM90: gpu.binary @paged_attn_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, properties = {{{.*}}}, assembly = "
// HOST-SM100: gpu.binary @paged_attn_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_100a", features = "+ptx86">, properties = {{{.*}}}, assembly = "

// HND, page 1, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, static shapes.
func.func @hnd_page1(%q: memref<4x32x128xbf16>,
    %k: memref<64x8x1x128xbf16>,
    %v: memref<64x8x1x128xbf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x32x128xbf16>) {
  paged_attn.decode q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x8x1x128xbf16>) v_cache(%v : memref<64x8x1x128xbf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088388 : f32}
  return
}

// HND, page 16, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, strided shapes.
func.func @hnd_page16(%q: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088388 : f32}
  return
}

// HND, page 64, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, static shapes.
func.func @hnd_page64(%q: memref<4x32x128xbf16>,
    %k: memref<64x8x64x128xbf16>,
    %v: memref<64x8x64x128xbf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x32x128xbf16>) {
  paged_attn.decode q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x8x64x128xbf16>) v_cache(%v : memref<64x8x64x128xbf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088388 : f32}
  return
}

// HND, page 128, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, strided shapes.
func.func @hnd_page128(%q: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x8x128x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x8x128x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x8x128x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x8x128x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088388 : f32}
  return
}

// NHD, page 1, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, static shapes.
func.func @nhd_page1(%q: memref<4x32x128xbf16>,
    %k: memref<64x1x8x128xbf16>,
    %v: memref<64x1x8x128xbf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x32x128xbf16>) {
  paged_attn.decode q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x1x8x128xbf16>) v_cache(%v : memref<64x1x8x128xbf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088388 : f32}
  return
}

// NHD, page 16, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, strided shapes.
func.func @nhd_page16(%q: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x16x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x16x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088388 : f32}
  return
}

// NHD, page 64, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, static shapes.
func.func @nhd_page64(%q: memref<4x32x128xbf16>,
    %k: memref<64x64x8x128xbf16>,
    %v: memref<64x64x8x128xbf16>,
    %bt: memref<4x8xi32>,
    %sl: memref<4xi32>,
    %o: memref<4x32x128xbf16>) {
  paged_attn.decode q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x64x8x128xbf16>) v_cache(%v : memref<64x64x8x128xbf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088388 : f32}
  return
}

// NHD, page 128, group 4 (32 q heads, 8 kv heads), head_dim 128, bf16, strided shapes.
func.func @nhd_page128(%q: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x128x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x128x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>,
    %sl: memref<?xi32>,
    %o: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x128x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) v_cache(%v : memref<?x128x8x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088388 : f32}
  return
}
