"""Shared fixtures: the compiled decode matrix and a torch reference.

GPU tests need torch with CUDA and the library that
scripts/build-gpu-tests.sh compiles (build/gpu-tests/decode_matrix.so, or
$ATTN_GPU_TESTS_DIR); without them they are skipped, visibly, with the
reason.
"""

import math
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

GPU_DIR = os.environ.get("ATTN_GPU_TESTS_DIR", os.path.join(ROOT, "build", "gpu-tests"))

try:
    import torch
    HAVE_CUDA = torch.cuda.is_available()
except ImportError:  # CPU CI: no torch
    torch = None
    HAVE_CUDA = False


def gpu_skip_reason():
    if torch is None:
        return "GPU test: torch is not installed"
    if not HAVE_CUDA:
        return "GPU test: no CUDA device"
    if not os.path.exists(os.path.join(GPU_DIR, "decode_matrix.so")):
        return f"GPU test: {GPU_DIR}/decode_matrix.so not built (scripts/build-gpu-tests.sh)"
    return None


requires_gpu = pytest.mark.skipif(gpu_skip_reason() is not None,
                                  reason=gpu_skip_reason() or "")


@pytest.fixture(scope="session")
def matrix_lib():
    import attn_mlir
    return attn_mlir.load(os.path.join(GPU_DIR, "decode_matrix.so"))


def reference_decode(cfg, q, k_cache, v_cache, block_table, seq_lens, sinks=None,
                     k_global_scale=None, v_global_scale=None, qo_indptr=None):
    """fp32 attention over the gathered pages, computed from the same tensors
    (fp8 caches dequantized: value * per-tensor scale). Caches of any float
    dtype: NVFP4 ones are passed dequantized, in fp32, without scales.
    Prefill: `qo_indptr` gives each request its q rows, and cfg.causal says
    whether the causal mask applies (decode: always, bottom-right)."""
    batch = block_table.shape[0]
    out = torch.empty(q.shape, dtype=torch.float32, device=q.device)
    P = cfg.page
    causal = getattr(cfg, "causal", True)
    if qo_indptr is not None:
        qo = [int(x) for x in qo_indptr.cpu()]
    for b in range(batch):
        L = int(seq_lens[b])
        if qo_indptr is not None:
            rows = slice(qo[b], qo[b + 1])
            q_len = qo[b + 1] - qo[b]
        else:
            rows = slice(b * cfg.q_len, (b + 1) * cfg.q_len)
            q_len = cfg.q_len
        if q_len == 0:
            continue
        if L == 0:
            out[rows] = 0
            continue
        pages = block_table[b, : math.ceil(L / P)].long()
        def gather(cache):
            # (fp8 tensors support few ops: convert before indexing)
            c = (cache.float()[pages] if cache.element_size() == 1
                 else cache[pages].float())
            if cfg.layout == "hnd":  # [n, H, P, D] -> [n * P, H, D]
                c = c.permute(0, 2, 1, 3)
            return c.reshape(-1, cfg.kv_heads, cfg.head_dim)[:L]
        k, v = gather(k_cache), gather(v_cache)
        if k_global_scale is not None:
            k = k * k_global_scale.float()
        if v_global_scale is not None:
            v = v * v_global_scale.float()
        k = k.repeat_interleave(cfg.group, dim=1)  # [L, H, D]
        v = v.repeat_interleave(cfg.group, dim=1)
        qb = q[rows].float()  # [q_len, H, D]
        logits = torch.einsum("ihd,jhd->hij", qb, k) * cfg.scale
        if cfg.soft_cap is not None:
            logits = cfg.soft_cap * torch.tanh(logits / cfg.soft_cap)
        key = torch.arange(L, device=q.device)[None, :]
        pos = (L - q_len + torch.arange(q_len, device=q.device))[:, None]
        mask = (key <= pos) if causal else torch.ones_like(key <= pos)
        if cfg.window >= 0:
            mask &= key >= pos - cfg.window
        logits = logits.masked_fill(~mask[None], float("-inf"))
        if sinks is not None:
            sink = sinks.float()[:, None, None].expand(-1, q_len, 1)
            full = torch.cat([logits, sink], dim=-1)
            p = torch.softmax(full, dim=-1)[..., :-1]
        else:
            p = torch.softmax(logits, dim=-1)
        out[rows] = torch.einsum("hij,jhd->ihd", p, v)
    return out
