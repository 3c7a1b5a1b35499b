"""Precompile specializations for machines without LLVM.

    python3 -m attn_mlir.pack \\
        --decode 'dtype=bf16,head_dim=128,group=4,page=16,kv_heads=8,dense_pages=True' \\
        [--decode ...] [--prefill 'dtype=bf16,causal=True,...'] [--config FILE] \\
        --chip sm_90a -o DIR

compiles each decode and prefill specialization (DecodeSpec / PrefillSpec
.to_string() syntax; the fields not given keep their defaults; FILE holds
one per line, '#' comments, a line starting with 'prefill:' is a prefill
one) into DIR, the layout the front end reads: set
ATTN_MLIR_PACKS=DIR (':'-separated for several) where the kernels run.
A decode over contiguous HND caches has the key with dense_pages=True (a
static row stride); other cache views the key without it. An AttnError for
a missing key prints the exact --decode or --prefill argument.
"""

import argparse
import sys

from .frontend import compile_spec, library_name, toolchain
from .spec import DecodeSpec, PrefillSpec


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decode", action="append", default=[],
                        help="a decode specialization, e.g. "
                             "'dtype=bf16,head_dim=128,group=4,page=16'")
    parser.add_argument("--prefill", action="append", default=[],
                        help="a prefill specialization, e.g. "
                             "'dtype=bf16,head_dim=128,group=4,causal=True'")
    parser.add_argument("--config", help="a file of specializations, one a line")
    parser.add_argument("--chip", default="sm_90a", choices=["sm_90a", "sm_100a"])
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    texts = [(DecodeSpec, t) for t in args.decode]
    texts += [(PrefillSpec, t) for t in args.prefill]
    if args.config:
        with open(args.config) as f:
            for line in f:
                line = line.split("#")[0].strip()
                if line.startswith("prefill:"):
                    texts.append((PrefillSpec, line[len("prefill:"):]))
                else:
                    texts.append((DecodeSpec, line))
    specs = []
    for kind, text in texts:
        if not text.strip():
            continue
        try:
            specs.append(kind.from_string(text))
        except (ValueError, TypeError) as e:
            parser.error(f"bad --{kind.OP} {text!r}: {e}")
    if not specs:
        parser.error("nothing to pack: give --decode, --prefill or --config")
    build, why = toolchain()
    if build is None:
        sys.exit(f"attn_mlir.pack: no toolchain here ({why})")
    for spec in specs:
        compile_spec(spec, args.chip, args.output, build)
        print(f"{library_name(spec, args.chip)}.so")


if __name__ == "__main__":
    main()
