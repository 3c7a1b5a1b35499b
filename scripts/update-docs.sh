#!/usr/bin/env bash
# Regenerates the dialect and pass docs from the .td files and copies them
# into docs/ (test/Docs fails when the committed copy is stale).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
attn_configure
attn_build attn-doc
for f in $(cd "$BUILD_DIR/docs" && find . -name "*.md" -printf "%P\n"); do
  mkdir -p "$ATTN_ROOT/docs/$(dirname "$f")"
  cp "$BUILD_DIR/docs/$f" "$ATTN_ROOT/docs/$f"
  echo "updated docs/$f"
done
