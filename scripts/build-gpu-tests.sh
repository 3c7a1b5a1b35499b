#!/usr/bin/env bash
# Builds everything the GPU suite needs, on a machine with LLVM (no GPU
# needed): attn-opt, the runtime, the runtime's gtests, and the decode
# and prefill conformance matrices compiled ahead of time for sm_90a into
# build/gpu-tests/{decode,prefill}_matrix.so (+ .json, + libattn_runtime.so).
# Then scripts/run-gpu-tests.sh runs the suite on the GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
attn_install_deps
attn_configure
attn_build attn-opt AttnRuntime AttnRuntimeTests AttnTmaDriverDiff

out="${BUILD_DIR}/gpu-tests"
mkdir -p "$out"
PYTHONPATH=python/tests:python python3 python/tests/decode_matrix.py \
  > "$out/decode_matrix.mlir"
echo "compiling $(grep -c 'func.func' "$out/decode_matrix.mlir") decode kernels for sm_90a"
PYTHONPATH=python python3 -m attn_mlir.compile "$out/decode_matrix.mlir" \
  -o "$out/decode_matrix.so" --chip sm_90a --build-dir "${BUILD_DIR}"
# sm_100a's NVFP4 conversion layout (decode-nvfp4=byte-pairs), its cvt
# replaced by the exact integer equivalent, to run it on the H200.
PYTHONPATH=python/tests:python python3 python/tests/decode_matrix.py --byte-pairs \
  > "$out/decode_matrix_byte_pairs.mlir"
PYTHONPATH=python python3 -m attn_mlir.compile "$out/decode_matrix_byte_pairs.mlir" \
  -o "$out/decode_matrix_byte_pairs.so" --chip sm_90a --build-dir "${BUILD_DIR}" \
  --decode-nvfp4 byte-pairs
PYTHONPATH=python/tests:python python3 python/tests/prefill_matrix.py \
  > "$out/prefill_matrix.mlir"
echo "compiling $(grep -c 'func.func' "$out/prefill_matrix.mlir") prefill kernels for sm_90a"
PYTHONPATH=python python3 -m attn_mlir.compile "$out/prefill_matrix.mlir" \
  -o "$out/prefill_matrix.so" --chip sm_90a --build-dir "${BUILD_DIR}"
# The portable kernel (sm_100a's) where sm_90a would choose wgmma, to run
# it on the H200.
PYTHONPATH=python/tests:python python3 python/tests/prefill_matrix.py --portable \
  > "$out/prefill_matrix_portable.mlir"
PYTHONPATH=python python3 -m attn_mlir.compile "$out/prefill_matrix_portable.mlir" \
  -o "$out/prefill_matrix_portable.so" --chip sm_90a --build-dir "${BUILD_DIR}" \
  --prefill-kernel portable
# The TMA bulk-copy epilogue (prefill-epilogue=tma-bulk) of the wgmma kernel.
PYTHONPATH=python/tests:python python3 python/tests/prefill_matrix.py --tma-bulk \
  > "$out/prefill_matrix_tma_bulk.mlir"
PYTHONPATH=python python3 -m attn_mlir.compile "$out/prefill_matrix_tma_bulk.mlir" \
  -o "$out/prefill_matrix_tma_bulk.so" --chip sm_90a --build-dir "${BUILD_DIR}" \
  --prefill-epilogue tma-bulk
if [[ -f bench/decode_bench.py ]]; then
  PYTHONPATH=python:bench python3 bench/decode_bench.py --emit-mlir \
    > "$out/bench.mlir"
  PYTHONPATH=python python3 -m attn_mlir.compile "$out/bench.mlir" \
    -o "$out/bench.so" --chip sm_90a --build-dir "${BUILD_DIR}"
  # The same kernels with NVFP4's conversion and block scales left out
  # (decode-nvfp4=leave-out, wrong outputs): the bound that no conversion
  # can beat, timed beside bench.so by scripts/run-gpu-tests.sh.
  PYTHONPATH=python python3 -m attn_mlir.compile "$out/bench.mlir" \
    -o "$out/bench_nvfp4_leave_out.so" --chip sm_90a --build-dir "${BUILD_DIR}" \
    --decode-nvfp4 leave-out
fi
PYTHONPATH=python:bench python3 bench/prefill_bench.py --emit-mlir \
  > "$out/prefill_bench.mlir"
PYTHONPATH=python python3 -m attn_mlir.compile "$out/prefill_bench.mlir" \
  -o "$out/prefill_bench.so" --chip sm_90a --build-dir "${BUILD_DIR}"
# The front end's pack (attn_mlir.decode on a machine without LLVM).
rm -rf "$out/pack"
PYTHONPATH=python/tests:python python3 -c \
  'import decode_matrix, prefill_matrix
print("\n".join(c.to_string() for c in decode_matrix.frontend_configs()))
print("\n".join("prefill:" + c.to_string() for c in prefill_matrix.frontend_configs()))' \
  > "$out/pack.txt"
ATTN_MLIR_BUILD_DIR="${BUILD_DIR}" PYTHONPATH=python python3 -m attn_mlir.pack \
  --config "$out/pack.txt" --chip sm_90a -o "$out/pack" > /dev/null
cp "${BUILD_DIR}/unittests/AttnRuntimeTests" \
  "${BUILD_DIR}/unittests/AttnTmaDriverDiff" "$out/"
du -sh "$out"
