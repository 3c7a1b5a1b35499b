#!/usr/bin/env bash
# The README's main job: installs missing dependencies, builds attn-opt and
# runs every bundled example through it: verification, a round trip through
# the custom and the generic form, and TMA verification (--paged-attn-verify-tma
# with its report: each operand's descriptor, the rules proven and the ones
# deferred to runtime checks), then the full --paged-attn-to-nvvm pipeline
# for sm_90a and sm_100a: PTX (format=isa, assembled with ptxas when it is
# there) and cubin (format=bin, a gpu.binary beside LLVM-dialect host code).
# Outputs go to $BUILD_DIR/examples.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

attn_install_deps
attn_configure
attn_build attn-opt

opt=$BUILD_DIR/bin/attn-opt
CUDA_HOME_DIR=${CUDA_HOME:-/usr/local/cuda}
outdir=$BUILD_DIR/examples
mkdir -p "$outdir"
for example in "$ATTN_ROOT"/examples/*.mlir; do
  name=$(basename "$example" .mlir)
  echo "== $name"
  "$opt" "$example" -o "$outdir/$name.verified.mlir"
  "$opt" "$example" --mlir-print-op-generic | "$opt" -o "$outdir/$name.roundtrip.mlir"
  if ! cmp -s "$outdir/$name.verified.mlir" "$outdir/$name.roundtrip.mlir"; then
    echo "error: $name does not round-trip through the generic form" >&2
    diff "$outdir/$name.verified.mlir" "$outdir/$name.roundtrip.mlir" >&2 || true
    exit 1
  fi
  echo "   verified and round-tripped: $outdir/$name.verified.mlir"
  "$opt" "$example" --paged-attn-verify-tma=report -o "$outdir/$name.tma.mlir" \
    2> "$outdir/$name.tma-report.txt"
  echo "   TMA rules proven or deferred: $outdir/$name.tma.mlir" \
    "($(grep -c 'paged_attn.check_tma' "$outdir/$name.tma.mlir") runtime checks;" \
    "report: $outdir/$name.tma-report.txt)"
  for chip in sm_90a sm_100a; do
    "$opt" "$example" --paged-attn-to-nvvm="chip=$chip format=isa" \
      -o "$outdir/$name.$chip.isa.mlir"
    "$ATTN_ROOT/scripts/extract-ptx.sh" "$outdir/$name.$chip.isa.mlir" \
      > "$outdir/$name.$chip.ptx"
    note="PTX"
    if [ -x "$CUDA_HOME_DIR/bin/ptxas" ]; then
      "$CUDA_HOME_DIR/bin/ptxas" -arch=$chip "$outdir/$name.$chip.ptx" \
        -o "$outdir/$name.$chip.ptxas.cubin"
      note="PTX (assembles with ptxas -arch=$chip)"
      "$opt" "$example" --paged-attn-to-nvvm="chip=$chip format=bin" \
        -o "$outdir/$name.$chip.bin.mlir"
      echo "   $chip: $note: $outdir/$name.$chip.ptx;" \
        "cubin + host code: $outdir/$name.$chip.bin.mlir"
    else
      echo "   $chip: $note: $outdir/$name.$chip.ptx (no ptxas: cubin skipped)"
    fi
  done
done
echo "== all examples verified and compiled"
