"""Two builds of the decode bench library on the same inputs: the outputs
of every cache format at the given shapes, compared bit for bit (a change
meant to keep the arithmetic, e.g. another instruction sequence for the
same NVFP4 bits, must give identical outputs).

  PYTHONPATH=python:bench python3 bench/experiments/decode_compare_libs.py \
      --lib A.so --lib B.so [--shapes 0,6,7,9]
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from decode_bench import PAGE, SHAPES, config_for, kernel_name  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", action="append", required=True)
    ap.add_argument("--shapes", default="0,6,7,9")
    args = ap.parse_args()
    import torch

    import attn_mlir
    from attn_mlir.quant import quantize_nvfp4
    libs = [attn_mlir.load(p) for p in args.lib]
    dev = torch.device("cuda")
    bad = 0
    for i in (int(s) for s in args.shapes.split(",")):
        batch, kv_len, H, KH, D = SHAPES[i]
        torch.manual_seed(i)
        pps = math.ceil(kv_len / PAGE)
        pages = batch * pps
        kc = torch.randn(pages, KH, PAGE, D, device=dev, dtype=torch.bfloat16)
        vc = torch.randn_like(kc)
        bt = torch.randperm(pages, device=dev).int().view(batch, pps)
        # Ragged lengths: the last tile's masking and zeroed rows run too.
        sl = torch.randint(kv_len // 2, kv_len + 1, (batch,), dtype=torch.int32,
                           device=dev)
        q = torch.randn(batch, H, D, device=dev, dtype=torch.bfloat16)
        one = torch.tensor(1.0, device=dev)
        k4, ks, kg = quantize_nvfp4(kc)
        v4, vs, vg = quantize_nvfp4(vc)
        formats = {None: [kc, vc, bt, sl],
                   "f8": [kc.to(torch.float8_e4m3fn), vc.to(torch.float8_e4m3fn),
                          bt, sl, one, one.clone()],
                   "nvfp4": [k4, v4, bt, sl, ks, vs, kg, vg]}
        for kv, tensors in formats.items():
            cfg = config_for(H, KH, D, kv)
            outs = []
            for lib in libs:
                out = torch.full_like(q, float("nan"))
                lib.call(kernel_name(lib, cfg), q, *tensors, out)
                outs.append(out)
            same = all(torch.equal(outs[0], o) for o in outs[1:])
            finite = bool(torch.isfinite(outs[0]).all())
            diff = max(float((outs[0].float() - o.float()).abs().max())
                       for o in outs[1:])
            bad += not (same and finite)
            print(f"{SHAPES[i]} {kv or 'bf16'}: identical={same} finite={finite} "
                  f"max|diff|={diff:.3g}", flush=True)
    print("all identical" if not bad else f"{bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
