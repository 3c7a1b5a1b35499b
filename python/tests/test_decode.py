"""Decode conformance on the GPU: every compiled kernel of the matrix
(python/tests/decode_matrix.py) against an fp32 torch reference, over
batch sizes, ragged kv lengths, separate or joint K/V caches (different
strides), contiguous or sliced q and, for NVFP4 caches, block scales laid
out four ways (SCALE_LAYOUTS).

Tolerance, by out dtype: |out - ref| <= 2e-2 + 2e-2 |ref| for bf16,
4e-3 + 4e-3 |ref| for f16 (P is rounded to the 16-bit type before the PV
product, O accumulates in f32, out is rounded once). fp8 and NVFP4 caches
and fp8 queries add no error of their own: the reference reads the same
quantized values (fp8 dequantized; NVFP4 e2m1 * block scale * global scale,
exact in bf16 and f16 up to the global scale, which is applied in f32)."""

import json
import math
import os
import random
import zlib
from dataclasses import dataclass
from typing import Optional

import pytest

from conftest import GPU_DIR, HAVE_CUDA, reference_decode, requires_gpu, torch
from attn_mlir import AttnError  # noqa: E402  (conftest puts python/ on sys.path)
from decode_matrix import (Config, all_configs, byte_pair_configs,
                           fp8_query_range_configs, main_configs)

if torch is not None:
    from attn_mlir.quant import dequantize_nvfp4, quantize_nvfp4

pytestmark = requires_gpu

TOLERANCE = {"bf16": 2e-2, "f16": 4e-3}
DTYPES = {"bf16": "bfloat16", "f16": "float16"}
# Max abs error per (out dtype, cache kind[, fp8 q]), for the log.
MAX_ABS_ERROR = {}

# How NVFP4 block scales are laid out (make_scale_view):
#   tight    the tightest TMA-legal layout: packed where its strides are
#            16-byte multiples, else each stride rounded up to 16 bytes
#   padpage  page strides 64 bytes beyond tight
#   joint    K and V scales from one [pages, 2, ...] buffer split in two
#   kpad     K with padded head and page strides, V tight
SCALE_LAYOUTS = ("tight", "padpage", "joint", "kpad")


def _round_up(x: int, multiple: int) -> int:
    return -(-x // multiple) * multiple


def make_scale_view(values, head_stride_pad=0, page_stride_pad=0, row_pad=0):
    """NVFP4 block scales values [pages, a, b, D/16] (a, b = kv_heads,
    page_size in HND, page_size, kv_heads in NHD) copied into a fresh buffer
    and returned as a float8_e4m3fn view of it with the strides, in bytes:
      dim 2: D/16 + row_pad (row_pad != 0 breaks the rule that folds dims
             2-3: error tests only)
      dim 1: b rows rounded up to 16 bytes, plus head_stride_pad
      dim 0: a dim-1 strides rounded up to 16 bytes, plus page_stride_pad.
    The bytes in between hold 0x7F, a NaN in e4m3: a kernel that reads
    padding as scales gets NaNs."""
    pages, a, b, blocks = values.shape
    s2 = blocks + row_pad
    s1 = _round_up(b * s2, 16) + head_stride_pad
    s0 = _round_up(a * s1, 16) + page_stride_pad
    strides = (s0, s1, s2, 1)
    size = 1 + sum((n - 1) * s for n, s in zip(values.shape, strides))
    buf = torch.full((max(size, pages * s0),), 0x7F, dtype=torch.uint8,
                     device=values.device)
    view = buf.as_strided(values.shape, strides)
    view.copy_(values.view(torch.uint8))  # bytes: no fp8 kernels needed
    return view.view(torch.float8_e4m3fn)


def nvfp4_scale_views(k_scale, v_scale, layout: str):
    """K and V block scales ([pages, a, b, D/16] each) laid out as `layout`
    (one of SCALE_LAYOUTS)."""
    if layout == "tight":
        return make_scale_view(k_scale), make_scale_view(v_scale)
    if layout == "padpage":
        return (make_scale_view(k_scale, page_stride_pad=64),
                make_scale_view(v_scale, page_stride_pad=64))
    if layout == "joint":  # per page: K's a rows, then V's
        a = k_scale.shape[1]
        both = make_scale_view(torch.cat([k_scale.view(torch.uint8),
                                          v_scale.view(torch.uint8)], dim=1))
        return both[:, :a], both[:, a:]
    if layout == "kpad":
        return (make_scale_view(k_scale, head_stride_pad=16, page_stride_pad=32),
                make_scale_view(v_scale))
    raise ValueError(f"scale layout {layout!r}")


@dataclass
class DecodeInputs:
    """The tensors of one call, NVFP4 block scales and global scales where
    the config has them."""
    q: "torch.Tensor"
    k_cache: "torch.Tensor"
    v_cache: "torch.Tensor"
    block_table: "torch.Tensor"
    seq_lens: "torch.Tensor"
    k_scale: Optional["torch.Tensor"] = None
    v_scale: Optional["torch.Tensor"] = None
    k_global_scale: Optional["torch.Tensor"] = None
    v_global_scale: Optional["torch.Tensor"] = None
    sinks: Optional["torch.Tensor"] = None

    def args(self, out):
        """The call's tensors in the function's argument order."""
        optional = [self.k_scale, self.v_scale, self.k_global_scale,
                    self.v_global_scale, self.sinks]
        return ([self.q, self.k_cache, self.v_cache, self.block_table, self.seq_lens]
                + [t for t in optional if t is not None] + [out])

    def new_out(self, cfg: Config, fill=float("nan")):
        return torch.full(self.q.shape, fill, dtype=getattr(torch, DTYPES[cfg.dtype]),
                          device=self.q.device)

    def reference(self, cfg: Config):
        """fp32 attention over the values the kernel reads: NVFP4 caches
        dequantized (with their global scales, 1 when absent) through the
        same strided views."""
        q = self.q.float()
        if not cfg.nvfp4:
            return reference_decode(cfg, q, self.k_cache, self.v_cache,
                                    self.block_table, self.seq_lens, self.sinks,
                                    self.k_global_scale, self.v_global_scale)
        one = torch.ones((), device=q.device)
        def dequantize(cache, scale, global_scale):  # (any strides)
            return dequantize_nvfp4(cache, scale,
                                    one if global_scale is None else global_scale)
        k = dequantize(self.k_cache, self.k_scale, self.k_global_scale)
        v = dequantize(self.v_cache, self.v_scale, self.v_global_scale)
        return reference_decode(cfg, q, k, v, self.block_table, self.seq_lens,
                                self.sinks)


def make_nvfp4_caches(cfg: Config, num_pages: int, joint: bool, scale_layout: str,
                      gen, dev):
    """K and V caches of bf16 randn values quantized to NVFP4, each with its
    own global scale (global scale 1 when the config has none): packed uint8
    caches (from one [pages, 2, ...] buffer when joint), block scales laid
    out as scale_layout, global scales (None when the config has none)."""
    shape = (num_pages, *cfg.page_dims, cfg.head_dim)
    fixed = None if cfg.global_scales else 1.0
    (k, k_scale, k_global), (v, v_scale, v_global) = [
        quantize_nvfp4(torch.randn(shape, generator=gen).to(torch.bfloat16).to(dev),
                       global_scale=fixed)
        for _ in range(2)]
    if joint:  # one [pages, 2, ...] byte buffer split in two
        kv = torch.stack([k, v], dim=1)
        k, v = kv[:, 0], kv[:, 1]
    k_scale, v_scale = nvfp4_scale_views(k_scale, v_scale, scale_layout)
    if not cfg.global_scales:
        k_global = v_global = None
    return k, v, k_scale, v_scale, k_global, v_global


def make_inputs(cfg: Config, batch: int, joint: bool, q_sliced: bool, seed: int,
                max_len: int = 300, lens=None, extra_pages: int = 3,
                scale_layout: str = "tight", device: str = "cuda") -> DecodeInputs:
    gen = torch.Generator(device="cpu").manual_seed(seed)
    rng = random.Random(seed)
    dtype = getattr(torch, DTYPES[cfg.dtype])
    q_dtype = torch.float8_e4m3fn if cfg.q_f8 else dtype
    cache_dtype = torch.float8_e4m3fn if cfg.kv_dtype == "f8" else dtype
    dev = device
    # Ragged lengths: 1, a page multiple plus one, random others.
    if lens is None:
        lens = [rng.randint(1, max_len) for _ in range(batch)]
        lens[0] = 1
        if batch > 1:
            lens[1] = min(cfg.page * 3 + 1, max_len)
        lens = [max(l, cfg.q_len) for l in lens]
    max_pages = max(math.ceil(l / cfg.page) for l in lens)
    num_pages = sum(math.ceil(l / cfg.page) for l in lens) + extra_pages
    perm = torch.randperm(num_pages, generator=gen)
    block_table = torch.zeros(batch, max_pages + 1, dtype=torch.int32)
    used = 0
    for b, l in enumerate(lens):
        n = math.ceil(l / cfg.page)
        block_table[b, :n] = perm[used: used + n].int()
        # Entries past the sequence: garbage the kernel must not read.
        block_table[b, n:] = -7
        used += n
    H, KH, D = cfg.qo_heads, cfg.kv_heads, cfg.head_dim
    page_shape = (*cfg.page_dims, D)
    k_scale = v_scale = None
    k_global = v_global = None
    if cfg.nvfp4:
        k_cache, v_cache, k_scale, v_scale, k_global, v_global = make_nvfp4_caches(
            cfg, num_pages, joint, scale_layout, gen, dev)
    elif joint:  # one [pages, 2, ...] cache split in two: page stride doubles
        kv = torch.randn((num_pages, 2) + page_shape, generator=gen).to(cache_dtype).to(dev)
        k_cache, v_cache = kv[:, 0], kv[:, 1]
    else:
        k_cache = torch.randn((num_pages,) + page_shape, generator=gen).to(cache_dtype).to(dev)
        v_cache = torch.randn((num_pages,) + page_shape, generator=gen).to(cache_dtype).to(dev)
    T = batch * cfg.q_len
    if q_sliced:  # q is the first H heads of a fused [T, H + 2 KH, D] qkv
        qkv = torch.randn(T, H + 2 * KH, D, generator=gen).to(q_dtype).to(dev)
        q = qkv[:, :H]
    else:
        q = torch.randn(T, H, D, generator=gen).to(q_dtype).to(dev)
    sinks = (torch.randn(H, generator=gen) * 2).float().to(dev) if cfg.sinks else None
    seq_lens = torch.tensor(lens, dtype=torch.int32, device=dev)
    if cfg.global_scales and not cfg.nvfp4:
        k_global, v_global = torch.tensor(0.75, device=dev), torch.tensor(1.5, device=dev)
    return DecodeInputs(q, k_cache, v_cache, block_table.to(dev), seq_lens,
                        k_scale, v_scale, k_global, v_global, sinks)


def assert_matches(cfg, inputs, out, what):
    """out against the fp32 reference of `inputs`, within the tolerance of
    cfg's out dtype (NaN anywhere fails)."""
    ref = inputs.reference(cfg)
    err = (out.float() - ref).abs()
    tol = TOLERANCE[cfg.dtype]
    bad = ~(err <= tol + tol * ref.abs())
    assert not bad.any(), (f"{what}: {int(bad.sum())} of {bad.numel()} off, "
                           f"max abs error {float(err.max()):.4g}")


def error_key(cfg: Config) -> str:
    return f"out {cfg.dtype}, kv {cfg.kv_kind}" + (", q f8" if cfg.q_f8 else "")


def call_and_compare(lib, cfg, inputs):
    """Runs `inputs` through cfg's kernel in `lib`: the abs error against the
    fp32 reference and where it is over the tolerance (NaN, never written or
    read, is)."""
    out = inputs.new_out(cfg)
    lib.call(cfg.name, *inputs.args(out))
    torch.cuda.synchronize()
    ref = inputs.reference(cfg)
    err = (out.float() - ref).abs()
    tol = TOLERANCE[cfg.dtype]
    return err, ~(err <= tol + tol * ref.abs())


def run_case(lib, cfg, batch, joint, q_sliced, seed, scale_layout="tight",
             error_suffix=""):
    inputs = make_inputs(cfg, batch, joint, q_sliced, seed, scale_layout=scale_layout)
    err, bad = call_and_compare(lib, cfg, inputs)
    key = error_key(cfg) + error_suffix
    MAX_ABS_ERROR[key] = max(MAX_ABS_ERROR.get(key, 0.0), float(err.max()))
    where = f"{cfg.name} batch={batch} joint={joint} q_sliced={q_sliced}"
    if cfg.nvfp4:
        where += f" scales={scale_layout}"
    assert not bad.any(), (
        f"{where}: {int(bad.sum())} of {bad.numel()} elements off, max abs error "
        f"{float(err.max()):.4g}")


def _variants(i, k):
    """The runtime variants of the i-th kernel (the k-th NVFP4 one, None for
    others): every kernel runs twice, an NVFP4 kernel with two scale layouts
    that rotate against the cache variants."""
    batches = [1, 7, 64]
    first = (batches[i % 3], bool(i % 2), bool((i // 2) % 2))
    second = (batches[(i + 1) % 3], not bool(i % 2), not bool((i // 2) % 2))
    if k is None:
        return [first + (None,), second + (None,)]
    layout = (k + k // 4) % 4
    return [first + (SCALE_LAYOUTS[layout],),
            second + (SCALE_LAYOUTS[(layout + 2) % 4],)]


def _cases():
    cases, k = [], 0
    for i, cfg in enumerate(all_configs()):
        cases += [(cfg, *v) for v in _variants(i, k if cfg.nvfp4 else None)]
        k += cfg.nvfp4
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    "cfg,batch,joint,q_sliced,scale_layout", CASES,
    ids=[f"{c.name}-b{b}-{'joint' if j else 'sep'}-{'qslice' if s else 'qcontig'}"
         + (f"-{sl}" if sl else "") for c, b, j, s, sl in CASES])
def test_decode(matrix_lib, cfg, batch, joint, q_sliced, scale_layout):
    run_case(matrix_lib, cfg, batch, joint, q_sliced,
             seed=zlib.crc32(cfg.name.encode()) % 1000 + batch,
             scale_layout=scale_layout)


@pytest.fixture(scope="module")
def byte_pairs_lib():
    """The register-converted NVFP4 configs compiled with
    decode-nvfp4=byte-pairs: sm_100a's conversion layout, its
    cvt.rn.f16x2.e2m1x2 replaced by the exact integer equivalent."""
    import attn_mlir
    path = os.path.join(GPU_DIR, "decode_matrix_byte_pairs.so")
    if not os.path.exists(path):
        pytest.skip(f"GPU test: {path} not built (scripts/build-gpu-tests.sh)")
    return attn_mlir.load(path)


# The same runtime variants as test_decode, with another seed.
BYTE_PAIR_CASES = [case for case in CASES if case[0] in set(byte_pair_configs())]


@pytest.mark.parametrize(
    "cfg,batch,joint,q_sliced,scale_layout", BYTE_PAIR_CASES,
    ids=[f"{c.name}-b{b}-{'joint' if j else 'sep'}-{'qslice' if s else 'qcontig'}"
         f"-{sl}-byte-pairs" for c, b, j, s, sl in BYTE_PAIR_CASES])
def test_decode_byte_pairs(byte_pairs_lib, cfg, batch, joint, q_sliced,
                           scale_layout):
    run_case(byte_pairs_lib, cfg, batch, joint, q_sliced,
             seed=zlib.crc32(cfg.name.encode()) % 1000 + batch + 3,
             scale_layout=scale_layout, error_suffix=", byte pairs")


FULL = Config()
NVFP4 = Config(kv_dtype="nvfp4", global_scales=True)  # bf16, HND, d128, g4, p16


@pytest.mark.parametrize("batch", [1, 7, 64])
@pytest.mark.parametrize("joint", [False, True])
@pytest.mark.parametrize("q_sliced", [False, True])
def test_decode_all_variants(matrix_lib, batch, joint, q_sliced):
    """The default config under every runtime variant."""
    run_case(matrix_lib, FULL, batch, joint, q_sliced, seed=batch)


@pytest.mark.parametrize("scale_layout", SCALE_LAYOUTS)
@pytest.mark.parametrize("joint", [False, True])
def test_nvfp4_all_scale_layouts(matrix_lib, scale_layout, joint):
    """One NVFP4 kernel under every scale layout, separate and joint caches."""
    run_case(matrix_lib, NVFP4, 7, joint, False, seed=17, scale_layout=scale_layout)


@pytest.mark.skipif(not hasattr(torch, "float4_e2m1fn_x2"),
                    reason="this torch has no float4_e2m1fn_x2")
def test_nvfp4_cache_as_float4_e2m1fn_x2(matrix_lib):
    """NVFP4 caches may also come as torch's float4_e2m1fn_x2 (the same
    bytes as quant's uint8)."""
    inputs = make_inputs(NVFP4, 7, True, False, seed=23)
    ref = inputs.reference(NVFP4)
    inputs.k_cache = inputs.k_cache.view(torch.float4_e2m1fn_x2)
    inputs.v_cache = inputs.v_cache.view(torch.float4_e2m1fn_x2)
    out = inputs.new_out(NVFP4)
    matrix_lib.call(NVFP4.name, *inputs.args(out))
    torch.cuda.synchronize()
    assert torch.allclose(out.float(), ref, atol=2e-2, rtol=2e-2)


@pytest.mark.parametrize("cfg", [FULL, Config(page=100), Config(page=1, layout="nhd"),
                                 NVFP4],
                         ids=lambda c: c.name)
def test_long_sequence_split_kv(matrix_lib, cfg):
    """Few CTAs and long sequences: the split-KV path with its merge (splits
    start on whole pages, also for pages that are not a multiple of 64)."""
    inputs = make_inputs(cfg, 2, False, False, seed=5, lens=[4999, 3001])
    out = inputs.new_out(cfg)
    matrix_lib.call(cfg.name, *inputs.args(out))
    torch.cuda.synchronize()
    ref = inputs.reference(cfg)
    assert torch.allclose(out.float(), ref, atol=2e-2, rtol=2e-2)


PAIRED = [NVFP4,
          Config("bf16", "nhd", 64, 4, 64, kv_dtype="nvfp4", global_scales=True),
          Config("bf16", "hnd", 64, 4, 16, kv_dtype="f8", global_scales=True),
          # Dense pages: folded boxes (two and four rows a box row).
          Config(kv_dtype="nvfp4", global_scales=True, dense_pages=True),
          Config("f16", head_dim=64, kv_dtype="nvfp4", global_scales=True,
                 dense_pages=True)]


@pytest.mark.parametrize("cfg", PAIRED, ids=lambda c: c.name)
def test_tile_pairs_every_tile_count(matrix_lib, cfg):
    """Register-dequantized kernels with at most 8 q rows compute two 64-key
    tiles a step, and an odd last tile alone (DecodePlan::tilesPerStep):
    sequences of 1 to 8 tiles, ending on a tile's first, middle or last key,
    so that the last tile is a pair's second, alone, or the only one."""
    lens = [1, 63, 64, 65, 127, 128, 129, 191, 192, 193, 256, 320, 383, 449,
            512]
    inputs = make_inputs(cfg, len(lens), False, False, seed=41, lens=lens)
    err, bad = call_and_compare(matrix_lib, cfg, inputs)
    rows = bad.flatten(1).any(1).nonzero().flatten().tolist()
    assert not rows, (
        f"{cfg.name}: sequences of {[lens[r] for r in rows]} keys off, max abs "
        f"error {float(err.max()):.4g}")


def padded_rows(cache, pad):
    """`cache` as a view whose rows (dim 2) are `pad` elements apart more
    than their length: the pages are no longer dense."""
    shape = (*cache.shape[:3], cache.shape[3] + pad)
    view = torch.zeros(shape, dtype=cache.dtype, device=cache.device)[..., :cache.shape[3]]
    view.copy_(cache)
    return view


def test_padded_rows_take_the_kernel_without_dense_pages(matrix_lib):
    """Caches whose rows are not contiguous: the kernel compiled for dense
    pages (rows folded into its TMA boxes) refuses them by the stride its
    type states, and the kernel compiled without dense_pages reads them."""
    dense = Config(kv_dtype="nvfp4", global_scales=True, dense_pages=True)
    inputs = make_inputs(dense, 7, False, False, seed=47)
    inputs.k_cache = padded_rows(inputs.k_cache, 16)
    assert inputs.k_cache.stride(2) == 80
    out = inputs.new_out(dense)
    with pytest.raises(AttnError,
                       match=r"'k_cache': stride of dim 2 must be 64 .* got 80"):
        matrix_lib.call(dense.name, *inputs.args(out))
    err, bad = call_and_compare(matrix_lib, NVFP4, inputs)
    assert not bad.any(), f"{NVFP4.name}, padded rows: max abs error {float(err.max()):.4g}"


@pytest.mark.parametrize("cfg", [Config(kv_dtype="f8", global_scales=True), NVFP4],
                         ids=lambda c: c.name)
def test_negative_k_global_scale(matrix_lib, cfg):
    """A per-tensor K scale is a device value of either sign: a negative one
    negates every logit, so the softmax's max must come from the scaled
    logits, not from the raw scores."""
    inputs = make_inputs(cfg, 7, False, False, seed=31)
    inputs.k_global_scale = -inputs.k_global_scale
    assert float(inputs.k_global_scale) < 0
    out = inputs.new_out(cfg)
    matrix_lib.call(cfg.name, *inputs.args(out))
    torch.cuda.synchronize()
    assert_matches(cfg, inputs, out, f"{cfg.name} k_global_scale < 0")


@pytest.mark.parametrize("length", [40, 3000], ids=["one_split", "split_kv"])
@pytest.mark.parametrize("cache", ["k", "v"])
@pytest.mark.parametrize("dtype", ["bf16", "f16"])
def test_fp8_nan_propagates(matrix_lib, dtype, cache, length):
    """An e4m3 NaN (0x7F) in a key or value that is read makes the outputs of
    its kv head's query heads NaN (a NaN logit: every dim; a NaN value: its
    dim) and leaves the other kv head's finite. NaN is never turned into a
    silent zero (the normalization only zeroes rows with no key)."""
    cfg = Config(dtype, kv_dtype="f8", global_scales=True)
    inputs = make_inputs(cfg, 1, False, False, seed=11, lens=[length])
    page = int(inputs.block_table[0, 0])
    target = inputs.k_cache if cache == "k" else inputs.v_cache
    target.view(torch.uint8)[page, 0, 3, 5] = 0x7F  # HND: kv head 0, token 3
    out = inputs.new_out(cfg, fill=0.0)
    matrix_lib.call(cfg.name, *inputs.args(out))
    torch.cuda.synchronize()
    head0 = out[:, : cfg.group].float()
    head1 = out[:, cfg.group:].float()
    # V NaN reaches only dim 5 of the output; a K NaN reaches every dim.
    poisoned = head0[..., 5] if cache == "v" else head0
    assert poisoned.isnan().all(), "the NaN was lost"
    assert torch.isfinite(head1).all()


@pytest.mark.parametrize("cfg", fp8_query_range_configs(), ids=lambda c: c.name)
def test_fp8_cache_bf16_query_any_magnitude(matrix_lib, cfg):
    """A bf16 q over an fp8 cache runs f16 MMAs: q is rescaled by a power of
    two into f16 range first. q values far above f16's 65504 (or far below
    its normal range), with a softmax scale that keeps the logits as usual,
    must give the fp32 reference's output."""
    magnitude = cfg.head_dim ** -0.5 / cfg.sm_scale
    inputs = make_inputs(cfg, 3, False, False, seed=23, lens=[1, 700, 3000])
    inputs.q = (inputs.q.float() * magnitude).to(torch.bfloat16)
    assert float(inputs.q.float().abs().max()) > 65504 or magnitude < 2.0 ** -14
    out = inputs.new_out(cfg)
    matrix_lib.call(cfg.name, *inputs.args(out))
    torch.cuda.synchronize()
    assert_matches(cfg, inputs, out, cfg.name)


@pytest.mark.parametrize("dtype", ["bf16", "f16"])
def test_fp8_subnormal_codes_exact(matrix_lib, dtype):
    """K and V hold only e4m3 subnormals (0x01-0x07, either sign) and zeros,
    with global scales that bring the output near 1: a conversion that
    flushed them would be off by the whole output."""
    cfg = Config(dtype, kv_dtype="f8", global_scales=True)
    inputs = make_inputs(cfg, 2, False, False, seed=31, lens=[77, 2500])
    gen = torch.Generator(device="cpu").manual_seed(3)
    for cache in (inputs.k_cache, inputs.v_cache):
        codes = torch.randint(0, 8, cache.shape, generator=gen, dtype=torch.uint8)
        signs = torch.randint(0, 2, cache.shape, generator=gen, dtype=torch.uint8)
        cache.view(torch.uint8).copy_((codes | (signs << 7)).to(cache.device))
    inputs.k_global_scale = torch.tensor(256.0, device="cuda")
    inputs.v_global_scale = torch.tensor(512.0, device="cuda")
    out = inputs.new_out(cfg)
    matrix_lib.call(cfg.name, *inputs.args(out))
    torch.cuda.synchronize()
    assert float(inputs.reference(cfg).abs().max()) > 0.25
    assert_matches(cfg, inputs, out, cfg.name)


def test_report_max_error():
    """Records the max abs error seen per (out dtype, cache kind) (for the
    log): runs after the matrix, and fails if none of it ran."""
    assert MAX_ABS_ERROR, "no decode case ran"
    print("max abs error per out dtype and cache kind:", MAX_ABS_ERROR)
    log_dir = os.environ.get("ATTN_GPU_LOG_DIR")
    if log_dir:
        with open(os.path.join(log_dir, "max_error.json"), "w") as f:
            json.dump(MAX_ABS_ERROR, f)
