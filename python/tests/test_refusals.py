"""Property test of the refusal path (issue 17): 1,000 random bad calls
through the Python API (attn_mlir.decode and attn_mlir.prefill, from the
suite's pack) each raise AttnError and leave `out` untouched: TMA-illegal
strides and base offsets (caught by the runtime's checks before any
launch), wrong dtypes, shapes and devices (caught by the front end), and
sizes that disagree (caught by the compiled host code)."""

import os
import random

import pytest

import attn_mlir
from conftest import GPU_DIR, requires_gpu, torch
from decode_matrix import frontend_configs
from prefill_matrix import frontend_configs as prefill_frontend_configs
from test_decode import make_inputs

PACK = os.path.join(GPU_DIR, "pack")
pytestmark = [requires_gpu,
              pytest.mark.skipif(not os.path.isdir(PACK),
                                 reason=f"GPU test: no front-end pack at {PACK}")]

CALLS = 1000
SENTINEL = 7.0


def misaligned(t, elems=1):
    """The same values `elems` elements into a fresh buffer."""
    buf = torch.empty(t.numel() + elems, dtype=t.dtype, device=t.device)
    view = buf[elems:].view(t.shape)
    view.copy_(t)
    return view


def padded_rows(t, pad):
    """The same values with each innermost row `pad` elements wider (a row
    stride that breaks the 16-byte rule when pad * size % 16 != 0)."""
    wide = torch.zeros(*t.shape[:-1], t.shape[-1] + pad, dtype=t.dtype,
                       device=t.device)
    wide[..., : t.shape[-1]] = t
    return wide[..., : t.shape[-1]]


def mutations(rng):
    """(name, function(args dict) -> None) pairs; each makes the call bad."""
    def misalign(name):
        def f(a):
            a[name] = misaligned(a[name], rng.choice([1, 3, 5, 7]))
        return f

    def stride(name):
        def f(a):
            a[name] = padded_rows(a[name], rng.choice([1, 2, 3, 5, 6, 7]))
        return f

    def dtype(name, to):
        def f(a):
            a[name] = a[name].to(to)
        return f

    def device(name):
        def f(a):
            a[name] = a[name].cpu()
        return f

    def out_tokens(a):
        a["out"] = torch.full((a["q"].shape[0] + rng.randint(1, 5),
                               *a["q"].shape[1:]), SENTINEL,
                              dtype=a["q"].dtype, device=a["q"].device)

    def seq_lens_batch(a):
        a["seq_lens"] = torch.cat([a["seq_lens"], a["seq_lens"][:1]])

    def head_dim(a):
        a["q"] = a["q"][..., : rng.choice([32, 96])]

    return [("misaligned q", misalign("q")),
            ("misaligned k_cache", misalign("k_cache")),
            ("misaligned v_cache", misalign("v_cache")),
            ("k_cache row stride", stride("k_cache")),
            ("v_cache row stride", stride("v_cache")),
            ("q row stride", stride("q")),
            ("q float32", dtype("q", torch.float32)),
            ("block_table int64", dtype("block_table", torch.int64)),
            ("seq_lens int64", dtype("seq_lens", torch.int64)),
            ("k_cache on the CPU", device("k_cache")),
            ("seq_lens on the CPU", device("seq_lens")),
            ("out tokens", out_tokens),
            ("seq_lens batch", seq_lens_batch),
            ("head_dim", head_dim)]


def test_random_bad_calls_are_refused_and_out_untouched():
    rng = random.Random(2026)
    decode_cfg = frontend_configs()[0]
    prefill_cfg = prefill_frontend_configs()[0]
    base = make_inputs(decode_cfg, 5, False, False, seed=900)
    qo_indptr = torch.tensor([0, 1, 2, 3, 4, 5], dtype=torch.int32,
                             device="cuda")
    counts = {}
    for call in range(CALLS):
        op = rng.choice(["decode", "prefill"])
        args = {"q": base.q.clone(), "k_cache": base.k_cache,
                "v_cache": base.v_cache, "block_table": base.block_table,
                "seq_lens": base.seq_lens}
        args["out"] = torch.full(args["q"].shape, SENTINEL, dtype=args["q"].dtype,
                                 device="cuda")
        name, mutate = rng.choice(mutations(rng))
        mutate(args)
        out = args["out"]
        before = out.clone() if out.is_cuda else None
        with pytest.raises(attn_mlir.AttnError):
            if op == "decode":
                attn_mlir.decode(args["q"], args["k_cache"], args["v_cache"],
                                 args["block_table"], args["seq_lens"], out=out)
            else:
                attn_mlir.prefill(args["q"], args["k_cache"], args["v_cache"],
                                  qo_indptr, args["block_table"],
                                  args["seq_lens"], causal=prefill_cfg.causal,
                                  out=out)
        torch.cuda.synchronize()
        assert torch.equal(out, before), f"call {call} ({op}, {name}) wrote out"
        counts[f"{op}: {name}"] = counts.get(f"{op}: {name}", 0) + 1
    assert sum(counts.values()) == CALLS
    print(f"{CALLS} bad calls refused, out untouched:", dict(sorted(counts.items())))
