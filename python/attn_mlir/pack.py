"""Precompile specializations for machines without LLVM.

    python3 -m attn_mlir.pack --decode 'dtype=bf16,head_dim=128,group=4,page=16,kv_heads=8' \\
        [--decode ...] [--config FILE] --chip sm_90a -o DIR

compiles each decode specialization (DecodeSpec.to_string() syntax; the
fields not given keep their defaults; FILE holds one per line, '#'
comments) into DIR, the layout the front end reads: set
ATTN_MLIR_PACKS=DIR (':'-separated for several) where the kernels run.
An AttnError for a missing key prints the exact --decode argument.
"""

import argparse
import sys

from .frontend import compile_spec, library_name, toolchain
from .spec import DecodeSpec


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decode", action="append", default=[],
                        help="a decode specialization, e.g. "
                             "'dtype=bf16,head_dim=128,group=4,page=16'")
    parser.add_argument("--config", help="a file of specializations, one a line")
    parser.add_argument("--chip", default="sm_90a", choices=["sm_90a", "sm_100a"])
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    texts = list(args.decode)
    if args.config:
        with open(args.config) as f:
            texts += [line.split("#")[0].strip() for line in f]
    specs = []
    for text in filter(None, texts):
        try:
            specs.append(DecodeSpec.from_string(text))
        except (ValueError, TypeError) as e:
            parser.error(f"bad --decode {text!r}: {e}")
    if not specs:
        parser.error("nothing to pack: give --decode or --config")
    build, why = toolchain()
    if build is None:
        sys.exit(f"attn_mlir.pack: no toolchain here ({why})")
    for spec in specs:
        compile_spec(spec, args.chip, args.output, build)
        print(f"{library_name(spec, args.chip)}.so")


if __name__ == "__main__":
    main()
