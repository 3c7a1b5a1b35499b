#!/usr/bin/env python3
"""Checks that the lowered IR of the whole decode matrix is unchanged.

The decode conformance matrix (python/tests/decode_matrix.py, every kernel
the GPU suite runs) is lowered for sm_90a and sm_100a at two stages:

  gpu   --paged-attn-verify-tma --convert-paged-attn-to-gpu, canonicalized:
        the kernels and host code as this project builds them (the stage a
        refactor of the kernel generator must leave byte-identical);
  nvvm  the whole --paged-attn-to-nvvm pipeline with format=isa: the host
        code in the LLVM dialect and the PTX the GPU runs.

Each output's SHA-256 (compile timings that gpu-module-to-binary records
removed) is compared with the committed golden file
(test/Conversion/PagedAttnToGPU/decode-matrix.sha256). Usage:

  scripts/check-decode-ir.py [--attn-opt PATH] [--check | --update]
                             [--keep DIR] [--stages gpu,nvvm]
                             [--decode-nvfp4 placement]

--check (the default) exits 1 and names each stage and chip that differs;
--keep DIR writes every lowered module there, so two builds can be diffed.
--update rewrites the golden file: do that only in a commit that says why
the IR changed (a refactor must not need it).

The hashes are of text printed by Debian's MLIR 22 (22.1.x) and the PTX its
NVPTX backend emits; another LLVM build may print differently.
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python", "tests"))
import decode_matrix  # noqa: E402

GOLDEN = os.path.join(ROOT, "test", "Conversion", "PagedAttnToGPU",
                      "decode-matrix.sha256")
CHIPS = ("sm_90a", "sm_100a")


# gpu-module-to-binary records how long each step took (e.g.
# `LLVMIRToISATimeInMs = 8558 : i64`) in the gpu.binary's properties: not
# part of the IR's meaning, and different on every run.
TIMING = re.compile(rb"\w+TimeInMs = \d+ : i64(, )?")


def normalize(text: bytes) -> bytes:
    return TIMING.sub(b"", text)


def stage_args(stage: str, chip: str, toolkit: str, extra: str = ""):
    if stage == "gpu":
        return [f"--paged-attn-verify-tma=chip={chip}",
                f"--convert-paged-attn-to-gpu=chip={chip}{extra}",
                "--canonicalize", "--cse"]
    if stage == "nvvm":
        return [f"--paged-attn-to-nvvm=chip={chip} format=isa "
                f"toolkit={toolkit}{extra}"]
    raise ValueError(stage)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attn-opt",
                        default=os.path.join(ROOT, "build", "bin", "attn-opt"))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    parser.add_argument("--keep", help="write each lowered module here")
    parser.add_argument("--stages", default="gpu,nvvm")
    parser.add_argument("--decode-nvfp4",
                        help="lower with this decode-nvfp4 option (e.g. "
                             "placement on sm_100a reproduces the kernels "
                             "before byte pairs); not with --update")
    parser.add_argument("--toolkit",
                        default=os.environ.get("CUDA_HOME") or "/usr/local/cuda")
    args = parser.parse_args()
    stages = args.stages.split(",")
    extra = f" decode-nvfp4={args.decode_nvfp4}" if args.decode_nvfp4 else ""
    if extra and args.update:
        parser.error("--decode-nvfp4 checks a variant; the golden file holds "
                     "the default lowering")

    configs = decode_matrix.all_configs()
    text = decode_matrix.module_text(configs)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "decode_matrix.mlir")
        with open(src, "w") as f:
            f.write(text)
        for stage in stages:
            for chip in CHIPS:
                start = time.time()
                proc = subprocess.run(
                    [args.attn_opt, src] + stage_args(stage, chip, args.toolkit,
                                                    extra),
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                if proc.returncode != 0:
                    sys.stderr.write(proc.stderr.decode(errors="replace"))
                    print(f"FAIL {stage} {chip}: attn-opt exited "
                          f"{proc.returncode}")
                    return 1
                output = normalize(proc.stdout)
                digest = hashlib.sha256(output).hexdigest()
                results[(stage, chip)] = digest
                print(f"{stage:5} {chip:8} {digest}  "
                      f"({len(output)} bytes, {time.time() - start:.1f} s)")
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    with open(os.path.join(args.keep, f"{stage}-{chip}.mlir"),
                              "wb") as f:
                        f.write(output)

    header = (f"# SHA-256 of the lowered decode matrix ({len(configs)} "
              "kernels), written by scripts/check-decode-ir.py --update\n")
    if args.update:
        golden = {}
        if os.path.exists(GOLDEN):
            golden = read_golden()
        golden.update(results)
        with open(GOLDEN, "w") as f:
            f.write(header)
            for (stage, chip), digest in sorted(golden.items()):
                f.write(f"{stage} {chip} {digest}\n")
        print(f"wrote {os.path.relpath(GOLDEN, ROOT)}")
        return 0

    golden = read_golden()
    bad = 0
    for key, digest in results.items():
        want = golden.get(key)
        if want != digest:
            bad += 1
            print(f"DIFFERS {key[0]} {key[1]}: golden {want}, got {digest}")
    print(f"{len(results) - bad} stages identical, {bad} differ "
          f"({len(configs)} kernels per stage)")
    if bad:
        print("Lower both builds with --keep DIR and diff the modules; if the "
              "change is intended, --update in a commit that explains it.")
    return 1 if bad else 0


def read_golden():
    golden = {}
    with open(GOLDEN) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            stage, chip, digest = line.split()
            golden[(stage, chip)] = digest
    return golden


if __name__ == "__main__":
    sys.exit(main())
