"""Calling compiled entry points on torch tensors (no copies).

A compiled library is a shared object holding the host code and the embedded
cubin of an .mlir module, linked with libattn_runtime.so, plus a JSON file
with the signatures of its functions. Each function is called through its
`_mlir_ciface_<name>` wrapper with one strided memref descriptor per
argument, built from the tensor's data_ptr, sizes and strides.
"""

import ctypes
import functools
import json
import os
from typing import Dict, Optional, Tuple

from .signature import ELEMENT_TYPES, MemRefType, Signature


class AttnError(RuntimeError):
    """A call was refused: bad arguments, a TMA rule, or a CUDA error."""


def _descriptor_type(rank: int):
    fields = [
        ("allocated", ctypes.c_void_p),
        ("aligned", ctypes.c_void_p),
        ("offset", ctypes.c_int64),
    ]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRef{rank}D", (ctypes.Structure,), {"_fields_": fields})


_DESCRIPTORS: Dict[int, type] = {}


def descriptor_type(rank: int):
    if rank not in _DESCRIPTORS:
        _DESCRIPTORS[rank] = _descriptor_type(rank)
    return _DESCRIPTORS[rank]


def _dtype_name(tensor) -> str:
    return str(tensor.dtype).replace("torch.", "")


@functools.lru_cache(maxsize=None)
def accepted_dtypes(element: str) -> Tuple[str, ...]:
    """The torch dtype names a tensor may have for a memref element type,
    less those that the installed torch lacks (all of them without torch)."""
    names, _ = ELEMENT_TYPES[element]
    try:
        import torch
    except ImportError:
        return names
    return tuple(n for n in names if isinstance(getattr(torch, n, None), torch.dtype))


def check_argument(func: str, name: str, expected: MemRefType, tensor) -> None:
    """Raises AttnError unless `tensor` fits the compiled memref type."""
    where = f"{func}: argument '{name}'"
    dtypes = accepted_dtypes(expected.element)
    if _dtype_name(tensor) not in dtypes:
        raise AttnError(
            f"{where} must have dtype {' or '.join(dtypes)} (compiled as "
            f"{expected}), got {_dtype_name(tensor)}")
    if not getattr(tensor, "is_cuda", False):
        raise AttnError(f"{where} must be a CUDA tensor, got device {tensor.device}")
    sizes, strides = list(tensor.shape), list(tensor.stride())
    if len(sizes) != expected.rank:
        raise AttnError(
            f"{where} must have rank {expected.rank} ({expected}), got shape "
            f"{tuple(sizes)}")
    for dim, (want, got) in enumerate(zip(expected.shape, sizes)):
        if want is not None and want != got:
            raise AttnError(
                f"{where}: dim {dim} must be {want} ({expected}), got {got} "
                f"(shape {tuple(sizes)})")
    want_strides = (expected.strides if expected.strides is not None
                    else expected.contiguous_strides(sizes))
    for dim, (want, got) in enumerate(zip(want_strides, strides)):
        # A size-1 dim's stride is never used to address memory.
        if want is not None and want != got and sizes[dim] != 1:
            raise AttnError(
                f"{where}: stride of dim {dim} must be {want} ({expected}), got "
                f"{got} (strides {tuple(strides)})")
    if expected.offset not in (None, 0) and tensor.storage_offset() != expected.offset:
        raise AttnError(f"{where}: offset must be {expected.offset}")


def make_descriptor(tensor, rank: int):
    desc = descriptor_type(rank)()
    ptr = tensor.data_ptr()
    desc.allocated = ptr
    desc.aligned = ptr
    desc.offset = 0
    for i, (size, stride) in enumerate(zip(tensor.shape, tensor.stride())):
        desc.sizes[i] = size
        desc.strides[i] = stride
    return desc


class Runtime:
    """The process's libattn_runtime.so."""

    def __init__(self, path: str):
        self.lib = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        self.lib.attnRuntimeLastError.restype = ctypes.c_char_p
        self.lib.attnRuntimeStatusOk.restype = ctypes.c_int32
        self.lib.attnRuntimeSetStream.argtypes = [ctypes.c_void_p]
        self.lib.attnRuntimeSetSynchronous.argtypes = [ctypes.c_int32]
        self.lib.attnRuntimeMultiprocessorCount.restype = ctypes.c_int32
        self.lib.attnRuntimeReserveWorkspace.argtypes = [ctypes.c_int64]
        self.lib.attnRuntimeReserveWorkspace.restype = ctypes.c_int32
        self.lib.attnRuntimeWorkspaceBytes.restype = ctypes.c_int64

    def clear(self):
        self.lib.attnRuntimeClearError()

    def check(self, what: str):
        if not self.lib.attnRuntimeStatusOk():
            message = self.lib.attnRuntimeLastError().decode()
            self.clear()
            raise AttnError(f"{what}: {message}")

    def set_stream(self, stream: Optional[int]):
        if stream is None:
            self.lib.attnRuntimeResetStream()
        else:
            self.lib.attnRuntimeSetStream(ctypes.c_void_p(stream))

    def set_synchronous(self, synchronous: bool):
        self.lib.attnRuntimeSetSynchronous(1 if synchronous else 0)

    def reserve_workspace(self, nbytes: int, device=None):
        """Grows the split-KV workspace of `device` (default: the current
        one) to at least `nbytes`, e.g. before capturing CUDA graphs whose
        calls need more than the calls made so far."""
        import torch
        with torch.cuda.device(device if device is not None
                               else torch.cuda.current_device()):
            self.clear()
            self.lib.attnRuntimeReserveWorkspace(int(nbytes))
            self.check("reserve_workspace")

    def release_workspace(self, device=None):
        """Frees `device`'s split-KV workspace (it is allocated again by the
        next call that needs one, outside graph capture)."""
        import torch
        with torch.cuda.device(device if device is not None
                               else torch.cuda.current_device()):
            self.clear()
            self.lib.attnRuntimeReleaseWorkspace()
            self.check("release_workspace")

    def workspace_bytes(self, device=None) -> int:
        """Bytes of `device`'s split-KV workspace (0 before the first call
        that needed one)."""
        import torch
        with torch.cuda.device(device if device is not None
                               else torch.cuda.current_device()):
            return int(self.lib.attnRuntimeWorkspaceBytes())


_RUNTIMES: Dict[str, Runtime] = {}


def _on_device(device):
    """Makes `device` current for the block (nothing to do when it is)."""
    import contextlib

    import torch
    if device.index is None or torch.cuda.current_device() == device.index:
        return contextlib.nullcontext()
    return torch.cuda.device(device)


class Library:
    """A compiled module: `lib.call(name, *tensors)` or `lib.<name>(*tensors)`."""

    def __init__(self, path: str):
        path = os.path.abspath(path)
        meta_path = os.path.splitext(path)[0] + ".json"
        with open(meta_path) as f:
            meta = json.load(f)
        runtime_path = os.path.join(os.path.dirname(path), meta["runtime"])
        if runtime_path not in _RUNTIMES:
            # One runtime per process: a library from another folder binds
            # to the runtime already loaded (by its SONAME), so Python must
            # talk to that one too, not load a second copy.
            _RUNTIMES[runtime_path] = (next(iter(_RUNTIMES.values()))
                                       if _RUNTIMES else Runtime(runtime_path))
        self.runtime = _RUNTIMES[runtime_path]
        self.chip = meta["chip"]
        self.signatures = {s["name"]: Signature.from_json(s) for s in meta["functions"]}
        self._entries = {}
        self.runtime.clear()
        # Loading runs the global constructor that loads the cubin.
        self.lib = ctypes.CDLL(path)
        self.runtime.check(f"loading {os.path.basename(path)}")

    def __getattr__(self, name):
        if name.startswith("_") or name not in self.__dict__.get("signatures", {}):
            raise AttributeError(name)
        return lambda *tensors, **kw: self.call(name, *tensors, **kw)

    def bind(self, name: str, *tensors, stream=None):
        """`call` split in two: checks the arguments and builds their
        descriptors once, and returns a function of no arguments that runs
        only the compiled entry point (its host code still checks every TMA
        rule and encodes the descriptors from the tensors' real strides) on
        the same tensors, asynchronously. For hot loops over fixed buffers,
        and to measure the entry point's own host cost."""
        entry, descriptors, device, stream = self._prepare(name, tensors, stream)
        args = [ctypes.byref(d) for d in descriptors]
        runtime = self.runtime

        def run():
            with _on_device(device):
                runtime.clear()
                runtime.set_stream(stream)
                runtime.set_synchronous(False)
                entry(*args)
                runtime.check(name)
        run.entry, run.args = entry, args  # for the bench's C-only timing
        return run

    def _prepare(self, name, tensors, stream):
        signature = self.signatures.get(name)
        if signature is None:
            raise AttnError(f"no function '{name}' in this library; it has "
                            f"{sorted(self.signatures)}")
        if len(tensors) != len(signature.arguments):
            raise AttnError(
                f"{name} takes {len(signature.arguments)} tensors "
                f"({', '.join(a.name for a in signature.arguments)}), got "
                f"{len(tensors)}")
        descriptors = []
        for arg, tensor in zip(signature.arguments, tensors):
            check_argument(name, arg.name, arg.type, tensor)
            descriptors.append(make_descriptor(tensor, arg.type.rank))
        device = tensors[0].device
        for arg, tensor in zip(signature.arguments, tensors):
            if tensor.device != device:
                raise AttnError(
                    f"{name}: all tensors must be on one device; "
                    f"'{signature.arguments[0].name}' is on {device}, "
                    f"'{arg.name}' on {tensor.device}")
        entry = self._entries.get(name)
        if entry is None:  # ctypes function objects are set up once per name
            entry = getattr(self.lib, "_mlir_ciface_" + name)
            entry.restype = None
            entry.argtypes = [ctypes.POINTER(type(d)) for d in descriptors]
            self._entries[name] = entry
        if stream is None:
            import torch
            stream = torch.cuda.current_stream(device).cuda_stream
        return entry, descriptors, device, stream

    def call(self, name: str, *tensors, stream=None, synchronous: bool = False):
        """Runs `name` on `tensors` (in its arguments' order) on the device
        that holds them, asynchronously on `stream` (default: torch's
        current stream of that device), like a torch op: what the call
        writes is ready for later work on that stream. `synchronous=True`
        waits for the kernels (debugging). Bad arguments, broken TMA rules
        and CUDA errors raise AttnError before anything is launched.
        CUDA-graph safe: the kernels take their TMA descriptors by value and
        nothing is allocated (the split-KV workspace belongs to the runtime:
        make one call with the largest shapes, or reserve_workspace, before
        capturing)."""
        entry, descriptors, device, stream = self._prepare(name, tensors, stream)
        # The device's primary context is current during the call: the
        # runtime loads the kernels there and launches there.
        with _on_device(device):
            self.runtime.clear()
            self.runtime.set_stream(stream)
            self.runtime.set_synchronous(synchronous)
            entry(*[ctypes.byref(d) for d in descriptors])
            self.runtime.check(name)


def load(path: str) -> Library:
    return Library(path)
