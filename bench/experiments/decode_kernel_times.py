"""Where a decode call's time goes: the attention kernel, the split merge
kernel and what lies between them. For each shape and cache format, the
bound call is run back to back under torch.profiler; prints each kernel's
mean duration (CUDA activity records) and the call's mean time from CUDA
events over the same number of calls.

  PYTHONPATH=python:bench python3 bench/experiments/decode_kernel_times.py \
      --lib bench.so [--formats bf16,fp8,nvfp4] [--shapes 1,4]
"""
import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from decode_bench import (config_for, format_inputs, kernel_name,  # noqa: E402
                          paged_inputs, select_shapes, shape_label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--formats", default="bf16,fp8,nvfp4")
    ap.add_argument("--shapes", default="0,1,2,3,4")
    ap.add_argument("--calls", type=int, default=50)
    args = ap.parse_args()
    import torch
    from torch.profiler import ProfilerActivity, profile

    import attn_mlir
    lib = attn_mlir.load(args.lib)
    dev = torch.device("cuda")
    for shape in select_shapes(args.shapes):
        _, _, H, KH, D = shape
        kc, vc, bt, sl, q = paged_inputs(shape, dev)
        for fmt in args.formats.split(","):
            tensors, kv = format_inputs(fmt, kc, vc, bt, sl, dev)
            out = torch.empty_like(q)
            fn = lib.bind(kernel_name(lib, config_for(H, KH, D, kv)), q, *tensors, out)
            for _ in range(5):
                fn()
            torch.cuda.synchronize()
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            with profile(activities=[ProfilerActivity.CUDA]) as prof:
                start.record()
                for _ in range(args.calls):
                    fn()
                end.record()
                torch.cuda.synchronize()
            call_us = start.elapsed_time(end) * 1e3 / args.calls
            kernels = collections.defaultdict(list)
            for ev in prof.events():
                if ev.device_type == torch.autograd.DeviceType.CUDA:
                    kernels[ev.name].append(ev.device_time)
            parts = [f"{name} {sum(t) / len(t):.1f} us x{len(t) // args.calls}"
                     for name, t in sorted(kernels.items())]
            print(f"{shape_label(shape)} {fmt}: call {call_us:.1f} us | "
                  + " | ".join(parts), flush=True)


if __name__ == "__main__":
    sys.exit(main())
