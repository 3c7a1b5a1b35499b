# attn_add_aot_library(<target> SOURCE <file.mlir> [CHIP sm_90a|sm_100a]
#                      [OUTPUT_DIR <dir>])
#
# Compiles an .mlir module with paged_attn ops ahead of time into
# <OUTPUT_DIR>/<target>.so (host code + embedded cubin, linked with
# libattn_runtime.so, which is copied beside it) and <target>.json (the
# functions' signatures), through python/attn_mlir/compile.py. The library
# loads with attn_mlir.load() on a machine without LLVM.
find_package(Python3 COMPONENTS Interpreter REQUIRED)

function(attn_add_aot_library target)
  cmake_parse_arguments(ARG "" "SOURCE;CHIP;OUTPUT_DIR" "" ${ARGN})
  if(NOT ARG_SOURCE)
    message(FATAL_ERROR "attn_add_aot_library(${target}): SOURCE is required")
  endif()
  if(NOT ARG_CHIP)
    set(ARG_CHIP sm_90a)
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${CMAKE_BINARY_DIR}/aot)
  endif()
  get_filename_component(source ${ARG_SOURCE} ABSOLUTE)
  set(output ${ARG_OUTPUT_DIR}/${target}.so)
  add_custom_command(
    OUTPUT ${output} ${ARG_OUTPUT_DIR}/${target}.json
    COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${ATTN_SOURCE_DIR}/python
            ${Python3_EXECUTABLE} -m attn_mlir.compile ${source}
            -o ${output} --chip ${ARG_CHIP} --build-dir ${CMAKE_BINARY_DIR}
    DEPENDS ${source} attn-opt AttnRuntime
            ${ATTN_SOURCE_DIR}/python/attn_mlir/compile.py
    COMMENT "AOT-compiling ${ARG_SOURCE} for ${ARG_CHIP}"
    VERBATIM)
  add_custom_target(${target} DEPENDS ${output})
endfunction()
