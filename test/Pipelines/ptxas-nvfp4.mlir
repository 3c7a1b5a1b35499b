// REQUIRES: ptxas
//
// NVFP4 caches (e2m1 pairs with f8E4M3FN block scales per 16 values and
// optional per-tensor scales) and fp8 queries. TMA moves the packed bytes
// and, per page, the block scales of the same rows (their own descriptors,
// from their own strides). Pages of whole 8-row blocks are staged swizzled
// (32-, 64- or 128-byte rows) and converted in registers, in the order the
// MMA fragments hold them, to f16 (a bf16 query moves to f16 once).
// sm_90a has no e2m1 cvt, so its kernels place the bits (decode-nvfp4
// =placement, sm_90a's default): K's signs and codes are placed by the
// word's even or odd nibbles masked, then per register two shifts and one
// and-or (the masks 0x0F0F0F0F, 0xF0F0F0F0 and 0x8E008E00 below); V's
// nibbles become bytes in place (masks 0x80808080, 0x0E0E0E0E), then one
// prmt a register puts two of them above zero bytes (selectors 0x2404,
// 0x3414); the 2^14 of the placement is folded into the logit scale and
// the output (0f46800000). sm_100a converts each byte into an f16 pair
// with cvt.rn.f16x2.e2m1x2 (byte-pairs, its default; a word's bytes
// unpacked into .b8 registers that the cvts read in place): K's registers
// are byte pairs, V's keys' nibbles are interleaved first (one delta swap,
// mask 0xF0F0 = 61680), nothing to fold. Byte pairs on sm_90a replace the
// cvt by its exact integer equivalent and one multiply by 2^14 (f16x2
// 0x74007400 = 1946186752); placement on sm_100a is sm_90a's kernel. Then
// one multiply by the block scales (cvt.rn.f16x2.e4m3x2 of the scale
// bytes; K's pair holds two chunks' scales, each broadcast where it
// multiplies): decode_0, decode_2 (fp8 q over an fp8 cache, page 100),
// decode_3; with at most 8 q rows (decode_0) the MMA operands swap (S^T =
// K q^T, O^T = V^T P^T, movmatrix.trans for P^T). Other pages (decode_1:
// NHD one-token pages) are converted into 16-bit tiles: sm_100a converts
// f16 tiles with cvt.rn.f16x2.e2m1x2 (the same unpacking block as its
// register path), sm_90a places the bits with integer ops, then one
// mul.rn.f16x2. An fp8 q is staged as bytes and converted to
// f16 once (cvt.rn.f16x2.e4m3x2). Every variant's PTX assembles with
// ptxas.
//
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa toolkit=%cuda_root" -o %t.sm_90a.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_90a.mlir > %t.sm_90a.ptx
// RUN: FileCheck %s --check-prefix=SM90 --implicit-check-not=e2m1x2 < %t.sm_90a.ptx
// RUN: %ptxas -arch=sm_90a %t.sm_90a.ptx -o %t.sm_90a.cubin
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_100a format=isa toolkit=%cuda_root" -o %t.sm_100a.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_100a.mlir > %t.sm_100a.ptx
// RUN: FileCheck %s --check-prefix=SM100 --implicit-check-not=0f46800000 < %t.sm_100a.ptx
// RUN: %ptxas -arch=sm_100a %t.sm_100a.ptx -o %t.sm_100a.cubin
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_100a format=isa toolkit=%cuda_root decode-nvfp4=placement" -o %t.sm_100a.placement.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_100a.placement.mlir > %t.sm_100a.placement.ptx
// RUN: FileCheck %s --check-prefix=SM100-PLACE < %t.sm_100a.placement.ptx
// RUN: %ptxas -arch=sm_100a %t.sm_100a.placement.ptx -o %t.sm_100a.placement.cubin
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa toolkit=%cuda_root decode-nvfp4=byte-pairs" -o %t.sm_90a.pairs.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_90a.pairs.mlir > %t.sm_90a.pairs.ptx
// RUN: FileCheck %s --check-prefix=SM90-PAIRS --implicit-check-not=e2m1x2 --implicit-check-not=0f46800000 < %t.sm_90a.pairs.ptx
// RUN: %ptxas -arch=sm_90a %t.sm_90a.pairs.ptx -o %t.sm_90a.pairs.cubin
// decode-nvfp4=leave-out (measurement only, wrong outputs) feeds the staged
// words to the MMAs unconverted and unscaled: the register path (decode_0)
// keeps its MMAs and loses the placement, the scale pairs and the 2^14
// fold; the 16-bit-tile path (decode_1) still converts.
// RUN: attn-opt %s --paged-attn-to-nvvm="chip=sm_90a format=isa toolkit=%cuda_root decode-nvfp4=leave-out" -o %t.sm_90a.leave.mlir
// RUN: %attn_src_root/scripts/extract-ptx.sh %t.sm_90a.leave.mlir > %t.sm_90a.leave.ptx
// RUN: FileCheck %s --check-prefix=SM90-LEAVE < %t.sm_90a.leave.ptx
// RUN: %ptxas -arch=sm_90a %t.sm_90a.leave.ptx -o %t.sm_90a.leave.cubin
// RUN: attn-opt %s --convert-paged-attn-to-gpu | FileCheck %s --check-prefix=IR

// (Block order in PTX is not program order: DAG checks per kernel.)
// SM90-LABEL: .visible .entry decode_0(
// SM90-DAG: cp.async.bulk.tensor.3d
// SM90-DAG: cp.async.bulk.tensor.4d
// SM90-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// SM90-DAG: cvt.rn.f16x2.e4m3x2
// SM90-DAG: mul.rn.f16x2
// SM90-DAG: and.b32 {{.*}}, 252645135;
// SM90-DAG: and.b32 {{.*}}, -252645136;
// SM90-DAG: and.b32 {{.*}}, -1912566272;
// SM90-DAG: and.b32 {{.*}}, -2139062144;
// SM90-DAG: and.b32 {{.*}}, 235802126;
// SM90-DAG: prmt.b32 {{.*}}, 0, 0x2404U;
// SM90-DAG: prmt.b32 {{.*}}, 0, 0x3414U;
// SM90-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM90-DAG: mul.rn.f32 {{.*}}, 0f46800000;
// SM90-DAG: movmatrix.sync.aligned.m8n8.trans.b16
// SM90-NOT: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-DAG: atom.relaxed.gpu.add.u32
// SM90-LABEL: .visible .entry decode_1(
// SM90-DAG: cvt.rn.f16x2.e4m3x2
// SM90-DAG: mul.rn.f16x2
// SM90-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM90-LABEL: .visible .entry decode_2(
// SM90-DAG: cvt.rn.f16x2.e4m3x2
// SM90-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// SM100-LABEL: .visible .entry decode_0(
// SM100-DAG: cp.async.bulk.tensor.3d
// SM100-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// SM100-DAG: and.b32 {{.*}}, 61680;
// SM100-DAG: mov.b32 {b0, b1, b2, b3}, %r{{[0-9]+}};
// SM100-DAG: cvt.rn.f16x2.e2m1x2 %r{{[0-9]+}}, b3;
// SM100-DAG: mul.rn.f16x2
// SM100-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM100-LABEL: .visible .entry decode_1(
// SM100-DAG: mov.b32 {b0, b1, b2, b3}, %r{{[0-9]+}};
// SM100-DAG: cvt.rn.f16x2.e2m1x2 %r{{[0-9]+}}, b0;
// SM100-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM100-LABEL: .visible .entry decode_2(
// SM100-DAG: cvt.rn.f16x2.e4m3x2
// SM100-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// SM100-PLACE-LABEL: .visible .entry decode_0(
// SM100-PLACE-DAG: and.b32 {{.*}}, 252645135;
// SM100-PLACE-DAG: and.b32 {{.*}}, -1912566272;
// SM100-PLACE-DAG: prmt.b32 {{.*}}, 0, 0x2404U;
// SM100-PLACE-DAG: mul.rn.f32 {{.*}}, 0f46800000;
// SM100-PLACE-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM100-PLACE-LABEL: .visible .entry decode_1(
// SM100-PLACE-DAG: cvt.rn.f16x2.e2m1x2

// SM90-PAIRS-LABEL: .visible .entry decode_0(
// SM90-PAIRS-DAG: and.b32 {{.*}}, 61680;
// SM90-PAIRS-DAG: mov.b32 {{.*}}, 1946186752;
// SM90-PAIRS-DAG: mul.rn.f16x2
// SM90-PAIRS-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM90-PAIRS-LABEL: .visible .entry decode_1(

// SM90-LEAVE-LABEL: .visible .entry decode_0(
// SM90-LEAVE-NOT: mul.rn.f16x2
// SM90-LEAVE-NOT: -1912566272
// SM90-LEAVE-NOT: 0f46800000
// SM90-LEAVE: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM90-LEAVE-NOT: mul.rn.f16x2
// SM90-LEAVE-NOT: -1912566272
// SM90-LEAVE-NOT: 0f46800000
// SM90-LEAVE-LABEL: .visible .entry decode_1(
// SM90-LEAVE: mul.rn.f16x2

// Five descriptors for nvfp4 (q, k_cache, v_cache, k_scale, v_scale), each
// encoded from its own operand; the global scales go to the kernel.
// The scales' folded dims rest on stride(2) == head_dim / 16: checked
// before the encoding when the stride is dynamic (no launch if it fails).
// IR-LABEL: func.func @nvfp4_bf16_hnd(
// IR: call @attnTmaEncode
// IR: call @attnTmaEncode
// IR: call @attnTmaEncode
// IR: %{{.*}}, %{{.*}}, %{{.*}}, %[[KS:.*]]:4 = memref.extract_strided_metadata %arg5
// IR: %[[KSTRIDE:.*]] = arith.index_cast %[[KS]]#2 : index to i64
// IR: call @attnTmaRequireStride(%{{.*}}, %{{.*}}, %c2_i32{{.*}}, %[[KSTRIDE]], %c8_i64{{.*}}, %{{.*}})
// IR: call @attnTmaEncode
// IR: call @attnTmaRequireStride
// IR: call @attnTmaEncode
// IR-NOT: call @attnTmaEncode
// IR: gpu.launch_func async [%{{.*}}] @paged_attn_kernels::@decode_0 {{.*}}args({{.*}}, %arg7 : memref<f32>, %arg8 : memref<f32>)
// IR-LABEL: func.func @qf8_nvfp4_nhd(
// IR-COUNT-5: call @attnTmaEncode
// IR-LABEL: func.func @qf8_fp8(
// IR-COUNT-3: call @attnTmaEncode
// IR-NOT: call @attnTmaEncode
// IR-LABEL: func.func @nvfp4_f16_hnd_page64_d256(
// HND page 16, head_dim 128: packed rows of 64 bytes (64-byte swizzle),
// one 128-byte scale box per page.
// IR-LABEL: gpu.func @decode_0(
// IR-SAME: nvvm.minctasm = 4 : i32
// IR-DAG: !nvgpu.tensormap.descriptor<tensor = memref<1x1x16x64xi8, #gpu.address_space<workgroup>>, swizzle = swizzle_64b
// IR-DAG: !nvgpu.tensormap.descriptor<tensor = memref<1x1x128xi8, #gpu.address_space<workgroup>>, swizzle = none
// IR-DAG: arith.mulf %{{.*}}, %{{.*}} : vector<2xf16>
// IR-DAG: arith.constant 1.638400e+04 : f32
// K's scale pair: chunk c's scale in both halves, then chunk c + 1's.
// IR-DAG: %[[KPAIR:[0-9]+]] = nvvm.convert.f8x2.to.f16x2
// IR-DAG: vector.shuffle %[[KPAIR]], %[[KPAIR]] [0, 0] : vector<2xf16>, vector<2xf16>
// IR-DAG: vector.shuffle %[[KPAIR]], %[[KPAIR]] [1, 1] : vector<2xf16>, vector<2xf16>
// NHD page 1, head_dim 64, fp8 q: a 16-byte scale window per row; q is one
// unswizzled box of head_dim bytes.
// IR-LABEL: gpu.func @decode_1(
// IR-DAG: !nvgpu.tensormap.descriptor<tensor = memref<1x1x4x64xi8, #gpu.address_space<workgroup>>, swizzle = none
// IR-DAG: !nvgpu.tensormap.descriptor<tensor = memref<1x1x1x32xi8, #gpu.address_space<workgroup>>, swizzle = none
// IR-DAG: !nvgpu.tensormap.descriptor<tensor = memref<1x1x16xi8, #gpu.address_space<workgroup>>, swizzle = none
// HND page 64, head_dim 256: 128-byte rows (128-byte swizzle); 1024 bytes
// of scales per page, four boxes.
// IR-LABEL: gpu.func @decode_3(
// (head_dim 256 keeps ptxas's register choice: no minctasm.)
// IR-NOT: nvvm.minctasm
// IR-DAG: !nvgpu.tensormap.descriptor<tensor = memref<1x1x64x128xi8, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// IR-DAG: !nvgpu.tensormap.descriptor<tensor = memref<1x1x256xi8, #gpu.address_space<workgroup>>, swizzle = none
// (The elected lane issues the boxes as PTX with 32-bit shared addresses:
// the page's 4 K and 4 V scale boxes.)
// IR-COUNT-8: nvvm.inline_ptx "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [$0], [$1, {$2, $3, $4}], [$5];" ro({{.*}} : i32, !llvm.ptr, i32, i32, i32, i32), predicate =
// HND page 100, head_dim 64: 32-byte packed rows (32-byte swizzle) in
// 64-row boxes; two tiles a step, so 4 stages of 4608 bytes (64 rows of 32
// bytes for K and V, and 4 scale bytes a row each) after 2048 bytes of q:
// 20480, more than the epilogue's scratch (2048 + 16896).
// IR-LABEL: gpu.func @decode_4(
// IR-SAME: nvvm.minctasm = 4 : i32
// IR: !nvgpu.tensormap.descriptor<tensor = memref<1x1x64x32xi8, #gpu.address_space<workgroup>>, swizzle = swizzle_32b
// IR: memref<20480xi8, #gpu.address_space<workgroup>>

func.func @nvfp4_bf16_hnd(%q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k: memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %v: memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ksc: memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %vsc: memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %ks: memref<f32>, %vs: memref<f32>,
    %o: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      k_cache(%k : memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v : memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_scale(%ksc : memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>)
      v_scale(%vsc : memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>)
      k_global_scale(%ks : memref<f32>) v_global_scale(%vs : memref<f32>)
      out(%o : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

func.func @qf8_nvfp4_nhd(%q: memref<?x4x64xf8E4M3FN>,
    %k: memref<?x1x1x32xvector<2xf4E2M1FN>>, %v: memref<?x1x1x32xvector<2xf4E2M1FN>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ksc: memref<?x1x1x4xf8E4M3FN, strided<[16, 16, 4, 1], offset: ?>>,
    %vsc: memref<?x1x1x4xf8E4M3FN, strided<[32, 16, 4, 1], offset: ?>>,
    %o: memref<?x4x64xf16>) {
  paged_attn.decode q(%q : memref<?x4x64xf8E4M3FN>)
      k_cache(%k : memref<?x1x1x32xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x1x1x32xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_scale(%ksc : memref<?x1x1x4xf8E4M3FN, strided<[16, 16, 4, 1], offset: ?>>)
      v_scale(%vsc : memref<?x1x1x4xf8E4M3FN, strided<[32, 16, 4, 1], offset: ?>>)
      out(%o : memref<?x4x64xf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.125 : f32}
  return
}

func.func @qf8_fp8(%q: memref<?x8x128xf8E4M3FN>,
    %k: memref<?x2x100x128xf8E4M3FN>, %v: memref<?x2x100x128xf8E4M3FN>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x8x128xf16>) {
  paged_attn.decode q(%q : memref<?x8x128xf8E4M3FN>)
      k_cache(%k : memref<?x2x100x128xf8E4M3FN>) v_cache(%v : memref<?x2x100x128xf8E4M3FN>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x8x128xf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}

func.func @nvfp4_f16_hnd_page64_d256(%q: memref<?x8x256xf16>,
    %k: memref<?x2x64x128xvector<2xf4E2M1FN>>, %v: memref<?x2x64x128xvector<2xf4E2M1FN>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ksc: memref<?x2x64x16xf8E4M3FN>, %vsc: memref<?x2x64x16xf8E4M3FN>,
    %o: memref<?x8x256xf16>) {
  paged_attn.decode q(%q : memref<?x8x256xf16>)
      k_cache(%k : memref<?x2x64x128xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x2x64x128xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_scale(%ksc : memref<?x2x64x16xf8E4M3FN>) v_scale(%vsc : memref<?x2x64x16xf8E4M3FN>)
      out(%o : memref<?x8x256xf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0625 : f32}
  return
}

func.func @nvfp4_bf16_hnd_page100(%q: memref<?x8x64xbf16>,
    %k: memref<?x2x100x32xvector<2xf4E2M1FN>>, %v: memref<?x2x100x32xvector<2xf4E2M1FN>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>,
    %ksc: memref<?x2x100x4xf8E4M3FN>, %vsc: memref<?x2x100x4xf8E4M3FN>,
    %o: memref<?x8x64xbf16>) {
  paged_attn.decode q(%q : memref<?x8x64xbf16>)
      k_cache(%k : memref<?x2x100x32xvector<2xf4E2M1FN>>)
      v_cache(%v : memref<?x2x100x32xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      k_scale(%ksc : memref<?x2x100x4xf8E4M3FN>) v_scale(%vsc : memref<?x2x100x4xf8E4M3FN>)
      out(%o : memref<?x8x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}
