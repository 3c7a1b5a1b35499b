"""Decode throughput: attn-mlir's compiled paged decode beside torch SDPA
(cuDNN and flash backends) on the same K/V gathered contiguous, and
gather-then-SDPA (the page gather included), in one run on one GPU.

Throughput is K/V bytes read per second (batch * kv_len * kv_heads *
head_dim * 2 bytes * 2 tensors / time). A time is the median over 5 runs of
CUDA events around `--iters` back-to-back calls, divided by `--iters`;
attn-mlir's calls include their host side (argument checks, descriptor
encoding, launch), which overlaps the previous call's kernel.

  PYTHONPATH=python:bench python3 bench/decode_bench.py --emit-mlir > b.mlir
  (compile b.mlir with attn_mlir.compile, then on the GPU machine:)
  PYTHONPATH=python:bench python3 bench/decode_bench.py --lib b.so --json out.json
"""

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python", "tests"))
from decode_matrix import Config  # noqa: E402

PAGE = 16
# (batch, kv_len, qo_heads, kv_heads, head_dim)
SHAPES = [(64, 4096, 32, 8, 128), (16, 16384, 32, 8, 128), (256, 1024, 64, 8, 128)]


def config_for(qo_heads, kv_heads, head_dim, fp8=False):
    return Config(dtype="bf16", layout="hnd", head_dim=head_dim,
                  group=qo_heads // kv_heads, page=PAGE, kv_heads=kv_heads,
                  kv_dtype="f8" if fp8 else None, global_scales=fp8)


def emit_mlir():
    configs = {config_for(h, kh, d, fp8).name: config_for(h, kh, d, fp8)
               for _, _, h, kh, d in SHAPES for fp8 in (False, True)}
    return "\n".join(c.mlir() for c in configs.values())


def time_ms(fn, iters, warmup=5, repeats=5):
    """Milliseconds per call: CUDA events around `iters` back-to-back calls
    (the GPU queue stays full when the host is faster than the kernel), the
    median of `repeats` such runs."""
    import torch
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(iters):
            fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / iters)
    times.sort()
    return times[len(times) // 2]


def run(lib_path, iters, json_path):
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    import attn_mlir

    lib = attn_mlir.load(lib_path)
    dev = torch.device("cuda")
    name = torch.cuda.get_device_name(dev)
    rows = []
    for batch, kv_len, H, KH, D in SHAPES:
        cfg = config_for(H, KH, D)
        torch.manual_seed(0)
        pages_per_seq = math.ceil(kv_len / PAGE)
        num_pages = batch * pages_per_seq
        k_cache = torch.randn(num_pages, KH, PAGE, D, device=dev, dtype=torch.bfloat16)
        v_cache = torch.randn(num_pages, KH, PAGE, D, device=dev, dtype=torch.bfloat16)
        block_table = torch.randperm(num_pages, device=dev).int().view(batch, pages_per_seq)
        seq_lens = torch.full((batch,), kv_len, dtype=torch.int32, device=dev)
        q = torch.randn(batch, H, D, device=dev, dtype=torch.bfloat16)
        out = torch.empty_like(q)
        kv_bytes = batch * kv_len * KH * D * 2 * 2

        def gather(cache):  # [B, KH, L, D] contiguous
            c = cache[block_table.long()]  # [B, pages, KH, P, D]
            return c.permute(0, 2, 1, 3, 4).reshape(batch, KH, -1, D)[:, :, :kv_len]

        k = gather(k_cache).contiguous()
        v = gather(v_cache).contiguous()
        qs = q.view(batch, H, 1, D)

        def ours():
            lib.call(cfg.name, q, k_cache, v_cache, block_table, seq_lens, out,
                     synchronous=False)

        def sdpa(backend):
            def fn():
                with sdpa_kernel([backend]):
                    F.scaled_dot_product_attention(qs, k, v, scale=cfg.scale,
                                                   enable_gqa=True)
            return fn

        def gather_then_sdpa():
            kk, vv = gather(k_cache), gather(v_cache)
            with sdpa_kernel([SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION,
                              SDPBackend.EFFICIENT_ATTENTION]):
                F.scaled_dot_product_attention(qs, kk, vv, scale=cfg.scale,
                                               enable_gqa=True)

        # Correctness of what is timed: ours vs SDPA on the gathered K/V.
        ours()
        torch.cuda.synchronize()
        ref = F.scaled_dot_product_attention(qs.float(), k.float(), v.float(),
                                             scale=cfg.scale, enable_gqa=True)
        err = float((out.float() - ref.view_as(out)).abs().max())

        row = {"shape": [batch, kv_len, H, KH, D], "kv_gb": kv_bytes / 1e9,
               "max_abs_err_vs_fp32": err}
        candidates = {"attn-mlir": ours,
                      "sdpa-cudnn": sdpa(SDPBackend.CUDNN_ATTENTION),
                      "sdpa-flash": sdpa(SDPBackend.FLASH_ATTENTION),
                      "gather+sdpa": gather_then_sdpa}
        for label, fn in candidates.items():
            try:
                ms = time_ms(fn, iters)
                row[label] = {"ms": ms, "tb_s": kv_bytes / (ms * 1e-3) / 1e12}
            except Exception as e:  # a backend that refuses the shape
                row[label] = {"error": str(e).splitlines()[0][:120]}
        # The same shape from an fp8 (e4m3) cache with per-tensor scales:
        # half the bytes; only attn-mlir reads fp8 caches here.
        cfg8 = config_for(H, KH, D, fp8=True)
        k8, v8 = k_cache.to(torch.float8_e4m3fn), v_cache.to(torch.float8_e4m3fn)
        ks = torch.tensor(1.0, device=dev)
        vs = torch.tensor(1.0, device=dev)

        def ours_fp8():
            lib.call(cfg8.name, q, k8, v8, block_table, seq_lens, ks, vs, out,
                     synchronous=False)

        ms8 = time_ms(ours_fp8, iters)
        row["attn-mlir-fp8"] = {"ms": ms8, "tb_s": kv_bytes / 2 / (ms8 * 1e-3) / 1e12,
                                "kv_tokens_per_s": batch * kv_len / (ms8 * 1e-3)}
        row["attn-mlir"]["kv_tokens_per_s"] = (
            batch * kv_len / (row["attn-mlir"]["ms"] * 1e-3)
            if "ms" in row["attn-mlir"] else None)
        rows.append(row)
        del k, v, k_cache, v_cache, k8, v8
        torch.cuda.empty_cache()

    labels = ["attn-mlir", "sdpa-cudnn", "sdpa-flash", "gather+sdpa"]
    print(f"decode, bf16, HND, page {PAGE}, on {name}; TB/s of K/V bytes (ms)")
    print(f"{'batch,kv_len,qo,kv,d':>26} " + " ".join(f"{l:>18}" for l in labels)
          + f" {'ours/cudnn':>10} {'ours/flash':>10}")
    for row in rows:
        cells = []
        for l in labels:
            r = row[l]
            cells.append(f"{r['tb_s']:7.2f} ({r['ms']:7.3f})" if "tb_s" in r else f"{'n/a':>18}")
        ratio = lambda other: (f"{row['attn-mlir']['tb_s'] / row[other]['tb_s']:10.2f}"
                               if "tb_s" in row[other] and "tb_s" in row["attn-mlir"] else f"{'n/a':>10}")
        print(f"{str(tuple(row['shape'])):>26} " + " ".join(f"{c:>18}" for c in cells)
              + f" {ratio('sdpa-cudnn')} {ratio('sdpa-flash')}")
        for l in labels:
            if "error" in row[l]:
                print(f"    {l}: {row[l]['error']}")
    print()
    print("attn-mlir, bf16 query: bf16 cache vs fp8 (e4m3) cache with per-tensor scales")
    print(f"{'batch,kv_len,qo,kv,d':>26} {'bf16 TB/s':>10} {'bf16 ms':>8} "
          f"{'fp8 TB/s':>10} {'fp8 ms':>8} {'fp8 Gtok/s':>11} {'fp8/bf16':>9}")
    for row in rows:
        a, f = row["attn-mlir"], row["attn-mlir-fp8"]
        print(f"{str(tuple(row['shape'])):>26} {a['tb_s']:10.2f} {a['ms']:8.3f} "
              f"{f['tb_s']:10.2f} {f['ms']:8.3f} {f['kv_tokens_per_s'] / 1e9:11.2f} "
              f"{a['ms'] / f['ms']:9.2f}")
    print("max abs error of attn-mlir vs fp32 SDPA per shape:",
          [round(r["max_abs_err_vs_fp32"], 5) for r in rows])
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"device": name, "page_size": PAGE, "rows": rows}, f, indent=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emit-mlir", action="store_true")
    parser.add_argument("--lib")
    parser.add_argument("--iters", type=int, default=30)
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.emit_mlir:
        sys.stdout.write(emit_mlir())
        return
    if not args.lib:
        parser.error("--lib is required unless --emit-mlir")
    run(args.lib, args.iters, args.json)


if __name__ == "__main__":
    main()
