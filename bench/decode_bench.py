"""Decode throughput: attn-mlir's compiled paged decode beside torch SDPA
(cuDNN and flash backends) on the same K/V gathered contiguous, and
gather-then-SDPA (the page gather included), in one run on one GPU.

Throughput is K/V bytes read per second (batch * kv_len * kv_heads *
head_dim * 2 bytes * 2 tensors / time). attn-mlir also reads the same
shapes from an fp8 (e4m3) cache and from an NVFP4 cache (e2m1 pairs, e4m3
block scales, global scales): TB/s of the bytes those read, KV tokens/s and
the speedup over the bf16 cache. A time is the median over 5 runs of CUDA
events around `--iters` back-to-back calls, divided by `--iters`;
attn-mlir's calls include their host side (argument checks, descriptor
encoding, launch), which overlaps the previous call's kernel.

  PYTHONPATH=python:bench python3 bench/decode_bench.py --emit-mlir > b.mlir
  (compile b.mlir with attn_mlir.compile, then on the GPU machine:)
  PYTHONPATH=python:bench python3 bench/decode_bench.py --lib b.so --json out.json
"""

import argparse
import ctypes
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


KV_DTYPES = (None, "f8", "nvfp4")  # bf16 cache, fp8, NVFP4


def config_for(qo_heads, kv_heads, head_dim, kv_dtype=None):
    """bf16 q, HND, page 16; quantized caches with global scales."""
    return Config(dtype="bf16", layout="hnd", head_dim=head_dim,
                  group=qo_heads // kv_heads, page=PAGE, kv_heads=kv_heads,
                  kv_dtype=kv_dtype, global_scales=kv_dtype is not None)


def emit_mlir():
    configs = {config_for(h, kh, d, kv).name: config_for(h, kh, d, kv)
               for _, _, h, kh, d in SHAPES for kv in KV_DTYPES}
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


def host_cost(lib, calls=200, rounds=7):
    """Host time of one decode call (bf16, batch 64, kv_len 4096, HND, page
    16, the split-KV path's shape) while the GPU is busy: a long sleep
    kernel is queued first, so every call only checks, encodes and enqueues.
    Microseconds per call, the median of `rounds` runs of `calls` calls:
    through `lib.call` (Python argument checks and descriptors included) and
    through the bound entry point (`lib.bind`: the compiled host code alone,
    entered through ctypes)."""
    import time

    import torch
    batch, kv_len, H, KH, D = SHAPES[0]
    cfg = config_for(H, KH, D)
    dev = torch.device("cuda")
    pages = batch * math.ceil(kv_len / PAGE)
    k_cache = torch.randn(pages, KH, PAGE, D, device=dev, dtype=torch.bfloat16)
    v_cache = torch.randn_like(k_cache)
    block_table = torch.randperm(pages, device=dev).int().view(batch, -1)
    seq_lens = torch.full((batch,), kv_len, dtype=torch.int32, device=dev)
    q = torch.randn(batch, H, D, device=dev, dtype=torch.bfloat16)
    out = torch.empty_like(q)
    args = (q, k_cache, v_cache, block_table, seq_lens, out)
    bound = lib.bind(cfg.name, *args)
    entry, entry_args = bound.entry, bound.args

    def per_call_us(fn):
        samples = []
        for _ in range(rounds):
            torch.cuda.synchronize()
            torch.cuda._sleep(int(3e9))  # ~1.5 s of GPU time: the queue waits
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            samples.append((time.perf_counter() - start) / calls * 1e6)
        torch.cuda.synchronize()
        samples.sort()
        return samples[len(samples) // 2]

    lib.call(cfg.name, *args)  # warm-up: modules, workspace
    result = {
        "python_call_us": per_call_us(lambda: lib.call(cfg.name, *args)),
        "bound_call_us": per_call_us(bound),
    }
    # The compiled entry point alone (ctypes call included; the runtime's
    # stream and mode were set by the bound call above).
    lib.runtime.set_stream(torch.cuda.current_stream().cuda_stream)
    lib.runtime.set_synchronous(False)
    lib.runtime.lib.attnRuntimeProfileReport.restype = ctypes.c_char_p
    lib.runtime.lib.attnRuntimeProfileReport()  # reset
    result["entry_point_us"] = per_call_us(lambda: entry(*entry_args))
    lib.runtime.check("host cost")
    # ATTN_RUNTIME_PROFILE=1: where the entry point's host time goes.
    report = lib.runtime.lib.attnRuntimeProfileReport().decode()
    if report:
        result["runtime_profile"] = {
            name: {"calls": int(calls), "us_per_call": float(per)}
            for name, calls, _, per in (line.rsplit(" ", 3)
                                        for line in report.splitlines())}
    return result


def run(lib_path, iters, json_path):
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    import attn_mlir
    from attn_mlir.quant import quantize_nvfp4

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
        def quantized(kv_dtype, tensors, bytes_read):
            """attn-mlir on the same shape from a quantized cache: only it
            reads those here. tensors: the call's, less q and out."""
            name = config_for(H, KH, D, kv_dtype).name

            def fn():
                lib.call(name, q, *tensors, out, synchronous=False)
            ms = time_ms(fn, iters)
            return {"ms": ms, "tb_s": bytes_read / (ms * 1e-3) / 1e12,
                    "kv_tokens_per_s": batch * kv_len / (ms * 1e-3),
                    "bytes_read": bytes_read}

        # fp8 (e4m3) with per-tensor scales: half the K/V bytes.
        k8, v8 = k_cache.to(torch.float8_e4m3fn), v_cache.to(torch.float8_e4m3fn)
        ones = torch.tensor(1.0, device=dev), torch.tensor(1.0, device=dev)
        row["attn-mlir-fp8"] = quantized(
            "f8", [k8, v8, block_table, seq_lens, *ones], kv_bytes / 2)
        del k8, v8
        # NVFP4: a quarter of the K/V bytes, plus one e4m3 scale per 16
        # values (tight: a head's page of scales is 16 * D / 16 bytes) and q.
        k4, k4_scale, k4_global = quantize_nvfp4(k_cache)
        v4, v4_scale, v4_global = quantize_nvfp4(v_cache)
        nvfp4_bytes = (kv_bytes // 4 + kv_bytes // 32
                       + q.numel() * q.element_size())
        row["attn-mlir-nvfp4"] = quantized(
            "nvfp4", [k4, v4, block_table, seq_lens, k4_scale, v4_scale,
                      k4_global, v4_global], nvfp4_bytes)
        row["attn-mlir"]["kv_tokens_per_s"] = (
            batch * kv_len / (row["attn-mlir"]["ms"] * 1e-3)
            if "ms" in row["attn-mlir"] else None)
        rows.append(row)
        del k, v, k_cache, v_cache, k4, v4, k4_scale, v4_scale
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
    print("attn-mlir, bf16 query: bf16 cache vs fp8 (e4m3) cache with per-tensor "
          "scales vs NVFP4 cache (e4m3 block scales, global scales); TB/s of the "
          "bytes each reads (NVFP4: packed K/V + block scales + q)")
    quantized = [("fp8", "attn-mlir-fp8"), ("nvfp4", "attn-mlir-nvfp4")]
    print(f"{'batch,kv_len,qo,kv,d':>26} {'bf16 TB/s':>10} {'bf16 ms':>8} "
          f"{'bf16 Gtok/s':>12} "
          + " ".join(f"{l + ' TB/s':>11} {l + ' ms':>9} {l + ' Gtok/s':>13} "
                     f"{l + '/bf16':>11}" for l, _ in quantized))
    for row in rows:
        a = row["attn-mlir"]
        cells = [f"{row[key]['tb_s']:11.2f} {row[key]['ms']:9.3f} "
                 f"{row[key]['kv_tokens_per_s'] / 1e9:13.2f} "
                 f"{a['ms'] / row[key]['ms']:11.2f}" for _, key in quantized]
        print(f"{str(tuple(row['shape'])):>26} {a['tb_s']:10.2f} {a['ms']:8.3f} "
              f"{a['kv_tokens_per_s'] / 1e9:12.2f} " + " ".join(cells))
    print("max abs error of attn-mlir vs fp32 SDPA per shape:",
          [round(r["max_abs_err_vs_fp32"], 5) for r in rows])
    cost = host_cost(lib)
    print("host time per decode call while the GPU is busy (batch 64, kv_len "
          f"4096): compiled entry point {cost['entry_point_us']:.1f} us, bound "
          f"call {cost['bound_call_us']:.1f} us, lib.call "
          f"{cost['python_call_us']:.1f} us")
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"device": name, "page_size": PAGE, "rows": rows,
                       "host_cost": cost}, f, indent=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emit-mlir", action="store_true")
    parser.add_argument("--lib")
    parser.add_argument("--iters", type=int, default=30)
    parser.add_argument("--json")
    parser.add_argument("--host-cost-only", action="store_true",
                        help="only the host time per call")
    args = parser.parse_args()
    if args.emit_mlir:
        sys.stdout.write(emit_mlir())
        return
    if not args.lib:
        parser.error("--lib is required unless --emit-mlir")
    if args.host_cost_only:
        import attn_mlir
        print(json.dumps(host_cost(attn_mlir.load(args.lib))))
        return
    run(args.lib, args.iters, args.json)


if __name__ == "__main__":
    main()
