"""Prefill throughput: attn-mlir's compiled paged prefill beside torch SDPA
(cuDNN and flash backends) and FlexAttention on the same K/V contiguous, in
one run on one GPU.

Throughput is TFLOP/s counted for the causal mask: 4 * head_dim * heads *
(query, key) pairs a row sees (the bottom-right causal triangle; chunked
prefill adds the whole cached prefix per row). A time is the median over 7
rounds of CUDA events around `--iters` back-to-back calls, divided by
`--iters`, every candidate timed in each round in a rotating order
(decode_bench.time_interleaved); attn-mlir's calls include their host side.

  PYTHONPATH=python:bench python3 bench/prefill_bench.py --emit-mlir > p.mlir
  (compile p.mlir with attn_mlir.compile, then on the GPU machine:)
  PYTHONPATH=python:bench python3 bench/prefill_bench.py --lib p.so --json out.json
"""

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python", "tests"))
from prefill_matrix import Config  # noqa: E402
from decode_bench import gather_pages, time_interleaved  # noqa: E402  (as decode)

# (label, batch, new tokens, cached prefix, qo_heads, kv_heads, head_dim, page)
SHAPES = [
    ("B4 S4096 H32/32", 4, 4096, 0, 32, 32, 128, 16),
    ("B1 S8192 H32/8", 1, 8192, 0, 32, 8, 128, 16),
    ("B16 S1024 H32/8", 16, 1024, 0, 32, 8, 128, 16),
    ("B1 S16384 H64/8", 1, 16384, 0, 64, 8, 128, 16),
    ("d64 B4 S4096 H32/32", 4, 4096, 0, 32, 32, 64, 16),
    ("chunk 2048 over 16384", 1, 2048, 14336, 32, 8, 128, 16),
    ("B4 S4096 H32/32 page 128", 4, 4096, 0, 32, 32, 128, 128),
]
# cuDNN / flash causal bf16 TFLOP/s measured on an H200 (issue 13), for the
# first five shapes.
ANCHORS = {"sdpa-cudnn": [592, 605, 433, 588, 415],
           "sdpa-flash": [322, 312, 253, 349, 276]}


def config_for(qo_heads, kv_heads, head_dim, page):
    return Config(dtype="bf16", layout="hnd", head_dim=head_dim,
                  group=qo_heads // kv_heads, page=page, kv_heads=kv_heads,
                  causal=True)


def emit_mlir():
    configs = {}
    for _, _, _, _, h, kh, d, p in SHAPES:
        c = config_for(h, kh, d, p)
        configs[c.name] = c
    return "\n".join(c.mlir() for c in configs.values())


def run(lib_path, iters, json_path, flex, shapes=None):
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.nn.attention.bias import causal_lower_right

    import attn_mlir

    lib = attn_mlir.load(lib_path)
    dev = torch.device("cuda")
    name = torch.cuda.get_device_name(dev)
    rows = []
    for i, (label, B, S, prefix, H, KH, D, page) in enumerate(SHAPES):
        if shapes is not None and i not in shapes:
            continue
        cfg = config_for(H, KH, D, page)
        L = S + prefix
        torch.manual_seed(0)
        pages_per_seq = math.ceil(L / page)
        num_pages = B * pages_per_seq
        k_cache = torch.randn(num_pages, KH, page, D, device=dev, dtype=torch.bfloat16)
        v_cache = torch.randn(num_pages, KH, page, D, device=dev, dtype=torch.bfloat16)
        block_table = torch.randperm(num_pages, device=dev).int().view(B, pages_per_seq)
        seq_lens = torch.full((B,), L, dtype=torch.int32, device=dev)
        qo_indptr = torch.arange(0, (B + 1) * S, S, dtype=torch.int32, device=dev)
        q = torch.randn(B * S, H, D, device=dev, dtype=torch.bfloat16)
        out = torch.empty_like(q)
        pairs = B * (S * prefix + S * (S + 1) // 2)
        flops = 4 * D * H * pairs

        k = gather_pages(k_cache, block_table, L).contiguous()  # [B, KH, L, D]
        v = gather_pages(v_cache, block_table, L).contiguous()
        qs = q.view(B, S, H, D).transpose(1, 2).contiguous()  # [B, H, S, D]

        def ours():
            lib.call(cfg.name, q, k_cache, v_cache, qo_indptr, block_table,
                     seq_lens, out, synchronous=False)

        def sdpa(backend):
            mask = causal_lower_right(S, L) if prefix else None
            def fn():
                with sdpa_kernel([backend]):
                    if mask is None:
                        F.scaled_dot_product_attention(qs, k, v, is_causal=True,
                                                       scale=cfg.scale,
                                                       enable_gqa=H != KH)
                    else:
                        F.scaled_dot_product_attention(qs, k, v, attn_mask=mask,
                                                       scale=cfg.scale,
                                                       enable_gqa=H != KH)
            return fn

        candidates = {"attn-mlir": ours,
                      "sdpa-cudnn": sdpa(SDPBackend.CUDNN_ATTENTION),
                      "sdpa-flash": sdpa(SDPBackend.FLASH_ATTENTION)}
        if flex:
            from torch.nn.attention.flex_attention import create_block_mask, flex_attention
            def causal(b, h, qi, ki):
                return ki <= qi + prefix
            block_mask = create_block_mask(causal, None, None, S, L, device=dev)
            flex_fn = torch.compile(flex_attention)
            candidates["flex"] = lambda: flex_fn(qs, k, v, block_mask=block_mask,
                                                 scale=cfg.scale,
                                                 enable_gqa=H != KH)

        # Correctness of what is timed: ours vs fp32 SDPA on a few rows.
        ours()
        torch.cuda.synchronize()
        rows_checked = slice(S - 64, S)
        qf = qs[:1, :, rows_checked].float()
        kf = k[:1].float().repeat_interleave(H // KH, 1)
        vf = v[:1].float().repeat_interleave(H // KH, 1)
        mask = causal_lower_right(64, L)
        ref = F.scaled_dot_product_attention(qf, kf, vf, attn_mask=mask, scale=cfg.scale)
        got = out[:S].view(S, H, D)[rows_checked].transpose(0, 1).float()
        err = float((got - ref[0]).abs().max())

        row = {"shape": label, "batch": B, "new": S, "prefix": prefix, "qo_heads": H,
               "kv_heads": KH, "head_dim": D, "page": page, "tflop": flops / 1e12,
               "max_abs_err_last_rows": err}
        # All candidates in the same rotating rounds (time_interleaved): no
        # candidate is always the first timed after the shape's set-up, and
        # each one's timed calls follow three of its own (settle).
        for who, ms in time_interleaved(candidates, iters).items():
            row[who] = ms if isinstance(ms, dict) else {
                "ms": ms, "tflops": flops / (ms * 1e-3) / 1e12}
        rows.append(row)
        del k, v, k_cache, v_cache
        torch.cuda.empty_cache()

    labels = ["attn-mlir", "sdpa-cudnn", "sdpa-flash"] + (["flex"] if flex else [])
    print(f"prefill, causal, bf16, HND, on {name}; TFLOP/s (ms)")
    print(f"{'shape':>26} " + " ".join(f"{l:>16}" for l in labels)
          + f" {'ours/cudnn':>10} {'ours/flash':>10}  err")
    for row in rows:
        def cell(l):
            r = row[l]
            return (f"{r['tflops']:7.1f} ({r['ms']:6.3f})" if "ms" in r
                    else f"{'error':>16}")
        def ratio(l):
            a, b = row["attn-mlir"], row[l]
            return (f"{a['tflops'] / b['tflops']:10.2f}" if "ms" in a and "ms" in b
                    else f"{'-':>10}")
        print(f"{row['shape']:>26} " + " ".join(f"{cell(l):>16}" for l in labels)
              + f" {ratio('sdpa-cudnn')} {ratio('sdpa-flash')}  "
              f"{row['max_abs_err_last_rows']:.3g}")
    for row in rows:
        for l in labels:
            if "error" in row[l]:
                print(f"{row['shape']}: {l}: {row[l]['error']}")
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"device": name, "rows": rows, "anchors": ANCHORS}, f, indent=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emit-mlir", action="store_true")
    parser.add_argument("--lib")
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--json")
    parser.add_argument("--flex", action="store_true",
                        help="also time FlexAttention (torch.compile: slow to start)")
    parser.add_argument("--shapes",
                        help="comma-separated indices into SHAPES (default: all)")
    args = parser.parse_args()
    if args.emit_mlir:
        sys.stdout.write(emit_mlir())
        return
    if not args.lib:
        parser.error("--lib is required unless --emit-mlir")
    shapes = ({int(i) for i in args.shapes.split(",")} if args.shapes
              else None)
    run(args.lib, args.iters, args.json, args.flex, shapes)


if __name__ == "__main__":
    main()
