# `cmake --install <build> --prefix <P>` installs:
#   P/include/attn, P/include/attn-c    headers (.h, .td and the generated .inc)
#   P/lib/lib*.a                        the dialect, analysis, transforms,
#                                       conversion, pipeline, init, TMA rules
#                                       and C API libraries (static)
#   P/lib/libattn_runtime.so            the runtime (when cuda.h was found)
#   P/bin/attn-opt
#   P/lib/cmake/AttnMLIR                the CMake package: another project
#                                       writes find_package(AttnMLIR CONFIG
#                                       REQUIRED) and links AttnMLIR::<lib>.
# See docs/embedding.md. Included last by the top-level CMakeLists.txt, once
# every library target exists.
include(CMakePackageConfigHelpers)

set(ATTN_INSTALL_PACKAGE_DIR lib${LLVM_LIBDIR_SUFFIX}/cmake/AttnMLIR)

# Headers: the source tree's and the ones tablegen generated in the build.
install(DIRECTORY
    ${ATTN_SOURCE_DIR}/include/attn
    ${ATTN_SOURCE_DIR}/include/attn-c
  DESTINATION include
  COMPONENT attn-headers
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY
    ${ATTN_BINARY_DIR}/include/attn
    ${ATTN_BINARY_DIR}/include/attn-c
  DESTINATION include
  COMPONENT attn-headers
  FILES_MATCHING PATTERN "*.inc"
  PATTERN "CMakeFiles" EXCLUDE)

# add_mlir_library already installs each library into lib/ and adds it to
# the export set "MLIRTargets" (AddMLIR.cmake: add_mlir_library_install);
# this project installs that set under its own name and namespace. The
# libraries get the installed include dir as a usage requirement here; MLIR's
# and LLVM's include dirs are added by AttnMLIRConfig.cmake from the MLIR it
# finds.
get_property(ATTN_MLIR_LIBRARIES GLOBAL PROPERTY MLIR_EXPORTS)
foreach(lib ${ATTN_MLIR_LIBRARIES})
  target_include_directories(${lib} INTERFACE $<INSTALL_INTERFACE:include>)
endforeach()

# Plain CMake libraries join the same export set.
install(TARGETS AttnTmaRules
  EXPORT MLIRTargets
  ARCHIVE DESTINATION lib${LLVM_LIBDIR_SUFFIX}
  COMPONENT AttnTmaRules)
set(ATTN_RUNTIME_EXPORTED OFF)
if(TARGET AttnRuntime)
  target_include_directories(AttnRuntime INTERFACE $<INSTALL_INTERFACE:include>)
  install(TARGETS AttnRuntime
    EXPORT MLIRTargets
    LIBRARY DESTINATION lib${LLVM_LIBDIR_SUFFIX}
    COMPONENT AttnRuntime)
  set(ATTN_RUNTIME_EXPORTED ON)
endif()

install(EXPORT MLIRTargets
  NAMESPACE AttnMLIR::
  FILE AttnMLIRTargets.cmake
  DESTINATION ${ATTN_INSTALL_PACKAGE_DIR}
  COMPONENT attn-cmake-exports)

configure_package_config_file(
  ${ATTN_SOURCE_DIR}/cmake/AttnMLIRConfig.cmake.in
  ${ATTN_BINARY_DIR}/lib/cmake/AttnMLIR/AttnMLIRConfig.cmake
  INSTALL_DESTINATION ${ATTN_INSTALL_PACKAGE_DIR})
write_basic_package_version_file(
  ${ATTN_BINARY_DIR}/lib/cmake/AttnMLIR/AttnMLIRConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
    ${ATTN_BINARY_DIR}/lib/cmake/AttnMLIR/AttnMLIRConfig.cmake
    ${ATTN_BINARY_DIR}/lib/cmake/AttnMLIR/AttnMLIRConfigVersion.cmake
  DESTINATION ${ATTN_INSTALL_PACKAGE_DIR}
  COMPONENT attn-cmake-exports)
