"""Loads a compiled library and prints the error (run without a driver)."""
import sys

import attn_mlir

try:
    attn_mlir.load(sys.argv[1])
    print("loaded")
except attn_mlir.AttnError as e:
    print(f"AttnError: {e}")
