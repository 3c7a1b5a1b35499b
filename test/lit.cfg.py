# -*- Python -*-
# lit configuration for the attn-mlir tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "ATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
# test/CAPI/capi.c: the C API test program holds its own RUN/CHECK lines.
config.suffixes.append(".c")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "load.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attn_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%attn_src_root", config.attn_src_root))
config.substitutions.append(("%attn_obj_root", config.attn_obj_root))
config.substitutions.append(("%attn_tools_dir", config.attn_tools_dir))

# CFLAGS, CXXFLAGS and LDFLAGS reach the out-of-tree consumer that
# test/Embed configures (e.g. the sanitizer flags of run-sanitizers.sh).
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "CFLAGS", "CXXFLAGS", "LDFLAGS"])
llvm_config.use_default_substitutions()

# FileCheck, not and count live in the LLVM tools dir.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.attn_tools_dir, append_path=True)

tool_dirs = [config.attn_tools_dir, config.llvm_tools_dir]
tools = ["attn-opt", "attn-capi-test"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# ptxas (CUDA toolkit): PTX assembly checks run only where it exists.
if config.ptxas and os.path.exists(config.ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.ptxas))
    # The CUDA root that ptxas belongs to, for toolkit= of --paged-attn-to-nvvm
    # (libdevice and ptxas come from there; lit does not pass CUDA_HOME on).
    config.substitutions.append(
        ("%cuda_root",
         os.path.dirname(os.path.dirname(os.path.realpath(config.ptxas)))))

# Without a CUDA driver (libcuda.so.1), loading a compiled library must give a
# clear error; with one, the GPU suite covers loading instead.
import ctypes
try:
    ctypes.CDLL("libcuda.so.1")
except OSError:
    config.available_features.add("no-cuda-driver")

# cmake and ninja: test/Embed installs this build and builds examples/embed
# against the install tree.
import shutil
if shutil.which("cmake") and shutil.which("ninja"):
    config.available_features.add("cmake")
    config.substitutions.append(("%cmake", shutil.which("cmake")))
