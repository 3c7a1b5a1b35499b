#!/usr/bin/env bash
# compute-sanitizer (memcheck, racecheck, synccheck, initcheck) over a
# representative subset of the decode and prefill matrices
# (python/tests/sanitize_cases.py: every cache format, both layouts, page
# sizes 1 and 16, decode split and unsplit, prefill's wgmma and portable
# kernels), on the GPU machine, from what scripts/build-gpu-tests.sh built.
# Needs a machine where compute-sanitizer runs (device/KINDS.md: the
# Firecracker ones). Writes LOG_DIR/sanitizer-<tool>.log; exits non-zero
# when a tool reports an error or a case computes a wrong answer.
#   bash scripts/run-gpu-sanitizers.sh [LOG_DIR] [TOOLS...]
set -uo pipefail
cd "$(dirname "$0")/.."
LOG_DIR="${1:-build/gpu-logs}"
shift || true
TOOLS=("${@:-memcheck racecheck synccheck initcheck}")
read -r -a TOOLS <<< "${TOOLS[*]}"
GPU_DIR="${ATTN_GPU_TESTS_DIR:-build/gpu-tests}"
mkdir -p "$LOG_DIR"
export PYTHONPATH=python ATTN_GPU_TESTS_DIR="$GPU_DIR" PYTHONUNBUFFERED=1
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
status=0
for tool in "${TOOLS[@]}"; do
  start=$(date +%s)
  # Every kernel the cases launch (the reference's torch kernels too).
  "$sanitizer" --tool "$tool" --error-exitcode 1 --target-processes all \
    python3 python/tests/sanitize_cases.py > "$LOG_DIR/sanitizer-$tool.log" 2>&1
  rc=$?
  summary=$(grep -E "ERROR SUMMARY|RACECHECK SUMMARY|wrong$" "$LOG_DIR/sanitizer-$tool.log" | tr '\n' ' ')
  echo "compute-sanitizer $tool: rc $rc in $(( $(date +%s) - start )) s: $summary"
  [[ $rc -eq 0 ]] || status=1
done
exit $status
