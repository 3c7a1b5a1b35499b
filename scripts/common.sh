# Shared by the README's commands: install what is missing, configure, build.
# Sourced, not run. Honors BUILD_DIR (default: build) and JOBS (default: nproc).

set -euo pipefail

ATTN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ATTN_ROOT/build}
JOBS=${JOBS:-$(nproc)}
LLVM_PREFIX=/usr/lib/llvm-22

# Debian 12 packages the project builds with. CUDA (ptxas, cuda.h) comes from
# /usr/local/cuda and is optional here: tests that need ptxas are skipped,
# visibly, without it.
ATTN_APT_PACKAGES=(llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  cmake ninja-build g++ libgtest-dev python3 python3-pytest ccache)

attn_install_deps() {
  local missing=()
  for pkg in "${ATTN_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  # LLVM/MLIR 22 come from Debian 12's archive (bookworm-security).
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
}

attn_configure() {
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    echo "== configuring $BUILD_DIR"
    cmake -G Ninja -S "$ATTN_ROOT" -B "$BUILD_DIR" \
      -DCMAKE_BUILD_TYPE=Release \
      -DMLIR_DIR=$LLVM_PREFIX/lib/cmake/mlir \
      -DLLVM_DIR=$LLVM_PREFIX/lib/cmake/llvm \
      -DLLVM_EXTERNAL_LIT=$LLVM_PREFIX/bin/lit \
      ${ATTN_CMAKE_ARGS:-}
  fi
}

attn_build() {
  echo "== building ($JOBS jobs): $*"
  ninja -C "$BUILD_DIR" -j "$JOBS" "$@"
}
