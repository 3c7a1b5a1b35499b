"""A representative subset of the decode and prefill matrices, each case
run once and checked against the fp32 reference, for compute-sanitizer
(scripts/run-gpu-sanitizers.sh): every cache format (bf16, f16, fp8,
NVFP4), both layouts, page sizes 1 and 16, decode split and unsplit (and
NVFP4 with decode-nvfp4=byte-pairs), and prefill's wgmma and portable
kernels. Exits 1 on a wrong answer.

  python3 python/tests/sanitize_cases.py [--list]
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import conftest  # noqa: E402  (paths)
from decode_matrix import Config  # noqa: E402
from prefill_matrix import Config as PrefillConfig  # noqa: E402


def decode_cases():
    """(config, library, batch, lens): unsplit (short) and split (long) per
    format, and sm_100a's NVFP4 conversion layout (byte pairs)."""
    cases = []
    for kv in (None, "f8", "nvfp4"):
        gs = kv is not None
        for dtype, layout, page in (("bf16", "hnd", 16), ("f16", "nhd", 1)):
            cfg = Config(dtype, layout, 128, 4, page, kv_dtype=kv, global_scales=gs)
            cases.append((cfg, "decode_matrix.so", 3, [1, 37, 100]))  # one split
            cases.append((cfg, "decode_matrix.so", 2, [3001, 17]))    # split + merge
    nvfp4 = Config("bf16", "hnd", 128, 4, 16, kv_dtype="nvfp4", global_scales=True)
    cases.append((nvfp4, "decode_matrix_byte_pairs.so", 3, [1, 37, 100]))
    cases.append((nvfp4, "decode_matrix_byte_pairs.so", 2, [3001, 17]))
    return cases


def prefill_cases():
    """(config, library, qo_lens, prefixes)."""
    cases = []
    for kv in (None, "f8", "nvfp4"):
        gs = kv is not None
        shapes = ((("bf16", "hnd", 128, 16), ("f16", "nhd", 128, 1)) if kv is None
                  else (("bf16", "hnd", 128, 16), ("bf16", "nhd", 64, 1)))
        for dtype, layout, d, page in shapes:
            cfg = PrefillConfig(dtype, layout, d, 4, page, kv_dtype=kv,
                                global_scales=gs)
            cases.append((cfg, "prefill_matrix.so", [65, 1, 130], [0, 20, 7]))
    cases.append((PrefillConfig(), "prefill_matrix_portable.so", [65, 1, 130],
                  [0, 20, 7]))
    return cases


def main():
    if "--list" in sys.argv:
        for c in decode_cases():
            print("decode", c[0].name, c[1], c[2], c[3])
        for c in prefill_cases():
            print("prefill", c[0].name, c[1], c[2], c[3])
        return 0
    import attn_mlir
    from conftest import GPU_DIR, torch
    from test_decode import make_inputs, TOLERANCE
    from test_prefill import PrefillInputs
    failures = 0
    libs = {}
    for cfg, lib_name, batch, lens in decode_cases():
        lib = libs.setdefault(lib_name, attn_mlir.load(os.path.join(GPU_DIR, lib_name)))
        inputs = make_inputs(cfg, batch, False, False, seed=5, lens=lens)
        out = inputs.new_out(cfg)
        lib.call(cfg.name, *inputs.args(out))
        torch.cuda.synchronize()
        ref = inputs.reference(cfg)
        tol = TOLERANCE[cfg.dtype]
        ok = bool(((out.float() - ref).abs() <= tol + tol * ref.abs()).all())
        failures += not ok
        print(f"decode {cfg.name} ({lib_name}) lens={lens}: {'ok' if ok else 'WRONG'}",
              flush=True)
    for cfg, lib_name, qo, prefixes in prefill_cases():
        lib = libs.setdefault(lib_name, attn_mlir.load(os.path.join(GPU_DIR, lib_name)))
        inputs = PrefillInputs(cfg, qo, prefixes, False, False, seed=6)
        out = inputs.new_out(cfg)
        lib.call(cfg.name, *inputs.args(out))
        torch.cuda.synchronize()
        ref = inputs.reference(cfg)
        tol = TOLERANCE[cfg.dtype]
        ok = bool(((out.float() - ref).abs() <= tol + tol * ref.abs()).all())
        failures += not ok
        print(f"prefill {cfg.name} ({lib_name}) qo={qo}: {'ok' if ok else 'WRONG'}",
              flush=True)
    print(f"{failures} wrong")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
