// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
// RUN: attn-opt %s --convert-paged-attn-to-gpu=prefill-kernel=portable --canonicalize --cse | FileCheck %s --check-prefix=PORTABLE
//
// fp8 and NVFP4 caches get the wgmma prefill kernel on sm_90a: TMA brings
// each stage's bytes (and NVFP4's block scales), the producer warpgroup
// converts them into the stage's own 16-bit K and V tiles (128-byte
// swizzled, as wgmma reads them), fences them for the async proxy and
// arrives on the stage's ready barrier (128 arrivals); its warps meet on
// named barrier 2 before the stage's next tile is issued into the bytes
// they read. The consumers wait on the ready barriers, not on the TMA
// bytes, and release a stage (its 16-bit tiles) on the empty barriers (256
// arrivals). Producers keep 56 registers, consumers 224.

// fp8, HND, page 16, head_dim 128: 3 stages of 16 KiB of bytes and 32 KiB
// of 16-bit tiles after the 32 KiB q tile.
// CHECK-LABEL: gpu.func @prefill_0(
// CHECK: %[[FULL:[0-9]+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 4>
// CHECK: %[[EMPTY:[0-9]+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK: %[[READY:[0-9]+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK: nvgpu.mbarrier.init %[[EMPTY]][%c0], %c256
// CHECK: nvgpu.mbarrier.init %[[READY]][%c0], %c128
// The producers: q, the first 3 tiles' bytes, then tile by tile.
// CHECK: nvvm.setmaxregister  decrease 56
// CHECK: nvgpu.tma.async.load {{.*}} : <tensor = memref<32x1x4x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: scf.for
// CHECK: nvgpu.tma.async.load {{.*}} : <tensor = memref<1x1x16x128xi8, #gpu.address_space<workgroup>>, swizzle = none
// CHECK: scf.for %[[TILE:arg[0-9]+]] = %c0 to %{{[0-9]+}} step %c1 {
// CHECK: %[[TILE32:[0-9]+]] = arith.index_cast %[[TILE]] : index to i32
// CHECK: %[[STAGE32:[0-9]+]] = arith.remui %[[TILE32]], %c3_i32 : i32
// CHECK: %[[STAGE:[0-9]+]] = arith.index_castui %[[STAGE32]] : i32 to index
// CHECK: nvgpu.mbarrier.try_wait.parity %[[EMPTY]][%[[STAGE]]]
// CHECK: nvgpu.mbarrier.try_wait.parity %[[FULL]][%[[STAGE]]]
// CHECK: nvvm.convert.f8x2.to.f16x2
// CHECK: vector.store %{{.*}} : memref<128x64xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT: nvgpu.mbarrier.arrive %[[READY]][%[[STAGE]]]
// CHECK-NEXT: nvvm.barrier id = %c2_i32 number_of_threads = %c128_i32
// CHECK: nvgpu.tma.async.load {{.*}} : <tensor = memref<1x1x16x128xi8, #gpu.address_space<workgroup>>, swizzle = none
// The consumers wait for q. A per-tensor K scale below zero flips the sign
// of the consumer's 64 q rows (16-bit sign bits: 0x80008000) once, before
// any wgmma reads them (async-proxy fence, the consumer's named barrier 3 or
// 4); the logit scale takes the K scale's magnitude, so the softmax folds it
// into one FMA per raw score.
// CHECK: nvvm.setmaxregister  increase 224
// CHECK: nvgpu.mbarrier.try_wait.parity %[[FULL]][%c3]
// CHECK: %[[NEG:[0-9]+]] = arith.cmpf olt, %[[KSCALE:[0-9]+]], %cst
// CHECK-NEXT: scf.if %[[NEG]] {
// CHECK: scf.for
// CHECK: arith.xori %{{[0-9]+}}, %[[SIGNS:cst[_0-9]*]] : vector<4xi32>
// CHECK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT: %[[QBAR:[0-9]+]] = arith.addi %{{[0-9]+}}, %c2 : index
// CHECK-NEXT: %[[QBAR32:[0-9]+]] = arith.index_cast %[[QBAR]] : index to i32
// CHECK-NEXT: nvvm.barrier id = %[[QBAR32]] number_of_threads = %c128_i32
// CHECK-NEXT: }
// The consumers wait for converted tiles.
// CHECK: nvgpu.mbarrier.try_wait.parity %[[READY]][%c0]
// CHECK: nvvm.wgmma.mma_async
// CHECK: math.absf %[[KSCALE]] : f32
// CHECK: nvgpu.mbarrier.try_wait.parity %[[READY]]
// CHECK: nvvm.wgmma.mma_async
// CHECK: nvgpu.mbarrier.arrive %[[EMPTY]]
// CHECK: gpu.return

// NVFP4, HND, page 12, f16 (a tile of 5 pages, 60 rows; pages need not be
// swizzle atoms here): the block scales come with the bytes.
// CHECK-LABEL: gpu.func @prefill_1(
// CHECK: nvvm.setmaxregister  decrease 56
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: vector.store %{{.*}} : memref<128x64xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK: nvgpu.mbarrier.arrive
// CHECK: nvvm.barrier id = %c2_i32 number_of_threads = %c128_i32
// No K scale: no q flip, and the scale is the op's.
// CHECK: nvvm.setmaxregister  increase 224
// CHECK-NOT: vector<4xi32>
// CHECK: nvvm.wgmma.mma_async
// CHECK-NOT: math.absf
// CHECK: gpu.return

// The portable kernel: each warp flips its own 16 q rows, then meets its
// lanes (bar.warp.sync) before its ldmatrix reads them.
// PORTABLE-LABEL: gpu.func @prefill_0(
// PORTABLE-NOT: nvvm.wgmma.mma_async
// PORTABLE-NOT: nvvm.setmaxregister
// PORTABLE: %[[NEG:[0-9]+]] = arith.cmpf olt
// PORTABLE-NEXT: scf.if %[[NEG]] {
// PORTABLE: arith.xori %{{[0-9]+}}, %{{cst[_0-9]*}} : vector<4xi32>
// PORTABLE: nvvm.bar.warp.sync %c-1_i32 : i32
// PORTABLE-NEXT: }
// PORTABLE: nvgpu.ldmatrix
// PORTABLE: nvvm.mma.sync
// PORTABLE: math.absf
// PORTABLE-LABEL: gpu.func @prefill_1(
// PORTABLE-NOT: nvvm.wgmma.mma_async
// PORTABLE: nvvm.mma.sync

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
