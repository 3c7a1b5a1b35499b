"""The decode conformance matrix: which kernels are compiled for the GPU
tests, and the .mlir text of each. Used on the build machine
(scripts/build-gpu-tests.sh writes and compiles the module) and by the tests
on the GPU machine (to know what each function is)."""

import itertools
import os
import sys
from typing import List

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "python"))
from attn_mlir.spec import (F8, KV_HEADS, KV_TYPES, NVFP4_BLOCK,  # noqa: E402,F401
                            DecodeSpec as Config)

def main_configs() -> List[Config]:
    """Every dtype x layout x head_dim x group x page size {1, 16, 64}."""
    return [Config(dtype, layout, d, g, p)
            for dtype, layout, d, g, p in itertools.product(
                ["bf16", "f16"], ["hnd", "nhd"], [64, 128, 256], [1, 4, 8],
                [1, 16, 64])]


def extra_configs() -> List[Config]:
    """Page sizes beyond the main set, q_len 3, and the attention options."""
    extras = []
    for page in (8, 12, 32, 100, 128, 200, 256):
        extras.append(Config(page=page))
        extras.append(Config(layout="nhd", page=page, dtype="f16"))
    for group in (1, 4, 8):
        extras.append(Config(group=group, q_len=3))
        extras.append(Config(group=group, q_len=3, layout="nhd", page=1))
    extras.append(Config(group=5, kv_heads=3))
    extras.append(Config(group=16, kv_heads=1, head_dim=64))
    extras.append(Config(window=37))
    extras.append(Config(sinks=True))
    extras.append(Config(soft_cap=30.0))
    extras.append(Config(window=20, sinks=True, soft_cap=30.0, q_len=3))
    extras.append(Config(dtype="f16", layout="nhd", head_dim=256, group=8, page=64,
                         window=100, sinks=True))
    return extras


def fp8_configs() -> List[Config]:
    """fp8 caches read by bf16 and f16 queries, with per-tensor scales."""
    configs = [Config(dtype, layout, d, 4, p, kv_dtype="f8", global_scales=True)
               for dtype, layout, d, p in itertools.product(
                   ["bf16", "f16"], ["hnd", "nhd"], [64, 128, 256], [1, 16, 64])]
    configs += [Config(group=g, kv_dtype="f8", global_scales=True) for g in (1, 8)]
    configs += [Config(kv_dtype="f8"),  # no scales: 1
                Config(page=100, kv_dtype="f8", global_scales=True),
                Config(page=12, layout="nhd", kv_dtype="f8", global_scales=True),
                Config(q_len=3, window=20, sinks=True, soft_cap=30.0, kv_dtype="f8",
                       global_scales=True)]
    return configs


def fp8_query_range_configs() -> List[Config]:
    """bf16 queries far outside f16's range over fp8 caches (whose MMAs run
    in f16), with softmax scales that undo the magnitude: 2^20 at every
    head_dim, 2^-20 at 128."""
    return [Config("bf16", "hnd", d, 4, 16, kv_dtype="f8", global_scales=True,
                   sm_scale=d ** -0.5 / m)
            for d, m in ((64, 2.0 ** 20), (128, 2.0 ** 20), (256, 2.0 ** 20),
                         (128, 2.0 ** -20))]


def nvfp4_configs() -> List[Config]:
    """NVFP4 caches (e2m1 pairs, e4m3 block scales) read by bf16 and f16
    queries, with per-tensor global scales unless said otherwise."""
    nv = dict(kv_dtype="nvfp4", global_scales=True)
    configs = [Config(dtype, layout, d, 4, p, **nv)
               for dtype, layout, d, p in itertools.product(
                   ["bf16", "f16"], ["hnd", "nhd"], [64, 128, 256], [1, 16, 64])]
    configs += [Config(group=g, **nv) for g in (1, 8)]
    configs += [Config(kv_dtype="nvfp4"),  # no global scales: 1
                Config(page=100, **nv),
                Config(page=12, layout="nhd", **nv),
                Config(group=8, q_len=3, layout="nhd", page=1, **nv),
                Config(q_len=3, window=20, sinks=True, soft_cap=30.0, **nv)]
    return configs


def fp8_query_configs() -> List[Config]:
    """f8E4M3FN queries (out bf16 or f16) over fp8 and NVFP4 caches."""
    configs = [Config(dtype, layout, kv_dtype="f8", global_scales=True, q_f8=True)
               for dtype, layout in itertools.product(["bf16", "f16"], ["hnd", "nhd"])]
    configs += [Config(head_dim=d, kv_dtype="nvfp4", global_scales=True, q_f8=True)
                for d in (64, 128)]
    configs.append(Config("f16", "nhd", q_len=3, sinks=True, kv_dtype="nvfp4",
                          global_scales=True, q_f8=True))
    return configs


def dense_page_configs() -> List[Config]:
    """Caches with dense HND pages (a static row stride of one row), as the
    front end compiles contiguous caches: register-dequantized kernels with
    rows under 128 bytes fold 2 (64-byte rows) or 4 (32-byte rows) rows into
    one TMA box row; pages of 8 (half a swizzle period a box), of 128 (64-row
    boxes at row 0 and 64 of a page), 16 q rows (operands not swapped), and
    a 16-bit cache, whose kernel does not fold."""
    dense = dict(dense_pages=True)
    nv = dict(kv_dtype="nvfp4", global_scales=True, **dense)
    f8 = dict(kv_dtype="f8", global_scales=True, **dense)
    return [Config(**nv),
            Config("f16", head_dim=64, **nv),
            Config(page=8, **nv),
            Config(page=128, **nv),
            Config(group=16, kv_heads=1, head_dim=64, **nv),
            Config(head_dim=64, q_f8=True, **nv),
            Config(q_len=3, window=20, sinks=True, soft_cap=30.0, **nv),
            Config(head_dim=64, **f8),
            Config("f16", head_dim=64, page=64, **f8),
            Config(**f8),
            Config(**dense)]


def all_configs() -> List[Config]:
    return (main_configs() + extra_configs() + fp8_configs() + nvfp4_configs()
            + fp8_query_configs() + fp8_query_range_configs()
            + dense_page_configs())


def byte_pair_configs() -> List[Config]:
    """The NVFP4 configs whose kernels convert in registers (box rows a
    multiple of 8), compiled again with decode-nvfp4=byte-pairs
    (decode_matrix_byte_pairs.so): sm_100a's conversion layout (K's byte
    pairs, q's columns following, V's keys' nibbles interleaved), its cvt
    replaced by the exact integer equivalent, run on the H200."""
    return [c for c in all_configs() if c.nvfp4 and min(c.page, 64) % 8 == 0]


def module_text(configs: List[Config]) -> str:
    return "// Generated by python/tests/decode_matrix.py\n" + "\n".join(
        c.mlir() for c in configs)


if __name__ == "__main__":
    import sys
    sys.stdout.write(module_text(
        byte_pair_configs() if "--byte-pairs" in sys.argv else all_configs()))


def frontend_configs() -> List[Config]:
    """The specializations the GPU suite's pack holds (scripts/
    build-gpu-tests.sh) for the front-end tests (python/tests/test_frontend.py):
    a sample of the matrix with the kv heads a model would have."""
    kw = dict(kv_heads=4)
    dense = dict(kv_heads=4, dense_pages=True)  # contiguous HND caches
    return [Config(**dense),
            Config(dtype="f16", layout="nhd", page=12, **kw),
            Config(kv_dtype="f8", global_scales=True, **dense),
            Config(kv_dtype="nvfp4", global_scales=True, **dense),
            Config(q_len=3, window=20, sinks=True, soft_cap=30.0, **dense),
            Config(layout="nhd", head_dim=64, group=8, page=1, **kw),
            # Padded rows: the same op without dense pages.
            Config(kv_dtype="nvfp4", global_scales=True, **kw)]
