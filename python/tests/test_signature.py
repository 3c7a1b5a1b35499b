"""CPU tests of the Python side: memref signature parsing and argument
checks, with stand-in tensors (no torch needed)."""

import pytest

import conftest  # noqa: F401  (puts python/ on sys.path)
from attn_mlir import AttnError, parse_memref_type, parse_signatures
from attn_mlir.runtime import (accepted_dtypes, check_argument, descriptor_type,
                               make_descriptor)
from decode_matrix import Config, all_configs


class FakeTensor:
    def __init__(self, shape, strides, dtype="bfloat16", cuda=True, ptr=0x10000):
        self.shape, self._strides = tuple(shape), tuple(strides)
        self.dtype, self.is_cuda, self.device = f"torch.{dtype}", cuda, "cuda:0" if cuda else "cpu"
        self._ptr = ptr

    def stride(self):
        return self._strides

    def data_ptr(self):
        return self._ptr

    def storage_offset(self):
        return 0


def test_parse_strided():
    t = parse_memref_type("memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>")
    assert t.shape == [None, 8, 16, 128] and t.element == "bf16"
    assert t.strides == [None, None, None, 1] and t.offset is None


def test_parse_identity_and_nvfp4():
    t = parse_memref_type("memref<?x32x64xvector<2xf4E2M1FN>>")
    assert t.element == "vector<2xf4E2M1FN>" and t.strides is None
    assert parse_memref_type("memref<?xi32>").shape == [None]


def test_parse_rejects_garbage():
    with pytest.raises(ValueError):
        parse_memref_type("tensor<4xf32>")


def test_parse_signatures():
    sigs = parse_signatures(
        "func.func @f(%q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>,\n"
        "  %sl: memref<?xi32>) {\n return\n}")
    assert [s.name for s in sigs] == ["f"]
    assert [a.name for a in sigs[0].arguments] == ["q", "sl"]
    assert sigs[0].arguments[0].type.strides == [6144, 128, 1]


Q = parse_memref_type("memref<?x32x128xbf16, strided<[?, 128, 1]>>")


def test_check_accepts_matching_tensor():
    check_argument("f", "q", Q, FakeTensor((5, 32, 128), (6144, 128, 1)))


@pytest.mark.parametrize("tensor,fragment", [
    (FakeTensor((5, 32, 128), (6144, 128, 1), dtype="float16"), "dtype bfloat16"),
    (FakeTensor((5, 32, 128), (6144, 128, 1), cuda=False), "CUDA tensor"),
    (FakeTensor((5, 32, 64), (6144, 64, 1)), "dim 2 must be 128"),
    (FakeTensor((5, 32, 128, 1), (6144, 128, 1, 1)), "rank 3"),
    (FakeTensor((5, 32, 128), (6144, 256, 1)), "stride of dim 1 must be 128"),
])
def test_check_rejects(tensor, fragment):
    with pytest.raises(AttnError) as info:
        check_argument("f", "q", Q, tensor)
    assert fragment in str(info.value) and "'q'" in str(info.value)


def test_size_one_dim_stride_is_ignored():
    k = parse_memref_type("memref<?x1x16x128xbf16>")
    check_argument("f", "k", k, FakeTensor((3, 1, 16, 128), (2048, 999, 128, 1)))


def test_descriptor_holds_sizes_and_strides():
    d = make_descriptor(FakeTensor((5, 32, 128), (6144, 128, 1), ptr=0x1234), 3)
    assert isinstance(d, descriptor_type(3))
    assert d.aligned == 0x1234 and list(d.sizes) == [5, 32, 128]
    assert list(d.strides) == [6144, 128, 1] and d.offset == 0


NVFP4_CACHE = parse_memref_type(
    "memref<?x2x16x64xvector<2xf4E2M1FN>, strided<[?, ?, ?, 1], offset: ?>>")


def test_nvfp4_cache_takes_uint8_and_float4():
    tensor = lambda dtype: FakeTensor((9, 2, 16, 64), (2048, 1024, 64, 1), dtype=dtype)
    check_argument("f", "k_cache", NVFP4_CACHE, tensor("uint8"))
    # float4_e2m1fn_x2 where the installed torch has it (always without torch).
    if "float4_e2m1fn_x2" in accepted_dtypes(NVFP4_CACHE.element):
        check_argument("f", "k_cache", NVFP4_CACHE, tensor("float4_e2m1fn_x2"))
    with pytest.raises(AttnError) as info:
        check_argument("f", "k_cache", NVFP4_CACHE, tensor("int8"))
    assert "'k_cache' must have dtype uint8" in str(info.value)
    assert "got int8" in str(info.value)


def test_matrix_names_are_unique():
    names = [c.name for c in all_configs()]
    assert len(names) == len(set(names))


OPERAND_ORDER = ["q", "k_cache", "v_cache", "block_table", "seq_lens", "k_scale",
                 "v_scale", "k_global_scale", "v_global_scale", "sinks", "out"]


@pytest.mark.parametrize("cfg", [
    Config(),
    Config(kv_dtype="f8", global_scales=True, sinks=True),
    Config("f16", "nhd", 64, page=12, kv_dtype="nvfp4"),
    Config("f16", "nhd", q_len=3, sinks=True, kv_dtype="nvfp4", global_scales=True,
           q_f8=True),
], ids=lambda c: c.name)
def test_matrix_function_arguments_follow_the_op(cfg):
    """The generated function takes the op's operands in the op's order (the
    tests pass tensors positionally), with the types the op gets."""
    text = cfg.mlir()
    (signature,) = parse_signatures(text)
    names = [a.name for a in signature.arguments]
    assert names == [n for n in OPERAND_ORDER if f" {n}(%{n} : " in text]
    assert names[:5] == OPERAND_ORDER[:5] and names[-1] == "out"
    assert ("k_scale" in names) == ("v_scale" in names) == cfg.nvfp4
    assert ("k_global_scale" in names) == cfg.global_scales
    assert ("sinks" in names) == cfg.sinks
    positions = [text.index(f" {n}(%{n} : ") for n in names]
    assert positions == sorted(positions)
    types = {a.name: a.type for a in signature.arguments}
    H, D = cfg.qo_heads, cfg.head_dim
    assert types["q"].shape == [None, H, D] == types["out"].shape
    assert types["q"].element == ("f8E4M3FN" if cfg.q_f8 else cfg.dtype)
    assert types["out"].element == cfg.dtype
    page = list(cfg.page_dims)
    if cfg.nvfp4:
        assert types["k_cache"].element == "vector<2xf4E2M1FN>"
        assert types["k_cache"].shape == [None, *page, D // 2]
        for scale in ("k_scale", "v_scale"):
            assert types[scale].element == "f8E4M3FN"
            assert types[scale].shape == [None, *page, D // 16]
            assert types[scale].strides == [None, None, None, 1]
    else:
        assert types["k_cache"].shape == [None, *page, D]


@pytest.mark.parametrize("kw", [dict(q_f8=True), dict(global_scales=True),
                                dict(kv_dtype="f4")])
def test_matrix_rejects_impossible_configs(kw):
    """fp8 q and global scales need an fp8 or NVFP4 cache."""
    with pytest.raises(ValueError):
        Config(**kw)
