"""The decode conformance matrix: which kernels are compiled for the GPU
tests, and the .mlir text of each. Used on the build machine
(scripts/build-gpu-tests.sh writes and compiles the module) and by the tests
on the GPU machine (to know what each function is)."""

import itertools
from dataclasses import dataclass
from typing import List, Optional

KV_HEADS = 2


@dataclass(frozen=True)
class Config:
    dtype: str = "bf16"  # bf16 | f16
    layout: str = "hnd"  # hnd | nhd
    head_dim: int = 128
    group: int = 4
    page: int = 16
    q_len: int = 1
    window: int = -1
    sinks: bool = False
    soft_cap: Optional[float] = None
    kv_heads: int = KV_HEADS
    kv_dtype: Optional[str] = None  # None: as dtype; "f8": f8E4M3FN
    global_scales: bool = False      # per-tensor K and V scales (fp8)

    @property
    def qo_heads(self) -> int:
        return self.group * self.kv_heads

    @property
    def name(self) -> str:
        name = (f"decode_{self.dtype}_{self.layout}_d{self.head_dim}_g{self.group}"
                f"_p{self.page}_l{self.q_len}_h{self.kv_heads}")
        if self.window >= 0:
            name += f"_w{self.window}"
        if self.sinks:
            name += "_sink"
        if self.soft_cap is not None:
            name += f"_cap{int(self.soft_cap)}"
        if self.kv_dtype:
            name += f"_kv{self.kv_dtype}"
        if self.global_scales:
            name += "_gs"
        return name

    @property
    def cache_type(self) -> str:
        return {"f8": "f8E4M3FN"}.get(self.kv_dtype, self.dtype)

    @property
    def scale(self) -> float:
        return self.head_dim ** -0.5

    def mlir(self) -> str:
        t, d, h, kh, p = self.dtype, self.head_dim, self.qo_heads, self.kv_heads, self.page
        q = f"memref<?x{h}x{d}x{t}, strided<[?, ?, 1], offset: ?>>"
        cache_shape = f"?x{kh}x{p}x{d}" if self.layout == "hnd" else f"?x{p}x{kh}x{d}"
        cache = (f"memref<{cache_shape}x{self.cache_type}, "
                 "strided<[?, ?, ?, 1], offset: ?>>")
        bt = "memref<?x?xi32, strided<[?, 1], offset: ?>>"
        sl = "memref<?xi32>"
        args = [f"%q: {q}", f"%k_cache: {cache}", f"%v_cache: {cache}",
                f"%block_table: {bt}", f"%seq_lens: {sl}"]
        sinks = ""
        if self.global_scales:
            args += ["%k_global_scale: memref<f32>", "%v_global_scale: memref<f32>"]
            sinks += (" k_global_scale(%k_global_scale : memref<f32>)"
                      " v_global_scale(%v_global_scale : memref<f32>)")
        if self.sinks:
            args.append("%sinks: memref<?xf32>")
            sinks += " sinks(%sinks : memref<?xf32>)"
        args.append(f"%out: {q}")
        attrs = [f"kv_layout = #paged_attn.kv_layout<{self.layout}>",
                 f"scale = {self.scale!r} : f32"]
        if self.q_len != 1:
            attrs.append(f"q_len_per_request = {self.q_len} : i64")
        if self.window >= 0:
            attrs.append(f"window_left = {self.window} : i64")
        if self.soft_cap is not None:
            attrs.append(f"logits_soft_cap = {self.soft_cap!r} : f32")
        return (
            f"func.func @{self.name}(\n    " + ",\n    ".join(args) + ") {\n"
            f"  paged_attn.decode q(%q : {q}) k_cache(%k_cache : {cache})\n"
            f"      v_cache(%v_cache : {cache}) block_table(%block_table : {bt})\n"
            f"      seq_lens(%seq_lens : {sl}){sinks} out(%out : {q})\n"
            f"      {{{', '.join(attrs)}}}\n"
            "  return\n}\n")


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


def all_configs() -> List[Config]:
    return main_configs() + extra_configs() + fp8_configs()


def module_text(configs: List[Config]) -> str:
    return "// Generated by python/tests/decode_matrix.py\n" + "\n".join(
        c.mlir() for c in configs)


if __name__ == "__main__":
    import sys
    sys.stdout.write(module_text(all_configs()))
