"""The README's "From PyTorch" example runs as written (on the GPU, from
the suite's pack) and gives the reference's answer."""

import os
import re

import pytest

from conftest import ROOT, requires_gpu, torch
from test_frontend import PACK

pytestmark = [requires_gpu,
              pytest.mark.skipif(not os.path.isdir(PACK),
                                 reason=f"GPU test: no front-end pack at {PACK}")]


def readme_examples():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    section = text[text.index("## From PyTorch"):text.index("## Using attn-opt")]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def readme_example() -> str:
    return readme_examples()[0]


def test_readme_example():
    scope = {}
    exec(readme_example(), scope)
    q, k, v = scope["q"], scope["k_cache"], scope["v_cache"]
    bt, sl, out = scope["block_table"], scope["seq_lens"], scope["out"]
    torch.cuda.synchronize()
    for b in range(q.shape[0]):
        n = int(sl[b])
        pages = bt[b, : (n + 15) // 16].long()
        keys = k[pages].permute(0, 2, 1, 3).reshape(-1, 4, 128)[:n].float()
        vals = v[pages].permute(0, 2, 1, 3).reshape(-1, 4, 128)[:n].float()
        keys = keys.repeat_interleave(4, dim=1)
        vals = vals.repeat_interleave(4, dim=1)
        p = torch.softmax(torch.einsum("hd,jhd->hj", q[b].float(), keys)
                          * 128 ** -0.5, dim=-1)
        ref = torch.einsum("hj,jhd->hd", p, vals)
        assert torch.allclose(out[b].float(), ref, atol=2e-2, rtol=2e-2), b


def test_readme_prefill_example():
    """The second example (prefill, after the first's caches) gives the
    reference's answer."""
    from conftest import reference_decode
    from prefill_matrix import Config
    scope = {}
    first, second = readme_examples()
    exec(first, scope)
    exec(second, scope)
    torch.cuda.synchronize()
    cfg = Config(kv_heads=4, causal=True)
    ref = reference_decode(cfg, scope["q"].float(), scope["k_cache"],
                           scope["v_cache"], scope["block_table"],
                           scope["seq_lens"], qo_indptr=scope["qo_indptr"])
    assert torch.allclose(scope["out"].float(), ref, atol=2e-2, rtol=2e-2)
