"""attn_mlir.decode / attn_mlir.prefill: paged attention on torch tensors.

    out = attn_mlir.decode(q, k_cache, v_cache, block_table, seq_lens)
    out = attn_mlir.prefill(q, k_cache, v_cache, qo_indptr, block_table,
                            seq_lens, causal=True)

Each call derives a specialization key (DecodeSpec, PrefillSpec) from the tensors and
options: dtypes, the static sizes (heads, head_dim, page size), the layout,
which optional operands are present, the attribute values and the chip.
Strides, batch, pages and lengths stay dynamic, so one compiled kernel
serves every view of tensors of those shapes, with one exception: a decode
over HND caches whose rows are contiguous (each page of one head one block
of memory, as in a plain torch tensor) gets `dense_pages`, a static row
stride the kernel may fold into its TMA boxes; other views get the key
without it. A key's library is found, in
order, in this process (a dictionary lookup), in the packs named by
ATTN_MLIR_PACKS (':'-separated folders from `python3 -m attn_mlir.pack`),
in the cache (ATTN_MLIR_CACHE, default ~/.cache/attn-mlir); else it is
compiled into the cache where the toolchain is (attn-opt from
ATTN_MLIR_BUILD_DIR or this checkout's build/, LLVM 22's mlir-translate and
llc, CUDA's ptxas), logged through `logging` (logger "attn_mlir") with its
time. Without a toolchain a miss raises AttnError naming the key, the chip
and the command that builds it.
"""

import logging
import math
import os
import shutil
import tempfile
import time
from typing import Dict, List, Optional, Tuple

from .runtime import AttnError, Library, load
from .spec import DecodeSpec, PrefillSpec

VERSION = "0.1.0"  # the project's (CMakeLists.txt): part of every cache key
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOG = logging.getLogger("attn_mlir")

_LOADED: Dict[Tuple[str, str], Library] = {}

# torch dtype name -> the spec's element kinds.
_FLOAT16 = {"bfloat16": "bf16", "float16": "f16"}
_NVFP4_DTYPES = ("uint8", "float4_e2m1fn_x2")


def _dtype(tensor) -> str:
    return str(tensor.dtype).replace("torch.", "")


def cache_dir() -> str:
    return os.environ.get("ATTN_MLIR_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "attn-mlir")


def pack_dirs() -> List[str]:
    return [d for d in os.environ.get("ATTN_MLIR_PACKS", "").split(":") if d]


def library_name(spec, chip: str) -> str:
    """The file name (without .so) of a key's library: key + chip + version."""
    return f"{spec.name}-{chip}-v{VERSION}"


def chip_of(device) -> str:
    """sm_90a or sm_100a for a CUDA device; AttnError for others."""
    import torch
    major, minor = torch.cuda.get_device_capability(device)
    chips = {(9, 0): "sm_90a", (10, 0): "sm_100a"}
    if (major, minor) not in chips:
        raise AttnError(f"attn_mlir compiles for sm_90a and sm_100a; {device} is "
                        f"sm_{major}{minor}")
    return chips[(major, minor)]


def _attention_spec(op, tensors, *, kv_layout, scale, window_left,
                    logits_soft_cap, extra_checks=()):
    """The fields common to both ops' specs, from `tensors` (name -> tensor
    or None: q, k_cache, v_cache, block_table, seq_lens, the optional ones,
    out); AttnError in the dialect's words for what no kernel can take."""
    def error(message):
        raise AttnError(f"attn_mlir.{op}: expects {message}")

    q, k_cache, v_cache = tensors["q"], tensors["k_cache"], tensors["v_cache"]
    k_scale, v_scale = tensors["k_scale"], tensors["v_scale"]
    k_global_scale = tensors["k_global_scale"]
    v_global_scale = tensors["v_global_scale"]
    out = tensors["out"]
    present = {n: t for n, t in tensors.items() if t is not None}
    for name, tensor in present.items():
        if not getattr(tensor, "is_cuda", False):
            error(f"{name} to be a CUDA tensor, got device {tensor.device}")
    devices = {str(t.device) for t in present.values()}
    if len(devices) > 1:
        error("all tensors on one CUDA device, got "
              + ", ".join(f"{n} on {t.device}" for n, t in present.items()))
    if kv_layout not in ("hnd", "nhd"):
        error(f"kv_layout to be 'hnd' or 'nhd', got {kv_layout!r}")
    for name, rank in (("q", 3), ("k_cache", 4), ("v_cache", 4),
                       ("qo_indptr", 1), ("block_table", 2), ("seq_lens", 1)):
        if name in tensors and len(tensors[name].shape) != rank:
            error(f"{name} to have rank {rank}, got shape "
                  f"{tuple(tensors[name].shape)}")

    q_type, cache_type = _dtype(q), _dtype(k_cache)
    if _dtype(v_cache) != cache_type:
        error(f"v_cache element type {_dtype(v_cache)} to be k_cache's "
              f"({cache_type})")
    q_f8 = q_type == "float8_e4m3fn"
    if q_f8 and op == "prefill":
        error("q element type to be bfloat16 or float16 (the prefill kernel "
              "reads a 16-bit q), got float8_e4m3fn")
    if not q_f8 and q_type not in _FLOAT16:
        error(f"q element type to be bfloat16, float16 or float8_e4m3fn, got "
              f"{q_type}")
    if cache_type in _FLOAT16:
        kv_dtype = None
        if q_f8:
            error("an fp8 or nvfp4 cache with an fp8 q")
        if cache_type != q_type:
            error(f"k_cache element type {cache_type} to be q's ({q_type}) for "
                  "a 16-bit cache")
    elif cache_type == "float8_e4m3fn":
        kv_dtype = "f8"
    elif cache_type in _NVFP4_DTYPES:
        kv_dtype = "nvfp4"
    else:
        error("k_cache element type to be bfloat16, float16, float8_e4m3fn "
              f"or nvfp4 (uint8 / float4_e2m1fn_x2), got {cache_type}")
    if q_f8 and kv_dtype is None:
        error("an fp8 or nvfp4 cache with an fp8 q")
    out_type = _dtype(out) if out is not None else ("bfloat16" if q_f8 else q_type)
    if out_type not in _FLOAT16:
        error(f"out element type to be bfloat16 or float16, got {out_type}")
    if not q_f8 and out_type != q_type:
        error(f"out element type {out_type} to be q's ({q_type})")
    if (kv_dtype == "nvfp4") != (k_scale is not None and v_scale is not None):
        error("k_scale and v_scale exactly with nvfp4 caches")
    if (k_global_scale is None) != (v_global_scale is None):
        error("k_global_scale and v_global_scale together")
    if k_global_scale is not None and kv_dtype is None:
        error("no global scales with a 16-bit cache")
    for name in ("qo_indptr", "block_table", "seq_lens"):
        if name in tensors and _dtype(tensors[name]) != "int32":
            error(f"{name} element type to be int32, got {_dtype(tensors[name])}")

    tokens, qo_heads, head_dim = q.shape
    if head_dim not in (64, 128, 256):
        error(f"q dim 2 (head_dim) to be 64, 128 or 256, got {head_dim}")
    heads_dim, page_dim = (1, 2) if kv_layout == "hnd" else (2, 1)
    kv_heads, page = k_cache.shape[heads_dim], k_cache.shape[page_dim]
    inner = head_dim // 2 if kv_dtype == "nvfp4" else head_dim
    if k_cache.shape[3] != inner:
        error(f"k_cache dim 3 to be {inner} as q, got {k_cache.shape[3]}")
    if kv_heads < 1 or qo_heads % kv_heads:
        error(f"q dim 1 (num_qo_heads) to be a multiple of k_cache dim "
              f"{heads_dim} (kv_heads) = {kv_heads}, got {qo_heads}")
    if not 1 <= page <= 256:
        error(f"k_cache dim {page_dim} (page_size) to be in [1, 256], got {page}")
    if window_left < -1:
        error(f"window_left to be -1 (no window) or at least 0, got {window_left}")
    if logits_soft_cap is not None and not (logits_soft_cap > 0 and
                                            math.isfinite(logits_soft_cap)):
        error(f"logits_soft_cap to be positive and finite, got {logits_soft_cap}")
    if scale is not None and not (scale > 0 and math.isfinite(scale)):
        error(f"scale to be positive and finite, got {scale}")
    for check in extra_checks:
        check(error, qo_heads // kv_heads)
    sm_scale = None if scale is None or scale == head_dim ** -0.5 else float(scale)
    return dict(
        dtype=_FLOAT16[out_type], layout=kv_layout, head_dim=head_dim,
        group=qo_heads // kv_heads, page=page, window=window_left,
        sinks=tensors["sinks"] is not None,
        soft_cap=None if logits_soft_cap is None else float(logits_soft_cap),
        kv_heads=kv_heads, kv_dtype=kv_dtype,
        global_scales=k_global_scale is not None, q_f8=q_f8, sm_scale=sm_scale)


def decode_spec(q, k_cache, v_cache, block_table, seq_lens, *, kv_layout="hnd",
                scale=None, k_scale=None, v_scale=None, k_global_scale=None,
                v_global_scale=None, sinks=None, window_left=-1,
                logits_soft_cap=None, q_len_per_request=1,
                out=None) -> DecodeSpec:
    """The specialization of a decode call; AttnError, in the dialect's
    words, for what no kernel can take (checked before any compile)."""
    def check_q_len(error, group):
        if q_len_per_request < 1:
            error(f"q_len_per_request to be at least 1, got {q_len_per_request}")

    tensors = {"q": q, "k_cache": k_cache, "v_cache": v_cache,
               "block_table": block_table, "seq_lens": seq_lens,
               "k_scale": k_scale, "v_scale": v_scale,
               "k_global_scale": k_global_scale,
               "v_global_scale": v_global_scale, "sinks": sinks, "out": out}
    fields = _attention_spec("decode", tensors, kv_layout=kv_layout, scale=scale,
                             window_left=window_left,
                             logits_soft_cap=logits_soft_cap,
                             extra_checks=[check_q_len])
    # Dense HND pages (each page of one head one block of memory): the row
    # stride becomes static, and the kernel may fold rows into its boxes.
    row = k_cache.shape[3]
    dense = fields["layout"] == "hnd" and all(
        c.stride()[2] == row and c.stride()[3] == 1 for c in (k_cache, v_cache))
    return DecodeSpec(q_len=q_len_per_request, dense_pages=dense, **fields)


def prefill_spec(q, k_cache, v_cache, qo_indptr, block_table, seq_lens, *,
                 causal=False, kv_layout="hnd", scale=None, k_scale=None,
                 v_scale=None, k_global_scale=None, v_global_scale=None,
                 sinks=None, window_left=-1, logits_soft_cap=None,
                 out=None) -> PrefillSpec:
    """The specialization of a prefill call (decode_spec's checks, plus
    qo_indptr and the prefill kernel's limits)."""
    def check_group(error, group):
        if group > 64:
            error(f"a gqa group (num_qo_heads / kv_heads) of at most 64 for "
                  f"the prefill kernel, got {group}")

    tensors = {"q": q, "k_cache": k_cache, "v_cache": v_cache,
               "qo_indptr": qo_indptr, "block_table": block_table,
               "seq_lens": seq_lens, "k_scale": k_scale, "v_scale": v_scale,
               "k_global_scale": k_global_scale,
               "v_global_scale": v_global_scale, "sinks": sinks, "out": out}
    fields = _attention_spec("prefill", tensors, kv_layout=kv_layout,
                             scale=scale, window_left=window_left,
                             logits_soft_cap=logits_soft_cap,
                             extra_checks=[check_group])
    return PrefillSpec(causal=bool(causal), **fields)


def toolchain() -> Tuple[Optional[str], str]:
    """(build dir, "") when this machine can compile, else (None, why)."""
    build = os.environ.get("ATTN_MLIR_BUILD_DIR") or os.path.join(ROOT, "build")
    needs = [os.path.join(build, "bin", "attn-opt"),
             os.path.join(build, "lib", "libattn_runtime.so"),
             "/usr/lib/llvm-22/bin/mlir-translate", "/usr/lib/llvm-22/bin/llc",
             os.path.join(os.environ.get("CUDA_HOME") or "/usr/local/cuda",
                          "bin", "ptxas")]
    missing = [n for n in needs if not os.path.exists(n)]
    if missing:
        return None, "missing " + ", ".join(missing)
    return build, ""


def compile_spec(spec, chip: str, out_dir: str,
                 build_dir: str) -> str:
    """Compiles `spec` for `chip` into out_dir/<library_name>.so (+ .json and
    the shared runtime beside it). Atomic: everything is built in a
    temporary folder of out_dir and renamed into place, so concurrent
    processes compiling the same key are safe (the last rename wins; the
    files are the same)."""
    from .compile import compile_module
    os.makedirs(out_dir, exist_ok=True)
    name = library_name(spec, chip)
    start = time.time()
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        source = os.path.join(tmp, name + ".mlir")
        with open(source, "w") as f:
            f.write(f"// attn_mlir key {spec.to_string()} chip {chip}\n"
                    + spec.mlir())
        try:
            compile_module(source, os.path.join(tmp, name + ".so"), chip,
                           build_dir)
        except SystemExit as e:  # compile.py's tool errors
            raise AttnError(f"compiling {spec.name} for {chip} failed: {e}") from None
        runtime = os.path.join(out_dir, "libattn_runtime.so")
        if not os.path.exists(runtime):
            os.replace(os.path.join(tmp, "libattn_runtime.so"), runtime)
        os.replace(os.path.join(tmp, name + ".json"),
                   os.path.join(out_dir, name + ".json"))
        os.replace(os.path.join(tmp, name + ".so"),
                   os.path.join(out_dir, name + ".so"))
    LOG.info("attn_mlir: compiled %s for %s in %.1f s into %s", spec.name, chip,
             time.time() - start, out_dir)
    return os.path.join(out_dir, name + ".so")


def locate_library(spec, chip: str) -> str:
    """The path of a key's library: a pack's, the cache's, or compiled now
    into the cache."""
    name = library_name(spec, chip) + ".so"
    path = next((os.path.join(d, name) for d in pack_dirs() + [cache_dir()]
                 if os.path.exists(os.path.join(d, name))), None)
    if path is None:
        build, why = toolchain()
        if build is None:
            raise AttnError(
                f"no compiled kernel for key {spec.to_string()} on {chip} in "
                f"the packs ({':'.join(pack_dirs()) or 'ATTN_MLIR_PACKS unset'}) "
                f"or the cache ({cache_dir()}), and no toolchain to compile it "
                f"here ({why}); build it on a machine with LLVM: python3 -m "
                f"attn_mlir.pack --{spec.OP} '{spec.to_string()}' --chip {chip} "
                f"-o DIR, then set ATTN_MLIR_PACKS=DIR")
        path = compile_spec(spec, chip, cache_dir(), build)
    return path


def find_library(spec, chip: str) -> Library:
    """The loaded library of a key (after the first call, a dictionary
    lookup)."""
    key = (spec.name, chip)
    lib = _LOADED.get(key)
    if lib is None:
        lib = _LOADED[key] = load(locate_library(spec, chip))
    return lib


def call_args(spec, q, k_cache, v_cache, block_table, seq_lens, *,
              k_scale, v_scale, k_global_scale, v_global_scale, sinks, out,
              qo_indptr=None):
    """The compiled function's tensors, in its arguments' order (the
    generator's: the op's operands, optional ones as present)."""
    args = [q, k_cache, v_cache]
    if spec.OP == "prefill":
        args.append(qo_indptr)
    args += [block_table, seq_lens]
    if spec.nvfp4:
        args += [k_scale, v_scale]
    if spec.global_scales:
        args += [k_global_scale, v_global_scale]
    if spec.sinks:
        args.append(sinks)
    return args + [out]


def run_decode(q, k_cache, v_cache, block_table, seq_lens, out, *,
               kv_layout="hnd", scale=None, k_scale=None, v_scale=None,
               k_global_scale=None, v_global_scale=None, sinks=None,
               window_left=-1, logits_soft_cap=None, q_len_per_request=1):
    """Specializes, finds (or compiles) and runs the kernel, writing `out`."""
    spec = decode_spec(q, k_cache, v_cache, block_table, seq_lens,
                       kv_layout=kv_layout, scale=scale, k_scale=k_scale,
                       v_scale=v_scale, k_global_scale=k_global_scale,
                       v_global_scale=v_global_scale, sinks=sinks,
                       window_left=window_left, logits_soft_cap=logits_soft_cap,
                       q_len_per_request=q_len_per_request, out=out)
    lib = find_library(spec, chip_of(q.device))
    # The runtime takes uint8 for packed nvfp4 (float4_e2m1fn_x2 is accepted
    # as well by the argument check).
    lib.call(spec.name, *call_args(
        spec, q, k_cache, v_cache, block_table, seq_lens, k_scale=k_scale,
        v_scale=v_scale, k_global_scale=k_global_scale,
        v_global_scale=v_global_scale, sinks=sinks, out=out))
    return out


def run_prefill(q, k_cache, v_cache, qo_indptr, block_table, seq_lens, out, *,
                causal=False, kv_layout="hnd", scale=None, k_scale=None,
                v_scale=None, k_global_scale=None, v_global_scale=None,
                sinks=None, window_left=-1, logits_soft_cap=None):
    """Specializes, finds (or compiles) and runs the prefill kernel, writing
    `out`."""
    spec = prefill_spec(q, k_cache, v_cache, qo_indptr, block_table, seq_lens,
                        causal=causal, kv_layout=kv_layout, scale=scale,
                        k_scale=k_scale, v_scale=v_scale,
                        k_global_scale=k_global_scale,
                        v_global_scale=v_global_scale, sinks=sinks,
                        window_left=window_left,
                        logits_soft_cap=logits_soft_cap, out=out)
    lib = find_library(spec, chip_of(q.device))
    lib.call(spec.name, *call_args(
        spec, q, k_cache, v_cache, block_table, seq_lens, k_scale=k_scale,
        v_scale=v_scale, k_global_scale=k_global_scale,
        v_global_scale=v_global_scale, sinks=sinks, out=out,
        qo_indptr=qo_indptr))
    return out
