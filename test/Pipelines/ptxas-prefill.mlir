// REQUIRES: ptxas
//
// The prefill kernels compile to PTX that ptxas assembles, for sm_90a and
// sm_100a, across head_dim 64/128/256, bf16 and f16, HND and NHD, GQA
// groups 1/4/8, page sizes 1/12/16/24/32/64/100/256, causal or not,
// window, sinks, soft cap, fp8 and NVFP4 caches. sm_90a runs the wgmma
// kernel where the cache is 16-bit and its page boxes (min(page, 64) rows)
// are whole 8-row swizzle atoms, or quantized with two stages (and their
// 16-bit tiles) in its shared memory, the portable mma.sync kernel
// otherwise; sm_100a runs the portable
// kernel everywhere, as sm_90a does with prefill-kernel=portable. (Function
// text generated once with attn_mlir.spec.PrefillSpec, not at test time.)
//
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa toolkit=%cuda_root" -o %t.sm_90a.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_90a.mlir > %t.sm_90a.ptx
// RUN: FileCheck %s --check-prefix=SM90 < %t.sm_90a.ptx
// RUN: FileCheck %s --check-prefix=MINCTA < %t.sm_90a.ptx
// RUN: %ptxas -arch=sm_90a -v %t.sm_90a.ptx -o %t.sm_90a.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508
// prefill-epilogue=tma-bulk: the wgmma kernels copy out's rows by
// cp.async.bulk; they assemble too.
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa prefill-epilogue=tma-bulk toolkit=%cuda_root" -o %t.bulk.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.bulk.mlir > %t.bulk.ptx
// RUN: FileCheck %s --check-prefix=BULK < %t.bulk.ptx
// RUN: %ptxas -arch=sm_90a -v %t.bulk.ptx -o %t.bulk.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa prefill-kernel=portable toolkit=%cuda_root" -o %t.portable.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.portable.mlir > %t.portable.ptx
// RUN: FileCheck %s --check-prefix=PORTABLE --implicit-check-not=wgmma --implicit-check-not=setmaxnreg < %t.portable.ptx
// RUN: %ptxas -arch=sm_90a %t.portable.ptx -o %t.portable.cubin
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_100a format=isa toolkit=%cuda_root" -o %t.sm_100a.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_100a.mlir > %t.sm_100a.ptx
// RUN: FileCheck %s --check-prefix=PORTABLE --implicit-check-not=wgmma --implicit-check-not=setmaxnreg < %t.sm_100a.ptx
// RUN: %ptxas -arch=sm_100a %t.sm_100a.ptx -o %t.sm_100a.cubin

// ptxas honours every wgmma kernel's setmaxnreg: it would say C7508
// ("'setmaxnreg' ignored; unable to determine register count at entry")
// where it could not pin the entry register count (no .minnctapersm).
// PTXAS: Compiling entry function
// BULK: cp.async.bulk.global.shared::cta.bulk_group [%rd{{[0-9]+}}], [%rd{{[0-9]+}}], %r{{[0-9]+}};
// BULK: cp.async.bulk.commit_group;
// BULK: cp.async.bulk.wait_group.read {{[[:space:]]*}}0;
// MINCTA: .maxntid 384, 1, 1
// MINCTA-NEXT: .minnctapersm 1

// SM90-LABEL: .visible .entry prefill_0(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 24;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 240;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// PORTABLE-LABEL: .visible .entry prefill_0(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-LABEL: .visible .entry prefill_1(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 24;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 240;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// PORTABLE-LABEL: .visible .entry prefill_1(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM90-LABEL: .visible .entry prefill_2(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 24;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 240;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16
// PORTABLE-LABEL: .visible .entry prefill_2(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-LABEL: .visible .entry prefill_3(
// SM90: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PORTABLE-LABEL: .visible .entry prefill_3(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-LABEL: .visible .entry prefill_4(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 24;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 240;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// PORTABLE-LABEL: .visible .entry prefill_4(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM90-LABEL: .visible .entry prefill_5(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 24;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 240;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PORTABLE-LABEL: .visible .entry prefill_5(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-LABEL: .visible .entry prefill_6(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 24;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 240;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PORTABLE-LABEL: .visible .entry prefill_6(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-LABEL: .visible .entry prefill_7(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 24;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 240;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PORTABLE-LABEL: .visible .entry prefill_7(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-LABEL: .visible .entry prefill_8(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 24;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 240;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PORTABLE-LABEL: .visible .entry prefill_8(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// Quantized caches: the wgmma kernel, its producers converting (56
// registers, the consumers 224), meeting on named barrier 2; d256's stages
// do not fit twice, so it keeps the portable kernel.
// SM90-LABEL: .visible .entry prefill_9(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 56;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 224;
// SM90-DAG: cvt.rn.f16x2.e4m3x2
// SM90-DAG: fence.proxy.async.shared::cta;
// SM90-DAG: bar.sync 2, 128;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PORTABLE-LABEL: .visible .entry prefill_9(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-LABEL: .visible .entry prefill_10(
// SM90: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PORTABLE-LABEL: .visible .entry prefill_10(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-LABEL: .visible .entry prefill_11(
// SM90-DAG: setmaxnreg.dec.sync.aligned.u32 56;
// SM90-DAG: setmaxnreg.inc.sync.aligned.u32 224;
// SM90-DAG: bar.sync 2, 128;
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// SM90-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// PORTABLE-LABEL: .visible .entry prefill_11(
// PORTABLE: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

func.func @prefill_bf16_hnd_d64_g4_p16_h2_causal(
    %q: memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x64xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x16x64xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x64xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x64xbf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}

func.func @prefill_f16_nhd_d128_g4_p32_h2_causal(
    %q: memref<?x8x128xf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x32x2x128xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x32x2x128xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x8x128xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x128xf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x32x2x128xf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x32x2x128xf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x8x128xf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @prefill_bf16_hnd_d256_g4_p64_h2_causal(
    %q: memref<?x8x256xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x64x256xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x64x256xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x8x256xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x256xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x64x256xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x64x256xbf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x8x256xbf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0625 : f32}
  return
}

func.func @prefill_bf16_nhd_d128_g4_p1_h2_causal(
    %q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x1x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x1x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x1x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x1x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @prefill_f16_hnd_d64_g4_p100_h2_causal(
    %q: memref<?x8x64xf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x100x64xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x100x64xf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x8x64xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x64xf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x100x64xf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x100x64xf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x8x64xf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}

func.func @prefill_bf16_hnd_d128_g4_p256_h2_causal(
    %q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x256x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x256x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x256x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x256x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @prefill_bf16_nhd_d128_g4_p24_h2_causal(
    %q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x24x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x24x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x24x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x24x2x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @prefill_bf16_hnd_d128_g1_p16_h2(
    %q: memref<?x2x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x2x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x2x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>)
      out(%out : memref<?x2x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @prefill_bf16_hnd_d128_g8_p16_h2_w40_sink_cap30_causal(
    %q: memref<?x16x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %sinks: memref<?xf32>,
    %out: memref<?x16x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x16x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>) sinks(%sinks : memref<?xf32>)
      out(%out : memref<?x16x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32, window_left = 40 : i64, logits_soft_cap = 30.0 : f32}
  return
}

func.func @prefill_bf16_hnd_d128_g4_p16_h2_kvf8_gs_causal(
    %q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x128xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x16x128xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %k_global_scale: memref<f32>,
    %v_global_scale: memref<f32>,
    %out: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x128xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x128xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>) k_global_scale(%k_global_scale : memref<f32>) v_global_scale(%v_global_scale : memref<f32>)
      out(%out : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @prefill_bf16_nhd_d256_g4_p16_h2_kvnvfp4_gs_causal(
    %q: memref<?x8x256xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x16x2x128xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x16x2x128xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %k_scale: memref<?x16x2x16xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %v_scale: memref<?x16x2x16xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %k_global_scale: memref<f32>,
    %v_global_scale: memref<f32>,
    %out: memref<?x8x256xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x256xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x16x2x128xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x16x2x128xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>) k_scale(%k_scale : memref<?x16x2x16xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) v_scale(%v_scale : memref<?x16x2x16xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) k_global_scale(%k_global_scale : memref<f32>) v_global_scale(%v_global_scale : memref<f32>)
      out(%out : memref<?x8x256xbf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.0625 : f32}
  return
}

func.func @prefill_f16_hnd_d128_g4_p12_h2_kvnvfp4_causal(
    %q: memref<?x8x128xf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x12x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x12x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %qo_indptr: memref<?xi32>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %k_scale: memref<?x2x12x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %v_scale: memref<?x2x12x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %out: memref<?x8x128xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill q(%q : memref<?x8x128xf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x12x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x12x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>) qo_indptr(%qo_indptr : memref<?xi32>)
      block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>) seq_lens(%seq_lens : memref<?xi32>) k_scale(%k_scale : memref<?x2x12x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) v_scale(%v_scale : memref<?x2x12x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>)
      out(%out : memref<?x8x128xf16, strided<[?, ?, 1], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32}
  return
}
