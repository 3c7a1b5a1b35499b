"""A small target for ncu: attn-mlir decode at one shape of decode_bench
(default B64 L4096 H32/8 d128), one cache format, called `--calls` times.

  ncu --clock-control none -k regex:'^decode_[0-9]+$' --launch-skip 2 \
      --launch-count 1 --set full python3 \
      bench/experiments/decode_profile_target.py --lib b.so --format nvfp4
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from decode_bench import (SHAPES, config_for, format_inputs,  # noqa: E402
                          kernel_name, paged_inputs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--format", choices=["bf16", "fp8", "nvfp4"], default="bf16")
    ap.add_argument("--shape", type=int, default=0)
    ap.add_argument("--calls", type=int, default=5)
    args = ap.parse_args()
    import torch

    import attn_mlir
    lib = attn_mlir.load(args.lib)
    _, _, H, KH, D = SHAPES[args.shape]
    dev = torch.device("cuda")
    kc, vc, bt, sl, q = paged_inputs(SHAPES[args.shape], dev)
    out = torch.empty_like(q)
    tensors, kv = format_inputs(args.format, kc, vc, bt, sl, dev)
    name = kernel_name(lib, config_for(H, KH, D, kv))
    fn = lib.bind(name, q, *tensors, out)
    for _ in range(args.calls):
        fn()
    torch.cuda.synchronize()
    print(name, "ok")


if __name__ == "__main__":
    main()
