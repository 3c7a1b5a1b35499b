"""Specializations of the attention ops and the .mlir that compiles them.

A spec is the key of a compiled kernel: the front end (attn_mlir.decode)
derives one from the tensors and options of a call, the GPU test matrix
(python/tests/decode_matrix.py) and the benchmark list theirs, and all of
them get the function's .mlir from `DecodeSpec.mlir()`.
"""

import dataclasses
import struct
from dataclasses import dataclass
from typing import Optional

KV_HEADS = 2


# Cache element types other than the query's: MLIR element, values per element.
KV_TYPES = {"f8": ("f8E4M3FN", 1), "nvfp4": ("vector<2xf4E2M1FN>", 2)}
F8 = KV_TYPES["f8"][0]
NVFP4_BLOCK = 16  # values per f8E4M3FN block scale


@dataclass(frozen=True)
class DecodeSpec:
    """One specialization of paged_attn.decode: everything its kernel is
    compiled for (dtypes, static sizes, layout, options). Strides, batch,
    pages and lengths stay dynamic in the generated function, so one
    compiled kernel serves every view of tensors of these shapes; but
    with `dense_pages`, the caches' row stride is static (one row).
    `mlir()` is the one generator of its .mlir; the GPU test matrix, the
    benchmark and the front end all use it."""

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
    sm_scale: Optional[float] = None  # None: head_dim ** -0.5
    # HND caches whose pages are dense: the row stride (dim 2) is one row,
    # static in the type, so the kernel may load several rows as one TMA
    # box row. The front end sets it when both caches' strides allow.
    dense_pages: bool = False

    OP = "decode"

    def __post_init__(self):
        if self.kv_dtype not in (None, *KV_TYPES):
            raise ValueError(f"kv_dtype {self.kv_dtype!r}")
        if (self.global_scales or self.q_f8) and self.kv_dtype is None:
            raise ValueError("global scales and fp8 q need an fp8 or nvfp4 cache")
        if self.dense_pages and self.layout != "hnd":
            raise ValueError("dense_pages needs the hnd layout (an nhd page's "
                             "rows of one head are kv_heads rows apart)")

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
        if self.sm_scale is not None:
            # The exact value, in a name: its float bits in hex.
            name += "_s" + struct.pack(">f", self.sm_scale).hex()
        if self.dense_pages:
            name += "_dense"
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
        return self.head_dim ** -0.5 if self.sm_scale is None else self.sm_scale

    def _types(self):
        """The memref types of q, out, the caches, block_table, seq_lens."""
        d, h = self.head_dim, self.qo_heads
        dims = "x".join(str(n) for n in self.page_dims)
        q = f"memref<?x{h}x{d}x{self.q_type}, strided<[?, ?, 1], offset: ?>>"
        out = f"memref<?x{h}x{d}x{self.dtype}, strided<[?, ?, 1], offset: ?>>"
        per_element = KV_TYPES[self.kv_dtype][1] if self.kv_dtype else 1
        row = d // per_element
        row_stride = row if self.dense_pages else "?"
        cache = (f"memref<?x{dims}x{row}x{self.cache_type}, "
                 f"strided<[?, ?, {row_stride}, 1], offset: ?>>")
        bt = "memref<?x?xi32, strided<[?, 1], offset: ?>>"
        return q, out, cache, bt, "memref<?xi32>"

    def _optional(self):
        """The optional operands present, (name, type), in the op's (and so
        the arguments') order."""
        d = self.head_dim
        dims = "x".join(str(n) for n in self.page_dims)
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
        return optional

    def _attrs(self):
        attrs = [f"kv_layout = #paged_attn.kv_layout<{self.layout}>",
                 f"scale = {self.scale!r} : f32"]
        if self.window >= 0:
            attrs.append(f"window_left = {self.window} : i64")
        if self.soft_cap is not None:
            attrs.append(f"logits_soft_cap = {self.soft_cap!r} : f32")
        return attrs

    def mlir(self) -> str:
        q, out, cache, bt, sl = self._types()
        optional = self._optional()
        args = ([f"%q: {q}", f"%k_cache: {cache}", f"%v_cache: {cache}",
                 f"%block_table: {bt}", f"%seq_lens: {sl}"]
                + [f"%{n}: {t}" for n, t in optional] + [f"%out: {out}"])
        operands = "".join(f" {n}(%{n} : {t})" for n, t in optional)
        attrs = self._attrs()
        if self.q_len != 1:
            attrs.insert(2, f"q_len_per_request = {self.q_len} : i64")
        return (
            f"func.func @{self.name}(\n    " + ",\n    ".join(args) + ") {\n"
            f"  paged_attn.decode q(%q : {q}) k_cache(%k_cache : {cache})\n"
            f"      v_cache(%v_cache : {cache}) block_table(%block_table : {bt})\n"
            f"      seq_lens(%seq_lens : {sl}){operands} out(%out : {out})\n"
            f"      {{{', '.join(attrs)}}}\n"
            "  return\n}\n")

    def to_string(self) -> str:
        """"dtype=bf16,layout=hnd,..." (the fields that differ from the
        defaults, plus dtype): what `attn_mlir.pack --decode` takes."""
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "dtype" or value != f.default:
                parts.append(f"{f.name}={value}")
        return ",".join(parts)

    @classmethod
    def from_string(cls, text: str):
        """The spec of `to_string`; raises ValueError on unknown fields or
        values."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {}
        for item in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = item.partition("=")
            if name not in fields:
                raise ValueError(f"unknown {cls.OP} spec field {name!r} (fields: "
                                 f"{', '.join(fields)})")
            default = fields[name].default
            if value == "None":
                kwargs[name] = None
            elif isinstance(default, bool):
                if value not in ("True", "False"):
                    raise ValueError(f"{name} must be True or False, got {value!r}")
                kwargs[name] = value == "True"
            elif isinstance(default, int):
                kwargs[name] = int(value)
            elif name in ("soft_cap", "sm_scale"):
                kwargs[name] = float(value)
            else:
                kwargs[name] = value
        return cls(**kwargs)


@dataclass(frozen=True)
class PrefillSpec(DecodeSpec):
    """One specialization of paged_attn.prefill: DecodeSpec's fields (but
    q_len and q_f8, which do not apply) plus `causal`. The query tokens of
    each request come from qo_indptr, so they stay dynamic too."""

    causal: bool = True

    OP = "prefill"

    def __post_init__(self):
        super().__post_init__()
        if self.q_len != 1:
            raise ValueError("q_len does not apply to prefill (qo_indptr "
                             "gives each request its query tokens)")
        if self.q_f8:
            raise ValueError("the prefill kernel needs a bf16 or f16 q")

    @property
    def name(self) -> str:
        base = super().name
        # decode_<dtype>_..._l1_... -> prefill_<dtype>_..., no q_len.
        base = "prefill_" + base[len("decode_"):].replace("_l1_", "_", 1)
        return base + ("_causal" if self.causal else "")

    def mlir(self) -> str:
        q, out, cache, bt, sl = self._types()
        optional = self._optional()
        qo = "memref<?xi32>"
        args = ([f"%q: {q}", f"%k_cache: {cache}", f"%v_cache: {cache}",
                 f"%qo_indptr: {qo}", f"%block_table: {bt}",
                 f"%seq_lens: {sl}"]
                + [f"%{n}: {t}" for n, t in optional] + [f"%out: {out}"])
        operands = "".join(f" {n}(%{n} : {t})" for n, t in optional)
        attrs = self._attrs()
        if self.causal:
            attrs.insert(0, "causal")
        return (
            f"func.func @{self.name}(\n    " + ",\n    ".join(args) + ") {\n"
            f"  paged_attn.prefill q(%q : {q}) k_cache(%k_cache : {cache})\n"
            f"      v_cache(%v_cache : {cache}) qo_indptr(%qo_indptr : {qo})\n"
            f"      block_table(%block_table : {bt}) seq_lens(%seq_lens : {sl})"
            f"{operands}\n      out(%out : {out})\n"
            f"      {{{', '.join(attrs)}}}\n"
            "  return\n}\n")
