"""The front end on the GPU: attn_mlir.decode on a sample of the matrix,
from the pack scripts/build-gpu-tests.sh builds (this machine has no LLVM),
through torch.compile (fullgraph) and a CUDA graph, and the error for a key
that no pack holds."""

import os

import pytest

import attn_mlir
from conftest import GPU_DIR, requires_gpu, torch
from decode_matrix import Config, frontend_configs
from test_decode import assert_matches, make_inputs, padded_rows

PACK = os.path.join(GPU_DIR, "pack")
pytestmark = [requires_gpu,
              pytest.mark.skipif(not os.path.isdir(PACK),
                                 reason=f"GPU test: no front-end pack at {PACK}")]


def options(cfg, inputs):
    return dict(kv_layout=cfg.layout, k_scale=inputs.k_scale,
                v_scale=inputs.v_scale, k_global_scale=inputs.k_global_scale,
                v_global_scale=inputs.v_global_scale, sinks=inputs.sinks,
                window_left=cfg.window, logits_soft_cap=cfg.soft_cap,
                q_len_per_request=cfg.q_len)


@pytest.mark.parametrize("cfg", frontend_configs(), ids=lambda c: c.name)
@pytest.mark.parametrize("given_out", [False, True], ids=["alloc", "out"])
def test_decode(cfg, given_out):
    inputs = make_inputs(cfg, 5, True, True, seed=300)
    if cfg.layout == "hnd" and not cfg.dense_pages:
        # Rows 16 elements apart: the front end picks the key without
        # dense pages (the pack holds no other for these caches).
        inputs.k_cache = padded_rows(inputs.k_cache, 16)
        inputs.v_cache = padded_rows(inputs.v_cache, 16)
    out = inputs.new_out(cfg) if given_out else None
    result = attn_mlir.decode(inputs.q, inputs.k_cache, inputs.v_cache,
                              inputs.block_table, inputs.seq_lens,
                              out=out, **options(cfg, inputs))
    if given_out:
        assert result is out
    torch.cuda.synchronize()
    assert_matches(cfg, inputs, result, cfg.name)


def test_torch_compile_fullgraph_matches_eager():
    cfg = frontend_configs()[0]
    inputs = make_inputs(cfg, 7, False, False, seed=301)

    def attention_block(q, k, v, bt, sl):
        o = attn_mlir.decode(q, k, v, bt, sl)
        return o.float() * 2 + 1

    compiled = torch.compile(attention_block, fullgraph=True)
    args = (inputs.q, inputs.k_cache, inputs.v_cache, inputs.block_table,
            inputs.seq_lens)
    eager = attention_block(*args)
    traced = compiled(*args)
    torch.cuda.synchronize()
    assert torch.equal(eager, traced)
    assert_matches(cfg, inputs, (traced - 1) / 2, "torch.compile")


def test_cuda_graph_through_the_front_end():
    cfg = frontend_configs()[0]
    inputs = make_inputs(cfg, 3, False, False, seed=302, lens=[2999, 1, 1500])
    out = inputs.new_out(cfg)
    args = (inputs.q, inputs.k_cache, inputs.v_cache, inputs.block_table,
            inputs.seq_lens)
    attn_mlir.decode(*args, out=out)  # warm-up: loads, sizes the workspace
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        attn_mlir.decode(*args, out=out)
    for step in range(3):
        gen = torch.Generator(device="cpu").manual_seed(400 + step)
        for t in (inputs.q, inputs.k_cache, inputs.v_cache):
            t.copy_(torch.randn(t.shape, generator=gen).to(t.dtype))
        graph.replay()
        torch.cuda.synchronize()
        assert_matches(cfg, inputs, out, f"replay {step}")


def test_a_key_in_no_pack_names_the_command_that_builds_it():
    cfg = Config(page=32, kv_heads=4, dense_pages=True)  # not in the pack
    inputs = make_inputs(cfg, 2, False, False, seed=303)
    with pytest.raises(attn_mlir.AttnError) as info:
        attn_mlir.decode(inputs.q, inputs.k_cache, inputs.v_cache,
                         inputs.block_table, inputs.seq_lens)
    message = str(info.value)
    assert f"python3 -m attn_mlir.pack --decode '{cfg.to_string()}' --chip sm_90a" in message


# attn_mlir.prefill, from the same pack.
from prefill_matrix import frontend_configs as prefill_frontend_configs  # noqa: E402
from test_prefill import PrefillInputs  # noqa: E402


def prefill_call(cfg, inputs, **kwargs):
    d = inputs.d
    return attn_mlir.prefill(
        d.q, d.k_cache, d.v_cache, inputs.qo_indptr, d.block_table, d.seq_lens,
        causal=cfg.causal, kv_layout=cfg.layout, k_scale=d.k_scale,
        v_scale=d.v_scale, k_global_scale=d.k_global_scale,
        v_global_scale=d.v_global_scale, sinks=d.sinks, window_left=cfg.window,
        logits_soft_cap=cfg.soft_cap, **kwargs)


def assert_prefill_matches(cfg, inputs, out, what):
    ref = inputs.reference(cfg)
    err = (out.float() - ref).abs()
    tol = 2e-2 if cfg.dtype == "bf16" else 4e-3
    bad = ~(err <= tol + tol * ref.abs())
    assert not bad.any(), f"{what}: {int(bad.sum())} off, max {float(err.max()):.4g}"


@pytest.mark.parametrize("cfg", prefill_frontend_configs(), ids=lambda c: c.name)
@pytest.mark.parametrize("given_out", [False, True], ids=["alloc", "out"])
def test_prefill(cfg, given_out):
    inputs = PrefillInputs(cfg, [65, 1, 200], [0, 30, 100], True, True, seed=310)
    out = inputs.new_out(cfg) if given_out else None
    result = prefill_call(cfg, inputs, out=out)
    if given_out:
        assert result is out
    torch.cuda.synchronize()
    assert_prefill_matches(cfg, inputs, result, cfg.name)


def test_prefill_torch_compile_fullgraph_and_cuda_graph():
    cfg = prefill_frontend_configs()[0]
    inputs = PrefillInputs(cfg, [100, 37], [0, 50], False, False, seed=311)
    d = inputs.d

    def block(q, k, v, qo, bt, sl):
        return attn_mlir.prefill(q, k, v, qo, bt, sl, causal=True).float() * 2 + 1

    args = (d.q, d.k_cache, d.v_cache, inputs.qo_indptr, d.block_table, d.seq_lens)
    eager = block(*args)
    traced = torch.compile(block, fullgraph=True)(*args)
    torch.cuda.synchronize()
    assert torch.equal(eager, traced)
    assert_prefill_matches(cfg, inputs, (traced - 1) / 2, "torch.compile")
    # A CUDA graph replays the same launch over new values.
    out = inputs.new_out(cfg)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        prefill_call(cfg, inputs, out=out)
    for step in range(2):
        gen = torch.Generator(device="cpu").manual_seed(500 + step)
        for t in (d.q, d.k_cache, d.v_cache):
            t.copy_(torch.randn(t.shape, generator=gen).to(t.dtype))
        graph.replay()
        torch.cuda.synchronize()
        assert_prefill_matches(cfg, inputs, out, f"graph replay {step}")
