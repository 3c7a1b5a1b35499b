"""Function signatures of compiled modules: the memref types of each argument.

The compile driver reads them from the .mlir source (before lowering) and
stores them beside the shared library, so that calls can be checked against
what was compiled: element type, rank, static sizes and static strides.
"""

import re
from dataclasses import dataclass, field
from typing import List, Optional

DYNAMIC = None

# MLIR element type -> (torch dtype names a tensor may have, bytes per memref
# element). NVFP4 pairs come as the uint8 bytes that attn_mlir.quant packs or,
# in a torch that has it, as float4_e2m1fn_x2 (the same bytes).
ELEMENT_TYPES = {
    "bf16": (("bfloat16",), 2),
    "f16": (("float16",), 2),
    "f32": (("float32",), 4),
    "i32": (("int32",), 4),
    "i64": (("int64",), 8),
    "f8E4M3FN": (("float8_e4m3fn",), 1),
    "vector<2xf4E2M1FN>": (("uint8", "float4_e2m1fn_x2"), 1),
}


@dataclass
class MemRefType:
    shape: List[Optional[int]]
    element: str
    strides: Optional[List[Optional[int]]] = None  # None: identity layout
    offset: Optional[int] = 0

    @property
    def rank(self) -> int:
        return len(self.shape)

    def contiguous_strides(self, sizes):
        strides, acc = [], 1
        for size in reversed(sizes):
            strides.append(acc)
            acc *= size
        return list(reversed(strides))

    def __str__(self) -> str:
        dims = "x".join("?" if d is None else str(d) for d in self.shape)
        text = f"memref<{dims}x{self.element}"
        if self.strides is not None:
            strides = ", ".join("?" if s is None else str(s) for s in self.strides)
            off = "?" if self.offset is None else str(self.offset)
            text += f", strided<[{strides}], offset: {off}>"
        return text + ">"


@dataclass
class Argument:
    name: str
    type: MemRefType


@dataclass
class Signature:
    name: str
    arguments: List[Argument] = field(default_factory=list)

    def to_json(self):
        return {
            "name": self.name,
            "arguments": [
                {
                    "name": a.name,
                    "shape": a.type.shape,
                    "element": a.type.element,
                    "strides": a.type.strides,
                    "offset": a.type.offset,
                }
                for a in self.arguments
            ],
        }

    @staticmethod
    def from_json(data) -> "Signature":
        return Signature(
            data["name"],
            [
                Argument(
                    a["name"],
                    MemRefType(a["shape"], a["element"], a["strides"], a["offset"]),
                )
                for a in data["arguments"]
            ],
        )


def _dim(text: str) -> Optional[int]:
    return None if text.strip() == "?" else int(text)


def parse_memref_type(text: str) -> MemRefType:
    """Parses `memref<?x8x16x128xbf16, strided<[?, ?, ?, 1], offset: ?>>`."""
    m = re.fullmatch(r"\s*memref<(.*)>\s*", text, re.S)
    if not m:
        raise ValueError(f"not a memref type: {text}")
    body = m.group(1)
    layout = None
    split = re.search(r",\s*strided<", body)
    if split:
        layout = body[split.start() + 1 :].strip()
        body = body[: split.start()]
    element = None
    for candidate in sorted(ELEMENT_TYPES, key=len, reverse=True):
        if body.endswith(candidate):
            element = candidate
            dims = body[: -len(candidate)]
            break
    if element is None:
        raise ValueError(f"unsupported element type in {text}")
    shape = [_dim(d) for d in dims.split("x") if d != ""]
    strides, offset = None, 0
    if layout:
        lm = re.fullmatch(r"strided<\[(.*?)\](?:,\s*offset:\s*([?0-9]+))?>", layout)
        if not lm:
            raise ValueError(f"unsupported layout in {text}")
        strides = [_dim(s) for s in lm.group(1).split(",")]
        offset = _dim(lm.group(2)) if lm.group(2) else 0
    return MemRefType(shape, element, strides, offset)


def _split_top_level(text: str) -> List[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if text[start:].strip():
        parts.append(text[start:])
    return parts


def parse_signatures(mlir_text: str) -> List[Signature]:
    """Signatures of the public func.func ops whose arguments are memrefs."""
    signatures = []
    for m in re.finditer(r"func\.func\s+@([\w$.]+)\s*\(", mlir_text):
        # Find the matching parenthesis of the argument list.
        depth, i = 1, m.end()
        while depth and i < len(mlir_text):
            depth += {"(": 1, ")": -1}.get(mlir_text[i], 0)
            i += 1
        args_text = mlir_text[m.end() : i - 1]
        signature = Signature(m.group(1))
        for part in _split_top_level(args_text):
            name, _, type_text = part.partition(":")
            signature.arguments.append(
                Argument(name.strip().lstrip("%"), parse_memref_type(type_text))
            )
        signatures.append(signature)
    return signatures
