"""Prefill conformance on the GPU: every kernel of the prefill matrix
(python/tests/prefill_matrix.py) against an fp32 torch reference, on a
ragged batch of query lengths 1, 63, 64, 65 and 1000, chunked (the query
tokens come after a cached prefix: qo_len < seq_len) and not (qo_len =
seq_len), with separate or joint K/V caches, contiguous or sliced q and, for
NVFP4, block scales of their own layouts. Tolerances as test_decode.py."""

import random
import zlib

import pytest

from conftest import GPU_DIR, reference_decode, requires_gpu, torch
from prefill_matrix import Config, all_configs, portable_configs, tma_bulk_configs
from test_decode import DTYPES, MAX_ABS_ERROR, TOLERANCE, SCALE_LAYOUTS, make_inputs

import os

pytestmark = [requires_gpu, pytest.mark.skipif(
    not os.path.exists(os.path.join(GPU_DIR, "prefill_matrix.so")),
    reason="GPU test: prefill_matrix.so not built (scripts/build-gpu-tests.sh)")]

QO_LENS = [1, 63, 64, 65, 1000]


@pytest.fixture(scope="module")
def prefill_lib():
    import attn_mlir
    return attn_mlir.load(os.path.join(GPU_DIR, "prefill_matrix.so"))


@pytest.fixture(scope="module")
def portable_lib():
    """The same configs compiled with prefill-kernel=portable: the mma.sync
    kernel sm_100a gets, where sm_90a chooses wgmma."""
    import attn_mlir
    path = os.path.join(GPU_DIR, "prefill_matrix_portable.so")
    if not os.path.exists(path):
        pytest.skip(f"GPU test: {path} not built (scripts/build-gpu-tests.sh)")
    return attn_mlir.load(path)


@pytest.fixture(scope="module")
def tma_bulk_lib():
    """The wgmma configs compiled with prefill-epilogue=tma-bulk: out's rows
    copied by cp.async.bulk from a free K/V stage."""
    import attn_mlir
    path = os.path.join(GPU_DIR, "prefill_matrix_tma_bulk.so")
    if not os.path.exists(path):
        pytest.skip(f"GPU test: {path} not built (scripts/build-gpu-tests.sh)")
    return attn_mlir.load(path)


class PrefillInputs:
    """One prefill call: the decode inputs' caches (make_inputs) with the
    requests' sequence lengths, and a ragged q of sum(qo_lens) tokens."""

    def __init__(self, cfg: Config, qo_lens, prefixes, joint, q_sliced, seed,
                 scale_layout="tight"):
        lens = [n + p for n, p in zip(qo_lens, prefixes)]
        self.d = make_inputs(cfg, len(lens), joint, False, seed, lens=lens,
                             scale_layout=scale_layout)
        gen = torch.Generator(device="cpu").manual_seed(seed + 1)
        dtype = getattr(torch, DTYPES[cfg.dtype])
        T, H, KH, D = sum(qo_lens), cfg.qo_heads, cfg.kv_heads, cfg.head_dim
        if q_sliced:  # the first H heads of a fused [T, H + 2 KH, D] qkv
            qkv = torch.randn(T, H + 2 * KH, D, generator=gen).to(dtype).cuda()
            self.d.q = qkv[:, :H]
        else:
            self.d.q = torch.randn(T, H, D, generator=gen).to(dtype).cuda()
        indptr = [0]
        for n in qo_lens:
            indptr.append(indptr[-1] + n)
        self.qo_indptr = torch.tensor(indptr, dtype=torch.int32, device="cuda")

    def args(self, out):
        a = self.d.args(out)
        return a[:3] + [self.qo_indptr] + a[3:]

    def new_out(self, cfg, fill=float("nan")):
        return self.d.new_out(cfg, fill)

    def reference(self, cfg):
        d = self.d
        if not cfg.nvfp4:
            return reference_decode(cfg, d.q.float(), d.k_cache, d.v_cache,
                                    d.block_table, d.seq_lens, d.sinks,
                                    d.k_global_scale, d.v_global_scale,
                                    qo_indptr=self.qo_indptr)
        from attn_mlir.quant import dequantize_nvfp4
        one = torch.ones((), device="cuda")
        k = dequantize_nvfp4(d.k_cache, d.k_scale,
                             one if d.k_global_scale is None else d.k_global_scale)
        v = dequantize_nvfp4(d.v_cache, d.v_scale,
                             one if d.v_global_scale is None else d.v_global_scale)
        return reference_decode(cfg, d.q.float(), k, v, d.block_table, d.seq_lens,
                                d.sinks, qo_indptr=self.qo_indptr)


def run_prefill(lib, cfg, qo_lens, prefixes, joint, q_sliced, seed,
                scale_layout="tight"):
    inputs = PrefillInputs(cfg, qo_lens, prefixes, joint, q_sliced, seed,
                           scale_layout)
    where = (f"{cfg.name} qo={qo_lens} prefix={prefixes} joint={joint} "
             f"q_sliced={q_sliced}")
    return check_prefill(lib, cfg, inputs, where)


def check_prefill(lib, cfg, inputs, where):
    """Runs `inputs` through cfg's kernel in `lib` and compares out with the
    fp32 reference (NaN, never written, is off)."""
    out = inputs.new_out(cfg)
    lib.call(cfg.name, *inputs.args(out))
    torch.cuda.synchronize()
    ref = inputs.reference(cfg)
    err = (out.float() - ref).abs()
    tol = TOLERANCE[cfg.dtype]
    bad = ~(err <= tol + tol * ref.abs())  # NaN (never written) is bad
    key = f"prefill out {cfg.dtype}, kv {cfg.kv_kind}"
    MAX_ABS_ERROR[key] = max(MAX_ABS_ERROR.get(key, 0.0), float(err.max()))
    if bad.any():
        rows = bad.flatten(1).any(1).nonzero().flatten().tolist()
        raise AssertionError(
            f"{where}: {int(bad.sum())} of {bad.numel()} off, max abs error "
            f"{float(err.max()):.4g}, token rows {rows[:8]}...")
    return out


def _cases():
    cases = []
    for i, cfg in enumerate(all_configs()):
        rng = random.Random(zlib.crc32(cfg.name.encode()))
        lens = QO_LENS[:]
        rng.shuffle(lens)
        # Chunked: some requests over a cached prefix (qo_len < seq_len).
        chunked = i % 2 == 0
        prefixes = [rng.randint(1, 300) if chunked and j % 2 == 0 else 0
                    for j in range(len(lens))]
        layout = SCALE_LAYOUTS[i % 4] if cfg.nvfp4 else "tight"
        cases.append((cfg, tuple(lens), tuple(prefixes), bool(i % 3 == 1),
                      bool(i % 4 >= 2), layout))
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    "cfg,qo_lens,prefixes,joint,q_sliced,scale_layout", CASES,
    ids=[f"{c.name}-{'chunked' if any(p) else 'full'}-{'joint' if j else 'sep'}"
         f"-{'qslice' if s else 'qcontig'}" for c, _, p, j, s, _ in CASES])
def test_prefill(prefill_lib, cfg, qo_lens, prefixes, joint, q_sliced,
                 scale_layout):
    run_prefill(prefill_lib, cfg, list(qo_lens), list(prefixes), joint, q_sliced,
                seed=zlib.crc32(cfg.name.encode()) % 1000, scale_layout=scale_layout)


# The same cases compiled another way: prefill-kernel=portable (the
# mma.sync kernel sm_100a gets) and prefill-epilogue=tma-bulk, each with its
# own seed.
VARIANTS = [("portable_lib", "portable", 1, portable_configs()),
            ("tma_bulk_lib", "tma-bulk", 2, tma_bulk_configs())]
VARIANT_CASES = [(lib, suffix, seed, case) for lib, suffix, seed, configs in VARIANTS
                 for case in CASES if case[0] in set(configs)]


@pytest.mark.parametrize(
    "lib_name,seed_offset,case", [(lib, seed, case) for lib, _, seed, case in VARIANT_CASES],
    ids=[f"{case[0].name}-{suffix}" for _, suffix, _, case in VARIANT_CASES])
def test_prefill_variant(request, lib_name, seed_offset, case):
    cfg, qo_lens, prefixes, joint, q_sliced, scale_layout = case
    run_prefill(request.getfixturevalue(lib_name), cfg, list(qo_lens),
                list(prefixes), joint, q_sliced,
                seed=zlib.crc32(cfg.name.encode()) % 1000 + seed_offset,
                scale_layout=scale_layout)


DEFAULT = Config()


@pytest.mark.parametrize("qo_lens,prefixes", [
    ([4096], [0]),                      # one long request
    ([2048], [14336]),                  # chunked: 2048 new over 14336 cached
    ([1] * 40, [5] * 40),               # many one-token requests (decode-like)
    ([0, 17, 0, 5], [3, 0, 9, 0]),      # empty requests in the batch
], ids=["long", "chunk_over_long_prefix", "many_small", "empty_requests"])
@pytest.mark.parametrize("lib_name", ["prefill_lib", "tma_bulk_lib"])
def test_prefill_shapes(request, lib_name, qo_lens, prefixes):
    run_prefill(request.getfixturevalue(lib_name), DEFAULT, qo_lens, prefixes,
                False, False, seed=3)


# Quantized configs of both libraries' matrices (head_dim 256 is wgmma only):
# the q flip's row ranges and regions at head_dim 64, 128 and 256, f16 and
# bf16 q, and a soft cap (which forms the logits from the flipped scores).
NEGATIVE_K_SCALE_CASES = [
    (lib, variant)
    for lib in ("prefill_lib", "portable_lib")
    for variant in ("d128", "cap30", "d64p1", "f16nhd") + (("d256",) if lib == "prefill_lib" else ())]


def negative_k_scale_config(variant, kv):
    gs = dict(kv_dtype=kv, global_scales=True)
    return {"d128": Config("bf16", "hnd", 128, 4, 16, **gs),
            "cap30": Config(window=20, sinks=True, soft_cap=30.0, **gs),
            "d64p1": Config("bf16", "nhd", 64, 4, 1, **gs),
            "f16nhd": Config("f16", "nhd", 128, 4, 16, **gs),
            "d256": Config("bf16", "hnd", 256, 4, 64, **gs)}[variant]


@pytest.mark.parametrize("kv", ["f8", "nvfp4"])
@pytest.mark.parametrize("lib_name,variant", NEGATIVE_K_SCALE_CASES)
def test_prefill_negative_k_global_scale(request, lib_name, variant, kv):
    """A negative per-tensor K scale negates every logit: its sign goes into
    q's rows (flipped in shared memory once a CTA) and its magnitude into
    the logit scale. Without that the row max of the raw scores times a
    negative scale is their min, and the softmax overflows to NaN."""
    cfg = negative_k_scale_config(variant, kv)
    lib = request.getfixturevalue(lib_name)
    inputs = PrefillInputs(cfg, [300, 77], [0, 40], False, False, seed=41)
    inputs.d.k_global_scale = -inputs.d.k_global_scale
    assert float(inputs.d.k_global_scale) < 0
    check_prefill(lib, cfg, inputs, f"{cfg.name} ({lib_name}) k_global_scale < 0")


@pytest.mark.parametrize("lib_name", ["prefill_lib", "tma_bulk_lib"])
def test_prefill_rows_outside_requests_untouched(request, lib_name):
    """q rows after qo_indptr[batch] belong to no request: out keeps them."""
    prefill_lib = request.getfixturevalue(lib_name)
    inputs = PrefillInputs(DEFAULT, [30, 7], [0, 10], False, False, seed=9)
    extra = torch.randn(5, *inputs.d.q.shape[1:], device="cuda").to(inputs.d.q.dtype)
    inputs.d.q = torch.cat([inputs.d.q, extra])
    out = inputs.new_out(DEFAULT, fill=3.0)
    prefill_lib.call(DEFAULT.name, *inputs.args(out))
    torch.cuda.synchronize()
    assert (out[37:].float() == 3.0).all()
    assert torch.isfinite(out[:37].float()).all()


def test_report_prefill_max_error():
    """Records the max abs error of the prefill matrix per (out dtype, cache
    kind) for the log (test_decode.py's report runs before this file)."""
    import json
    prefill = {k: v for k, v in MAX_ABS_ERROR.items() if k.startswith("prefill")}
    assert prefill, "no prefill case ran"
    print("prefill max abs error per out dtype and cache kind:", prefill)
    log_dir = os.environ.get("ATTN_GPU_LOG_DIR")
    if log_dir:
        with open(os.path.join(log_dir, "prefill_max_error.json"), "w") as f:
            json.dump(prefill, f)
