// RUN: attn-opt %s --paged-attn-verify-tma | FileCheck %s
// RUN: attn-opt %s --paged-attn-verify-tma --paged-attn-verify-tma | FileCheck %s --check-prefix=TWICE
// RUN: attn-opt %s --paged-attn-verify-tma=report -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: not attn-opt %s --paged-attn-verify-tma=chip=sm_80 2>&1 | FileCheck %s --check-prefix=CHIP
//
// Rules proven at compile time leave nothing behind; rules that cannot be
// proven become paged_attn.check_tma ops before the attention op. Nothing is
// left unchecked.

// CHIP: error: paged-attn-verify-tma: unknown chip 'sm_80', expected sm_90a or sm_100a

// Static and contiguous: everything but the base addresses is proven.
// CHECK-LABEL: func.func @static_contiguous
// CHECK-SAME: (%[[Q:.*]]: memref<4x32x128xbf16>, %[[K:[a-z0-9]+]]: memref<64x8x16x128xbf16>, %[[V:[a-z0-9]+]]: memref
// CHECK: paged_attn.check_tma %[[Q]] {chip = "sm_90a", deferred = ["global-address-align"], operand = "q"
// CHECK: paged_attn.check_tma %[[K]] {chip = "sm_90a", deferred = ["global-address-align"], operand = "k_cache"
// CHECK: paged_attn.check_tma %[[V]] {chip = "sm_90a", deferred = ["global-address-align"], operand = "v_cache"
// CHECK-NEXT: paged_attn.decode
// TWICE-LABEL: func.func @static_contiguous
// TWICE-COUNT-3: paged_attn.check_tma
// TWICE-NEXT: paged_attn.decode
// REPORT: remark: q: bf16 dims [size[2], 4, 8, size[0]] strides [stride[2], stride[1], 4 * stride[1], stride[0]] box [64, 4, 1, 1] swizzle 128b; global dims [128, 4, 8, 4] strides [1, 128, 512, 4096] (elements) address ?; proven: [{{.*}}global-stride-align@1{{.*}}]; deferred: [global-address-align]
// REPORT: remark: k_cache: bf16 dims [size[3], size[2], size[1], size[0]] strides [stride[3], stride[2], stride[1], stride[0]] box [64, 16, 1, 1] swizzle 128b; global dims [128, 16, 8, 64] strides [1, 128, 2048, 16384] (elements) address ?; proven: [{{.*}}]; deferred: [global-address-align]
// REPORT: remark: v_cache: {{.*}} global dims [128, 16, 8, 64] strides [1, 128, 2048, 16384]
func.func @static_contiguous(%q: memref<4x32x128xbf16>, %k: memref<64x8x16x128xbf16>,
    %v: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>,
    %o: memref<4x32x128xbf16>) {
  paged_attn.decode q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x8x16x128xbf16>) v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// Stated alignment: every rule proven, no runtime check.
// CHECK-LABEL: func.func @all_proven
// CHECK-NOT: paged_attn.check_tma
// CHECK: paged_attn.decode
// REPORT: remark: q: {{.*}} address ?*256; proven: [{{.*}}global-address-align{{.*}}]; deferred: []
// REPORT: remark: k_cache: {{.*}}; deferred: []
// REPORT: remark: v_cache: {{.*}}; deferred: []
func.func @all_proven(%q0: memref<4x32x128xbf16>, %k0: memref<64x8x16x128xbf16>,
    %v0: memref<64x8x16x128xbf16>, %bt: memref<4x4xi32>, %sl: memref<4xi32>,
    %o: memref<4x32x128xbf16>) {
  %q = paged_attn.assume %q0 {alignment = 256} : memref<4x32x128xbf16>
  %k = paged_attn.assume %k0 {alignment = 16} : memref<64x8x16x128xbf16>
  %v = paged_attn.assume %v0 {alignment = 16} : memref<64x8x16x128xbf16>
  paged_attn.decode q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<64x8x16x128xbf16>) v_cache(%v : memref<64x8x16x128xbf16>)
      block_table(%bt : memref<4x4xi32>) seq_lens(%sl : memref<4xi32>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// Dynamic strides: the stride rules are deferred, per descriptor dim; stating
// the divisibility of the strides proves them (K), leaving them deferred
// where nothing is stated (V).
// CHECK-LABEL: func.func @dynamic_strides
// CHECK-SAME: %[[K0:[a-z0-9]+]]: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>, %[[V:[a-z0-9]+]]: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>
// CHECK: %[[K:.*]] = paged_attn.assume %[[K0]]
// CHECK: paged_attn.check_tma %[[K]] {chip = "sm_90a", deferred = ["global-address-align", "global-stride-max@1", "global-stride-max@2", "global-dim-range@3", "global-stride-max@3"], operand = "k_cache"
// CHECK: paged_attn.check_tma %[[V]] {chip = "sm_90a", deferred = ["global-address-align", "global-stride-align@1", "global-stride-max@1", "global-stride-align@2", "global-stride-max@2", "global-dim-range@3", "global-stride-align@3", "global-stride-max@3"], operand = "v_cache", plan = #paged_attn.tma_plan<elem_type = "bf16", dim_sources = [3, 2, 1, 0], dim_scales = [1, 1, 1, 1], stride_sources = [3, 2, 1, 0], stride_scales = [1, 1, 1, 1], box = [64, 1, 16, 1], swizzle = "128b", required_strides = []>}
func.func @dynamic_strides(%q: memref<?x32x128xbf16>,
    %k0: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>,
    %v: memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>,
    %bt: memref<?x?xi32>, %sl: memref<?xi32>, %o: memref<?x32x128xbf16>) {
  %k = paged_attn.assume %k0 {stride_divisors = array<i64: 8, 8, 8, 1>}
      : memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>
  paged_attn.decode q(%q : memref<?x32x128xbf16>)
      k_cache(%k : memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>)
      v_cache(%v : memref<?x16x8x128xbf16, strided<[?, ?, ?, 1]>>)
      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)
      out(%o : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// FlashInfer #2844's bug class: K and its scales come from one combined
// [pages, 2, ...] buffer split by subview, V and its scales are separate
// (V scales padded). Each descriptor carries its own operand's strides.
// Both caches' rows are statically contiguous (dense pages), so the decode
// kernel folds two 64-byte rows into one descriptor row.
// REPORT: remark: q:
// REPORT: remark: k_cache: u8 {{.*}} box [128, 8, 1, 1] swizzle 128b; global dims [128, 8, 8, 32] strides [1, 128, 1024, 16384] (elements)
// REPORT: remark: v_cache: u8 {{.*}} box [128, 8, 1, 1] swizzle 128b; global dims [128, 8, 8, 32] strides [1, 128, 1024, 8192] (elements)
// REPORT: remark: k_scale: u8 dims [128, size[1], size[0]] strides [stride[3], stride[1], stride[0]] box [128, 1, 1] swizzle none; global dims [128, 8, 32] strides [1, 128, 2048] (elements)
// REPORT-SAME: folded-stride@2
// REPORT: remark: v_scale: u8 {{.*}} global dims [128, 8, 32] strides [1, 256, 4096] (elements)
// CHECK-LABEL: func.func @kv_and_scales_with_their_own_strides
// CHECK: %[[K:.*]] = memref.subview
// CHECK: %[[KS:.*]] = memref.subview
// CHECK-DAG: paged_attn.check_tma %[[K]] {{{.*}}operand = "k_cache"
// CHECK-DAG: paged_attn.check_tma %[[KS]] {{{.*}}operand = "k_scale"
// CHECK-DAG: paged_attn.check_tma %arg2 {{{.*}}operand = "v_cache"
// CHECK-DAG: paged_attn.check_tma %arg4 {{{.*}}operand = "v_scale"
func.func @kv_and_scales_with_their_own_strides(
    %q: memref<4x32x128xbf16>,
    %kv: memref<32x2x8x16x64xvector<2xf4E2M1FN>>,
    %v: memref<32x8x16x64xvector<2xf4E2M1FN>>,
    %kvs: memref<32x2x8x16x8xf8E4M3FN>,
    %vs: memref<32x8x16x8xf8E4M3FN, strided<[4096, 256, 8, 1]>>,
    %bt: memref<4x8xi32>, %sl: memref<4xi32>, %o: memref<4x32x128xbf16>) {
  %k = memref.subview %kv[0, 0, 0, 0, 0] [32, 1, 8, 16, 64] [1, 1, 1, 1, 1]
      : memref<32x2x8x16x64xvector<2xf4E2M1FN>>
        to memref<32x8x16x64xvector<2xf4E2M1FN>, strided<[16384, 1024, 64, 1]>>
  %ks = memref.subview %kvs[0, 0, 0, 0, 0] [32, 1, 8, 16, 8] [1, 1, 1, 1, 1]
      : memref<32x2x8x16x8xf8E4M3FN>
        to memref<32x8x16x8xf8E4M3FN, strided<[2048, 128, 8, 1]>>
  paged_attn.decode q(%q : memref<4x32x128xbf16>)
      k_cache(%k : memref<32x8x16x64xvector<2xf4E2M1FN>, strided<[16384, 1024, 64, 1]>>)
      v_cache(%v : memref<32x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt : memref<4x8xi32>) seq_lens(%sl : memref<4xi32>)
      k_scale(%ks : memref<32x8x16x8xf8E4M3FN, strided<[2048, 128, 8, 1]>>)
      v_scale(%vs : memref<32x8x16x8xf8E4M3FN, strided<[4096, 256, 8, 1]>>)
      out(%o : memref<4x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32}
  return
}

// The scale boxes the kernel loads per page. HND, page_size 1, head_dim 64:
// a page's scales are 4 bytes, so the box is the 16-byte minimum (TMA fills
// the 12 bytes past the folded dim with zeros); the head stride is padded
// to 16 bytes. HND, page_size 64, head_dim 256: 1024 bytes of scales per
// page, loaded as four 256-byte boxes. NHD: a 16-byte window of the folded
// (kv_heads, head_dim / 16) dim per page row.
// REPORT: remark: k_scale: u8 dims [4, size[1], size[0]] {{.*}} box [16, 1, 1] swizzle none; global dims [4, 8, 64] strides [1, 16, 128] (elements)
// REPORT: remark: v_scale: u8 dims [4, size[1], size[0]] {{.*}} box [16, 1, 1]
// REPORT: remark: k_scale: u8 dims [1024, size[1], size[0]] {{.*}} box [256, 1, 1] swizzle none; global dims [1024, 2, 8] strides [1, 1024, 2048] (elements)
// REPORT: remark: k_scale: u8 dims [128, size[1], size[0]] {{.*}} box [16, 16, 1] swizzle none; global dims [128, 16, 8] strides [1, 128, 2048] (elements)
// CHECK-LABEL: func.func @nvfp4_scale_boxes
func.func @nvfp4_scale_boxes(
    %q1: memref<4x32x64xbf16>, %k1: memref<64x8x1x32xvector<2xf4E2M1FN>>,
    %s1: memref<64x8x1x4xf8E4M3FN, strided<[128, 16, 4, 1]>>,
    %bt1: memref<4x4xi32>, %sl1: memref<4xi32>, %o1: memref<4x32x64xbf16>,
    %q2: memref<4x8x256xf16>, %k2: memref<8x2x64x128xvector<2xf4E2M1FN>>,
    %s2: memref<8x2x64x16xf8E4M3FN>,
    %q3: memref<4x64x128xbf16>, %k3: memref<8x16x16x64xvector<2xf4E2M1FN>>,
    %s3: memref<8x16x16x8xf8E4M3FN>, %o3: memref<4x64x128xbf16>,
    %o2: memref<4x8x256xf16>) {
  paged_attn.decode q(%q1 : memref<4x32x64xbf16>)
      k_cache(%k1 : memref<64x8x1x32xvector<2xf4E2M1FN>>)
      v_cache(%k1 : memref<64x8x1x32xvector<2xf4E2M1FN>>)
      block_table(%bt1 : memref<4x4xi32>) seq_lens(%sl1 : memref<4xi32>)
      k_scale(%s1 : memref<64x8x1x4xf8E4M3FN, strided<[128, 16, 4, 1]>>)
      v_scale(%s1 : memref<64x8x1x4xf8E4M3FN, strided<[128, 16, 4, 1]>>)
      out(%o1 : memref<4x32x64xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  paged_attn.decode q(%q2 : memref<4x8x256xf16>)
      k_cache(%k2 : memref<8x2x64x128xvector<2xf4E2M1FN>>)
      v_cache(%k2 : memref<8x2x64x128xvector<2xf4E2M1FN>>)
      block_table(%bt1 : memref<4x4xi32>) seq_lens(%sl1 : memref<4xi32>)
      k_scale(%s2 : memref<8x2x64x16xf8E4M3FN>)
      v_scale(%s2 : memref<8x2x64x16xf8E4M3FN>)
      out(%o2 : memref<4x8x256xf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0625 : f32}
  paged_attn.decode q(%q3 : memref<4x64x128xbf16>)
      k_cache(%k3 : memref<8x16x16x64xvector<2xf4E2M1FN>>)
      v_cache(%k3 : memref<8x16x16x64xvector<2xf4E2M1FN>>)
      block_table(%bt1 : memref<4x4xi32>) seq_lens(%sl1 : memref<4xi32>)
      k_scale(%s3 : memref<8x16x16x8xf8E4M3FN>)
      v_scale(%s3 : memref<8x16x16x8xf8E4M3FN>)
      out(%o3 : memref<4x64x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<nhd>, scale = 0.088 : f32}
  return
}

// GQA groups 1, 5 and 8 fold into the q descriptor; with q_len_per_request
// 3 a box holds the 3 tokens of a request. A size-1 dim (kv_heads = 1) with
// a garbage stride, as torch hands over, is normalized rather than rejected.
// REPORT: remark: q: bf16 dims [size[2], 1, 8, size[0]]
// REPORT-SAME: box [64, 1, 1, 3]
// REPORT-SAME: strides [1, 128, 128, 3072] (elements)
// REPORT: remark: k_cache
// REPORT: remark: v_cache
// REPORT: remark: q: f16 dims [size[2], 5, 1, size[0]] {{.*}} box [64, 5, 1, 1] swizzle 128b; global dims [64, 5, 1, 2] strides [1, 64, 320, 320]
// REPORT: remark: k_cache: {{.*}} global dims [64, 16, 1, 10] strides [1, 64, 7, 1024] (elements) address ?; proven: [{{.*}}global-stride-align@2
// REPORT: remark: v_cache
// An fp8 q is loaded as one unswizzled box of head_dim bytes (it is
// converted to f16 in shared memory).
// REPORT: remark: q: u8 dims [size[2], 8, 4, size[0]] {{.*}} box [256, 8, 1, 1] swizzle none; global dims [256, 8, 4, 1]
func.func @gqa_groups(
    %q1: memref<24x8x128xbf16, strided<[3072, 128, 1]>>, %k1: memref<10x8x16x128xbf16>,
    %bt1: memref<8x2xi32>, %sl1: memref<8xi32>, %o1: memref<24x8x128xbf16>,
    %q5: memref<2x5x64xf16>, %k5: memref<10x1x16x64xf16, strided<[1024, 7, 64, 1]>>,
    %bt5: memref<2x2xi32>, %sl5: memref<2xi32>, %o5: memref<2x5x64xf16>,
    %q8: memref<1x32x256xf8E4M3FN>, %k8: memref<10x4x16x256xf8E4M3FN>,
    %bt8: memref<1x2xi32>, %sl8: memref<1xi32>, %o8: memref<1x32x256xbf16>) {
  paged_attn.decode q(%q1 : memref<24x8x128xbf16, strided<[3072, 128, 1]>>)
      k_cache(%k1 : memref<10x8x16x128xbf16>) v_cache(%k1 : memref<10x8x16x128xbf16>)
      block_table(%bt1 : memref<8x2xi32>) seq_lens(%sl1 : memref<8xi32>)
      out(%o1 : memref<24x8x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.088 : f32, q_len_per_request = 3}
  paged_attn.decode q(%q5 : memref<2x5x64xf16>)
      k_cache(%k5 : memref<10x1x16x64xf16, strided<[1024, 7, 64, 1]>>)
      v_cache(%k5 : memref<10x1x16x64xf16, strided<[1024, 7, 64, 1]>>)
      block_table(%bt5 : memref<2x2xi32>) seq_lens(%sl5 : memref<2xi32>)
      out(%o5 : memref<2x5x64xf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.125 : f32}
  paged_attn.decode q(%q8 : memref<1x32x256xf8E4M3FN>)
      k_cache(%k8 : memref<10x4x16x256xf8E4M3FN>) v_cache(%k8 : memref<10x4x16x256xf8E4M3FN>)
      block_table(%bt8 : memref<1x2xi32>) seq_lens(%sl8 : memref<1xi32>)
      out(%o8 : memref<1x32x256xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0625 : f32}
  return
}
