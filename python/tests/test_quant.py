"""The NVFP4 quantization helper: exact round trips for representable
values, the error bound for arbitrary ones, the nibble order. Needs torch
(CPU tensors are enough); skipped without it."""

import pytest

from conftest import torch

pytestmark = pytest.mark.skipif(torch is None, reason="needs torch")

if torch is not None:
    from attn_mlir.quant import (BLOCK, E2M1_MAGNITUDES, dequantize_nvfp4,
                                 quantize_nvfp4)


def test_representable_values_round_trip_exactly():
    gen = torch.Generator().manual_seed(0)
    mags = torch.tensor(E2M1_MAGNITUDES)
    codes = torch.randint(0, 8, (4, 3, 64), generator=gen)
    signs = torch.where(torch.rand(4, 3, 64, generator=gen) < 0.5, -1.0, 1.0)
    # Every block holds a 6 so its scale is exactly its power of two.
    x = mags[codes] * signs
    x[..., ::BLOCK] = 6.0
    exponents = torch.randint(-3, 4, (4, 3, 4, 1), generator=gen)
    x = x * (2.0 ** exponents).repeat_interleave(BLOCK, -1).reshape(4, 3, 64)
    packed, scale, g = quantize_nvfp4(x)
    assert packed.dtype == torch.uint8 and packed.shape == (4, 3, 32)
    assert scale.dtype == torch.float8_e4m3fn and scale.shape == (4, 3, 4)
    # Exact codes; the f32 global scale (amax / 2688) is not a power of two,
    # so products carry its rounding.
    assert torch.allclose(dequantize_nvfp4(packed, scale, g), x, rtol=1e-6, atol=0)


def test_error_is_at_most_one_e2m1_unit():
    gen = torch.Generator().manual_seed(1)
    x = (torch.randn(8, 16, 128, generator=gen) * 3).to(torch.bfloat16)
    packed, scale, g = quantize_nvfp4(x)
    y = dequantize_nvfp4(packed, scale, g)
    unit = (scale.float() * g).repeat_interleave(BLOCK, dim=-1)
    err = (x.float() - y).abs()
    assert bool((err <= unit * 1.0 + 1e-6).all()), float((err / unit).max())
    # And it is a real quantization: most values are not exact.
    assert float(err.max()) > 0


def test_nibble_order_low_is_even_index():
    x = torch.zeros(1, 16)
    x[0, 0], x[0, 1] = 1.0, -6.0  # codes 0b0010 and 0b1111
    x[0, 2:] = 0.5
    packed, scale, g = quantize_nvfp4(x)
    assert int(packed[0, 0]) == (0b1111 << 4) | 0b0010


def test_given_global_scale():
    """A cache read without a global scale: quantized with global scale 1,
    the block scales carry the magnitude alone."""
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(4, 2, 64, generator=gen).to(torch.bfloat16)
    packed, scale, g = quantize_nvfp4(x, global_scale=1)
    assert g.dtype == torch.float32 and g.shape == () and float(g) == 1.0
    unit = scale.float().repeat_interleave(BLOCK, dim=-1)
    y = dequantize_nvfp4(packed, scale, g)
    assert bool(((x.float() - y).abs() <= unit + 1e-6).all())


def test_last_dim_must_be_block_multiple():
    with pytest.raises(ValueError):
        quantize_nvfp4(torch.zeros(2, 24))
