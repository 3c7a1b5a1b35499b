"""Bad inputs on the GPU: each gets a clear error and nothing is launched
(the output keeps its sentinel). Out-of-range page indices are a documented
precondition: TMA treats them as out of bounds and reads zeros, so they
cannot fault (checked here)."""

import math

import pytest

import attn_mlir
from conftest import reference_decode, requires_gpu, torch
from decode_matrix import Config
from test_decode import make_inputs, make_scale_view

pytestmark = requires_gpu

CFG = Config()  # bf16, HND, head_dim 128, group 4, page 16
NVFP4 = Config(kv_dtype="nvfp4", global_scales=True)  # the same with NVFP4


def call_expecting(lib, args, *fragments, cfg=CFG):
    out = args[-1]
    before = out.clone()
    with pytest.raises(attn_mlir.AttnError) as info:
        lib.call(cfg.name, *args)
    torch.cuda.synchronize()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert torch.equal(out, before), "the kernel ran despite the error"
    return message


def inputs():
    i = make_inputs(CFG, 3, False, False, seed=11)
    return i.q, i.k_cache, i.v_cache, i.block_table, i.seq_lens, i.new_out(CFG, 7.0)


def misaligned(t):
    """The same values one element further into a fresh buffer: the base is
    2 bytes off a 16-byte boundary."""
    buf = torch.empty(t.numel() + 1, dtype=t.dtype, device=t.device)
    view = buf[1:].view(t.shape)
    view.copy_(t)
    return view


def test_misaligned_k_cache(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    call_expecting(matrix_lib, (q, misaligned(k), v, bt, sl, out),
                   "k_cache", "global-address-align")


def test_misaligned_v_cache_only(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    message = call_expecting(matrix_lib, (q, k, misaligned(v), bt, sl, out),
                             "v_cache", "global-address-align")
    assert "k_cache" not in message


def test_q_token_stride_not_16_byte_multiple(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    T, H, D = q.shape
    buf = torch.zeros(T * (H * D + 1), dtype=q.dtype, device=q.device)
    bad_q = buf.as_strided((T, H, D), (H * D + 1, D, 1))
    bad_q.copy_(q)
    call_expecting(matrix_lib, (bad_q, k, v, bt, sl, out),
                   "q", "global-stride-align")


def test_wrong_dtype(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    call_expecting(matrix_lib, (q.half(), k, v, bt, sl, out), "'q'", "bfloat16")


def test_wrong_head_dim(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    call_expecting(matrix_lib, (q[..., :64], k, v, bt, sl, out), "'q'", "dim 2 must be 128")


def test_cpu_tensor(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    call_expecting(matrix_lib, (q, k, v, bt.cpu(), sl, out), "block_table", "CUDA")


def test_page_index_out_of_range_reads_zeros(matrix_lib):
    """block_table entries >= num_pages: documented precondition; TMA bounds
    make them read zeros instead of faulting."""
    i = make_inputs(CFG, 2, False, False, seed=3, lens=[40, 33], extra_pages=1)
    q, k, v, bt, sl = i.q, i.k_cache, i.v_cache, i.block_table, i.seq_lens
    num_pages = k.shape[0]
    # Caches with one extra zero page at the end, for the reference only.
    k_full = torch.cat([k, torch.zeros_like(k[:1])])
    v_full = torch.cat([v, torch.zeros_like(v[:1])])
    bt_ref = bt.clone()
    bt[0, 1] = num_pages + 100  # far out of range
    bt_ref[0, 1] = num_pages    # the zero page
    out = torch.empty_like(q)
    matrix_lib.call(CFG.name, q, k, v, bt, sl, out)
    torch.cuda.synchronize()
    ref = reference_decode(CFG, q, k_full, v_full, bt_ref, sl)
    assert torch.allclose(out.float(), ref, atol=2e-2, rtol=2e-2)


def test_error_is_cleared_between_calls(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    call_expecting(matrix_lib, (q, misaligned(k), v, bt, sl, out), "k_cache")
    matrix_lib.call(CFG.name, q, k, v, bt, sl, out)  # a good call works again
    torch.cuda.synchronize()
    ref = reference_decode(CFG, q, k, v, bt, sl)
    assert torch.allclose(out.float(), ref, atol=2e-2, rtol=2e-2)


def nvfp4_inputs():
    """NVFP4 inputs with tight scales; out holds a sentinel."""
    i = make_inputs(NVFP4, 3, False, False, seed=13)
    return i, i.new_out(NVFP4, 7.0)


def test_k_scale_page_stride_not_16_byte_multiple(matrix_lib):
    i, out = nvfp4_inputs()
    i.k_scale = make_scale_view(i.k_scale, page_stride_pad=8)
    call_expecting(matrix_lib, i.args(out), "k_scale", "global-stride-align",
                   cfg=NVFP4)


def test_v_scale_page_stride_not_16_byte_multiple_only(matrix_lib):
    i, out = nvfp4_inputs()
    i.v_scale = make_scale_view(i.v_scale, page_stride_pad=8)
    message = call_expecting(matrix_lib, i.args(out), "v_scale",
                             "global-stride-align", cfg=NVFP4)
    assert "k_scale" not in message


def test_k_scale_rows_not_contiguous(matrix_lib):
    """stride(-2) != head_dim / 16: the innermost two dims cannot be folded
    into one TMA dim (the other strides stay 16-byte multiples)."""
    i, out = nvfp4_inputs()
    i.k_scale = make_scale_view(i.k_scale, row_pad=8)
    assert i.k_scale.stride(-2) == NVFP4.head_dim // 16 + 8
    call_expecting(matrix_lib, i.args(out), "k_scale",
                   "breaks descriptor requirement 'folded-stride'",
                   "stride of memref dim 2 must be 8 elements", cfg=NVFP4)


def test_nvfp4_cache_wrong_dtype(matrix_lib):
    i, out = nvfp4_inputs()
    i.k_cache = i.k_cache.view(torch.int8)
    call_expecting(matrix_lib, i.args(out), "'k_cache'", "uint8", cfg=NVFP4)


# Sizes that must agree but are dynamic in the compiled signature: refused
# before anything launches, in the verifier's words.

def test_q_tokens_not_batch_times_q_len(matrix_lib):
    """7 q tokens for a batch of 5 (q_len_per_request 1): the split
    merge would otherwise size the workspace by 7 rows a head and find the
    batch's partial rows at the wrong places."""
    i = make_inputs(CFG, 5, False, False, seed=91)
    q = torch.cat([i.q, i.q[:2]])
    out = torch.full(q.shape, 7.0, dtype=q.dtype, device=q.device)
    call_expecting(matrix_lib, (q, i.k_cache, i.v_cache, i.block_table, i.seq_lens, out),
                   f"paged_attn.decode in @{CFG.name}: expects q dim 0 "
                   "(num_tokens) to be 5 (batch * q_len_per_request), got 7")


def test_seq_lens_longer_than_block_table(matrix_lib):
    i = make_inputs(CFG, 5, False, False, seed=92)
    sl = torch.cat([i.seq_lens, i.seq_lens[:1]])
    out = i.new_out(CFG, 7.0)
    call_expecting(matrix_lib, (i.q, i.k_cache, i.v_cache, i.block_table, sl, out),
                   "expects seq_lens dim 0 (batch) to be 5 as block_table "
                   "dim 0, got 6")


def test_out_not_shaped_like_q(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    bigger = torch.full((q.shape[0] + 1, *q.shape[1:]), 7.0, dtype=q.dtype,
                        device=q.device)
    call_expecting(matrix_lib, (q, k, v, bt, sl, bigger),
                   "expects out dim 0 (num_tokens) to be 3 as q, got 4")


def test_k_and_v_disagree_on_pages(matrix_lib):
    q, k, v, bt, sl, out = inputs()
    call_expecting(matrix_lib, (q, k, v[:-1], bt, sl, out),
                   f"expects v_cache dim 0 (pages) to be {k.shape[0]} as k_cache, "
                   f"got {k.shape[0] - 1}")


def test_scales_disagree_with_their_cache(matrix_lib):
    i, out = nvfp4_inputs()
    pages = i.v_cache.shape[0]
    i.v_scale = i.v_scale[:-1]
    call_expecting(matrix_lib, i.args(out),
                   f"expects v_scale dim 0 (pages) to be {pages} as v_cache, "
                   f"got {pages - 1}", cfg=NVFP4)


def test_sinks_not_one_per_query_head(matrix_lib):
    cfg = Config(sinks=True)
    i = make_inputs(cfg, 3, False, False, seed=93)
    i.sinks = torch.cat([i.sinks, i.sinks[:1]])
    out = i.new_out(cfg, 7.0)
    call_expecting(matrix_lib, i.args(out),
                   f"expects sinks dim 0 (num_qo_heads) to be {cfg.qo_heads} "
                   f"as q dim 1, got {cfg.qo_heads + 1}", cfg=cfg)


def test_seq_lens_past_the_block_table_is_a_precondition(matrix_lib):
    """seq_lens values are device data: a length past block_table's width
    (max_pages * page_size) is not checked on the host (a documented
    precondition). The call raises nothing, the kernel never reads the block
    table past its width, and the other requests of the batch are
    unaffected."""
    i = make_inputs(CFG, 2, False, False, seed=94, lens=[40, 33])
    ref = i.reference(CFG)
    width = i.block_table.shape[1] * CFG.page
    i.seq_lens[0] = width + 50
    out = i.new_out(CFG)
    matrix_lib.call(CFG.name, *i.args(out))
    torch.cuda.synchronize()
    assert torch.allclose(out[1].float(), ref[1], atol=2e-2, rtol=2e-2)
