"""CPU tests of the Python side: memref signature parsing and argument
checks, with stand-in tensors (no torch needed)."""

import pytest

import conftest  # noqa: F401  (puts python/ on sys.path)
from attn_mlir import AttnError, parse_memref_type, parse_signatures
from attn_mlir.runtime import check_argument, make_descriptor, descriptor_type


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
