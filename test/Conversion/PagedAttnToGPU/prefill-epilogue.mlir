// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
// RUN: attn-opt %s --convert-paged-attn-to-gpu=prefill-epilogue=tma-bulk --canonicalize --cse | FileCheck %s --check-prefix=BULK
// RUN: attn-opt %s --convert-paged-attn-to-gpu="prefill-epilogue=tma-bulk prefill-kernel=portable" --canonicalize --cse | FileCheck %s --check-prefix=BULK-PORTABLE
//
// The prefill epilogue honours out's strides. Each row is normalized by one
// factor (one division per row, not per output). Where out's inner stride
// is statically 1, the kernel checks out's start, token stride and head
// stride: multiples of 16 bytes, 16-byte chunks staged through shared
// memory; even, two adjacent columns as one 4-byte store. An out whose
// inner stride is dynamic gets one store per element.
//
// prefill-epilogue=tma-bulk: where the 16-byte path would be taken, the
// wgmma kernel's consumers first meet (named barrier 1, 256 threads: no K/V
// stage is read any more), each warp writes its rows unswizzled at a pitch
// of 272 bytes (the 8 rows of a fragment store in distinct banks) into a
// K/V stage the last tile does not use, fences them for the async proxy,
// syncs, and its lanes 0-15 copy one 256-byte row each by cp.async.bulk
// (the TMA engine), only rows of the request's tokens; the copies' reads
// finish before exit. The other paths are the same. The portable kernel has
// no free stage to stage in and keeps the q-tile staging.

// BULK-LABEL: gpu.func @prefill_0(
// BULK-NOT: nvvm.cp.async.bulk
// BULK: gpu.return
// BULK-LABEL: gpu.func @prefill_1(
// BULK: %[[REM16:[0-9]+]] = arith.remui %{{[0-9]+}}, %c16 : index
// BULK: %[[ALIGNED:[0-9]+]] = arith.cmpi eq, %[[REM16]], %c0 : index
// BULK: scf.if %[[ALIGNED]] {
// BULK: nvvm.barrier id = %c1_i32 number_of_threads = %c256_i32
// BULK-COUNT-32: vector.store %{{.*}}, %{{[0-9a-z_]+}}[%{{.*}}] : memref<8704xf16, #gpu.address_space<workgroup>>, vector<2xf16>
// BULK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// BULK: nvvm.bar.warp.sync %c-1_i32
// BULK: scf.if
// BULK: %[[DST:[0-9]+]] = llvm.inttoptr %{{[0-9]+}} : i64 to !llvm.ptr<1>
// BULK: %[[SRC:[0-9]+]] = llvm.inttoptr %{{[0-9]+}} : i64 to !llvm.ptr<3>
// BULK: nvvm.cp.async.bulk.global.shared.cta %[[DST]], %[[SRC]], %c256_i32 : <1>, <3>
// BULK: nvvm.cp.async.bulk.commit.group
// BULK: nvvm.cp.async.bulk.wait_group 0 {read}
// BULK: } else {
// BULK: arith.remui %{{.*}}, %c4 : index
// BULK: vector.store %{{.*}} {alignment = 4 : i64} : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>, vector<2xf16>
// BULK: memref.store

// BULK-PORTABLE-LABEL: gpu.func @prefill_1(
// BULK-PORTABLE-NOT: nvvm.cp.async.bulk
// BULK-PORTABLE: vector.store %{{.*}} {alignment = 16 : i64} : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>, vector<8xf16>
// BULK-PORTABLE-NOT: nvvm.cp.async.bulk
// BULK-PORTABLE: gpu.return

// An out with a dynamic inner stride: no pair store into it, ever.
// CHECK-LABEL: gpu.func @prefill_0(
// CHECK: arith.divf %cst{{.*}}, %{{.*}} : f32
// CHECK-NOT: vector.store {{.*}} : memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>
// CHECK: memref.store {{.*}} : memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>
// CHECK-NOT: vector.store {{.*}} : memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>
// CHECK: gpu.return

// A unit inner stride: the device checks out's start, 2 token stride and
// 2 head stride once. All multiples of 16 bytes: each warp writes its rows
// into its own rows of the q tile, syncs, and stores whole 16-byte chunks
// of a row. All even: pairs as 4-byte stores. Otherwise elements.
// CHECK-LABEL: gpu.func @prefill_1(
// CHECK: %{{.*}}, %[[OFF:[a-z0-9_]+]], %{{.*}}:3, %[[STRIDES:[a-z0-9_]+]]:3 = memref.extract_strided_metadata %[[OUT:arg[0-9]+]] : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>
// CHECK: %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: %[[OFFB:[0-9]+]] = arith.muli %[[OFF]], %c2 : index
// CHECK: %[[START:[0-9]+]] = arith.addi %[[PTR]], %[[OFFB]] : index
// CHECK: %[[HEADB:[0-9]+]] = arith.muli %[[STRIDES]]#1, %c2 : index
// CHECK: %[[TOKB:[0-9]+]] = arith.muli %[[STRIDES]]#0, %c2 : index
// CHECK: %[[STEPS:[0-9]+]] = arith.ori %[[TOKB]], %[[HEADB]] : index
// CHECK: %[[BITS:[0-9]+]] = arith.ori %[[START]], %[[STEPS]] : index
// CHECK: %[[REM16:[0-9]+]] = arith.remui %[[BITS]], %c16 : index
// CHECK: %[[ALIGNED:[0-9]+]] = arith.cmpi eq, %[[REM16]], %c0 : index
// CHECK: scf.if %[[ALIGNED]] {
// CHECK-COUNT-32: vector.store %{{.*}}, %[[STAGE:[0-9a-z_]+]][%{{.*}}, %{{.*}}] : memref<256x64xf16, #gpu.address_space<workgroup>>, vector<2xf16>
// CHECK: nvvm.bar.warp.sync %c-1_i32
// CHECK-COUNT-8: vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>, vector<8xf16>
// CHECK: } else {
// CHECK: %[[REM4:[0-9]+]] = arith.remui %[[BITS]], %c4 : index
// CHECK: %[[EVEN:[0-9]+]] = arith.cmpi eq, %[[REM4]], %c0 : index
// CHECK: scf.if %[[EVEN]] {
// CHECK: vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}, %{{.*}}] {alignment = 4 : i64} : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>, vector<2xf16>
// CHECK: } else {
// CHECK: memref.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>

func.func @strided_out(%q: memref<?x32x128xbf16>, %k: memref<?x8x16x128xbf16>,
    %v: memref<?x8x16x128xbf16>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x8x16x128xbf16>) v_cache(%v : memref<?x8x16x128xbf16>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x32x128xbf16, strided<[?, ?, ?], offset: ?>>)
      {causal, kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

func.func @f16_out(%q: memref<?x32x128xf16>, %k: memref<?x8x16x128xf16>,
    %v: memref<?x8x16x128xf16>, %qo: memref<?xi32>, %bt: memref<?x?xi32>,
    %sl: memref<?xi32>, %o: memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.prefill
      q(%q : memref<?x32x128xf16>)
      k_cache(%k : memref<?x8x16x128xf16>) v_cache(%v : memref<?x8x16x128xf16>)
      qo_indptr(%qo : memref<?xi32>) block_table(%bt : memref<?x?xi32>)
      seq_lens(%sl : memref<?xi32>) out(%o : memref<?x32x128xf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}
