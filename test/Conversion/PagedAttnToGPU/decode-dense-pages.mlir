// RUN: attn-opt %s --paged-attn-verify-tma=report -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: attn-opt %s --convert-paged-attn-to-gpu --canonicalize --cse | FileCheck %s
//
// Dense HND pages: a cache type whose row stride (memref dim 2) is statically
// one row proves a page of one head contiguous. Register-dequantized decode
// kernels with rows under 128 bytes then fold 2 (64-byte rows) or 4 (32-byte
// rows) rows into one 128-byte, 128-byte swizzled box row, so that TMA asks
// L2 for whole 128-byte lines (PagedKVPlan::kvFold). The rule the fold rests
// on (folded-stride@2) is proven, never deferred. A dynamic row stride keeps
// the row-sized boxes; 16-bit rows are 128 bytes already.

// REPORT: remark: k_cache: u8 dims [128, 8, size[1], size[0]] strides [stride[3], 2 * stride[2], stride[1], stride[0]] box [128, 8, 1, 1] swizzle 128b; global dims [128, 8, 2, ?] strides [1, 128, ?, ?] (elements) address ?; proven: [{{.*}}folded-stride@2]; deferred:
// REPORT: remark: v_cache: u8 dims [128, 8, size[1], size[0]] strides [stride[3], 2 * stride[2], stride[1], stride[0]] box [128, 8, 1, 1] swizzle 128b; {{.*}} proven: [{{.*}}folded-stride@2]; deferred:
// REPORT: remark: k_cache: u8 dims [size[3], size[2], size[1], size[0]] strides [stride[3], stride[2], stride[1], stride[0]] box [64, 16, 1, 1] swizzle 64b; global dims [64, 16, 2, ?] strides [1, ?, ?, ?]
// REPORT: remark: k_cache: u8 dims [128, 4, size[1], size[0]] strides [stride[3], 4 * stride[2], stride[1], stride[0]] box [128, 4, 1, 1] swizzle 128b; {{.*}} proven: [{{.*}}folded-stride@2]; deferred:
// REPORT: remark: k_cache: u8 dims [128, 8, size[1], size[0]] strides [stride[3], 2 * stride[2], stride[1], stride[0]] box [128, 8, 1, 1] swizzle 128b; {{.*}} proven: [{{.*}}folded-stride@2]; deferred:
// REPORT: remark: k_cache: bf16 dims [size[3], size[2], size[1], size[0]] strides [stride[3], stride[2], stride[1], stride[0]] box [64, 16, 1, 1] swizzle 128b; global dims [128, 16, 2, ?] strides [1, 128, ?, ?]
// Only K's rows proven dense (V's row stride dynamic, last function): both
// keep their rows, since one reader serves K and V.
// REPORT: remark: k_cache: u8 dims [size[3], size[2], size[1], size[0]] strides [stride[3], stride[2], stride[1], stride[0]] box [64, 16, 1, 1] swizzle 64b; global dims [64, 16, 2, ?] strides [1, 64, ?, ?]
// REPORT: remark: v_cache: u8 dims [size[3], size[2], size[1], size[0]] strides [stride[3], stride[2], stride[1], stride[0]] box [64, 16, 1, 1] swizzle 64b; global dims [64, 16, 2, ?] strides [1, ?, ?, ?]

// The host encodes K and V with a 128-byte swizzle (3) when folded, 64-byte
// (2) for 64-byte rows otherwise.
// CHECK-LABEL: func.func @dense_nvfp4_d128(
// CHECK-COUNT-2: call @attnTmaEncode({{.*}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32{{(_[0-9]+)?}}, {{.*}}, %c3_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})
// CHECK-LABEL: func.func @nvfp4_d128(
// CHECK-COUNT-2: call @attnTmaEncode({{.*}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32{{(_[0-9]+)?}}, {{.*}}, %c2_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})
// CHECK-LABEL: func.func @dense_nvfp4_d64(
// CHECK-COUNT-2: call @attnTmaEncode({{.*}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c4_i32{{(_[0-9]+)?}}, {{.*}}, %c3_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}}, %c0_i32{{(_[0-9]+)?}})

func.func @dense_nvfp4_d128(
    %q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, 64, 1], offset: ?>>,
    %v_cache: memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, 64, 1], offset: ?>>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %k_scale: memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %v_scale: memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %k_global_scale: memref<f32>,
    %v_global_scale: memref<f32>,
    %out: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, 64, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, 64, 1], offset: ?>>) block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>)
      seq_lens(%seq_lens : memref<?xi32>) k_scale(%k_scale : memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) v_scale(%v_scale : memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) k_global_scale(%k_global_scale : memref<f32>) v_global_scale(%v_global_scale : memref<f32>) out(%out : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @nvfp4_d128(
    %q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %v_cache: memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %k_scale: memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %v_scale: memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %k_global_scale: memref<f32>,
    %v_global_scale: memref<f32>,
    %out: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>) block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>)
      seq_lens(%seq_lens : memref<?xi32>) k_scale(%k_scale : memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) v_scale(%v_scale : memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) k_global_scale(%k_global_scale : memref<f32>) v_global_scale(%v_global_scale : memref<f32>) out(%out : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @dense_nvfp4_d64(
    %q: memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x32xvector<2xf4E2M1FN>, strided<[?, ?, 32, 1], offset: ?>>,
    %v_cache: memref<?x2x16x32xvector<2xf4E2M1FN>, strided<[?, ?, 32, 1], offset: ?>>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %k_scale: memref<?x2x16x4xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %v_scale: memref<?x2x16x4xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %k_global_scale: memref<f32>,
    %v_global_scale: memref<f32>,
    %out: memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x32xvector<2xf4E2M1FN>, strided<[?, ?, 32, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x32xvector<2xf4E2M1FN>, strided<[?, ?, 32, 1], offset: ?>>) block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>)
      seq_lens(%seq_lens : memref<?xi32>) k_scale(%k_scale : memref<?x2x16x4xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) v_scale(%v_scale : memref<?x2x16x4xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) k_global_scale(%k_global_scale : memref<f32>) v_global_scale(%v_global_scale : memref<f32>) out(%out : memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}

func.func @dense_f8_d64(
    %q: memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x64xf8E4M3FN, strided<[?, ?, 64, 1], offset: ?>>,
    %v_cache: memref<?x2x16x64xf8E4M3FN, strided<[?, ?, 64, 1], offset: ?>>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %k_global_scale: memref<f32>,
    %v_global_scale: memref<f32>,
    %out: memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x64xf8E4M3FN, strided<[?, ?, 64, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x64xf8E4M3FN, strided<[?, ?, 64, 1], offset: ?>>) block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>)
      seq_lens(%seq_lens : memref<?xi32>) k_global_scale(%k_global_scale : memref<f32>) v_global_scale(%v_global_scale : memref<f32>) out(%out : memref<?x8x64xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  return
}

func.func @dense_bf16_d128(
    %q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x128xbf16, strided<[?, ?, 128, 1], offset: ?>>,
    %v_cache: memref<?x2x16x128xbf16, strided<[?, ?, 128, 1], offset: ?>>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %out: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x128xbf16, strided<[?, ?, 128, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x128xbf16, strided<[?, ?, 128, 1], offset: ?>>) block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>)
      seq_lens(%seq_lens : memref<?xi32>) out(%out : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32}
  return
}

func.func @dense_k_only(
    %q: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>,
    %k_cache: memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, 64, 1], offset: ?>>,
    %v_cache: memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>,
    %block_table: memref<?x?xi32, strided<[?, 1], offset: ?>>,
    %seq_lens: memref<?xi32>,
    %k_scale: memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %v_scale: memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>,
    %k_global_scale: memref<f32>,
    %v_global_scale: memref<f32>,
    %out: memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) {
  paged_attn.decode q(%q : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>) k_cache(%k_cache : memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, 64, 1], offset: ?>>)
      v_cache(%v_cache : memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>) block_table(%block_table : memref<?x?xi32, strided<[?, 1], offset: ?>>)
      seq_lens(%seq_lens : memref<?xi32>) k_scale(%k_scale : memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) v_scale(%v_scale : memref<?x2x16x8xf8E4M3FN, strided<[?, ?, ?, 1], offset: ?>>) k_global_scale(%k_global_scale : memref<f32>) v_global_scale(%v_global_scale : memref<f32>) out(%out : memref<?x8x128xbf16, strided<[?, ?, 1], offset: ?>>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764831845 : f32}
  return
}
