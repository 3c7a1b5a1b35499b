"""The torch side of the front end: the `attn_mlir::decode` and
`attn_mlir::prefill` custom ops (torch.library, so torch.compile traces
calls with fullgraph=True) and `attn_mlir.decode` / `attn_mlir.prefill`,
which allocate `out` when it is not given."""

from typing import Optional

import torch

from .frontend import run_decode, run_prefill


@torch.library.custom_op("attn_mlir::decode", mutates_args=("out",))
def decode_op(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
              block_table: torch.Tensor, seq_lens: torch.Tensor,
              out: torch.Tensor, kv_layout: str = "hnd",
              scale: Optional[float] = None,
              k_scale: Optional[torch.Tensor] = None,
              v_scale: Optional[torch.Tensor] = None,
              k_global_scale: Optional[torch.Tensor] = None,
              v_global_scale: Optional[torch.Tensor] = None,
              sinks: Optional[torch.Tensor] = None, window_left: int = -1,
              logits_soft_cap: Optional[float] = None,
              q_len_per_request: int = 1) -> None:
    run_decode(q, k_cache, v_cache, block_table, seq_lens, out,
               kv_layout=kv_layout, scale=scale, k_scale=k_scale,
               v_scale=v_scale, k_global_scale=k_global_scale,
               v_global_scale=v_global_scale, sinks=sinks,
               window_left=window_left, logits_soft_cap=logits_soft_cap,
               q_len_per_request=q_len_per_request)


@decode_op.register_fake
def _decode_fake(q, k_cache, v_cache, block_table, seq_lens, out,
                 kv_layout="hnd", scale=None, k_scale=None, v_scale=None,
                 k_global_scale=None, v_global_scale=None, sinks=None,
                 window_left=-1, logits_soft_cap=None, q_len_per_request=1):
    return None  # writes `out` in place; nothing else to describe


def decode(q, k_cache, v_cache, block_table, seq_lens, *, kv_layout="hnd",
           scale=None, k_scale=None, v_scale=None, k_global_scale=None,
           v_global_scale=None, sinks=None, window_left=-1,
           logits_soft_cap=None, q_len_per_request=1, out=None):
    """Paged decode attention: softmax(scale * q K^T) V over each request's
    first seq_lens[b] keys of its pages (block_table[b]). q [tokens,
    qo_heads, head_dim] (tokens = batch * q_len_per_request), caches
    [pages, kv_heads, page, head_dim] ("hnd") or [pages, page, kv_heads,
    head_dim] ("nhd"), each with its own strides; fp8 caches take per-tensor
    k/v_global_scale, NVFP4 ones (uint8 pairs) their k/v_scale blocks too.
    `scale` defaults to head_dim ** -0.5. Writes and returns `out`
    (allocated when None). Asynchronous on torch's current stream."""
    if out is None:
        dtype = torch.bfloat16 if q.dtype == torch.float8_e4m3fn else q.dtype
        out = torch.empty(q.shape, dtype=dtype, device=q.device)
    torch.ops.attn_mlir.decode(
        q, k_cache, v_cache, block_table, seq_lens, out, kv_layout, scale,
        k_scale, v_scale, k_global_scale, v_global_scale, sinks, window_left,
        logits_soft_cap, q_len_per_request)
    return out


@torch.library.custom_op("attn_mlir::prefill", mutates_args=("out",))
def prefill_op(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor,
               qo_indptr: torch.Tensor, block_table: torch.Tensor,
               seq_lens: torch.Tensor, out: torch.Tensor, causal: bool = False,
               kv_layout: str = "hnd", scale: Optional[float] = None,
               k_scale: Optional[torch.Tensor] = None,
               v_scale: Optional[torch.Tensor] = None,
               k_global_scale: Optional[torch.Tensor] = None,
               v_global_scale: Optional[torch.Tensor] = None,
               sinks: Optional[torch.Tensor] = None, window_left: int = -1,
               logits_soft_cap: Optional[float] = None) -> None:
    run_prefill(q, k_cache, v_cache, qo_indptr, block_table, seq_lens, out,
                causal=causal, kv_layout=kv_layout, scale=scale,
                k_scale=k_scale, v_scale=v_scale,
                k_global_scale=k_global_scale, v_global_scale=v_global_scale,
                sinks=sinks, window_left=window_left,
                logits_soft_cap=logits_soft_cap)


@prefill_op.register_fake
def _prefill_fake(q, k_cache, v_cache, qo_indptr, block_table, seq_lens, out,
                  causal=False, kv_layout="hnd", scale=None, k_scale=None,
                  v_scale=None, k_global_scale=None, v_global_scale=None,
                  sinks=None, window_left=-1, logits_soft_cap=None):
    return None  # writes `out` in place; nothing else to describe


def prefill(q, k_cache, v_cache, qo_indptr, block_table, seq_lens, *,
            causal=False, kv_layout="hnd", scale=None, k_scale=None,
            v_scale=None, k_global_scale=None, v_global_scale=None, sinks=None,
            window_left=-1, logits_soft_cap=None, out=None):
    """Ragged prefill attention over a paged KV cache: the query rows
    qo_indptr[b] .. qo_indptr[b + 1] of q [tokens, qo_heads, head_dim]
    belong to request b and attend to its first seq_lens[b] keys (its new
    tokens last, so qo_len < seq_len is chunked prefill over a cached
    prefix). With `causal`, row i of a request of n rows sees keys up to
    seq_lens[b] - n + i. Caches, scales and options as `decode` (q bf16 or
    f16). Writes and returns `out` (allocated when None). Asynchronous on
    torch's current stream; the host reads no device data."""
    if out is None:
        out = torch.empty(q.shape, dtype=q.dtype, device=q.device)
    torch.ops.attn_mlir.prefill(
        q, k_cache, v_cache, qo_indptr, block_table, seq_lens, out, causal,
        kv_layout, scale, k_scale, v_scale, k_global_scale, v_global_scale,
        sinks, window_left, logits_soft_cap)
    return out
