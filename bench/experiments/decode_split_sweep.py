"""Decode bf16: attn-mlir's time per KV split size (tiles of 64 keys a CTA),
forced through ATTN_X_TILES (read by the wip/decode-split-sweep runtime at
each call; 0 = the launch's own choice), beside cuDNN SDPA on the same
shapes, in one run. Shapes are visited twice (forward, then backward) so an
order effect shows.

  PYTHONPATH=python:bench python3 bench/experiments/decode_split_sweep.py \
      --lib A.so [--lib B.so ...] [--tiles 0,8,16,...]
"""
import argparse
import time
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from decode_bench import (SHAPES, config_for, gather_pages,  # noqa: E402
                          paged_inputs, time_ms)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", action="append", required=True)
    ap.add_argument("--tiles", default="0,8,12,16,24,32,48,64,128")
    ap.add_argument("--shapes", default="0,1,2,3,4,9")
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--ours-first", action="store_true",
                    help="time attn-mlir before cuDNN at each visit")
    args = ap.parse_args()
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    import attn_mlir
    libs = [attn_mlir.load(p) for p in args.lib]
    tiles = [int(t) for t in args.tiles.split(",")]
    idx = [int(i) for i in args.shapes.split(",")]
    order = idx + idx[::-1]
    dev = torch.device("cuda")
    print("device:", torch.cuda.get_device_name(dev))
    results = {}
    for i in order:
        batch, kv_len, H, KH, D = SHAPES[i]
        cfg = config_for(H, KH, D)
        kc, vc, bt, sl, q = paged_inputs(SHAPES[i], dev)
        out = torch.empty_like(q)
        nbytes = batch * kv_len * KH * D * 2 * 2

        k = gather_pages(kc, bt, kv_len).contiguous()
        v = gather_pages(vc, bt, kv_len).contiguous()
        qs = q.view(batch, H, 1, D)
        ref = F.scaled_dot_product_attention(qs.float(), k.float(), v.float(),
                                             scale=cfg.scale, enable_gqa=True)
        torch.cuda.synchronize()
        print(f"t {time.time():.3f} set-up done {i}")

        def cudnn():
            with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
                F.scaled_dot_product_attention(qs, k, v, scale=cfg.scale,
                                               enable_gqa=True)
        row = results.setdefault(i, {})

        def time_cudnn():
            t0 = time.time()
            row.setdefault("cudnn", []).append(
                nbytes / time_ms(cudnn, args.iters) / 1e9)
            print(f"t {t0:.3f} {time.time():.3f} {i} cudnn {row['cudnn'][-1]:.2f}")
        if not args.ours_first:
            time_cudnn()
        for li, lib in enumerate(libs):
            for t in tiles:
                os.environ["ATTN_X_TILES"] = str(t)
                lib.call(cfg.name, q, kc, vc, bt, sl, out)
                err = float((out.float() - ref.view_as(out)).abs().max())
                assert err < 0.02, (i, li, t, err)
                fn = lib.bind(cfg.name, q, kc, vc, bt, sl, out)
                t0 = time.time()
                row.setdefault((li, t), []).append(
                    nbytes / time_ms(fn, args.iters) / 1e9)
                print(f"t {t0:.3f} {time.time():.3f} {i} {li}:{t} {row[(li, t)][-1]:.2f}")
        os.environ["ATTN_X_TILES"] = "0"
        if args.ours_first:
            time_cudnn()
        del kc, vc, k, v
        torch.cuda.empty_cache()
        print("done", SHAPES[i], flush=True)
    cols = ["cudnn"] + [(li, t) for li in range(len(libs)) for t in tiles]
    print("TB/s, two visits each (forward / backward); lib index:tiles, tiles 0 = own choice")
    print(f"{'shape':>26} " + " ".join(
        f"{c if isinstance(c, str) else f'{c[0]}:{c[1]}':>11}" for c in cols))
    for i in idx:
        r = results[i]
        print(f"{str(SHAPES[i]):>26} " + " ".join(
            f"{r[c][0]:5.2f}/{r[c][1]:5.2f}" for c in cols))


if __name__ == "__main__":
    main()
