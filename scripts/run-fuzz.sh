#!/usr/bin/env bash
# Builds fuzz/attn-fuzz (libFuzzer; the project's code under ASan+UBSan,
# Debian's MLIR/LLVM as shipped) with clang-22 into build-fuzz/ and runs it
# over the seed corpus (every .mlir under test/ and examples/) with
# fuzz/attn.dict. Any crash, sanitizer report, LLVM fatal error, timeout or
# out-of-memory fails the run; the input is kept in build-fuzz/fuzz-artifacts/.
#
#   ./scripts/run-fuzz.sh                 smoke: ~60 s from a fresh corpus, seed 1
#   ./scripts/run-fuzz.sh --time S        long: S seconds, corpus kept in build-fuzz/corpus
#   ./scripts/run-fuzz.sh --runs N        long: N executions, corpus kept likewise
#   ./scripts/run-fuzz.sh --build-only
#   options: --json FILE (the smoke/long result as one test, gtest JSON, for
#   scripts/summarize-tests.py), --smoke-time S (default 60).
#   Reproduce an artifact: build-fuzz/bin/attn-fuzz build-fuzz/fuzz-artifacts/crash-...
#
# FUZZ_BUILD_DIR (default build-fuzz) and JOBS (default nproc) as for the
# other scripts; extra libFuzzer flags in FUZZ_ARGS.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mode=smoke total_time=60 runs="" json="" build_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) mode=smoke ;;
    --smoke-time) total_time=$2; shift ;;
    --time) mode=long total_time=$2; shift ;;
    --runs) mode=long runs=$2 total_time=0; shift ;;
    --json) json=$2; shift ;;
    --build-only) build_only=1 ;;
    *) echo "run-fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

# Not BUILD_DIR: run-sanitizers.sh exports that for its own build.
export BUILD_DIR=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
source "$ROOT/scripts/common.sh"
ATTN_APT_PACKAGES+=(clang-22 libfuzzer-22-dev)
ATTN_CMAKE_ARGS="-DCMAKE_C_COMPILER=$LLVM_PREFIX/bin/clang
  -DCMAKE_CXX_COMPILER=$LLVM_PREFIX/bin/clang++
  -DATTN_ENABLE_FUZZER=ON -DATTN_ENABLE_TESTS=OFF"

# One result for summarize-tests.py: the gtest JSON shape it already reads.
write_json() { # status message
  [ -n "$json" ] || return 0
  python3 - "$json" "$mode" "$1" "$2" <<'EOF'
import json, sys
path, mode, status, message = sys.argv[1:]
test = {"name": mode, "result": "SKIPPED" if status == "skip" else "COMPLETED"}
if status == "fail":
    test["failures"] = [{"failure": message}]
with open(path, "w") as f:
    json.dump({"testsuites": [{"name": "attn-fuzz", "testsuite": [test]}]}, f)
EOF
}

start=$(date +%s)
if ! { attn_install_deps && attn_configure && attn_build attn-fuzz; }; then
  write_json fail "the fuzz build failed"
  exit 1
fi
echo "== fuzz build took $(( $(date +%s) - start )) s"
[ $build_only -eq 1 ] && exit 0

fuzzer=$BUILD_DIR/bin/attn-fuzz
seeds=$BUILD_DIR/fuzz-seeds
artifacts=$BUILD_DIR/fuzz-artifacts
rm -rf "$seeds" && mkdir -p "$artifacts"
echo "== $(python3 "$ROOT/fuzz/make-corpus.py" "$ROOT" "$seeds") seeds"

if [ $mode = smoke ]; then
  # A fresh corpus each time and a fixed seed: CI runs the same search.
  corpus=$BUILD_DIR/fuzz-smoke-corpus
  rm -rf "$corpus"
  limits=(-seed=1 -max_total_time="$total_time")
else
  corpus=$BUILD_DIR/corpus
  limits=()
  [ "$total_time" != 0 ] && limits+=(-max_total_time="$total_time")
  [ -n "$runs" ] && limits+=(-runs="$runs")
fi
mkdir -p "$corpus"
log=$BUILD_DIR/fuzz-$mode.log

# Sanitizer settings as in run-sanitizers.sh (attn-fuzz.cpp builds them in
# too): no leak checking, no manual poisoning; UBSan stops at the first report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allow_user_poisoning=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset LD_PRELOAD
echo "== fuzzing ($mode): $fuzzer, log in $log"
rc=0
"$fuzzer" "${limits[@]}" -dict="$ROOT/fuzz/attn.dict" -timeout=60 \
  -rss_limit_mb=4096 -detect_leaks=0 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} "$corpus" "$seeds" \
  > "$log" 2>&1 || rc=$?

grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
  "$log" || true
echo "== fuzzing took $(( $(date +%s) - start )) s in all (build included)"
if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|libFuzzer)|runtime error:' "$log"; then
  grep -E -A40 'ERROR: |runtime error:|==[0-9]+== ' "$log" | head -80 >&2 || tail -40 "$log" >&2
  echo "FAILED: attn-fuzz exited $rc; artifacts in $artifacts:" >&2
  ls -t "$artifacts" | head -5 >&2
  write_json fail "attn-fuzz exited $rc (log $log, artifacts in $artifacts)"
  exit 1
fi
write_json pass ""
echo "== attn-fuzz: no crash"
