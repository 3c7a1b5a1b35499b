#!/usr/bin/env bash
# Runs the whole GPU suite on the GPU machine (CUDA driver, python3 with
# torch and pytest; no LLVM needed) from what scripts/build-gpu-tests.sh
# built, and writes the logs to LOG_DIR (default build/gpu-logs):
#   runtime.log  the runtime's gtests (GPU ones included)
#   tma-diff.log TmaRules vs the driver on random descriptors
#   pytest.log   the decode and prefill conformance matrices, front end,
#                serving and error tests
#   junit.xml    the same, machine readable
#   bench.log / bench.json   the decode benchmark, if built (DECODE_BENCH_ARGS
#                adds its options, e.g. --flex)
#   nvfp4-bound.log NVFP4 decode against the same kernels with the
#                conversion and block scales left out (timing only), if built
#   prefill_bench.log / .json the prefill benchmark, if built
# With the device tool:  bash scripts/run-gpu-tests.sh "$OUT"
# carrying build/gpu-tests.
set -uo pipefail
cd "$(dirname "$0")/.."
LOG_DIR="${1:-build/gpu-logs}"
GPU_DIR="${ATTN_GPU_TESTS_DIR:-build/gpu-tests}"
mkdir -p "$LOG_DIR"
status=0
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv \
  | tee "$LOG_DIR/device.txt"

LD_LIBRARY_PATH="$GPU_DIR" "$GPU_DIR/AttnRuntimeTests" 2>&1 | tee "$LOG_DIR/runtime.log" | tail -3
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

# TmaRules against cuTensorMapEncodeTiled on 20,000 seeded random requests.
"$GPU_DIR/AttnTmaDriverDiff" --count 20000 --seed 1 2>&1 | tee "$LOG_DIR/tma-diff.log" | head -40
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

# The front end reads the pack built beside the matrix, and compiles
# nothing here (no LLVM): its cache is an empty folder.
export PYTHONPATH=python ATTN_GPU_TESTS_DIR="$GPU_DIR" PYTHONUNBUFFERED=1 \
  ATTN_GPU_LOG_DIR="$LOG_DIR" ATTN_MLIR_PACKS="$(cd "$GPU_DIR" && pwd)/pack" \
  ATTN_MLIR_CACHE="$(mktemp -d)"
python3 -m pytest -q -rs -s -p no:cacheprovider python/tests \
  --junitxml="$LOG_DIR/junit.xml" ${PYTEST_ARGS:-} 2>&1 \
  | tee "$LOG_DIR/pytest.log" | tail -15
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

if [[ -f "$GPU_DIR/bench.so" && -z "${ATTN_SKIP_BENCH:-}" ]]; then
  # DECODE_BENCH_ARGS: e.g. --flex (FlexAttention over a paged cache: one
  # torch.compile a shape, minutes in all, so not by default) or --shapes.
  PYTHONPATH=python:bench python3 bench/decode_bench.py --lib "$GPU_DIR/bench.so" \
    --json "$LOG_DIR/bench.json" ${DECODE_BENCH_ARGS:-} 2>&1 | tee "$LOG_DIR/bench.log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
fi
if [[ -f "$GPU_DIR/bench_nvfp4_leave_out.so" && -z "${ATTN_SKIP_BENCH:-}" ]]; then
  # What NVFP4's conversion costs: tokens/s against bf16 at the table's
  # shapes with and without it, timed in the same rounds (outputs of the
  # leave-out kernels are wrong by design and not compared).
  PYTHONPATH=python:bench python3 bench/experiments/decode_ab_libs.py \
    --lib "$GPU_DIR/bench.so" --lib "$GPU_DIR/bench_nvfp4_leave_out.so" \
    --formats nvfp4 --shapes 0,1,2,3,4 2>&1 | tee "$LOG_DIR/nvfp4-bound.log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
fi
if [[ -f "$GPU_DIR/prefill_bench.so" && -z "${ATTN_SKIP_BENCH:-}" ]]; then
  PYTHONPATH=python:bench python3 bench/prefill_bench.py \
    --lib "$GPU_DIR/prefill_bench.so" --json "$LOG_DIR/prefill_bench.json" \
    ${PREFILL_BENCH_ARGS:-} 2>&1 | tee "$LOG_DIR/prefill_bench.log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
fi
echo "GPU suite exit status: $status"
exit $status
