"""attn-mlir from Python: compile .mlir modules ahead of time (on a machine
with LLVM) and call their functions on torch CUDA tensors (anywhere)."""

from .runtime import AttnError, Library, load
from .signature import MemRefType, Signature, parse_memref_type, parse_signatures

__all__ = ["AttnError", "Library", "load", "MemRefType", "Signature",
           "parse_memref_type", "parse_signatures"]
