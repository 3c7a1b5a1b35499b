#!/usr/bin/env bash
# Builds the project with AddressSanitizer and UndefinedBehaviorSanitizer
# (the project's code; Debian's MLIR/LLVM libraries stay as shipped) into
# build-asan/ and runs the lit, gtest and CPU pytest suites under them.
# Any sanitizer report fails the run (UBSan does not recover; ASan aborts).
# Ends with the suite summary `N passed, N failed, N skipped`.
#
#   ./scripts/run-sanitizers.sh        (BUILD_DIR and JOBS as for run-tests.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$ROOT/build-asan}
start=$(date +%s)

# CMake takes these as the initial flags of a new build folder.
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
export CFLAGS="$sanitize" CXXFLAGS="$sanitize" LDFLAGS="-fsanitize=address,undefined"
source "$ROOT/scripts/common.sh"
attn_install_deps
attn_configure
attn_build attn-opt attn-doc attn-unittests attn-test-deps
# The flags stay exported: test/Embed builds an out-of-tree consumer of the
# installed (sanitized) libraries, which must link the sanitizers too.
echo "== sanitized build took $(( $(date +%s) - start )) s"

# Leaks: MLIR's registries and the runtime's process-wide state are
# intentionally never freed, so leak checking is off. Manual poisoning is
# off too: LLVM's allocators poison from header code compiled into our
# sanitized files, then Debian's unsanitized MLIR libraries write the same
# memory (a use-after-poison in mlir::Dialect::addType on every run). Every
# other ASan check is on. Python and lit load sanitized shared objects (the runtime,
# AOT libraries), so the sanitizer runtimes are preloaded.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allow_user_poisoning=0:verify_asan_link_order=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The libFuzzer smoke run (clang's sanitizers, its own build-fuzz/) is left to
# the plain test command: ATTN_FUZZ_SMOKE=0 lists it as skipped here.
ATTN_FUZZ_SMOKE=0 \
LD_PRELOAD="$(${CXX:-c++} -print-file-name=libasan.so) $(${CXX:-c++} -print-file-name=libubsan.so)" \
  "$ROOT/scripts/run-tests.sh"
echo "== sanitizer run took $(( $(date +%s) - start )) s"
