// Bad --paged-attn-to-nvvm options are diagnostics on the module, from the
// pipeline's first pass (paged-attn-check-target), before anything is
// lowered: never an LLVM fatal error (`not` fails on a crash).
//
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_80 format=isa" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_90 format=isa" 2>&1 | FileCheck %s --check-prefix=CHIP90
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_100a ptx-features=+ptx78 format=isa" 2>&1 | FileCheck %s --check-prefix=PTX78
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_100a ptx-features=+ptx80 format=isa" 2>&1 | FileCheck %s --check-prefix=PTX80
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_100a ptx-features=+ptx91 format=isa" 2>&1 | FileCheck %s --check-prefix=PTX91
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_90a ptx-features=garbage format=isa" 2>&1 | FileCheck %s --check-prefix=GARBAGE
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_90a ptx-features=+ptx80,+ptx86 format=isa" 2>&1 | FileCheck %s --check-prefix=TWO
// RUN: not attn-opt %s --paged-attn-to-nvvm="format=elf" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not attn-opt %s --paged-attn-to-nvvm="format=bin toolkit=/nonexistent" 2>&1 | FileCheck %s --check-prefix=BIN
// RUN: not attn-opt %s --paged-attn-to-nvvm="format=fatbin toolkit=/nonexistent" 2>&1 | FileCheck %s --check-prefix=FATBIN
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_80 ptx-features=+ptx8x format=elf" 2>&1 | FileCheck %s --check-prefix=ALL
// RUN: not attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa opt-level=7" --mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not attn-opt %s --paged-attn-to-nvvm="format=isa toolkit=/nonexistent" --mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=ISA
//
// Good options pass the check untouched (the full pipeline with these runs
// in the ptxas tests, which need the CUDA toolkit).
// RUN: attn-opt %s --paged-attn-check-target="chip=sm_100a ptx-features=+ptx88 format=isa toolkit=%S/Inputs/fake-cuda" | FileCheck %s --check-prefix=PASS
// RUN: attn-opt %s --paged-attn-check-target="chip=sm_90a ptx-features=+ptx90 format=isa toolkit=%S/Inputs/fake-cuda" | FileCheck %s --check-prefix=PASS

// CHIP: error: paged-attn-to-nvvm: unknown chip 'sm_80': expected sm_90a or sm_100a (the 'a' targets: the kernels use TMA and arch-specific instructions)
// CHIP-NOT: error:
// CHIP90: error: paged-attn-to-nvvm: unknown chip 'sm_90': expected sm_90a or sm_100a
// PTX78: error: paged-attn-to-nvvm: ptx-features '+ptx78': PTX ISA 7.8 is too old for either chip (sm_90a needs +ptx80, sm_100a +ptx86)
// PTX78-NOT: error:
// PTX80: error: paged-attn-to-nvvm: ptx-features '+ptx80' is too old for sm_100a: it needs +ptx86 or later
// PTX80-NOT: error:
// PTX91: error: paged-attn-to-nvvm: ptx-features '+ptx91': PTX ISA 9.1 is not one LLVM 22 can emit (8.0-8.8, 9.0)
// GARBAGE: error: paged-attn-to-nvvm: ptx-features 'garbage' is not of the form +ptxNN (e.g. +ptx86)
// TWO: error: paged-attn-to-nvvm: ptx-features '+ptx80,+ptx86' is not of the form +ptxNN (e.g. +ptx86)
// FORMAT: error: paged-attn-to-nvvm: unknown format 'elf': expected isa (PTX text), bin (cubin) or fatbin
// FORMAT-NOT: error:
// BIN: error: paged-attn-to-nvvm: format=bin needs ptxas, but '/nonexistent/bin/ptxas' does not exist; set toolkit=<CUDA root> or CUDA_HOME, or use format=isa for PTX text
// BIN-NOT: error:
// FATBIN: error: paged-attn-to-nvvm: format=fatbin needs ptxas, but '/nonexistent/bin/ptxas' does not exist
// One error per bad option.
// ALL: error: paged-attn-to-nvvm: unknown chip 'sm_80'
// ALL: error: paged-attn-to-nvvm: ptx-features '+ptx8x' is not of the form +ptxNN
// ALL: error: paged-attn-to-nvvm: unknown format 'elf'
// OPT: error: paged-attn-to-nvvm: opt-level 7 is not in 0-3
// ISA: error: paged-attn-to-nvvm: the kernels need libdevice, but '/nonexistent/nvvm/libdevice/libdevice.10.bc' does not exist; set toolkit=<CUDA root> or CUDA_HOME
// PASS-LABEL: func.func @decode
// PASS: paged_attn.decode
// PASS-NOT: error

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
