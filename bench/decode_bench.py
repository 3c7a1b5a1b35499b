"""Decode throughput: attn-mlir's compiled paged decode beside torch SDPA
(cuDNN and flash backends) on the same K/V gathered contiguous,
gather-then-SDPA (the page gather included) and, with `--flex`,
FlexAttention over a paged cache, in one run on one GPU (issue 14).

Shapes (bf16 q, HND, page 16; `--shapes` picks some by name or index):
issue 14's table, all with B * L = 262144 KV tokens and 1.07 GB of bf16
K/V: B64 L4096, B16 L16384, B256 L1024 (Hq 64), B128 L2048, B8 L32768 (Hq
32, Hkv 8, d128: GQA group 4, except B256's group 8); then B1 L8192 (a
small batch), head_dim 64 and 256, and GQA groups 1 (Hq 8) and 8 (Hq 64),
each at B64 L4096 with Hkv 8. No shape had to be made smaller: the largest
GPU memory peak is the d256 shape's, about 50 GB (its 2.1 GB of bf16 K/V,
the gathered contiguous copies, and the NVFP4 quantization's float32
temporaries, about 84 bytes per K value); the others peak near 25 GB.
Each row's `peak_gb` is torch's max_memory_allocated for that shape.

Each cache format is read by attn-mlir at every shape: bf16, fp8 (e4m3,
per-tensor scales) and NVFP4 (e2m1 pairs, e4m3 block scales, global
scales). For each: KV tokens/s (batch * kv_len / time), TB/s of the bytes
that format holds for K and V (bf16 2 bytes a value, fp8 1, NVFP4 0.5 plus
one e4m3 block scale per 16 values; q and out are not counted, nor is the
block table), the ratio of its tokens/s to the bf16 cache's at the same
shape (`x_bf16`), and its TB/s as a fraction of the read ceiling
(`frac_of_ceiling`). The peers read the bf16 K/V: the same counts.

The read ceiling is measured in the same run, at its start and at its end:
reductions (sum, amax, row sums) over 3 GiB of bf16, about 50 times the
L2, timed like everything else; the best of them is the ceiling.

FlexAttention (`--flex`): torch's experimental PagedAttention helper
(torch.nn.attention.experimental._paged_attention) over a page-128 cache
of the same K/V (page 128 is the block size FlexAttention takes), its
pages scattered at random, q one token per request, through
torch.compile(flex_attention); compiled and checked against the fp32
reference before timing, so compile time is never counted. Any failure
leaves {"skipped": reason} in its place. Compiling takes tens of seconds a
shape.

A time is the median over 7 rounds of CUDA events around `--iters`
back-to-back calls, divided by `--iters`. Every candidate of a shape (each
format of attn-mlir, each peer) is set up and checked first, then all are
timed in the same rounds, in an order that rotates from round to round
(`time_interleaved`): whatever runs first after a shape's set-up can run
10-15% slow on the H200 (cuDNN as well as attn-mlir), which the earlier
one-candidate-after-another timing always charged to attn-mlir, timed
first. And each candidate's timed calls follow three untimed ones of its
own (`--settle 3`): a rotation keeps the cyclic order, so a candidate
follows the same one in 6 rounds of 7, and what that one leaves behind was
charged to it (cuDNN, after attn-mlir's bf16, measured 2-4% slow, fp8,
after gather+sdpa, 1-3%;
bench/results/h200-decode-2026-12-01-session15-order-settle.txt).
attn-mlir's calls go through `lib.bind` (its Python-side argument checks
once) and include the compiled entry point's host side (every TMA rule checked, descriptors encoded,
launch), which overlaps the previous call's kernel; the peers are torch
calls with their own Python cost. (`lib.call` adds about 40 us of Python a
call, reported as the host cost; it used to be what was timed, which made
small shapes such as B1 L8192 partly host-bound.) The exit status is 1 if
an attn-mlir entry failed.

  PYTHONPATH=python:bench python3 bench/decode_bench.py --emit-mlir > b.mlir
  (compile b.mlir with attn_mlir.compile, then on the GPU machine:)
  PYTHONPATH=python:bench python3 bench/decode_bench.py --lib b.so --json out.json [--flex]
"""

import argparse
import ctypes
import dataclasses
import inspect
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python", "tests"))
from decode_matrix import Config  # noqa: E402

PAGE = 16
FLEX_PAGE = 128  # FlexAttention's KV block size: the PagedAttention page
# (batch, kv_len, qo_heads, kv_heads, head_dim). The first is also the
# host-cost shape.
SHAPES = [(64, 4096, 32, 8, 128), (16, 16384, 32, 8, 128), (256, 1024, 64, 8, 128),
          (128, 2048, 32, 8, 128), (8, 32768, 32, 8, 128),
          (1, 8192, 32, 8, 128),                            # small batch
          (64, 4096, 32, 8, 64), (64, 4096, 32, 8, 256),    # head_dim 64, 256
          (64, 4096, 8, 8, 128), (64, 4096, 64, 8, 128)]    # GQA group 1, 8
SHAPE_NAMES = ["B64-L4096", "B16-L16384", "B256-L1024-H64", "B128-L2048",
               "B8-L32768", "B1-L8192", "B64-L4096-d64", "B64-L4096-d256",
               "B64-L4096-g1", "B64-L4096-g8"]
# Reductions over this many bytes of bf16 give the read ceiling: ~50x the
# H200's 60 MB L2, and under 2**31 elements (one kernel, 32-bit indexing).
CEILING_BYTES = 3 << 30

KV_DTYPES = (None, "f8", "nvfp4")  # bf16 cache, fp8, NVFP4
# The JSON/table key of each cache format's attn-mlir entry.
FORMATS = [("bf16", "attn-mlir"), ("fp8", "attn-mlir-fp8"),
           ("nvfp4", "attn-mlir-nvfp4")]
PEERS = ["sdpa-cudnn", "sdpa-flash", "gather+sdpa", "flex-paged"]


def shape_label(shape):
    batch, kv_len, H, KH, D = shape
    return f"B{batch} L{kv_len} H{H}/{KH} d{D}"


def select_shapes(spec):
    """SHAPES picked by `--shapes`: comma-separated names (SHAPE_NAMES,
    case-insensitive) or indices; None or 'all': every shape."""
    if spec is None or spec.strip().lower() == "all":
        return list(SHAPES)
    names = [n.lower() for n in SHAPE_NAMES]
    picked = []
    for item in (s.strip() for s in spec.split(",") if s.strip()):
        if item.isdigit() and int(item) < len(SHAPES):
            i = int(item)
        elif item.lower() in names:
            i = names.index(item.lower())
        else:
            raise ValueError(f"unknown shape {item!r}; choose from "
                             + ", ".join(SHAPE_NAMES) + " or 0-"
                             + str(len(SHAPES) - 1))
        if SHAPES[i] not in picked:
            picked.append(SHAPES[i])
    return picked


def config_for(qo_heads, kv_heads, head_dim, kv_dtype=None):
    """bf16 q, HND, page 16; quantized caches with global scales; dense
    pages (the bench's caches are contiguous, as the front end would find)."""
    return Config(dtype="bf16", layout="hnd", head_dim=head_dim,
                  group=qo_heads // kv_heads, page=PAGE, kv_heads=kv_heads,
                  kv_dtype=kv_dtype, global_scales=kv_dtype is not None,
                  dense_pages=True)


def kernel_name(lib, cfg):
    """cfg's function in `lib`, or, in a library built before dense pages
    (an older build in an A/B), the same op's without them."""
    if cfg.name in lib.signatures:
        return cfg.name
    return dataclasses.replace(cfg, dense_pages=False).name


def emit_mlir(shapes=None):
    """Every format's kernel for `shapes` (default all), and always the
    host-cost shape's bf16 kernel."""
    configs = {}
    for _, _, h, kh, d in shapes or SHAPES:
        for kv in KV_DTYPES:
            c = config_for(h, kh, d, kv)
            configs[c.name] = c
    _, _, h, kh, d = SHAPES[0]
    configs.setdefault(config_for(h, kh, d).name, config_for(h, kh, d))
    return "\n".join(c.mlir() for c in configs.values())


def time_ms(fn, iters, warmup=5, repeats=5):
    """Milliseconds per call of one `fn`: CUDA events around `iters`
    back-to-back calls (the GPU queue stays full when the host is faster
    than the kernel), the median of `repeats` such runs (time_interleaved
    with one candidate); raises what `fn` raised."""
    ms = time_interleaved({"fn": fn}, iters, warmup, repeats)["fn"]
    if isinstance(ms, dict):
        raise RuntimeError(ms["error"])
    return ms


def gather_pages(cache, block_table, length):
    """An HND paged `cache` [pages, Hkv, page, D] read through `block_table`
    [B, pages a request] as [B, Hkv, length, D] (the first `length` tokens
    of each request; a copy, not necessarily contiguous)."""
    batch, kv_heads, d = block_table.shape[0], cache.shape[1], cache.shape[3]
    c = cache[block_table.long()]  # [B, pages, KH, P, D]
    return c.permute(0, 2, 1, 3, 4).reshape(batch, kv_heads, -1, d)[:, :, :length]


def paged_inputs(shape, dev):
    """The bf16 inputs of a decode `shape` (batch, kv_len, Hq, Hkv, D) as
    every bench script draws them (seed 0, this order): K and V caches
    [pages, Hkv, PAGE, D] of random values, a block table of the pages in
    random order, every request kv_len long, q [batch, Hq, D]. Returns
    (k_cache, v_cache, block_table, seq_lens, q)."""
    import torch
    batch, kv_len, H, KH, D = shape
    torch.manual_seed(0)
    pages_per_seq = math.ceil(kv_len / PAGE)
    num_pages = batch * pages_per_seq
    k_cache = torch.randn(num_pages, KH, PAGE, D, device=dev, dtype=torch.bfloat16)
    v_cache = torch.randn(num_pages, KH, PAGE, D, device=dev, dtype=torch.bfloat16)
    block_table = torch.randperm(num_pages, device=dev).int().view(batch, pages_per_seq)
    seq_lens = torch.full((batch,), kv_len, dtype=torch.int32, device=dev)
    q = torch.randn(batch, H, D, device=dev, dtype=torch.bfloat16)
    return k_cache, v_cache, block_table, seq_lens, q


def format_inputs(fmt, k_cache, v_cache, block_table, seq_lens, dev):
    """The tensors of an attn-mlir decode call (less q and out) on the bf16
    cache of paged_inputs in cache format `fmt` (bf16, fp8: e4m3 with unit
    per-tensor scales, nvfp4: quantize_nvfp4), and the kv_dtype of its
    config (config_for)."""
    import torch
    if fmt == "bf16":
        return [k_cache, v_cache, block_table, seq_lens], None
    if fmt == "fp8":
        one = torch.tensor(1.0, device=dev)
        return [k_cache.to(torch.float8_e4m3fn), v_cache.to(torch.float8_e4m3fn),
                block_table, seq_lens, one, one.clone()], "f8"
    from attn_mlir.quant import quantize_nvfp4
    k4, ks, kg = quantize_nvfp4(k_cache)
    v4, vs, vg = quantize_nvfp4(v_cache)
    return [k4, v4, block_table, seq_lens, ks, vs, kg, vg], "nvfp4"


def time_interleaved(fns, iters, warmup=5, repeats=7, order="rotate", settle=3):
    """Milliseconds per call of each of `fns` ({label: fn}), timed as
    time_ms times one, but in rounds: each round times `iters` back-to-back
    calls of every candidate, the first candidate of round r being the
    r-th (rotating), and each candidate's time is the median of its
    `repeats` rounds. So no candidate is always the first timed after the
    shape's set-up: measured on the H200 (session 11), whichever was timed
    first there, attn-mlir or cuDNN, ran 10-15% slower on some shapes
    (bench/results/h200-decode-2026-11-30-session11-order-ab.txt). A
    candidate that raises while warming up gets {"error": ...} instead.
    order="shuffle": each round in its own seeded random order instead, so
    that no candidate always follows the same one (a rotation keeps the
    cyclic order: the candidate after gather+sdpa, which writes gigabytes,
    follows it in every round but one). settle: untimed calls of each
    candidate right before its timed calls, so that what the previous
    candidate left (dirty L2 lines, gigabytes of them after gather+sdpa)
    is not charged to it.
    Returns {label: ms or {"error": message}}."""
    import torch
    result, live = {}, []
    for label, fn in fns.items():
        try:
            for _ in range(warmup):
                fn()
            torch.cuda.synchronize()
            live.append(label)
        except Exception as e:  # a backend that refuses the shape
            result[label] = {"error": _first_line(e, 120)}
    samples = {label: [] for label in live}
    for r in range(repeats):
        if order == "shuffle":
            sequence = random.Random(r).sample(live, len(live))
        else:
            sequence = live[r % len(live):] + live[:r % len(live)] if live else []
        for label in sequence:
            fn = fns[label]
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            for _ in range(settle):
                fn()
            start.record()
            for _ in range(iters):
                fn()
            end.record()
            end.synchronize()
            samples[label].append(start.elapsed_time(end) / iters)
    for label in live:
        times = sorted(samples[label])
        result[label] = times[len(times) // 2]
    return result


def read_ceiling(iters):
    """TB/s of reductions over CEILING_BYTES of random bf16, timed with
    time_ms: the whole tensor summed and its amax (one value each), and
    sums of 8192-value rows; 'ceiling_tb_s' is the best of them."""
    import torch
    x = torch.randn(CEILING_BYTES // 2, device="cuda", dtype=torch.bfloat16)
    rows = x.view(-1, 8192)
    variants = {"sum": lambda: x.sum(),
                "amax": lambda: x.amax(),
                "row_sum": lambda: rows.sum(dim=1)}
    result = {"bytes": x.numel() * x.element_size(), "tb_s": {}, "ms": {}}
    for label, fn in variants.items():
        ms = time_ms(fn, iters)
        result["ms"][label] = ms
        result["tb_s"][label] = result["bytes"] / (ms * 1e-3) / 1e12
    result["ceiling_tb_s"] = max(result["tb_s"].values())
    del x, rows
    torch.cuda.empty_cache()
    return result


def flex_paged(q, k, v, scale):
    """FlexAttention over a paged copy of k, v ([B, KH, L, D] contiguous)
    with page FLEX_PAGE, through torch's experimental PagedAttention
    helper: pages reserved per request from a shuffled free list (the
    helper's own `empty_pages`), the logical block mask (every position of
    each request) converted to physical pages by the helper, and
    torch.compile(flex_attention) with q [B, Hq, 1, D] over the one-batch
    caches [1, KH, pages * 128, D]. Returns (fn, caches): fn computes and
    returns the output, [B, Hq, 1, D]."""
    import torch
    from torch.nn.attention.experimental._paged_attention import PagedAttention
    from torch.nn.attention.flex_attention import (create_block_mask,
                                                   flex_attention, noop_mask)

    batch, KH, kv_len, D = k.shape
    H = q.shape[1]
    page = FLEX_PAGE
    if kv_len % page:
        raise ValueError(f"kv_len {kv_len} is not a multiple of page {page}")
    dev = k.device
    per_seq = kv_len // page
    n_pages = batch * per_seq
    paged = PagedAttention(n_pages, page, batch, device=dev)
    # reserve() takes free pages from the end of this list: shuffled, a
    # request's pages lie scattered, as in a serving cache.
    gen = torch.Generator().manual_seed(0)
    paged.empty_pages = torch.randperm(n_pages, generator=gen).tolist()
    length = torch.tensor(kv_len, device=dev)
    for b in range(batch):  # as the helper's tests reserve (batch_reserve)
        paged.reserve(torch.tensor(b), length)
    table = paged.page_table[:batch, :per_seq].reshape(-1)  # physical pages
    if bool((table < 0).any()):
        raise RuntimeError("PagedAttention.reserve left pages unassigned")

    def paged_copy(x):
        # What PagedAttention.assign writes (its input_pos shape differs
        # between torch versions): token t of request b at
        # page_table[b, t // page] * page + t % page.
        cache = torch.zeros(1, KH, n_pages * page, D, dtype=x.dtype, device=dev)
        cache.view(KH, n_pages, page, D)[:, table] = (
            x.view(batch, KH, per_seq, page, D).transpose(0, 1)
            .reshape(KH, n_pages, page, D))
        return cache

    k_paged, v_paged = paged_copy(k), paged_copy(v)
    logical = create_block_mask(noop_mask, batch, 1, 1, kv_len, device=dev,
                                BLOCK_SIZE=page)
    kwargs = {}
    if "kv_len" in inspect.signature(paged.convert_logical_block_mask).parameters:
        kwargs["kv_len"] = torch.full((batch,), kv_len, dtype=torch.int64,
                                      device=dev)
    block_mask = paged.convert_logical_block_mask(logical, **kwargs)
    qf = q.view(batch, H, 1, D)
    torch._dynamo.reset()  # one static compile per shape, no recompile limit
    compiled = torch.compile(flex_attention, dynamic=False)

    def fn():
        return compiled(qf, k_paged, v_paged, block_mask=block_mask,
                        scale=scale, enable_gqa=H != KH)
    return fn, (k_paged, v_paged)


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


def _first_line(e, n=160):
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0] if lines else ''}"[:n]


def run(lib_path, iters, json_path, shapes=None, flex=False, order="rotate",
        settle=3):
    """Returns the exit status: 1 if an attn-mlir entry failed."""
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    import attn_mlir

    lib = attn_mlir.load(lib_path)
    dev = torch.device("cuda")
    name = torch.cuda.get_device_name(dev)
    ceilings = {"start": read_ceiling(iters)}
    print(f"read ceiling (start): {ceilings['start']['ceiling_tb_s']:.2f} TB/s",
          flush=True)
    rows = []
    for shape in shapes or SHAPES:
        batch, kv_len, H, KH, D = shape
        cfg = config_for(H, KH, D)
        torch.cuda.reset_peak_memory_stats()
        k_cache, v_cache, block_table, seq_lens, q = paged_inputs(shape, dev)
        out = torch.empty_like(q)
        tokens = batch * kv_len
        kv_values = tokens * KH * D * 2  # K and V
        kv_bytes = kv_values * 2  # bf16

        def gather(cache):  # [B, KH, L, D]
            return gather_pages(cache, block_table, kv_len)

        k = gather(k_cache).contiguous()
        v = gather(v_cache).contiguous()
        qs = q.view(batch, H, 1, D)

        def ours():
            lib.call(cfg.name, q, k_cache, v_cache, block_table, seq_lens, out,
                     synchronous=False)

        def ours_bound():
            # Timed through lib.bind: the compiled entry point (every TMA
            # rule checked, descriptors encoded, each call), without
            # lib.call's Python-side argument checks.
            return lib.bind(cfg.name, q, k_cache, v_cache, block_table, seq_lens,
                            out)

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
        ref = F.scaled_dot_product_attention(qs.float(), k.float(), v.float(),
                                             scale=cfg.scale, enable_gqa=True)
        row = {"name": SHAPE_NAMES[SHAPES.index(shape)] if shape in SHAPES else None,
               "shape": [batch, kv_len, H, KH, D], "kv_gb": kv_bytes / 1e9,
               "kv_tokens": tokens, "max_abs_err_vs_fp32": None}
        # Every candidate of the shape, {label: (fn, bytes read)}, timed
        # together below (time_interleaved) once all are set up.
        pool = {}
        try:
            ours()
            torch.cuda.synchronize()
            row["max_abs_err_vs_fp32"] = float((out.float() - ref.view_as(out)).abs().max())
            pool["attn-mlir"] = (ours_bound(), kv_bytes)
        except Exception as e:
            row["attn-mlir"] = {"error": _first_line(e)}
        pool["sdpa-cudnn"] = (sdpa(SDPBackend.CUDNN_ATTENTION), kv_bytes)
        pool["sdpa-flash"] = (sdpa(SDPBackend.FLASH_ATTENTION), kv_bytes)
        pool["gather+sdpa"] = (gather_then_sdpa, kv_bytes)

        def quantized(label, fmt, bytes_read):
            """attn-mlir on the same shape from a quantized cache
            (format_inputs): only it reads those here."""
            tensors, kv_dtype = format_inputs(fmt, k_cache, v_cache, block_table,
                                              seq_lens, dev)
            qname = config_for(H, KH, D, kv_dtype).name
            try:
                lib.call(qname, q, *tensors, out)  # checked once, synchronously
                pool[label] = (lib.bind(qname, q, *tensors, out), bytes_read)
            except Exception as e:
                row[label] = {"error": _first_line(e)}

        # fp8 (e4m3) with per-tensor scales: 1 byte a value.
        quantized("attn-mlir-fp8", "fp8", kv_values)
        # NVFP4: half a byte a value, plus one e4m3 block scale per 16
        # values (tight: a head's page of scales is 16 * D / 16 bytes).
        quantized("attn-mlir-nvfp4", "nvfp4", kv_values // 2 + kv_values // 16)

        flex_err = None
        if flex:  # compiled and checked before any timing
            try:
                fn, caches = flex_paged(qs, k, v, cfg.scale)
                got = fn()  # compiles; the timing's warm-up is after this
                torch.cuda.synchronize()
                flex_err = float((got.float() - ref).abs().max())
                pool["flex-paged"] = (fn, kv_bytes)
                got = None
            except Exception as e:
                row["flex-paged"] = {"skipped": _first_line(e, 200)}

        times = time_interleaved({label: fn for label, (fn, _) in pool.items()},
                                 iters, order=order, settle=settle)
        for label, (_, bytes_read) in pool.items():
            ms = times[label]
            row[label] = ms if isinstance(ms, dict) else {
                "ms": ms, "tb_s": bytes_read / (ms * 1e-3) / 1e12,
                "kv_tokens_per_s": tokens / (ms * 1e-3),
                "bytes_read": bytes_read}
        if "ms" in row.get("flex-paged", {}):
            row["flex-paged"]["max_abs_err_vs_fp32"] = flex_err
            row["flex-paged"]["page"] = FLEX_PAGE
        # The paged copies and the quantized caches (held by their bound
        # calls) go with this shape.
        pool = fn = caches = None
        row["peak_gb"] = torch.cuda.max_memory_allocated() / 1e9
        rows.append(row)
        print(f"{shape_label(shape)}: done, peak {row['peak_gb']:.1f} GB", flush=True)
        del k, v, k_cache, v_cache, ref
        torch.cuda.empty_cache()
    ceilings["end"] = read_ceiling(iters)
    ceiling = add_ratios(rows, ceilings)
    report(rows, ceilings, ceiling, name, flex)
    cost = host_cost(lib)
    print("host time per decode call while the GPU is busy (batch 64, kv_len "
          f"4096): compiled entry point {cost['entry_point_us']:.1f} us, bound "
          f"call {cost['bound_call_us']:.1f} us, lib.call "
          f"{cost['python_call_us']:.1f} us")
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"device": name, "page_size": PAGE, "flex_page_size": FLEX_PAGE,
                       "iters": iters, "order": order, "settle": settle, "torch": torch.__version__,
                       "read_ceiling": {"tb_s": ceiling, **ceilings},
                       "bytes_per_value": {"bf16": 2, "fp8": 1, "nvfp4": 0.5 + 1 / 16},
                       "rows": rows, "host_cost": cost}, f, indent=1)
    failed = [(shape_label(r["shape"]), k) for r in rows for _, k in FORMATS
              if "error" in r.get(k, {"error": "missing"})]
    if failed:
        print("attn-mlir failed at:", failed)
    return 1 if failed else 0


def add_ratios(rows, ceilings):
    """Adds x_bf16 (tokens/s over the bf16 cache's) and frac_of_ceiling
    (TB/s over the read ceiling) to every timed entry; returns the
    ceiling, the best of `ceilings`."""
    ceiling = max(c["ceiling_tb_s"] for c in ceilings.values())
    # Ratios: tokens/s over the bf16 cache's; TB/s over the ceiling.
    for row in rows:
        base = row.get("attn-mlir", {}).get("kv_tokens_per_s")
        for key in [k for _, k in FORMATS] + PEERS:
            r = row.get(key)
            if not r or "ms" not in r:
                continue
            r["x_bf16"] = r["kv_tokens_per_s"] / base if base else None
            r["frac_of_ceiling"] = r["tb_s"] / ceiling
    return ceiling


def report(rows, ceilings, ceiling, name, flex):
    """Prints the tables."""
    def fmt(r, spec):
        return spec.format(**r) if r and "ms" in r else None

    labels = ["attn-mlir", "sdpa-cudnn", "sdpa-flash", "gather+sdpa"] + (
        ["flex-paged"] if flex else [])
    print()
    print(f"decode, bf16, HND, page {PAGE} (flex-paged: page {FLEX_PAGE}), on "
          f"{name}; TB/s of K/V bytes (ms)")
    print(f"{'batch,kv_len,qo,kv,d':>26} " + " ".join(f"{l:>18}" for l in labels)
          + f" {'ours/cudnn':>10} {'ours/flash':>10}")
    for row in rows:
        cells = [fmt(row.get(l), "{tb_s:7.2f} ({ms:7.3f})") or f"{'n/a':>18}"
                 for l in labels]

        def ratio(other):
            a, b = row.get("attn-mlir", {}), row.get(other, {})
            return (f"{a['tb_s'] / b['tb_s']:10.2f}" if "tb_s" in a and "tb_s" in b
                    else f"{'n/a':>10}")
        print(f"{str(tuple(row['shape'])):>26} " + " ".join(f"{c:>18}" for c in cells)
              + f" {ratio('sdpa-cudnn')} {ratio('sdpa-flash')}")
        for l in labels + ["attn-mlir-fp8", "attn-mlir-nvfp4"]:
            r = row.get(l) or {}
            if "error" in r or "skipped" in r:
                print(f"    {l}: {r.get('error') or 'skipped: ' + r['skipped']}")
    print()
    print(f"read ceiling: {ceiling:.2f} TB/s, the best reduction over "
          f"{CEILING_BYTES / 1e9:.2f} GB of bf16 (start: "
          + ", ".join(f"{k} {v:.2f}" for k, v in ceilings["start"]["tb_s"].items())
          + "; end: "
          + ", ".join(f"{k} {v:.2f}" for k, v in ceilings["end"]["tb_s"].items())
          + ")")
    print("attn-mlir per cache format (bf16 query): KV Gtok/s; TB/s of the "
          "format's own K/V bytes (bf16 2 B a value, fp8 1 B, NVFP4 0.5 B + "
          "one e4m3 scale per 16 values); x bf16 = tokens/s over the bf16 "
          "cache's; %ceil = TB/s over the read ceiling")
    head = f"{'shape':>24}"
    for f, _ in FORMATS:
        head += f" | {f + ' Gtok/s':>12} {'TB/s':>5} {'%ceil':>5}"
        if f != "bf16":
            head += f" {'x bf16':>6}"
    print(head)
    for row in rows:
        line = f"{shape_label(row['shape']):>24}"
        for f, key in FORMATS:
            r = row.get(key)
            if not r or "ms" not in r:
                width = 24 if f == "bf16" else 31
                line += f" | {('error' if r and 'error' in r else 'n/a'):>{width}}"
                continue
            cell = (f"{r['kv_tokens_per_s'] / 1e9:12.2f} {r['tb_s']:5.2f} "
                    f"{100 * r['frac_of_ceiling']:5.1f}")
            if f != "bf16":
                cell += (f" {r['x_bf16']:6.2f}" if r.get("x_bf16") is not None
                         else f" {'n/a':>6}")
            line += " | " + cell
        print(line)
    print("peers on the bf16 K/V: KV Gtok/s, TB/s, %ceil, x bf16 (attn-mlir's)")
    head = f"{'shape':>24}"
    for p in labels[1:]:
        head += f" | {p:>11} {'TB/s':>5} {'%ceil':>5} {'x bf16':>6}"
    print(head)
    for row in rows:
        line = f"{shape_label(row['shape']):>24}"
        for p in labels[1:]:
            r = row.get(p)
            if not r or "ms" not in r:
                line += f" | {('skipped' if r and 'skipped' in r else 'n/a'):>30}"
                continue
            xb = f"{r['x_bf16']:6.2f}" if r.get("x_bf16") is not None else f"{'n/a':>6}"
            line += (f" | {r['kv_tokens_per_s'] / 1e9:11.2f} {r['tb_s']:5.2f} "
                     f"{100 * r['frac_of_ceiling']:5.1f} {xb}")
        print(line)
    print("max abs error of attn-mlir (bf16 cache) vs fp32 SDPA per shape:",
          [None if r["max_abs_err_vs_fp32"] is None else round(r["max_abs_err_vs_fp32"], 5)
           for r in rows])
    if flex:
        print("max abs error of flex-paged vs fp32 SDPA per shape:",
              [round(r["flex-paged"]["max_abs_err_vs_fp32"], 5)
               if "max_abs_err_vs_fp32" in r.get("flex-paged", {}) else None
               for r in rows])
    print("GPU memory peak per shape (GB):", [round(r["peak_gb"], 1) for r in rows])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emit-mlir", action="store_true")
    parser.add_argument("--lib")
    parser.add_argument("--iters", type=int, default=30)
    parser.add_argument("--order", choices=["rotate", "shuffle"], default="rotate",
                        help="the candidates' order from round to round "
                        "(time_interleaved)")
    parser.add_argument("--settle", type=int, default=3, metavar="N",
                        help="untimed calls of each candidate right before "
                        "its timed ones (time_interleaved)")
    parser.add_argument("--json")
    parser.add_argument("--host-cost-only", action="store_true",
                        help="only the host time per call")
    parser.add_argument("--shapes", metavar="LIST",
                        help="comma-separated shape names or indices (default "
                             "all): " + ", ".join(f"{i} {n}" for i, n in
                                                  enumerate(SHAPE_NAMES)))
    parser.add_argument("--flex", action="store_true",
                        help="also time FlexAttention over a page-128 cache "
                             "(PagedAttention; torch.compile: tens of seconds "
                             "a shape to start)")
    args = parser.parse_args()
    try:
        shapes = select_shapes(args.shapes)
    except ValueError as e:
        parser.error(str(e))
    if args.emit_mlir:
        sys.stdout.write(emit_mlir(shapes))
        return 0
    if not args.lib:
        parser.error("--lib is required unless --emit-mlir")
    if args.host_cost_only:
        import attn_mlir
        print(json.dumps(host_cost(attn_mlir.load(args.lib))))
        return 0
    return run(args.lib, args.iters, args.json, shapes, args.flex, args.order,
               args.settle)


if __name__ == "__main__":
    sys.exit(main())
