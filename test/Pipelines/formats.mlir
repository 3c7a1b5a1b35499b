// REQUIRES: ptxas
//
// --paged-attn-to-nvvm formats and options end to end: format=bin holds a
// cubin (ptxas of the toolkit), format=fatbin a fatbinary, and ptx-features
// sets the PTX ISA version of format=isa.
//
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=bin toolkit=%cuda_root" | FileCheck %s --check-prefix=BIN
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_100a format=fatbin toolkit=%cuda_root" | FileCheck %s --check-prefix=FATBIN
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_100a ptx-features=+ptx88 format=isa toolkit=%cuda_root" -o %t.ptx88.mlir
// RUN: FileCheck %s --check-prefix=PTX88-HOST < %t.ptx88.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.ptx88.mlir > %t.ptx88.ptx
// RUN: FileCheck %s --check-prefix=PTX88 < %t.ptx88.ptx
// RUN: %ptxas -arch=sm_100a %t.ptx88.ptx -o %t.ptx88.cubin
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a ptx-features=+ptx90 format=isa opt-level=1 toolkit=%cuda_root" | %attn_src_root/scripts/extract-ptx.sh > %t.ptx90.ptx
// RUN: FileCheck %s --check-prefix=PTX90 < %t.ptx90.ptx
// RUN: %ptxas -arch=sm_90a %t.ptx90.ptx -o %t.ptx90.cubin

// The host code calls the runtime; the kernels are an ELF cubin (\7FELF is
// the ELF magic, as MLIR escapes it).
// BIN-LABEL: llvm.func @decode(
// BIN: llvm.call @attnTmaEncode(
// BIN: gpu.binary @paged_attn_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, properties = {{{.*}}}, bin = "\7FELF

// A fatbinary (the default object format, printed without a keyword) starts
// with the fatbin magic 0xBA55ED50.
// FATBIN: gpu.binary @paged_attn_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_100a", features = "+ptx86">, properties = {{{.*}}}, "P\EDU\BA

// PTX88-HOST: gpu.binary @paged_attn_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_100a", features = "+ptx88">, properties = {{{.*}}}, assembly = "
// PTX88: .version 8.8
// PTX88-NEXT: .target sm_100a
// PTX88: .visible .entry decode_0(
// PTX88: atom.relaxed.gpu.add.u32

// PTX90: .version 9.0
// PTX90-NEXT: .target sm_90a
// PTX90: .visible .entry decode_0(
// PTX90: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

func.func @decode(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>,
    %v: memref<?x8x16x128xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x32x128xbf16>) {
  paged_attn.decode
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>) v_cache(%v : memref<?x8x16x128xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
