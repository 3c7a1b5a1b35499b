"""CPU tests of the front end (no torch, no GPU): specialization keys, the
generated .mlir, the cache and packs, and the error without a toolchain."""

import dataclasses
import multiprocessing
import os
import subprocess

import pytest

import conftest  # noqa: F401  (puts python/ on sys.path)
from attn_mlir import AttnError, DecodeSpec, PrefillSpec
from attn_mlir import frontend

ROOT = conftest.ROOT
ATTN_OPT = os.path.join(ROOT, "build", "bin", "attn-opt")


class T:
    """A stand-in tensor: shape, dtype, strides, device."""

    def __init__(self, shape, dtype="bfloat16", strides=None, device="cuda:0"):
        self.shape = tuple(shape)
        self.dtype = f"torch.{dtype}"
        self.device = device
        self.is_cuda = device.startswith("cuda")
        if strides is None:
            strides, n = [], 1
            for size in reversed(self.shape):
                strides.insert(0, n)
                n *= size
        self._strides = tuple(strides)

    def stride(self):
        return self._strides


def decode_tensors(page=16, head_dim=128, q_strides=None, layout="hnd",
                   k_strides=None, **dtypes):
    q = T((7, 32, head_dim), dtypes.get("q", "bfloat16"), q_strides)
    dims = (10, 8, page, head_dim) if layout == "hnd" else (10, page, 8, head_dim)
    k = T(dims, dtypes.get("kv", "bfloat16"), k_strides)
    v = T(dims, dtypes.get("kv", "bfloat16"))
    return q, k, v, T((7, 4), "int32"), T((7,), "int32")


def test_key_is_the_same_for_views_with_other_strides():
    plain = frontend.decode_spec(*decode_tensors())
    sliced = frontend.decode_spec(*decode_tensors(q_strides=(48 * 128, 128, 1)))
    assert plain == sliced
    assert plain == DecodeSpec(dtype="bf16", head_dim=128, group=4, page=16,
                               kv_heads=8, dense_pages=True)


def test_dense_pages_follow_the_row_stride():
    """HND caches whose rows are contiguous get a static row stride (the
    kernel may fold rows into its TMA boxes); padded rows, or NHD, keep it
    dynamic."""
    dense = frontend.decode_spec(*decode_tensors())
    assert dense.dense_pages and dense.name.endswith("_dense")
    assert "strided<[?, ?, 128, 1], offset: ?>" in dense.mlir()
    # Rows 256 elements apart in k_cache (v_cache dense): not dense.
    padded = frontend.decode_spec(*decode_tensors(
        k_strides=(8 * 16 * 256, 16 * 256, 256, 1)))
    assert not padded.dense_pages
    assert "strided<[?, ?, ?, 1], offset: ?>>" in padded.mlir()
    assert padded == dataclasses.replace(dense, dense_pages=False)
    q, _, _, bt, sl = decode_tensors()
    packed = T((10, 8, 16, 64), "uint8")  # rows of head_dim / 2 bytes
    scales = T((10, 8, 16, 8), "float8_e4m3fn")
    nvfp4 = frontend.decode_spec(q, packed, packed, bt, sl, k_scale=scales,
                                 v_scale=scales)
    assert nvfp4.kv_dtype == "nvfp4" and nvfp4.dense_pages
    assert "strided<[?, ?, 64, 1], offset: ?>" in nvfp4.mlir()
    nhd = frontend.decode_spec(*decode_tensors(layout="nhd"), kv_layout="nhd")
    assert not nhd.dense_pages
    with pytest.raises(ValueError, match="dense_pages needs the hnd layout"):
        DecodeSpec(layout="nhd", dense_pages=True)


def test_key_follows_shapes_dtypes_and_options():
    base = frontend.decode_spec(*decode_tensors())
    assert frontend.decode_spec(*decode_tensors(page=32)) != base
    assert frontend.decode_spec(*decode_tensors(layout="nhd"),
                                kv_layout="nhd").layout == "nhd"
    f8 = frontend.decode_spec(*decode_tensors(kv="float8_e4m3fn"))
    assert f8.kv_dtype == "f8" and f8 != base
    opts = frontend.decode_spec(*decode_tensors(), window_left=20,
                                logits_soft_cap=30.0, sinks=T((32,), "float32"))
    assert (opts.window, opts.soft_cap, opts.sinks) == (20, 30.0, True)
    # The default scale is head_dim ** -0.5 whether given or not.
    assert frontend.decode_spec(*decode_tensors(), scale=128 ** -0.5) == base
    assert frontend.decode_spec(*decode_tensors(), scale=0.1).sm_scale == 0.1


def test_spec_string_round_trips():
    spec = DecodeSpec(dtype="f16", layout="nhd", kv_dtype="nvfp4",
                      global_scales=True, soft_cap=30.0, sm_scale=0.1)
    assert DecodeSpec.from_string(spec.to_string()) == spec
    with pytest.raises(ValueError, match="unknown decode spec field 'pages'"):
        DecodeSpec.from_string("pages=3")


@pytest.mark.parametrize("kwargs,tensors,message", [
    ({}, dict(head_dim=96), "expects q dim 2 (head_dim) to be 64, 128 or 256, got 96"),
    ({}, dict(page=300), "expects k_cache dim 2 (page_size) to be in [1, 256], got 300"),
    ({}, dict(kv="float16"), "expects k_cache element type float16 to be q's (bfloat16)"),
    ({}, dict(q="float8_e4m3fn"), "expects an fp8 or nvfp4 cache with an fp8 q"),
    ({"window_left": -2}, {}, "expects window_left to be -1 (no window) or at least 0"),
    ({"kv_layout": "hdn"}, {}, "expects kv_layout to be 'hnd' or 'nhd'"),
    ({"k_global_scale": T((), "float32")}, dict(kv="float8_e4m3fn"),
     "expects k_global_scale and v_global_scale together"),
])
def test_errors_in_the_dialects_words(kwargs, tensors, message):
    with pytest.raises(AttnError) as info:
        frontend.decode_spec(*decode_tensors(**tensors), **kwargs)
    assert message in str(info.value)


def test_tensors_on_two_devices_are_refused():
    q, k, v, bt, sl = decode_tensors()
    k.device = "cuda:1"
    with pytest.raises(AttnError, match="all tensors on one CUDA device"):
        frontend.decode_spec(q, k, v, bt, sl)


@pytest.mark.skipif(not os.path.exists(ATTN_OPT), reason="attn-opt not built")
def test_generated_mlir_verifies_its_tma_rules(tmp_path):
    q, k, v, bt, sl = decode_tensors()
    nvfp4 = T((10, 8, 16, 64), "uint8")  # head_dim / 2 bytes of e2m1 pairs
    scales = T((10, 8, 16, 8), "float8_e4m3fn")
    specs = [frontend.decode_spec(q, k, v, bt, sl),
             frontend.decode_spec(q, nvfp4, nvfp4, bt, sl, k_scale=scales,
                                  v_scale=scales, k_global_scale=T((), "float32"),
                                  v_global_scale=T((), "float32"))]
    source = tmp_path / "specs.mlir"
    source.write_text("\n".join(s.mlir() for s in specs))
    result = subprocess.run([ATTN_OPT, str(source), "--paged-attn-verify-tma"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("paged_attn.decode") == len(specs)


def test_pack_is_found_before_the_cache(tmp_path, monkeypatch):
    spec = DecodeSpec(kv_heads=8)
    pack, cache = tmp_path / "pack", tmp_path / "cache"
    pack.mkdir()
    cache.mkdir()
    name = frontend.library_name(spec, "sm_90a") + ".so"
    (pack / name).write_text("")
    (cache / name).write_text("")
    monkeypatch.setenv("ATTN_MLIR_PACKS", f"{tmp_path / 'none'}:{pack}")
    monkeypatch.setenv("ATTN_MLIR_CACHE", str(cache))
    assert frontend.locate_library(spec, "sm_90a") == str(pack / name)
    monkeypatch.setenv("ATTN_MLIR_PACKS", "")
    assert frontend.locate_library(spec, "sm_90a") == str(cache / name)


def test_miss_without_toolchain_names_key_chip_and_command(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTN_MLIR_CACHE", str(tmp_path))
    monkeypatch.setenv("ATTN_MLIR_PACKS", "")
    monkeypatch.setattr(frontend, "toolchain", lambda: (None, "missing llc"))
    spec = DecodeSpec(kv_heads=8, page=32)
    with pytest.raises(AttnError) as info:
        frontend.locate_library(spec, "sm_100a")
    message = str(info.value)
    assert spec.to_string() in message and "sm_100a" in message
    assert (f"python3 -m attn_mlir.pack --decode '{spec.to_string()}' "
            "--chip sm_100a -o DIR") in message
    assert "missing llc" in message


def _compile_in_process(args):
    spec_text, out_dir, build = args
    return frontend.compile_spec(DecodeSpec.from_string(spec_text), "sm_90a",
                                 out_dir, build)


@pytest.mark.skipif(frontend.toolchain()[0] is None,
                    reason=f"no toolchain: {frontend.toolchain()[1]}")
def test_cache_miss_compiles_once_and_concurrent_compiles_are_safe(
        tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ATTN_MLIR_CACHE", str(tmp_path))
    monkeypatch.setenv("ATTN_MLIR_PACKS", "")
    spec = DecodeSpec(head_dim=64, group=2, page=8, kv_heads=4)
    build = frontend.toolchain()[0]
    # Two processes compile the same key into the same folder at once.
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        paths = pool.map(_compile_in_process,
                         [(spec.to_string(), str(tmp_path), build)] * 2)
    assert paths[0] == paths[1] and os.path.exists(paths[0])
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".build-")]
    with open(paths[0][:-3] + ".json") as f:
        assert spec.name in f.read()
    assert os.path.exists(tmp_path / "libattn_runtime.so")
    # Now a hit: located without compiling (nothing logged).
    with caplog.at_level("INFO", logger="attn_mlir"):
        assert frontend.locate_library(spec, "sm_90a") == paths[0]
    assert not caplog.records
    # A miss compiles, and logs it with its time.
    other = DecodeSpec(head_dim=64, group=2, page=8, kv_heads=4, window=5)
    with caplog.at_level("INFO", logger="attn_mlir"):
        frontend.locate_library(other, "sm_90a")
    assert any("compiled " + other.name in r.getMessage() for r in caplog.records)


def prefill_tensors(**kwargs):
    q, k, v, bt, sl = decode_tensors(**kwargs)
    return q, k, v, T((8,), "int32"), bt, sl


def test_prefill_key_is_the_same_for_views_with_other_strides():
    plain = frontend.prefill_spec(*prefill_tensors(), causal=True)
    sliced = frontend.prefill_spec(
        *prefill_tensors(q_strides=(48 * 128, 128, 1)), causal=True)
    assert plain == sliced == PrefillSpec(head_dim=128, group=4, page=16,
                                          kv_heads=8, causal=True)
    assert frontend.prefill_spec(*prefill_tensors()).causal is False
    assert plain.name.startswith("prefill_") and "_causal" in plain.name


def test_prefill_spec_string_round_trips_and_refuses_decode_fields():
    spec = PrefillSpec(dtype="f16", kv_dtype="f8", global_scales=True,
                       causal=False, window=9)
    assert PrefillSpec.from_string(spec.to_string()) == spec
    with pytest.raises(ValueError, match="q_len does not apply to prefill"):
        PrefillSpec.from_string("q_len=2")


@pytest.mark.parametrize("tensors,kwargs,replace,message", [
    ({}, {}, {"qo_indptr": T((8,), "int64")},
     "attn_mlir.prefill: expects qo_indptr element type to be int32, got int64"),
    ({}, {}, {"qo_indptr": T((8, 1), "int32")},
     "expects qo_indptr to have rank 1, got shape (8, 1)"),
    (dict(q="float8_e4m3fn", kv="float8_e4m3fn"), {}, {},
     "expects q element type to be bfloat16 or float16 (the prefill kernel reads"),
    ({}, {}, {"q": T((7, 128, 128))},
     "expects a gqa group (num_qo_heads / kv_heads) of at most 64 for the "
     "prefill kernel, got 128"),
    ({}, {}, {"qo_indptr": T((8,), "int32", device="cuda:1")},
     "expects all tensors on one CUDA device"),
])
def test_prefill_errors_in_the_dialects_words(tensors, kwargs, replace, message):
    names = ["q", "k_cache", "v_cache", "qo_indptr", "block_table", "seq_lens"]
    args = dict(zip(names, prefill_tensors(**tensors)))
    args.update(replace)
    if replace.get("q") is not None:  # 128 q heads over 1 kv head
        args["k_cache"] = T((10, 1, 16, 128))
        args["v_cache"] = T((10, 1, 16, 128))
    with pytest.raises(AttnError) as info:
        frontend.prefill_spec(*[args[n] for n in names], **kwargs)
    assert message in str(info.value)


@pytest.mark.skipif(not os.path.exists(ATTN_OPT), reason="attn-opt not built")
def test_generated_prefill_mlir_lowers(tmp_path):
    specs = [frontend.prefill_spec(*prefill_tensors(), causal=True),
             PrefillSpec(layout="nhd", kv_dtype="nvfp4", global_scales=True,
                         sinks=True, window=30)]
    source = tmp_path / "specs.mlir"
    source.write_text("\n".join(s.mlir() for s in specs))
    result = subprocess.run([ATTN_OPT, str(source), "--paged-attn-verify-tma",
                             "--convert-paged-attn-to-gpu"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("gpu.func @prefill_") == len(specs)


def test_prefill_miss_names_the_prefill_command(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTN_MLIR_CACHE", str(tmp_path))
    monkeypatch.setenv("ATTN_MLIR_PACKS", "")
    monkeypatch.setattr(frontend, "toolchain", lambda: (None, "missing llc"))
    spec = PrefillSpec(kv_heads=8, causal=True)
    with pytest.raises(AttnError) as info:
        frontend.locate_library(spec, "sm_90a")
    assert (f"python3 -m attn_mlir.pack --prefill '{spec.to_string()}' "
            "--chip sm_90a -o DIR") in str(info.value)
