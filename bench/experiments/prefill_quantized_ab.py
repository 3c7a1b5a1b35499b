"""A/B: quantized-cache prefill, wgmma (producer dequant) vs portable; bf16
wgmma and cuDNN on the same shape for reference. Causal, HND, page 16.

Build (LLVM machine):
  PYTHONPATH=python:bench python3 bench/experiments/prefill_quantized_ab.py \\
      --emit-mlir > DIR/q.mlir
  python3 -m attn_mlir.compile DIR/q.mlir -o DIR/wgmma.so --chip sm_90a
  python3 -m attn_mlir.compile DIR/q.mlir -o DIR/portable.so --chip sm_90a \\
      --prefill-kernel portable
Run (GPU): PYTHONPATH=python:bench python3 bench/experiments/prefill_quantized_ab.py DIR
"""
import math, sys, os
sys.path.insert(0, "python/tests"); sys.path.insert(0, "bench")
from prefill_matrix import Config

SHAPES = [(1, 8192, 32, 8, 128), (4, 4096, 32, 32, 128), (4, 4096, 32, 32, 64)]


def config(H, KH, D, kv):
    return Config(dtype="bf16", layout="hnd", head_dim=D, group=H // KH, page=16,
                  kv_heads=KH, causal=True, kv_dtype=kv,
                  global_scales=kv is not None)


if sys.argv[1:] == ["--emit-mlir"]:
    print("\n".join(config(H, KH, D, kv).mlir() for (_, _, H, KH, D) in SHAPES
                    for kv in (None, "f8", "nvfp4")))
    sys.exit(0)

import torch
import attn_mlir
from attn_mlir.quant import quantize_nvfp4
from decode_bench import time_ms
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
DIR = sys.argv[1] if len(sys.argv) > 1 else "build/exp3"
libs = {n: attn_mlir.load(os.path.join(DIR, f"{n}.so")) for n in ("wgmma", "portable")}
dev = torch.device("cuda")
for (B, S, H, KH, D) in SHAPES:
    page = 16; L = S
    torch.manual_seed(0)
    pps = math.ceil(L / page); n = B * pps
    k = torch.randn(n, KH, page, D, device=dev, dtype=torch.bfloat16)
    v = torch.randn(n, KH, page, D, device=dev, dtype=torch.bfloat16)
    bt = torch.randperm(n, device=dev).int().view(B, pps)
    sl = torch.full((B,), L, dtype=torch.int32, device=dev)
    qo = torch.arange(0, (B + 1) * S, S, dtype=torch.int32, device=dev)
    q = torch.randn(B * S, H, D, device=dev, dtype=torch.bfloat16)
    flops = 4 * D * H * B * (S * (S + 1) // 2)
    ones = torch.tensor(1.0, device=dev), torch.tensor(1.0, device=dev)
    k8, v8 = k.to(torch.float8_e4m3fn), v.to(torch.float8_e4m3fn)
    k4, k4s, k4g = quantize_nvfp4(k); v4, v4s, v4g = quantize_nvfp4(v)
    out = torch.empty_like(q)
    res = {}
    for kv, args in [(None, [k, v, qo, bt, sl]), ("f8", [k8, v8, qo, bt, sl, *ones]),
                     ("nvfp4", [k4, v4, qo, bt, sl, k4s, v4s, k4g, v4g])]:
        cfg = config(H, KH, D, kv)
        for ln, lib in libs.items():
            if kv is None and ln == "portable":
                continue
            try:
                outs = {}
                lib.call(cfg.name, q, *args, out); torch.cuda.synchronize()
                ms = time_ms(lambda: lib.call(cfg.name, q, *args, out, synchronous=False), 10)
                res[f"{kv or 'bf16'}-{ln}"] = (flops / ms / 1e9, out.float().abs().max().item())
            except Exception as e:
                res[f"{kv or 'bf16'}-{ln}"] = str(e)[:100]
    qs = q.view(B, S, H, D).transpose(1, 2).contiguous()
    def g(c): return c[bt.long()].permute(0, 2, 1, 3, 4).reshape(B, KH, -1, D)[:, :, :L].contiguous()
    kk, vv = g(k), g(v)
    def cud():
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
            F.scaled_dot_product_attention(qs, kk, vv, is_causal=True, enable_gqa=H != KH)
    res["cudnn-bf16"] = flops / time_ms(cud, 10) / 1e9
    print(f"B{B} S{S} H{H}/{KH} d{D}:", {k_: (round(v_[0]) if isinstance(v_, tuple) else (round(v_) if isinstance(v_, float) else v_)) for k_, v_ in res.items()}, flush=True)
