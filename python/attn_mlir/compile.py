"""Ahead-of-time compilation of an .mlir module to a loadable shared library.

    PYTHONPATH=python python3 -m attn_mlir.compile examples/decode.mlir \\
        -o build/aot/decode.so --chip sm_90a

runs attn-opt --paged-attn-to-nvvm (device code to a cubin via ptxas),
mlir-translate --mlir-to-llvmir and llc (host code to an x86-64 object),
links the object with libattn_runtime.so into OUT.so, copies the runtime
beside it and writes OUT.json with the functions' signatures. The result
loads on a machine without LLVM (attn_mlir.load(OUT.so)).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

from .signature import parse_signatures

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LLVM_BIN = "/usr/lib/llvm-22/bin"


def _tool(name: str, override: str = None) -> str:
    if override:
        return override
    for candidate in (os.path.join(LLVM_BIN, name), shutil.which(name)):
        if candidate and os.path.exists(candidate):
            return candidate
    raise SystemExit(f"attn_mlir.compile: cannot find {name}")


def _run(cmd, what):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"attn_mlir.compile: {what} failed ({' '.join(cmd[:2])} ...)")
    return result


def compile_module(source: str, output: str, chip: str = "sm_90a",
                   build_dir: str = None, toolkit: str = "",
                   keep: bool = False, prefill_kernel: str = "auto",
                   prefill_epilogue: str = "auto",
                   decode_nvfp4: str = "auto") -> str:
    build_dir = build_dir or os.path.join(ROOT, "build")
    attn_opt = os.path.join(build_dir, "bin", "attn-opt")
    runtime = os.path.join(build_dir, "lib", "libattn_runtime.so")
    for path in (attn_opt, runtime):
        if not os.path.exists(path):
            raise SystemExit(f"attn_mlir.compile: {path} is missing; build first")
    output = os.path.abspath(output)
    out_dir = os.path.dirname(output)
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.splitext(output)[0]

    options = f"chip={chip} format=bin"
    if toolkit:
        options += f" toolkit={toolkit}"
    if prefill_kernel != "auto":
        options += f" prefill-kernel={prefill_kernel}"
    if prefill_epilogue != "auto":
        options += f" prefill-epilogue={prefill_epilogue}"
    if decode_nvfp4 != "auto":
        options += f" decode-nvfp4={decode_nvfp4}"
    lowered, llvm_ir, obj = stem + ".lowered.mlir", stem + ".ll", stem + ".o"
    _run([attn_opt, source, f"--paged-attn-to-nvvm={options}", "-o", lowered],
         "lowering")
    _run([_tool("mlir-translate"), "--mlir-to-llvmir", lowered, "-o", llvm_ir],
         "translation to LLVM IR")
    _run([_tool("llc"), "-O2", "-filetype=obj", "-relocation-model=pic",
          llvm_ir, "-o", obj], "llc")
    shutil.copy2(runtime, os.path.join(out_dir, "libattn_runtime.so"))
    _run([os.environ.get("CXX", "c++"), "-shared", obj, "-o", output,
          "-L" + out_dir, "-l:libattn_runtime.so", "-Wl,-rpath,$ORIGIN"],
         "linking")
    with open(source) as f:
        signatures = parse_signatures(f.read())
    with open(stem + ".json", "w") as f:
        json.dump({"chip": chip, "runtime": "libattn_runtime.so",
                   "source": os.path.abspath(source),
                   "functions": [s.to_json() for s in signatures]}, f, indent=1)
    if not keep:
        for path in (lowered, llvm_ir, obj):
            os.remove(path)
    return output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--chip", default="sm_90a", choices=["sm_90a", "sm_100a"])
    parser.add_argument("--build-dir", default=None)
    parser.add_argument("--toolkit", default="")
    parser.add_argument("--keep", action="store_true",
                        help="keep the lowered MLIR, LLVM IR and object")
    parser.add_argument("--prefill-kernel", default="auto",
                        choices=["auto", "portable"],
                        help="portable: the mma.sync prefill kernel (the one "
                             "sm_100a gets) also where wgmma would be chosen")
    parser.add_argument("--prefill-epilogue", default="auto",
                        choices=["auto", "tma-bulk"],
                        help="tma-bulk: the wgmma prefill kernel copies out's "
                             "rows by cp.async.bulk (the TMA engine) instead "
                             "of 16-byte stores")
    parser.add_argument("--decode-nvfp4", default="auto",
                        choices=["auto", "byte-pairs", "placement",
                                 "leave-out"],
                        help="how register-dequantized decode converts "
                             "NVFP4: byte-pairs (cvt.rn.f16x2.e2m1x2, sm_100a's "
                             "default, or its exact integer equivalent, e.g. "
                             "to run sm_100a's kernel on sm_90a), placement "
                             "(sm_90a's default) or leave-out (measurement "
                             "only, wrong outputs: no conversion, no block "
                             "scales)")
    args = parser.parse_args(argv)
    out = compile_module(args.source, args.output, args.chip, args.build_dir,
                         args.toolkit, args.keep, args.prefill_kernel,
                         args.prefill_epilogue, args.decode_nvfp4)
    print(out)


if __name__ == "__main__":
    main()
