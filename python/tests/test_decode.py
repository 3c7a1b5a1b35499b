"""Decode conformance on the GPU: every compiled kernel of the matrix
(python/tests/decode_matrix.py) against an fp32 torch reference, over
batch sizes, ragged kv lengths, separate or joint K/V caches (different
strides) and contiguous or sliced q.

Tolerance: |out - ref| <= 2e-2 + 2e-2 |ref| for bf16, 4e-3 + 4e-3 |ref| for
f16 (P is rounded to the cache type before the PV product, O accumulates in
f32, out is rounded once)."""

import json
import math
import os
import random

import pytest

from conftest import HAVE_CUDA, reference_decode, requires_gpu, torch
from decode_matrix import Config, all_configs, main_configs

pytestmark = requires_gpu

TOLERANCE = {"bf16": 2e-2, "f16": 4e-3}
# fp8 caches: the reference dequantizes the same bytes; P is rounded to the
# query type as in the 16-bit path, and K/V are exact in f16 (e4m3 fits).
DTYPES = {"bf16": "bfloat16", "f16": "float16"}
MAX_ABS_ERROR = {}


def make_inputs(cfg: Config, batch: int, joint: bool, q_sliced: bool, seed: int,
                max_len: int = 300, lens=None, extra_pages: int = 3):
    gen = torch.Generator(device="cpu").manual_seed(seed)
    rng = random.Random(seed)
    dtype = getattr(torch, DTYPES[cfg.dtype])
    cache_dtype = torch.float8_e4m3fn if cfg.kv_dtype == "f8" else dtype
    dev = "cuda"
    # Ragged lengths: 1, a page multiple plus one, random others.
    if lens is None:
        lens = [rng.randint(1, max_len) for _ in range(batch)]
        lens[0] = 1
        if batch > 1:
            lens[1] = min(cfg.page * 3 + 1, max_len)
        lens = [max(l, cfg.q_len) for l in lens]
    max_pages = max(math.ceil(l / cfg.page) for l in lens)
    num_pages = sum(math.ceil(l / cfg.page) for l in lens) + extra_pages
    perm = torch.randperm(num_pages, generator=gen)
    block_table = torch.zeros(batch, max_pages + 1, dtype=torch.int32)
    used = 0
    for b, l in enumerate(lens):
        n = math.ceil(l / cfg.page)
        block_table[b, :n] = perm[used: used + n].int()
        # Entries past the sequence: garbage the kernel must not read.
        block_table[b, n:] = -7
        used += n
    H, KH, D, P = cfg.qo_heads, cfg.kv_heads, cfg.head_dim, cfg.page
    page_shape = (KH, P, D) if cfg.layout == "hnd" else (P, KH, D)
    if joint:  # one [pages, 2, ...] cache split in two: page stride doubles
        kv = torch.randn((num_pages, 2) + page_shape, generator=gen).to(cache_dtype).to(dev)
        k_cache, v_cache = kv[:, 0], kv[:, 1]
    else:
        k_cache = torch.randn((num_pages,) + page_shape, generator=gen).to(cache_dtype).to(dev)
        v_cache = torch.randn((num_pages,) + page_shape, generator=gen).to(cache_dtype).to(dev)
    T = batch * cfg.q_len
    if q_sliced:  # q is the first H heads of a fused [T, H + 2 KH, D] qkv
        qkv = torch.randn(T, H + 2 * KH, D, generator=gen).to(dtype).to(dev)
        q = qkv[:, :H]
    else:
        q = torch.randn(T, H, D, generator=gen).to(dtype).to(dev)
    sinks = (torch.randn(H, generator=gen) * 2).float().to(dev) if cfg.sinks else None
    seq_lens = torch.tensor(lens, dtype=torch.int32, device=dev)
    scales = None
    if cfg.global_scales:
        scales = (torch.tensor(0.75, device=dev), torch.tensor(1.5, device=dev))
    return q, k_cache, v_cache, block_table.to(dev), seq_lens, sinks, scales


def run_case(lib, cfg, batch, joint, q_sliced, seed):
    q, k, v, bt, sl, sinks, scales = make_inputs(cfg, batch, joint, q_sliced, seed)
    out = torch.full_like(q, float("nan")).contiguous()
    args = ([q, k, v, bt, sl] + (list(scales) if scales else [])
            + ([sinks] if sinks is not None else []) + [out])
    lib.call(cfg.name, *args)
    torch.cuda.synchronize()
    ref = reference_decode(cfg, q, k, v, bt, sl, sinks,
                           *(scales if scales else (None, None)))
    err = (out.float() - ref).abs()
    tol = TOLERANCE[cfg.dtype]
    bad = err > tol + tol * ref.abs()
    MAX_ABS_ERROR[cfg.dtype] = max(MAX_ABS_ERROR.get(cfg.dtype, 0.0), float(err.max()))
    assert not bad.any(), (
        f"{cfg.name} batch={batch} joint={joint} q_sliced={q_sliced}: "
        f"{int(bad.sum())} of {bad.numel()} elements off, max abs error "
        f"{float(err.max()):.4g}")


def _variants(i):
    # Alternate runtime variants across kernels: every kernel runs twice.
    batches = [1, 7, 64]
    return [(batches[i % 3], bool(i % 2), bool((i // 2) % 2)),
            (batches[(i + 1) % 3], not bool(i % 2), not bool((i // 2) % 2))]


CASES = [(cfg, *variant) for i, cfg in enumerate(all_configs()) for variant in _variants(i)]


@pytest.mark.parametrize(
    "cfg,batch,joint,q_sliced", CASES,
    ids=[f"{c.name}-b{b}-{'joint' if j else 'sep'}-{'qslice' if s else 'qcontig'}"
         for c, b, j, s in CASES])
def test_decode(matrix_lib, cfg, batch, joint, q_sliced):
    run_case(matrix_lib, cfg, batch, joint, q_sliced, seed=hash(cfg.name) % 1000 + batch)


FULL = Config()


@pytest.mark.parametrize("batch", [1, 7, 64])
@pytest.mark.parametrize("joint", [False, True])
@pytest.mark.parametrize("q_sliced", [False, True])
def test_decode_all_variants(matrix_lib, batch, joint, q_sliced):
    """The default config under every runtime variant."""
    run_case(matrix_lib, FULL, batch, joint, q_sliced, seed=batch)


@pytest.mark.parametrize("cfg", [FULL, Config(page=100), Config(page=1, layout="nhd")],
                         ids=lambda c: c.name)
def test_long_sequence_split_kv(matrix_lib, cfg):
    """Few CTAs and long sequences: the split-KV path with its merge (splits
    start on whole pages, also for pages that are not a multiple of 64)."""
    q, k, v, bt, sl, _, _ = make_inputs(cfg, 2, False, False, seed=5,
                                        lens=[4999, 3001])
    out = torch.empty_like(q)
    matrix_lib.call(cfg.name, q, k, v, bt, sl, out)
    torch.cuda.synchronize()
    ref = reference_decode(cfg, q, k, v, bt, sl)
    assert torch.allclose(out.float(), ref, atol=2e-2, rtol=2e-2)


def test_report_max_error():
    """Records the max abs error seen per dtype (for the log): runs after
    the matrix, and fails if none of it ran."""
    assert MAX_ABS_ERROR, "no decode case ran"
    print("max abs error per dtype:", MAX_ABS_ERROR)
    log_dir = os.environ.get("ATTN_GPU_LOG_DIR")
    if log_dir:
        with open(os.path.join(log_dir, "max_error.json"), "w") as f:
            json.dump(MAX_ABS_ERROR, f)
