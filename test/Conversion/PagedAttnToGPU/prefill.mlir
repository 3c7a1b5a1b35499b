// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
// RUN: attn-opt %s --convert-paged-attn-to-gpu=prefill-kernel=portable --canonicalize --cse | FileCheck %s --check-prefix=PORTABLE
// RUN: attn-opt %s --convert-paged-attn-to-gpu=chip=sm_100a --canonicalize --cse | FileCheck %s --check-prefix=PORTABLE
// RUN: not attn-opt %s --convert-paged-attn-to-gpu=prefill-kernel=fast 2>&1 | FileCheck %s --check-prefix=BADOPT
// RUN: not attn-opt %s --paged-attn-verify-tma=prefill-kernel=fast 2>&1 | FileCheck %s --check-prefix=BADOPT-VERIFY
// RUN: not attn-opt %s --convert-paged-attn-to-gpu=prefill-epilogue=tma 2>&1 | FileCheck %s --check-prefix=BADOPT-EPILOGUE
//
// paged_attn.prefill becomes host code that checks the sizes the compiler
// could not (qo_indptr against the batch, out against q), encodes one TMA
// descriptor per operand from its own strides, and launches the prefill
// kernel on a grid of host-known sizes only: (ceil(num_tokens / tile
// tokens) + batch q tiles, kv heads); the kernel finds each tile's request
// on the device. NHD, bf16, head_dim 128, GQA group 4, q sliced out of a
// fused qkv buffer (token stride 6144).
//
// sm_90a: the wgmma kernel, 128 q rows (32 tokens x 4 heads) per CTA, 384
// threads. prefill-kernel=portable and sm_100a: the mma.sync kernel, 64 q
// rows (16 tokens), 128 threads.

// BADOPT: error: convert-paged-attn-to-gpu: unknown prefill-kernel 'fast': expected auto or portable
// BADOPT-VERIFY: error: paged-attn-verify-tma: unknown prefill-kernel 'fast', expected auto or portable
// BADOPT-EPILOGUE: error: convert-paged-attn-to-gpu: unknown prefill-epilogue 'tma': expected auto or tma-bulk

// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("qo_indptr dim 0 (batch + 1)\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("out dim 0 (num_tokens)\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("q of paged_attn.prefill in @prefill_nhd\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("k_cache of paged_attn.prefill in @prefill_nhd\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("v_cache of paged_attn.prefill in @prefill_nhd\00")

// CHECK-LABEL: func.func @prefill_nhd(
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<?x32x128xbf16, strided<[6144, 128, 1]>>
// CHECK-SAME: %[[QO:[a-z0-9]+]]: memref<?xi32>
// CHECK-SAME: %[[SL:[a-z0-9]+]]: memref<?xi32>, %[[OUT:[a-z0-9]+]]: memref<?x32x128xbf16>)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// Sizes first, then q's descriptor: dims {128, 4, 8, T}, its own strides
// {1, 128, 512, 6144}, box {64, 4, 1, 32} (16 for the portable kernel),
// 128-byte swizzle (3).
// CHECK: call @attnRuntimeRequireDim
// CHECK: memref.store %c128_i64, %[[QDIMS:[a-z0-9_]+]][%c0]
// CHECK-NEXT: memref.store %c4_i64, %[[QDIMS]][%c1]
// CHECK-NEXT: memref.store %c8_i64, %[[QDIMS]][%c2]
// CHECK: memref.store %c6144_i64, %{{.*}}[%c3]
// CHECK: memref.store %c64_i32, %[[QBOX:[a-z0-9_]+]][%c0]
// CHECK-NEXT: memref.store %c4_i32, %[[QBOX]][%c1]
// CHECK-NEXT: memref.store %c1_i32, %[[QBOX]][%c2]
// CHECK-NEXT: memref.store %c32_i32, %[[QBOX]][%c3]
// CHECK: call @attnTmaEncode({{.*}}, %c9_i32, %c0_i32, %c4_i32, {{.*}}, %c3_i32, %c0_i32, %c0_i32)
// CHECK: call @attnTmaEncode
// CHECK: call @attnTmaEncode
// CHECK: call @attnRuntimeStatusOk()
// No launch for no tokens or no requests; the grid's q tiles.
// CHECK: %[[NONEMPTY:[0-9]+]] = arith.andi
// CHECK: %[[GO:[0-9]+]] = arith.andi %{{[0-9]+}}, %[[NONEMPTY]] : i1
// CHECK: scf.if %[[GO]]
// CHECK: %[[TILES0:[0-9]+]] = arith.ceildivui %{{.*}}, %c32 : index
// CHECK: %[[TILES:[0-9]+]] = arith.addi %[[TILES0]], %{{.*}} : index
// CHECK: gpu.launch_func async [%{{[0-9]+}}] @paged_attn_kernels::@prefill_0 blocks in (%[[TILES]], %c8, %c1) threads in (%c384, %c1, %c1) dynamic_shared_memory_size %c163840_i32 args(%{{[0-9]+}} : !llvm.ptr, %{{[0-9]+}} : !llvm.ptr, %{{[0-9]+}} : !llvm.ptr, %[[QO]] : memref<?xi32>,
// CHECK-NOT: gpu.launch_func

// The wgmma kernel: descriptors by value, a 32-way search over qo_indptr
// (a warp's lanes probe, a butterfly sum counts), 4 stages with full
// (one arrival + bytes) and empty (256 consumer arrivals) mbarriers; the
// producer warpgroup gives up registers and one thread issues the TMA
// loads (q, then each K/V page once its stage is released); the consumers
// take registers, run S = Q K^T as wgmma from shared memory (the first
// k-step overwrites D), the softmax, O += P V as wgmma with P from
// registers (inline PTX: V transposed), and release the stage.
// CHECK: gpu.func @prefill_0(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?x?xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?x32x128xbf16>) kernel attributes {known_block_size = array<i32: 384, 1, 1>, nvvm.minctasm = 1 : i32, paged_attn.grid_constant_args = array<i32: 0, 1, 2>}
// CTAs in linear launch order walk the kv heads fastest and the q tiles
// from the last: x = grid_x - 1 - linear / grid_y, head = linear % grid_y.
// CHECK: %[[LIN:[0-9]+]] = arith.addi %block_id_x, %{{[0-9]+}} : index
// CHECK: %[[TILE:[0-9]+]] = arith.divui %[[LIN]], %grid_dim_y : index
// CHECK: %[[LASTX:[0-9]+]] = arith.subi %grid_dim_x, %c1 : index
// CHECK: arith.subi %[[LASTX]], %[[TILE]] : index
// CHECK: %[[HEAD:[0-9]+]] = arith.remui %[[LIN]], %grid_dim_y : index
// CHECK: scf.while
// CHECK: arith.ceildivui %{{.*}}, %c32 : index
// CHECK: gpu.shuffle  xor %{{.*}}, %c16_i32, %c32_i32 : i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : i32
// CHECK: nvgpu.mbarrier.init %[[FULL:[0-9]+]][%c0], %c1 : <memorySpace = #gpu.address_space<workgroup>, num_barriers = 5>
// CHECK: nvgpu.mbarrier.init %[[EMPTY:[0-9]+]][%c0], %c256 : <memorySpace = #gpu.address_space<workgroup>, num_barriers = 4>
// CHECK: nvvm.setmaxregister  decrease 24
// CHECK: nvgpu.tma.async.load %{{.*}}[%c0, %c0, %[[HEAD]], %{{.*}}], %[[FULL]][%c4] to %{{.*}} : <tensor = memref<32x1x4x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// Four 16-token pages a tile: four producer warps, page i from lane i / 4
// of warp i % 4; issuer 0 expects the tile's bytes.
// CHECK: %[[PRODUCER:[0-9]+]] = arith.cmpi slt, %[[WARP:[0-9]+]], %c4 : index
// CHECK: scf.if %[[PRODUCER]] {
// CHECK: %[[LANE4:[0-9]+]] = arith.muli %{{[0-9]+}}, %c4 : index
// CHECK: %[[ISSUER:[0-9]+]] = arith.addi %[[LANE4]], %[[WARP]] : index
// CHECK: scf.for
// CHECK: nvgpu.mbarrier.try_wait.parity %[[EMPTY]]
// CHECK: %[[FIRST:[0-9]+]] = arith.cmpi eq, %[[ISSUER]], %c0 : index
// CHECK: scf.if %[[FIRST]] {
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[FULL]]
// CHECK: scf.for %{{.*}} = %[[ISSUER]] to %{{.*}} step %c128 {
// CHECK: nvgpu.tma.async.load %{{.*}}[%c0, %[[HEAD]], %c0, %{{.*}}], %[[FULL]][%{{.*}}] to %{{.*}} : <tensor = memref<1x16x1x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: } else {
// CHECK: nvvm.setmaxregister  increase 240
// CHECK: nvgpu.mbarrier.try_wait.parity %[[FULL]][%c4]
// The first tile: S, then its softmax.
// CHECK: nvgpu.mbarrier.try_wait.parity %[[FULL]]
// CHECK: nvvm.wgmma.fence.aligned
// CHECK: nvvm.wgmma.mma_async %{{.*}}, %{{.*}}, %{{.*}}, <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK: nvvm.wgmma.mma_async %{{.*}}, %{{.*}}, %{{.*}}, <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: llvm.inline_asm asm_dialect = att "ex2.approx.ftz.f32 $0, $1;"
// Each next tile: S of tile j and PV of tile j - 1 in flight, the softmax
// of tile j while PV runs, then O rescaled and stage j - 1 released.
// CHECK: scf.for
// CHECK: nvgpu.mbarrier.try_wait.parity %[[FULL]]
// CHECK: nvvm.wgmma.mma_async
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// 64 accumulators out ($0-$63) and in (tied, $64-$127), P ($128-$131),
// V's descriptor ($132), the scale-d flag ($133).
// CHECK: llvm.inline_asm has_side_effects asm_dialect = att "{\0A.reg .pred p;\0Asetp.ne.b32 p, $133, 0;\0Awgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {$0, $1,
// CHECK-SAME: $63}, {$128, $129, $130, $131}, $132, p, 1, 1, 1;\0A}", "=f,=f,
// CHECK-SAME: ,0,1,2,
// CHECK-SAME: ,63,r,r,r,r,l,n"
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 1
// A row keeps its reference max unless the tile's exceeds it by more than
// 8 in log2 units (5.5451... logit units).
// CHECK: arith.cmpf ole, %{{.*}}, %cst{{.*}} : f32
// CHECK: llvm.inline_asm asm_dialect = att "ex2.approx.ftz.f32 $0, $1;"
// The wait for PV also reads the previous P (16 registers), so the new P
// cannot take its registers while the wgmma still reads them.
// CHECK: llvm.inline_asm has_side_effects asm_dialect = att "wgmma.wait_group.sync.aligned 0;", "r,r,r,r,r,r,r,r,r,r,r,r,r,r,r,r"
// O is rescaled unless every row of the warp kept its max (one vote).
// CHECK: nvvm.vote.sync all
// CHECK: nvgpu.mbarrier.arrive %[[EMPTY]]
// CHECK: scf.yield
// The last tile's PV after its V rows past the last key are zeroed.
// CHECK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK: nvvm.barrier id = %c1_i32 number_of_threads = %c256_i32
// CHECK: nvvm.wgmma.fence.aligned
// CHECK: llvm.inline_asm
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: nvgpu.mbarrier.arrive %[[EMPTY]]
// The epilogue: one division per row; 16-byte stores through the warp's
// rows of the q tile where out's start and strides allow it, else two
// columns per 4-byte store, else one element at a time.
// CHECK: arith.divf %cst{{.*}}, %{{.*}} : f32
// CHECK: arith.remui %{{.*}}, %c16 : index
// CHECK: vector.store %{{.*}}, %{{.*}} : memref<256x64xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: nvvm.bar.warp.sync
// CHECK: vector.load %{{.*}} : memref<256x64xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: vector.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : memref<?x32x128xbf16>, vector<8xbf16>
// CHECK: } else {
// CHECK: vector.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : memref<?x32x128xbf16>, vector<2xbf16>
// CHECK: } else {
// CHECK: memref.store {{.*}} : memref<?x32x128xbf16>

// The portable kernel: 16-token q boxes, ldmatrix and mma.sync m16n8k16,
// a block barrier per tile; no wgmma.
// PORTABLE: gpu.launch_func async [%{{[0-9]+}}] @paged_attn_kernels::@prefill_0 blocks in (%{{[0-9]+}}, %c8, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c81920_i32
// PORTABLE: gpu.func @prefill_0({{.*}} kernel attributes {known_block_size = array<i32: 128, 1, 1>
// PORTABLE: scf.while
// PORTABLE: nvgpu.tma.async.load %{{.*}}[%c0, %c0, %{{[0-9]+}}, %{{.*}}], %{{.*}} to %{{.*}} : <tensor = memref<16x1x4x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// PORTABLE: nvgpu.ldmatrix
// PORTABLE: scf.for
// PORTABLE: nvvm.mma.sync {{.*}} {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// PORTABLE: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = true}
// PORTABLE: gpu.barrier
// The portable epilogue stages a warp's rows in its own rows of the q tile
// and stores 16-byte chunks.
// PORTABLE: nvvm.bar.warp.sync
// PORTABLE-COUNT-8: vector.store %{{.*}} {alignment = 16 : i64} : memref<?x32x128xbf16>, vector<8xbf16>
// PORTABLE: memref.store {{.*}} : memref<?x32x128xbf16>
// PORTABLE-NOT: wgmma
// PORTABLE-NOT: setmaxregister
func.func @prefill_nhd(%q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>, %k: memref<?x16x8x128xbf16>,
    %v: memref<?x16x8x128xbf16>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16, strided<[6144, 128, 1]>>)
      k_cache(%k : memref<?x16x8x128xbf16>) v_cache(%v : memref<?x16x8x128xbf16>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x32x128xbf16>)
      {causal, kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}
