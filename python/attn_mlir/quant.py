"""NVFP4 quantization of KV caches (and the matching dequantization).

NVFP4 stores values as e2m1 (magnitudes 0, 0.5, 1, 1.5, 2, 3, 4, 6 and a
sign), two per byte with the even index in the low nibble (the layout of
paged_attn's `vector<2xf4E2M1FN>` cache elements and torch's
float4_e2m1fn_x2), one f8E4M3FN scale per 16 consecutive values of the last
dim, and one f32 global scale per tensor:

    x ~= e2m1 * float(block_scale) * global_scale

The global scale maps the tensor's largest |x| to 6 * 448 (the largest e2m1
times the largest e4m3), so block scales stay inside e4m3's range; each
block scale maps its block's largest |x| to 6.
"""

import torch

E2M1_MAGNITUDES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
BLOCK = 16
E4M3_MAX = 448.0


def _encode_e2m1(v: torch.Tensor) -> torch.Tensor:
    """Nearest e2m1 code (ties to the even code) of v, values clamped to 6."""
    mags = torch.tensor(E2M1_MAGNITUDES, dtype=torch.float32, device=v.device)
    a = v.abs().clamp(max=6.0)
    dist = (a.unsqueeze(-1) - mags).abs()
    # Ties (exactly half-way) go to the even code: nudge odd codes away.
    odd = torch.tensor([0, 1, 0, 1, 0, 1, 0, 1], dtype=torch.float32,
                       device=v.device)
    code = torch.argmin(dist + odd * 1e-6, dim=-1).to(torch.uint8)
    sign = (v < 0).to(torch.uint8) << 3
    return code | sign


def _decode_e2m1(code: torch.Tensor) -> torch.Tensor:
    mags = torch.tensor(E2M1_MAGNITUDES, dtype=torch.float32, device=code.device)
    value = mags[(code & 7).long()]
    return torch.where((code & 8) != 0, -value, value)


def quantize_nvfp4(x: torch.Tensor, global_scale=None):
    """Returns (packed uint8 [..., D/2], block scales float8_e4m3fn
    [..., D/16], global scale float32 scalar tensor) for x [..., D] with D a
    multiple of 16. `global_scale` (a number) replaces the computed one, e.g.
    1 for a cache read without a global scale; the block scales (block amax
    / 6 / global_scale) must then fit e4m3: at most 448."""
    if x.shape[-1] % BLOCK != 0:
        raise ValueError(f"the last dim ({x.shape[-1]}) must be a multiple of {BLOCK}")
    xf = x.float()
    if global_scale is None:
        amax = xf.abs().max()
        global_scale = (amax / (6.0 * E4M3_MAX)).clamp(min=torch.finfo(torch.float32).tiny)
    else:
        global_scale = torch.tensor(float(global_scale), dtype=torch.float32,
                                    device=x.device)
    blocks = xf.reshape(*xf.shape[:-1], -1, BLOCK)
    block_amax = blocks.abs().amax(dim=-1)
    block_scale = (block_amax / 6.0 / global_scale).to(torch.float8_e4m3fn)
    denom = block_scale.float() * global_scale
    scaled = torch.where(denom.unsqueeze(-1) > 0, blocks / denom.unsqueeze(-1),
                         torch.zeros_like(blocks))
    codes = _encode_e2m1(scaled).reshape(*xf.shape)
    packed = codes[..., 0::2] | (codes[..., 1::2] << 4)
    return packed, block_scale, global_scale


def dequantize_nvfp4(packed: torch.Tensor, block_scale: torch.Tensor,
                     global_scale: torch.Tensor) -> torch.Tensor:
    """The float32 values a kernel reads from quantize_nvfp4's output."""
    low, high = packed & 0xF, packed >> 4
    codes = torch.stack([low, high], dim=-1).reshape(*packed.shape[:-1], -1)
    values = _decode_e2m1(codes)
    blocks = values.reshape(*values.shape[:-1], -1, BLOCK)
    scale = block_scale.float().unsqueeze(-1) * global_scale.float()
    return (blocks * scale).reshape(values.shape)
