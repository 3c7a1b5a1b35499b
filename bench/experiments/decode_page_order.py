"""What the paging costs: attn-mlir's bf16 decode on the bench's cache with
its block table in random page order (as decode_bench times it) and in
ascending order (each request's pages consecutive in the cache), beside
torch SDPA with cuDNN on the same K/V gathered contiguous, all timed in
the same rounds (decode_bench.time_interleaved).

  PYTHONPATH=python:bench python3 bench/experiments/decode_page_order.py \
      --lib bench.so [--shapes 0,1,2,3,4]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from decode_bench import (config_for, gather_pages, paged_inputs,  # noqa: E402
                          select_shapes, shape_label, time_interleaved)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--shapes", default="0,1,2,3,4")
    ap.add_argument("--iters", type=int, default=30)
    args = ap.parse_args()
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    import attn_mlir
    lib = attn_mlir.load(args.lib)
    dev = torch.device("cuda")
    for shape in select_shapes(args.shapes):
        batch, kv_len, H, KH, D = shape
        kc, vc, bt, sl, q = paged_inputs(shape, dev)
        ascending = torch.sort(bt.flatten())[0].view_as(bt).contiguous()
        name = config_for(H, KH, D, None).name
        outs = [torch.empty_like(q) for _ in range(2)]
        fns = {"random pages": lib.bind(name, q, kc, vc, bt, sl, outs[0]),
               "ascending pages": lib.bind(name, q, kc, vc, ascending, sl, outs[1])}
        k = gather_pages(kc, bt, kv_len)
        v = gather_pages(vc, bt, kv_len)
        qs = q.view(batch, H, 1, D)
        scale = config_for(H, KH, D, None).scale

        def cudnn():
            with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
                return F.scaled_dot_product_attention(qs, k, v, scale=scale,
                                                      enable_gqa=True)
        fns["sdpa-cudnn"] = cudnn
        for fn in fns.values():
            fn()
        torch.cuda.synchronize()
        ms = time_interleaved(fns, args.iters)
        kv_bytes = 2 * batch * KH * kv_len * D * 2
        line = [shape_label(shape)]
        for label, t in ms.items():
            line.append(f"{label} {kv_bytes / t / 1e9:.2f} TB/s")
        line.append(f"ours/cudnn random {ms['sdpa-cudnn'] / ms['random pages']:.3f}"
                    f" ascending {ms['sdpa-cudnn'] / ms['ascending pages']:.3f}")
        print(" | ".join(line), flush=True)


if __name__ == "__main__":
    sys.exit(main())
