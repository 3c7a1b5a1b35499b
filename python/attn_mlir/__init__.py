"""attn-mlir from Python: `attn_mlir.decode(...)` and `attn_mlir.prefill(...)`
on torch CUDA tensors
(specialized, compiled and cached on demand, or taken from packs), and the
lower layers it is built on: compile .mlir modules ahead of time (on a
machine with LLVM) and call their functions on torch CUDA tensors
(anywhere)."""

from .runtime import AttnError, Library, load
from .signature import MemRefType, Signature, parse_memref_type, parse_signatures
from .spec import DecodeSpec, PrefillSpec


try:  # the torch front end (the custom op registers at import)
    import torch as _torch  # noqa: F401
except ImportError:  # CPU machines without torch: everything else works
    def decode(*args, **kwargs):
        """Paged decode attention on torch tensors (needs torch)."""
        raise AttnError("attn_mlir.decode needs torch")

    def prefill(*args, **kwargs):
        """Paged prefill attention on torch tensors (needs torch)."""
        raise AttnError("attn_mlir.prefill needs torch")
else:
    from .ops import decode, prefill


__all__ = ["AttnError", "DecodeSpec", "PrefillSpec", "Library", "decode",
           "prefill", "load", "MemRefType",
           "Signature", "parse_memref_type", "parse_signatures"]
