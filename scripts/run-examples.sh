#!/usr/bin/env bash
# The README's main job: installs missing dependencies, builds attn-opt and
# runs every bundled example through it: verification, a round trip through
# the custom and the generic form, and TMA verification (--paged-attn-verify-tma
# with its report: each operand's descriptor, the rules proven and the ones
# deferred to runtime checks). Outputs go to $BUILD_DIR/examples.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

attn_install_deps
attn_configure
attn_build attn-opt

opt=$BUILD_DIR/bin/attn-opt
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
done
echo "== all examples verified"
