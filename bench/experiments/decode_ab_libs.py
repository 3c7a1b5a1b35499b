"""A/B of several builds of the decode bench library, timed in the same
rounds (decode_bench.time_interleaved): for each shape, every library's
kernel of each asked cache format, with the bf16 kernel of the first
library as the tokens/s reference. Prints TB/s of each format's own bytes
and the tokens/s ratio to that bf16 reference. A variant that changes the
instruction sequence but not the arithmetic should also pass
decode_compare_libs.py (bit-identical outputs).

  PYTHONPATH=python:bench python3 bench/experiments/decode_ab_libs.py \
      --lib main.so --lib variant.so [--formats nvfp4,fp8] [--shapes 0,1,2]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from decode_bench import (config_for, format_inputs, kernel_name,  # noqa: E402
                          paged_inputs, select_shapes, shape_label,
                          time_interleaved)


def cache_bytes(shape, fmt):
    """Bytes a decode call reads of K and V (and block scales) at `shape`."""
    batch, kv_len, _, kv_heads, d = shape
    values = 2 * batch * kv_heads * kv_len * d
    return {"bf16": 2 * values, "fp8": values,
            "nvfp4": values // 2 + values // 16}[fmt]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", action="append", required=True)
    ap.add_argument("--formats", default="nvfp4")
    ap.add_argument("--shapes", default="0,1,2,3,4")
    ap.add_argument("--iters", type=int, default=30)
    args = ap.parse_args()
    import torch

    import attn_mlir
    libs = [attn_mlir.load(p) for p in args.lib]
    # A library is named by its folder, or by its file where two share one.
    names = [os.path.basename(os.path.dirname(os.path.abspath(p))) or p
             for p in args.lib]
    if len(set(names)) < len(names):
        names = [os.path.splitext(os.path.basename(p))[0] for p in args.lib]
    formats = args.formats.split(",")
    dev = torch.device("cuda")
    for shape in select_shapes(args.shapes):
        _, _, H, KH, D = shape
        kc, vc, bt, sl, q = paged_inputs(shape, dev)
        inputs = {fmt: format_inputs(fmt, kc, vc, bt, sl, dev)
                  for fmt in {"bf16", *formats}}
        fns, outs = {}, {}
        for fmt in ["bf16"] + [f for f in formats if f != "bf16"]:
            tensors, kv = inputs[fmt]
            for li, (lib, name) in enumerate(zip(libs, names)):
                if fmt == "bf16" and li > 0 and "bf16" not in formats:
                    continue
                out = torch.empty_like(q)
                fn = lib.bind(kernel_name(lib, config_for(H, KH, D, kv)), q, *tensors, out)
                fn()
                label = f"{name}:{fmt}"
                fns[label], outs[label] = fn, out
        torch.cuda.synchronize()
        ms = time_interleaved(fns, args.iters)
        ref = ms[f"{names[0]}:bf16"]
        line = [shape_label(shape)]
        for label, t in ms.items():
            fmt = label.split(":")[1]
            first = outs[f"{names[0]}:{fmt}"]
            same = torch.equal(outs[label], first)
            line.append(f"{label} {cache_bytes(shape, fmt) / t / 1e9:.2f} TB/s "
                        f"x{ref / t:.2f}{'' if same else ' (differs)'}")
        print(" | ".join(line), flush=True)


if __name__ == "__main__":
    sys.exit(main())
