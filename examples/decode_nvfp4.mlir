// Decode attention over an NVFP4 KV cache (4-bit e2m1 values with one
// f8E4M3FN scale per 16 values and a per-tensor f32 scale):
//
//   attn-opt examples/decode_nvfp4.mlir --paged-attn-verify-tma=report
//   attn-opt examples/decode_nvfp4.mlir --paged-attn-to-nvvm="chip=sm_100a format=isa"
//
// Shapes as in decode.mlir (32 query heads over 8 KV heads, head_dim 128,
// pages of 16 tokens, bf16 query and output). A cache element is
// vector<2xf4E2M1FN>: one byte holding two values, so a page row is 64
// elements. The block scales are [pages, kv_heads, page_size, head_dim / 16].
//
// The layout this example shows on purpose: K's block scales are the first
// half of one [pages, 2, kv_heads, page_size, 8] buffer (a subview, so
// their page stride is twice the packed one), V's are a separate tensor
// with padded head strides. Each scale operand gets its own TMA descriptor
// from its own strides; nothing assumes that V scales follow K scales or
// the cache. `--paged-attn-verify-tma` proves every rule it can and leaves
// a runtime check for the rest (the base addresses, the page count).
func.func @decode_nvfp4(
    %q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>,
    %k_cache: memref<?x8x16x64xvector<2xf4E2M1FN>>,
    %v_cache: memref<?x8x16x64xvector<2xf4E2M1FN>>,
    %block_table: memref<?x?xi32>,
    %seq_lens: memref<?xi32>,
    %kv_scales: memref<?x2x8x16x8xf8E4M3FN>,
    %v_scale: memref<?x8x16x8xf8E4M3FN, strided<[1280, 160, 8, 1]>>,
    %k_global_scale: memref<f32>,
    %v_global_scale: memref<f32>,
    %out: memref<?x32x128xbf16>) {
  %c0 = arith.constant 0 : index
  %pages = memref.dim %kv_scales, %c0 : memref<?x2x8x16x8xf8E4M3FN>
  %k_scales = memref.subview %kv_scales[0, 0, 0, 0, 0] [%pages, 1, 8, 16, 8] [1, 1, 1, 1, 1]
      : memref<?x2x8x16x8xf8E4M3FN>
        to memref<?x8x16x8xf8E4M3FN, strided<[2048, 128, 8, 1]>>
  paged_attn.decode
      q(%q : memref<?x32x128xbf16, strided<[6144, 128, 1]>>)
      k_cache(%k_cache : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      v_cache(%v_cache : memref<?x8x16x64xvector<2xf4E2M1FN>>)
      block_table(%block_table : memref<?x?xi32>)
      seq_lens(%seq_lens : memref<?xi32>)
      k_scale(%k_scales : memref<?x8x16x8xf8E4M3FN, strided<[2048, 128, 8, 1]>>)
      v_scale(%v_scale : memref<?x8x16x8xf8E4M3FN, strided<[1280, 160, 8, 1]>>)
      k_global_scale(%k_global_scale : memref<f32>)
      v_global_scale(%v_global_scale : memref<f32>)
      out(%out : memref<?x32x128xbf16>)
      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.08838834764 : f32}
  return
}
