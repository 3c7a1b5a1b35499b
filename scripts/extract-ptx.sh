#!/usr/bin/env bash
# Prints the PTX text held by the gpu.binary ops of an attn-opt output made
# with --paged-attn-to-nvvm="... format=isa" (the assembly string, with its
# \XX escapes decoded). Usage: extract-ptx.sh FILE.mlir > kernels.ptx
exec perl -ne 'while (/assembly = "([^"]*)"/g) { $s = $1;
  $s =~ s/\\([0-9A-Fa-f]{2})/chr(hex($1))/ge; print $s }' "${1:--}"
