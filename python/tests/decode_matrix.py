"""The decode conformance matrix: which kernels are compiled for the GPU
tests, and the .mlir text of each. Used on the build machine
(scripts/build-gpu-tests.sh writes and compiles the module) and by the tests
on the GPU machine (to know what each function is)."""

import itertools
from dataclasses import dataclass
from typing import List, Optional

KV_HEADS = 2


# Cache element types other than the query's: MLIR element, values per element.
KV_TYPES = {"f8": ("f8E4M3FN", 1), "nvfp4": ("vector<2xf4E2M1FN>", 2)}
F8 = KV_TYPES["f8"][0]
NVFP4_BLOCK = 16  # values per f8E4M3FN block scale


@dataclass(frozen=True)
class Config:
    dtype: str = "bf16"  # bf16 | f16: q and out, or out alone with q_f8
    layout: str = "hnd"  # hnd | nhd
    head_dim: int = 128
    group: int = 4
    page: int = 16
    q_len: int = 1
    window: int = -1
    sinks: bool = False
    soft_cap: Optional[float] = None
    kv_heads: int = KV_HEADS
    kv_dtype: Optional[str] = None  # None: as dtype; "f8": f8E4M3FN; "nvfp4"
    global_scales: bool = False      # per-tensor K and V scales (fp8, nvfp4)
    q_f8: bool = False               # f8E4M3FN q (fp8 and nvfp4 caches only)

    def __post_init__(self):
        if self.kv_dtype not in (None, *KV_TYPES):
            raise ValueError(f"kv_dtype {self.kv_dtype!r}")
        if (self.global_scales or self.q_f8) and self.kv_dtype is None:
            raise ValueError("global scales and fp8 q need an fp8 or nvfp4 cache")

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
        if self.q_f8:
            name += "_qf8"
        return name

    @property
    def kv_kind(self) -> str:
        """What the cache holds: bf16, f16, f8 or nvfp4."""
        return self.kv_dtype or self.dtype

    @property
    def nvfp4(self) -> bool:
        return self.kv_dtype == "nvfp4"

    @property
    def q_type(self) -> str:
        return F8 if self.q_f8 else self.dtype

    @property
    def cache_type(self) -> str:
        return KV_TYPES[self.kv_dtype][0] if self.kv_dtype else self.dtype

    @property
    def page_dims(self):
        """The dims of a page before head_dim: (kv_heads, page) in HND,
        (page, kv_heads) in NHD."""
        return ((self.kv_heads, self.page) if self.layout == "hnd"
                else (self.page, self.kv_heads))

    @property
    def scale(self) -> float:
        return self.head_dim ** -0.5

    def mlir(self) -> str:
        d, h = self.head_dim, self.qo_heads
        dims = "x".join(str(n) for n in self.page_dims)
        q = f"memref<?x{h}x{d}x{self.q_type}, strided<[?, ?, 1], offset: ?>>"
        out = f"memref<?x{h}x{d}x{self.dtype}, strided<[?, ?, 1], offset: ?>>"
        per_element = KV_TYPES[self.kv_dtype][1] if self.kv_dtype else 1
        cache = (f"memref<?x{dims}x{d // per_element}x{self.cache_type}, "
                 "strided<[?, ?, ?, 1], offset: ?>>")
        bt = "memref<?x?xi32, strided<[?, 1], offset: ?>>"
        sl = "memref<?xi32>"
        # The optional operands, in the op's (and so the arguments') order.
        optional = []
        if self.nvfp4:
            block_scales = (f"memref<?x{dims}x{d // NVFP4_BLOCK}x{F8}, "
                            "strided<[?, ?, ?, 1], offset: ?>>")
            optional += [("k_scale", block_scales), ("v_scale", block_scales)]
        if self.global_scales:
            optional += [("k_global_scale", "memref<f32>"),
                         ("v_global_scale", "memref<f32>")]
        if self.sinks:
            optional.append(("sinks", "memref<?xf32>"))
        args = ([f"%q: {q}", f"%k_cache: {cache}", f"%v_cache: {cache}",
                 f"%block_table: {bt}", f"%seq_lens: {sl}"]
                + [f"%{n}: {t}" for n, t in optional] + [f"%out: {out}"])
        operands = "".join(f" {n}(%{n} : {t})" for n, t in optional)
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
            f"      seq_lens(%seq_lens : {sl}){operands} out(%out : {out})\n"
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


def all_configs() -> List[Config]:
    return (main_configs() + extra_configs() + fp8_configs() + nvfp4_configs()
            + fp8_query_configs())


def module_text(configs: List[Config]) -> str:
    return "// Generated by python/tests/decode_matrix.py\n" + "\n".join(
        c.mlir() for c in configs)


if __name__ == "__main__":
    import sys
    sys.stdout.write(module_text(all_configs()))
