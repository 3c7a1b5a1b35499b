// RUN: attn-opt %s --convert-paged-attn-to-gpu | FileCheck %s
// RUN: attn-opt %s --convert-paged-attn-to-gpu=chip=sm_100a | FileCheck %s --check-prefix=SM100
// RUN: attn-opt %s --paged-attn-verify-tma --convert-paged-attn-to-gpu | FileCheck %s --check-prefix=DEFERRED
// RUN: not attn-opt %s --convert-paged-attn-to-gpu=decode-nvfp4=cvt 2>&1 | FileCheck %s --check-prefix=BADOPT-NVFP4
// RUN: not attn-opt %s --paged-attn-to-nvvm=decode-nvfp4=cvt 2>&1 | FileCheck %s --check-prefix=BADOPT-NVFP4
// BADOPT-NVFP4: error: convert-paged-attn-to-gpu: unknown decode-nvfp4 'cvt': expected auto, byte-pairs, placement or leave-out
//
// paged_attn.decode becomes host code that encodes one TMA descriptor per
// operand from that operand's own runtime sizes, strides and offset
// (attnTmaEncode), launches only when the runtime reports no error, and
// kernels in one gpu.module that load pages through those descriptors.
// Runtime enum values (include/attn/Runtime/Runtime.h): element type bf16 = 9,
// f16 = 6; target sm_90a = 0, sm_100a = 1; swizzle none = 0, 128b = 3.

// CHECK: module attributes {gpu.container_module}
// CHECK-DAG: llvm.mlir.global internal constant @[[QNAME:attn_operand_[0-9]+]]("q of paged_attn.decode in @hnd_kv_own_strides\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[KNAME:attn_operand_[0-9]+]]("k_cache of paged_attn.decode in @hnd_kv_own_strides\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[VNAME:attn_operand_[0-9]+]]("v_cache of paged_attn.decode in @hnd_kv_own_strides\00")
// CHECK-DAG: func.func private @attnTmaEncode(!llvm.ptr, !llvm.ptr, i32, i32, i32, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i32, i32, i32) -> i32
// CHECK-DAG: func.func private @attnRuntimeStatusOk() -> i32
// CHECK-DAG: func.func private @attnRuntimeMultiprocessorCount() -> i32
// CHECK-DAG: func.func private @attnRuntimeWorkspace(i64) -> !llvm.ptr
// CHECK-DAG: func.func private @attnRuntimeSplitCounters(i64) -> !llvm.ptr
// CHECK-DAG: func.func private @attnRuntimeRequireDim(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64) -> i32
// Dynamic sizes that must agree are checked at run time, in the verifier's
// words.
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("paged_attn.decode in @hnd_kv_own_strides\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("q dim 0 (num_tokens)\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("(batch * q_len_per_request)\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("seq_lens dim 0 (batch)\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("v_cache dim 0 (pages)\00")

// HND, bf16, head_dim 128, pages of 16, GQA group 8 (32 q heads, 4 kv heads).
// q, K and V each have their own dynamic strides and offset: every
// descriptor must be built from its own memref's metadata.
//
// CHECK-LABEL: func.func @hnd_kv_own_strides(
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>,
// CHECK-SAME: %[[K:[a-z0-9]+]]: memref<?x4x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
// CHECK-SAME: %[[V:[a-z0-9]+]]: memref<?x4x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
// CHECK-SAME: %[[BT:[a-z0-9]+]]: memref<?x?xi32>, %[[SL:[a-z0-9]+]]: memref<?xi32>, %[[OUT:[a-z0-9]+]]: memref<?x32x128xbf16>)
// CHECK-SAME: attributes {llvm.emit_c_interface}
//
// Three 128-byte tensor maps in one 64-byte aligned stack buffer.
// q tokens against block_table's batch x q_len_per_request (1), before
// any descriptor:
// CHECK: %[[QT:[a-z0-9_]+]] = memref.dim %[[Q]], %c0
// CHECK: %[[BTB:[a-z0-9_]+]] = memref.dim %[[BT]], %c0
// CHECK: call @attnRuntimeRequireDim(%{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64) -> i32
// CHECK: %[[MAPS:[a-z0-9_]+]] = memref.alloca() {alignment = 64 : i64} : memref<384xi8>
// CHECK: %[[MAPSI:[a-z0-9_]+]] = memref.extract_aligned_pointer_as_index %[[MAPS]]
// CHECK: %[[MAPSI64:[0-9]+]] = arith.index_cast %[[MAPSI]] : index to i64
// CHECK: %[[MAPSP:[0-9]+]] = llvm.inttoptr %[[MAPSI64]] : i64 to !llvm.ptr
//
// q, GQA-folded: dims {D, G, H/G, T} = {size 2, 8, 4, size 0}, strides
// {stride 2, stride 1, 8 * stride 1, stride 0}, box {64, 8, 1, 1}, 128b.
// CHECK: %[[QMAP:[0-9]+]] = llvm.getelementptr %[[MAPSP]][0] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: %{{[a-z0-9_]+}}, %[[QOFF:[a-z0-9_]+]], %[[QSZ:sizes[_0-9]*]]:3, %[[QST:strides[_0-9]*]]:3 = memref.extract_strided_metadata %[[Q]] :
// CHECK: %[[QFOLD:[0-9]+]] = arith.muli %[[QST]]#1, %c8{{(_[0-9]+)?}} : index
// CHECK: %[[QNP:[0-9]+]] = llvm.mlir.addressof @[[QNAME]]
// CHECK: %[[QN:[0-9]+]] = llvm.getelementptr %[[QNP]][0, 0]
// CHECK: %[[QDIMS:alloca[_0-9]+]] = memref.alloca() : memref<4xi64>
// CHECK: arith.index_cast %[[QSZ]]#2 : index to i64
// CHECK: arith.index_cast %c8{{(_[0-9]+)?}} : index to i64
// CHECK: arith.index_cast %c4{{(_[0-9]+)?}} : index to i64
// CHECK: arith.index_cast %[[QSZ]]#0 : index to i64
// CHECK: %[[QSTRIDES:alloca[_0-9]+]] = memref.alloca() : memref<4xi64>
// CHECK: %[[QS0:[0-9]+]] = arith.index_cast %[[QST]]#2 : index to i64
// CHECK: memref.store %[[QS0]], %[[QSTRIDES]][%c0{{(_[0-9]+)?}}] : memref<4xi64>
// CHECK: %[[QS1:[0-9]+]] = arith.index_cast %[[QST]]#1 : index to i64
// CHECK: memref.store %[[QS1]], %[[QSTRIDES]][%c1{{(_[0-9]+)?}}] : memref<4xi64>
// CHECK: %[[QS2:[0-9]+]] = arith.index_cast %[[QFOLD]] : index to i64
// CHECK: memref.store %[[QS2]], %[[QSTRIDES]][%c2{{(_[0-9]+)?}}] : memref<4xi64>
// CHECK: %[[QS3:[0-9]+]] = arith.index_cast %[[QST]]#0 : index to i64
// CHECK: memref.store %[[QS3]], %[[QSTRIDES]][%c3{{(_[0-9]+)?}}] : memref<4xi64>
// CHECK: %[[QBOX:alloca[_0-9]+]] = memref.alloca() : memref<4xi32>
// CHECK-NEXT: %c0{{(_[0-9]+)?}} = arith.constant 0 : index
// CHECK-NEXT: memref.store %c64_i32{{(_[0-9]+)?}}, %[[QBOX]]
// CHECK-NEXT: %c1{{(_[0-9]+)?}} = arith.constant 1 : index
// CHECK-NEXT: memref.store %c8_i32{{(_[0-9]+)?}}, %[[QBOX]]
// CHECK: call @attnTmaEncode(%[[QMAP]], %[[QN]], %c9_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32{{(_[0-9]+)?}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %c3_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})
//
// k_cache: its own dims and strides reversed, box {64, 16, 1, 1}, 128b.
// CHECK: %[[KMAP:[0-9]+]] = llvm.getelementptr %[[MAPSP]][128] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: %{{[a-z0-9_]+}}, %[[KOFF:[a-z0-9_]+]], %[[KSZ:sizes[_0-9]*]]:4, %[[KST:strides[_0-9]*]]:4 = memref.extract_strided_metadata %[[K]] :
// CHECK-NOT: %[[QST]]#
// CHECK: llvm.mlir.addressof @[[KNAME]]
// CHECK: arith.index_cast %[[KST]]#3 : index to i64
// CHECK: arith.index_cast %[[KST]]#2 : index to i64
// CHECK: arith.index_cast %[[KST]]#1 : index to i64
// CHECK: arith.index_cast %[[KST]]#0 : index to i64
// CHECK: call @attnTmaEncode(%[[KMAP]], {{.*}}, %c3_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})
//
// v_cache: V's own metadata (address, dims, strides), never K's.
// CHECK: %[[VMAP:[0-9]+]] = llvm.getelementptr %[[MAPSP]][256] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: %{{[a-z0-9_]+}}, %[[VOFF:[a-z0-9_]+]], %[[VSZ:sizes[_0-9]*]]:4, %[[VST:strides[_0-9]*]]:4 = memref.extract_strided_metadata %[[V]] :
// CHECK-NOT: %[[KST]]#
// CHECK-NOT: %[[KSZ]]#
// CHECK-NOT: %[[KOFF]]
// CHECK: %[[VOFFB:[0-9]+]] = arith.muli %[[VOFF]], %c2{{(_[0-9]+)?}} : index
// CHECK: %[[VBASE:[a-z0-9_]+]] = memref.extract_aligned_pointer_as_index %[[V]]
// CHECK: %[[VADDR:[0-9]+]] = arith.addi %[[VBASE]], %[[VOFFB]] : index
// CHECK: %[[VADDR64:[0-9]+]] = arith.index_cast %[[VADDR]] : index to i64
// CHECK: %[[VADDRP:[0-9]+]] = llvm.inttoptr %[[VADDR64]] : i64 to !llvm.ptr
// CHECK: %[[VNP:[0-9]+]] = llvm.mlir.addressof @[[VNAME]]
// CHECK: %[[VN:[0-9]+]] = llvm.getelementptr %[[VNP]][0, 0]
// CHECK: %[[VDIMS:alloca[_0-9]+]] = memref.alloca() : memref<4xi64>
// CHECK: %[[VD0:[0-9]+]] = arith.index_cast %[[VSZ]]#3 : index to i64
// CHECK: memref.store %[[VD0]], %[[VDIMS]][%c0{{(_[0-9]+)?}}]
// CHECK: %[[VD1:[0-9]+]] = arith.index_cast %[[VSZ]]#2 : index to i64
// CHECK: memref.store %[[VD1]], %[[VDIMS]][%c1{{(_[0-9]+)?}}]
// CHECK: %[[VD2:[0-9]+]] = arith.index_cast %[[VSZ]]#1 : index to i64
// CHECK: memref.store %[[VD2]], %[[VDIMS]][%c2{{(_[0-9]+)?}}]
// CHECK: %[[VD3:[0-9]+]] = arith.index_cast %[[VSZ]]#0 : index to i64
// CHECK: memref.store %[[VD3]], %[[VDIMS]][%c3{{(_[0-9]+)?}}]
// CHECK: %[[VDIMSI:[a-z0-9_]+]] = memref.extract_aligned_pointer_as_index %[[VDIMS]]
// CHECK: %[[VDIMSI64:[0-9]+]] = arith.index_cast %[[VDIMSI]] : index to i64
// CHECK: %[[VDIMSP:[0-9]+]] = llvm.inttoptr %[[VDIMSI64]] : i64 to !llvm.ptr
// CHECK: %[[VSTRIDES:alloca[_0-9]+]] = memref.alloca() : memref<4xi64>
// CHECK: %[[VS0:[0-9]+]] = arith.index_cast %[[VST]]#3 : index to i64
// CHECK: memref.store %[[VS0]], %[[VSTRIDES]][%c0{{(_[0-9]+)?}}]
// CHECK: %[[VS1:[0-9]+]] = arith.index_cast %[[VST]]#2 : index to i64
// CHECK: memref.store %[[VS1]], %[[VSTRIDES]][%c1{{(_[0-9]+)?}}]
// CHECK: %[[VS2:[0-9]+]] = arith.index_cast %[[VST]]#1 : index to i64
// CHECK: memref.store %[[VS2]], %[[VSTRIDES]][%c2{{(_[0-9]+)?}}]
// CHECK: %[[VS3:[0-9]+]] = arith.index_cast %[[VST]]#0 : index to i64
// CHECK: memref.store %[[VS3]], %[[VSTRIDES]][%c3{{(_[0-9]+)?}}]
// CHECK: %[[VSTRIDESI:[a-z0-9_]+]] = memref.extract_aligned_pointer_as_index %[[VSTRIDES]]
// CHECK: %[[VSTRIDESI64:[0-9]+]] = arith.index_cast %[[VSTRIDESI]] : index to i64
// CHECK: %[[VSTRIDESP:[0-9]+]] = llvm.inttoptr %[[VSTRIDESI64]] : i64 to !llvm.ptr
// CHECK: %[[VBOX:alloca[_0-9]+]] = memref.alloca() : memref<4xi32>
// CHECK-NEXT: %c0{{(_[0-9]+)?}} = arith.constant 0 : index
// CHECK-NEXT: memref.store %c64_i32{{(_[0-9]+)?}}, %[[VBOX]]
// CHECK-NEXT: %c1{{(_[0-9]+)?}} = arith.constant 1 : index
// CHECK-NEXT: memref.store %c16_i32{{(_[0-9]+)?}}, %[[VBOX]]
// CHECK: %[[VOK:[0-9]+]] = call @attnTmaEncode(%[[VMAP]], %[[VN]], %c9_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32{{(_[0-9]+)?}}, %[[VADDRP]], %[[VDIMSP]], %[[VSTRIDESP]], %{{[0-9]+}}, %c3_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})
//
// Launch only if every descriptor was legal and encoded.
// CHECK-NEXT: %[[STATUS:[0-9]+]] = call @attnRuntimeStatusOk() : () -> i32
// CHECK-NEXT: %[[ZERO:c0_i32[_0-9]*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[OK:[0-9]+]] = arith.cmpi ne, %[[STATUS]], %[[ZERO]] : i32
// CHECK-NEXT: scf.if %[[OK]] {
// CHECK: %[[SMS:[0-9]+]] = func.call @attnRuntimeMultiprocessorCount() : () -> i32
// CHECK: %[[BATCH:dim[_0-9]*]] = memref.dim %[[BT]], %c0{{(_[0-9]+)?}} : memref<?x?xi32>
// The split count: of 1 .. min(units, 64), the first with the least
// modelled time, waves x (tiles of a split + 4), with ctas = batch x 4 kv
// heads on slots = SMs x 3 (three CTAs of this plan an SM, nvvm.minctasm).
// CHECK: %[[CTAS0:[0-9]+]] = arith.muli %[[BATCH]], %c4{{(_[0-9]+)?}} : index
// CHECK: %[[CTAS:[0-9]+]] = arith.maxsi %[[CTAS0]], %c1{{(_[0-9]+)?}} : index
// CHECK: %[[UNITS:[0-9]+]] = arith.maxsi
// CHECK: %[[SLOTS:[0-9]+]] = arith.muli %{{[0-9]+}}, %c3{{(_[0-9]+)?}} : index
// CHECK: %[[BEST:[0-9]+]]:2 = scf.for %[[S:arg[0-9]+]] = %c2{{(_[0-9]+)?}} to %{{[0-9]+}} step %c1{{(_[0-9]+)?}} iter_args(%[[BS:arg[0-9]+]] = %c1{{(_[0-9]+)?}}, %[[BC:arg[0-9]+]] = %{{[0-9]+}}) -> (index, index) {
// CHECK:   %[[TILES:[0-9]+]] = arith.ceildivui %[[UNITS]], %[[S]] : index
// CHECK:   %[[TIME:[0-9]+]] = arith.addi %[[TILES]], %c4{{(_[0-9]+)?}} : index
// CHECK:   %[[ALL:[0-9]+]] = arith.muli %[[CTAS]], %[[S]] : index
// CHECK:   %[[WAVES:[0-9]+]] = arith.ceildivui %[[ALL]], %[[SLOTS]] : index
// CHECK:   %[[COST:[0-9]+]] = arith.muli %[[WAVES]], %[[TIME]] : index
// CHECK:   %[[LESS:[0-9]+]] = arith.cmpi slt, %[[COST]], %[[BC]] : index
// CHECK:   arith.select %[[LESS]], %[[S]], %[[BS]] : index
// CHECK:   arith.select %[[LESS]], %[[COST]], %[[BC]] : index
// CHECK: arith.ceildivui %[[UNITS]], %[[BEST]]#0 : index
// Several KV splits: one launch, on the runtime's workspace and its split
// counters, one per row group (batch x 4 kv heads): nothing is allocated or
// copied per call, and the last CTA of a row group merges its splits (no
// merge kernel). The descriptors are launch operands (passed by value
// after --paged-attn-grid-constant-params).
// CHECK: scf.if %{{[0-9]+}} {
// CHECK: %[[GROUPS:[0-9]+]] = arith.muli %[[BATCH]], %c4{{(_[0-9]+)?}} : index
// CHECK: %{{[0-9]+}} = func.call @attnRuntimeWorkspace(%{{[0-9]+}}) : (i64) -> !llvm.ptr
// CHECK: %[[GROUPS64:[0-9]+]] = arith.index_cast %[[GROUPS]] : index to i64
// CHECK: %{{[0-9]+}} = func.call @attnRuntimeSplitCounters(%[[GROUPS64]]) : (i64) -> !llvm.ptr
// CHECK: %[[WS:[0-9]+]] = builtin.unrealized_conversion_cast %{{[0-9]+}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xf32>
// CHECK: %[[CTRS:[0-9]+]] = builtin.unrealized_conversion_cast %{{[0-9]+}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<?xi32>
// CHECK-NOT: gpu.alloc
// CHECK-NOT: gpu.memcpy
// CHECK: %[[T0:[0-9]+]] = gpu.wait async
// Grid (splits, kv heads x 16-row q blocks, batch), 128 threads, the
// dynamic shared memory of the q tile and the K/V stages.
// CHECK: %[[D:[0-9]+]] = gpu.launch_func async [%[[T0]]] @paged_attn_kernels::@decode_0 blocks in (%[[SPLITS:[0-9]+]], %c4{{(_[0-9]+)?}}, %[[BATCH]]) threads in (%c128{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}, %c1{{(_[0-9]+)?}}) dynamic_shared_memory_size %c{{[0-9]+}}_i32 args(%[[QMAP]] : !llvm.ptr, %[[KMAP]] : !llvm.ptr, %[[VMAP]] : !llvm.ptr, %[[BT]] : memref<?x?xi32>, %[[SL]] : memref<?xi32>, %[[OUT]] : memref<?x32x128xbf16>, %[[WS]] : memref<?xf32>, %[[CTRS]] : memref<?xi32>, %[[SPLITS]] : index, %{{[0-9]+}} : index)
// CHECK-NOT: gpu.dealloc
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.wait [%[[D]]]
// One split: the decode kernel writes out directly, no workspace, no
// counters.
// CHECK: } else {
// CHECK: llvm.mlir.zero : !llvm.ptr
// CHECK-NOT: attnRuntimeWorkspace
// CHECK-NOT: attnRuntimeSplitCounters
// CHECK: %[[D1:[0-9]+]] = gpu.launch_func async [%{{.*}}] @paged_attn_kernels::@decode_0 blocks
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.wait [%[[D1]]]
// CHECK: return
func.func @hnd_kv_own_strides(
    %q: memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x4x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x4x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  paged_attn.decode
      q(%q : memref<?x32x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x4x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v : memref<?x4x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// NHD, f16, head_dim 128, pages of 12 tokens (not a multiple of 8: a page
// would start off the 1024-byte swizzle pattern), GQA group 1: K and V boxes
// are unswizzled and span the whole head_dim, {128, 1, 12, 1}.
// CHECK-LABEL: func.func @nhd_page12_f16(
// CHECK: call @attnTmaEncode(%{{[0-9]+}}, %{{[0-9]+}}, %c6_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32{{(_[0-9]+)?}}, {{.*}}, %c3_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})
// CHECK: %[[KBOX:alloca[_0-9]+]] = memref.alloca() : memref<4xi32>
// CHECK-NEXT: %c0{{(_[0-9]+)?}} = arith.constant 0 : index
// CHECK-NEXT: memref.store %c128_i32{{(_[0-9]+)?}}, %[[KBOX]]
// CHECK-NEXT: %c1{{(_[0-9]+)?}} = arith.constant 1 : index
// CHECK-NEXT: memref.store %c1_i32{{(_[0-9]+)?}}, %[[KBOX]]
// CHECK-NEXT: %c2{{(_[0-9]+)?}} = arith.constant 2 : index
// CHECK-NEXT: memref.store %c12_i32{{(_[0-9]+)?}}, %[[KBOX]]
// CHECK: call @attnTmaEncode(%{{[0-9]+}}, %{{[0-9]+}}, %c6_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32{{(_[0-9]+)?}}, {{.*}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})
// CHECK: call @attnTmaEncode(%{{[0-9]+}}, %{{[0-9]+}}, %c6_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32{{(_[0-9]+)?}}, {{.*}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})
// CHECK: gpu.launch_func async [%{{.*}}] @paged_attn_kernels::@decode_1 blocks
func.func @nhd_page12_f16(
    %q: memref<?x8x128xf16>, %k: memref<?x12x8x128xf16>,
    %v: memref<?x12x8x128xf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x8x128xf16>) {
  paged_attn.decode
      q(%q : memref<?x8x128xf16>)
      k_cache(%k : memref<?x12x8x128xf16>) v_cache(%v : memref<?x12x8x128xf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// HND, bf16, head_dim 64, pages of 128 tokens: a page is loaded 64 rows at a
// time, the row within the page is a coordinate.
// CHECK-LABEL: func.func @hnd_page128(
// CHECK: gpu.launch_func async [%{{.*}}] @paged_attn_kernels::@decode_2 blocks
func.func @hnd_page128(
    %q: memref<?x8x64xbf16>, %k: memref<?x2x128x64xbf16>,
    %v: memref<?x2x128x64xbf16>, %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %o: memref<?x8x64xbf16>) {
  paged_attn.decode
      q(%q : memref<?x8x64xbf16>)
      k_cache(%k : memref<?x2x128x64xbf16>) v_cache(%v : memref<?x2x128x64xbf16>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}

// NHD, bf16, head_dim 64, GQA group 4, 3 q tokens per request, sinks: the
// sinks are the kernel's last argument (the split merge reads them too).
// CHECK-LABEL: func.func @nhd_qlen3_sinks(
// CHECK-SAME: %[[S3:[a-z0-9]+]]: memref<8xf32>, %[[O3:[a-z0-9]+]]: memref<12x8x64xbf16>)
// Every size is static: the verifier proved them all.
// CHECK-NOT: attnRuntimeRequireDim
// CHECK: gpu.launch_func async [%{{.*}}] @paged_attn_kernels::@decode_3 blocks in ({{.*}}) threads in ({{.*}}) dynamic_shared_memory_size %c{{[0-9]+}}_i32 args({{.*}}, %[[O3]] : memref<12x8x64xbf16>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xi32>, %{{[0-9]+}} : index, %{{[0-9]+}} : index, %[[S3]] : memref<8xf32>)
func.func @nhd_qlen3_sinks(%q: memref<12x8x64xbf16>, %k: memref<32x16x2x64xbf16>,
    %v: memref<32x16x2x64xbf16>, %bt: memref<4x8xi32>, %sl: memref<4xi32>,
    %s: memref<8xf32>, %o: memref<12x8x64xbf16>) {
  paged_attn.decode
      q(%q : memref<12x8x64xbf16>)
      k_cache(%k : memref<32x16x2x64xbf16>) v_cache(%v : memref<32x16x2x64xbf16>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      sinks(%s : memref<8xf32>) out(%o : memref<12x8x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.125 : f32, q_len_per_request = 3}
  return
}

// The kernels: one gpu.module, 1024-byte aligned dynamic shared memory.
// CHECK-LABEL: gpu.module @paged_attn_kernels {
// CHECK: memref.global @__attn_dynamic_shared : memref<0xi8, #gpu.address_space<workgroup>> {alignment = 1024 : i64}
//
// CHECK-LABEL: gpu.func @decode_0(
// The q, k_cache and v_cache descriptors lead, as by-value parameters.
// CHECK-SAME: %arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %[[BT0:[a-z0-9]+]]: memref<?x?xi32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xi32>, %{{.*}}: index, %{{.*}}: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 3 : i32, paged_attn.grid_constant_args = array<i32: 0, 1, 2>}
// One mbarrier per K/V stage plus one for q.
// CHECK: %[[BARS0:[0-9]+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = {{[3-5]}}>
// The descriptor types are the boxes reversed: q {64, 8, 1, 1}, K and V
// {64, 16, 1, 1}, 128-byte swizzle.
// CHECK: %[[QMAP0:[0-9]+]] = builtin.unrealized_conversion_cast %arg{{[0-9]+}} : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<1x1x8x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b, l2promo = l2promo_128b, oob = zero, interleave = none>
// CHECK: %[[KMAP0:[0-9]+]] = builtin.unrealized_conversion_cast %arg{{[0-9]+}} : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<1x1x16x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b, l2promo = l2promo_128b, oob = zero, interleave = none>
// CHECK: %[[VMAP0:[0-9]+]] = builtin.unrealized_conversion_cast %arg{{[0-9]+}} : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<1x1x16x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b, l2promo = l2promo_128b, oob = zero, interleave = none>
// CHECK: nvgpu.mbarrier.init %[[BARS0]][%{{[a-z0-9_]+}}], %c1
// CHECK: nvvm.fence.mbarrier.init
// q: two 64-column boxes of the kv head's 8 q heads of the request's token,
// coordinates {column, head in group, kv head, token}.
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[BARS0]][%[[QBAR:[a-z0-9_]+]]], %c2048{{(_[0-9]+)?}}
// CHECK: nvgpu.tma.async.load %[[QMAP0]][%c0{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %block_id_y, %block_id_z], %[[BARS0]][%[[QBAR]]] to %{{.*}} : <tensor = memref<1x1x8x64xbf16
// CHECK: nvgpu.tma.async.load %[[QMAP0]][%c64{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %block_id_y, %block_id_z], %[[BARS0]][%[[QBAR]]]
// K and V pages (HND): coordinates {column, row in page, kv head, physical
// page}, the page read from the block table.
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[BARS0]]
// CHECK: %[[E0:[0-9]+]] = memref.load %[[BT0]][%block_id_z, %{{[0-9]+}}] : memref<?x?xi32>
// CHECK-NEXT: %[[P0:[0-9]+]] = arith.index_cast %[[E0]] : i32 to index
// The boxes (K and V of each 64-column region) go out as PTX of the
// elected lane, with 32-bit shared addresses of the box and its mbarrier.
// CHECK: memref.extract_aligned_pointer_as_index %{{.*}} : memref<1x1x16x64xbf16, #gpu.address_space<workgroup>> -> index
// CHECK: %[[PAGE0:[0-9]+]] = arith.index_cast %[[P0]] : index to i32
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3, $4, $5}], [$6];" ro(%{{[0-9]+}}, %arg1, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %[[PAGE0]], %{{[0-9]+}} : i32, !llvm.ptr, i32, i32, i32, i32, i32), predicate =
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.{{.*}} ro(%{{[0-9]+}}, %arg2,
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.{{.*}} ro(%{{[0-9]+}}, %arg1,
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.{{.*}} ro(%{{[0-9]+}}, %arg2,
// CHECK: nvgpu.mbarrier.try_wait.parity %[[BARS0]][%[[QBAR]]], %false, %c10000000
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = false} : memref<32x64xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// The tile loop: wait for the stage, S = Q K^T, online softmax, O += P V.
// CHECK: scf.for
// CHECK: nvgpu.mbarrier.try_wait.parity %[[BARS0]][%{{[0-9]+}}], %{{[0-9]+}}, %c10000000
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = false} : memref<128x64xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: gpu.shuffle  xor
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = true} : memref<128x64xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK: nvvm.mma.sync
// Refill the stage once every warp is done with it.
// CHECK: gpu.barrier
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.{{.*}} ro(%{{[0-9]+}}, %arg1,
// CHECK: scf.yield
// The row group's last split merges (decode-epilogue.mlir has the detail).
// CHECK: atom.relaxed.gpu.add.u32
// CHECK: gpu.return
//
// CHECK-LABEL: gpu.func @decode_1(
// CHECK: %[[BARS1:[0-9]+]] = nvgpu.mbarrier.create
// CHECK: !nvgpu.tensormap.descriptor<tensor = memref<1x1x1x64xf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b,
// CHECK: %[[KMAP1:[0-9]+]] = builtin.unrealized_conversion_cast %arg{{[0-9]+}} : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<1x12x1x128xf16, #gpu.address_space<workgroup>>, swizzle = none, l2promo = l2promo_128b, oob = zero, interleave = none>
// CHECK: %[[VMAP1:[0-9]+]] = builtin.unrealized_conversion_cast %arg{{[0-9]+}} : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<1x12x1x128xf16, #gpu.address_space<workgroup>>, swizzle = none, l2promo = l2promo_128b, oob = zero, interleave = none>
// Every warp issues boxes: warp w the pages w, w + 4, ... of a tile, so
// that no one warp (and its scheduler) carries all of the CTA's TMA issue.
// All its lanes compute the coordinates; the lane elect.sync picks issues
// (ptxas then needs no loop over the lanes' values around each box).
// CHECK: %[[ELECT1:[0-9]+]] = nvvm.elect.sync -> i1
// Warp 0 expects the bytes of the tile's pages (up to 5 pages of 12 rows
// per 64-row tile, each 2 x 12 x 128 x 2 bytes).
// CHECK: %[[N1:[0-9]+]] = arith.muli %{{[0-9]+}}, %c6144{{(_[0-9]+)?}} : index
// CHECK-NEXT: nvgpu.mbarrier.arrive.expect_tx %[[BARS1]][%{{[a-z0-9_]+}}], %[[N1]], predicate = %[[ELECT1]]
// CHECK: scf.for %{{.*}} = %{{[0-9]+}} to %{{[0-9]+}} step %c4{{(_[0-9]+)?}} {
// CHECK: %[[E1:[0-9]+]] = memref.load %{{[a-z0-9]+}}[%block_id_z, %{{[0-9]+}}] : memref<?x?xi32>
// CHECK-NEXT: %[[P1:[0-9]+]] = arith.index_cast %[[E1]] : i32 to index
// CHECK-NOT: memref.load
// NHD coordinates: {column, kv head, row in page, physical page}; one box
// covers the whole head_dim. The elected lane issues it as PTX with the
// box's and the mbarrier's 32-bit shared addresses; the descriptor is the
// kernel parameter (%arg1 K, %arg2 V).
// CHECK: %[[KDST1:.*]] = memref.extract_aligned_pointer_as_index %{{.*}} : memref<1x12x1x128xf16, #gpu.address_space<workgroup>> -> index
// CHECK: %[[KBAR1:[0-9]+]] = nvgpu.mbarrier.get %[[BARS1]][%{{[a-z0-9_]+}}] : {{.*}} -> i32
// CHECK: %[[KHEAD1:[0-9]+]] = arith.index_cast %block_id_y : index to i32
// CHECK: %[[KPAGE1:[0-9]+]] = arith.index_cast %[[P1]] : index to i32
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3, $4, $5}], [$6];" ro(%{{[0-9]+}}, %arg1, %{{[0-9]+}}, %[[KHEAD1]], %{{[0-9]+}}, %[[KPAGE1]], %[[KBAR1]] : i32, !llvm.ptr, i32, i32, i32, i32, i32), predicate = %[[ELECT1]]
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.{{.*}} ro(%{{[0-9]+}}, %arg2,
// CHECK: nvgpu.mbarrier.try_wait.parity %[[BARS1]]
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = false} : memref<64x128xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// f16 operands are vector<2xf16> registers (their PTX type is inferred).
// CHECK: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
//
// CHECK-LABEL: gpu.func @decode_2(
// CHECK: %[[BARS2:[0-9]+]] = nvgpu.mbarrier.create
// CHECK: %[[KMAP2:[0-9]+]] = builtin.unrealized_conversion_cast %arg{{[0-9]+}} : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<1x1x64x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b,
// A 64-row box of a 128-token page: the row within the page (token % 128)
// is a coordinate; K and V boxes of 64 x 64 x 2 bytes each.
// CHECK: %[[ROW2:[0-9]+]] = arith.remui %{{[0-9]+}}, %c128{{(_[0-9]+)?}} : index
// The page index is read only when it is inside the block table; otherwise
// the stage expects no bytes.
// CHECK: %[[TX2:[0-9]+]] = arith.select %{{[0-9]+}}, %c16384{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}} : index
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[BARS2]][%{{[a-z0-9_]+}}], %[[TX2]]
// CHECK: %[[E2:[0-9]+]] = memref.load %{{[a-z0-9]+}}[%block_id_z, %{{[0-9]+}}] : memref<?x?xi32>
// CHECK-NEXT: %[[P2:[0-9]+]] = arith.index_cast %[[E2]] : i32 to index
// CHECK: %[[ROW2I:[0-9]+]] = arith.index_cast %[[ROW2]] : index to i32
// CHECK: %[[P2I:[0-9]+]] = arith.index_cast %[[P2]] : index to i32
// CHECK: nvvm.inline_ptx "cp.async.bulk.tensor.4d.{{.*}} ro(%{{[0-9]+}}, %arg1, %{{[0-9]+}}, %[[ROW2I]], %{{[0-9]+}}, %[[P2I]],
//
// CHECK-LABEL: gpu.func @decode_3(
// CHECK-SAME: %{{.*}}: index, %[[S3K:[a-z0-9]+]]: memref<8xf32>) kernel
// CHECK: %[[BARS3:[0-9]+]] = nvgpu.mbarrier.create
// The q box is {64, 4, 1, 3}: the group's 4 heads of the request's 3 tokens,
// from token batch * 3.
// CHECK: %[[QMAP3:[0-9]+]] = builtin.unrealized_conversion_cast %arg{{[0-9]+}} : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<3x1x4x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b,
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[BARS3]][%[[QBAR3:[a-z0-9_]+]]], %c1536{{(_[0-9]+)?}}
// CHECK: %[[TOK3:[0-9]+]] = arith.muli %block_id_z, %c3{{(_[0-9]+)?}} : index
// CHECK-NEXT: nvgpu.tma.async.load %[[QMAP3]][%c0{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %block_id_y, %[[TOK3]]], %[[BARS3]][%[[QBAR3]]]
// CHECK-NOT: nvgpu.tma.async.load %[[QMAP3]]
// The sink joins the CTA's denominator with one split, the merge's with
// several.
// CHECK: memref.load %[[S3K]][
// CHECK: atom.relaxed.gpu.add.u32
// CHECK: memref.load %[[S3K]][

// sm_100a: the same descriptors with target 1.
// SM100-LABEL: func.func @hnd_kv_own_strides(
// SM100-COUNT-3: call @attnTmaEncode(%{{[0-9]+}}, %{{[0-9]+}}, %c9_i32{{(_[0-9]+)?}}, %c1_i32{{(_[0-9]+)?}}, %c4_i32
// SM100: call @attnRuntimeStatusOk()

// Deferred TMA rules (paged_attn.check_tma from --paged-attn-verify-tma)
// become attnTmaCheck calls on the same operand's metadata, before the
// descriptors are encoded.
// DEFERRED-DAG: func.func private @attnTmaCheck(!llvm.ptr, i32, i32, i32, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i32, i32, i32) -> i32
// DEFERRED-DAG: llvm.mlir.global internal constant @{{attn_operand_[0-9]+}}("v_cache (deferred TMA check in @{{[a-z_0-9]+}})\00")
// DEFERRED-LABEL: func.func @hnd_kv_own_strides(
// DEFERRED-SAME: %[[Q:[a-z0-9]+]]: memref<{{[^>]*}}>>, %[[K:[a-z0-9]+]]: memref<{{[^>]*}}>>, %[[V:[a-z0-9]+]]: memref<
// DEFERRED-NOT: paged_attn.check_tma
// DEFERRED: memref.extract_strided_metadata %[[Q]]
// DEFERRED: call @attnTmaCheck(
// DEFERRED: memref.extract_strided_metadata %[[K]]
// DEFERRED: call @attnTmaCheck(
// DEFERRED: %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}:4, %[[VST:strides[_0-9]*]]:4 = memref.extract_strided_metadata %[[V]]
// DEFERRED: %[[VS3:[0-9]+]] = arith.index_cast %[[VST]]#3 : index to i64
// DEFERRED: memref.store %[[VS3]], %[[VS:alloca[_0-9]+]][
// DEFERRED: memref.extract_aligned_pointer_as_index %[[VS]]
// DEFERRED: call @attnTmaCheck(%{{[0-9]+}}, %c9_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32
// DEFERRED-NOT: call @attnTmaCheck(
// DEFERRED-COUNT-3: call @attnTmaEncode(
// DEFERRED: call @attnRuntimeStatusOk()
