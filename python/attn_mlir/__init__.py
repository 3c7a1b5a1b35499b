"""attn-mlir from Python: `attn_mlir.decode(...)` on torch CUDA tensors
(specialized, compiled and cached on demand, or taken from packs), and the
lower layers it is built on: compile .mlir modules ahead of time (on a
machine with LLVM) and call their functions on torch CUDA tensors
(anywhere)."""

from .runtime import AttnError, Library, load
from .signature import MemRefType, Signature, parse_memref_type, parse_signatures
from .spec import DecodeSpec


try:  # the torch front end (the custom op registers at import)
    import torch as _torch  # noqa: F401
except ImportError:  # CPU machines without torch: everything else works
    def decode(*args, **kwargs):
        """Paged decode attention on torch tensors (needs torch)."""
        raise AttnError("attn_mlir.decode needs torch")
else:
    from .ops import decode


__all__ = ["AttnError", "DecodeSpec", "Library", "decode", "load", "MemRefType",
           "Signature", "parse_memref_type", "parse_signatures"]
