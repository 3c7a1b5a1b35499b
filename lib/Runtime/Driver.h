//===- Driver.h - CUDA driver loading, errors and context -------*- C++ -*-===//
//
// Internal to libattn_runtime.so. The CUDA driver is opened with dlopen and
// every entry point resolved with dlsym under the name that cuda.h maps the
// API to (cuMemFree -> cuMemFree_v2, ...): the library never links libcuda.
// cuda.h is used for types, enums and prototypes only.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_RUNTIME_DRIVER_H
#define ATTN_LIB_RUNTIME_DRIVER_H

#include <cuda.h>

#include <cstdint>
#include <string>
#include <utility>

#if CUDA_VERSION < 12080
#error "AttnRuntime needs cuda.h from CUDA 12.8 or newer (sm_100 TMA enums)"
#endif

namespace attn::runtime {

/// Every driver entry point the runtime uses. Each name is a macro of cuda.h
/// for some of them (cuMemFree is cuMemFree_v2), so both the member and the
/// symbol looked up are the versioned ones.
#define ATTN_CUDA_DRIVER_ENTRY_POINTS(X)                                       \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuInit)                                                                    \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxGetCurrent)                                                           \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxGetDevice)                                                            \
  X(cuModuleLoadData)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuLaunchKernelEx)                                                          \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventSynchronize)                                                        \
  X(cuEventRecord)                                                             \
  X(cuMemAllocAsync)                                                           \
  X(cuMemAlloc)                                                                \
  X(cuCtxSynchronize)                                                          \
  X(cuStreamIsCapturing)                                                       \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFreeAsync)                                                            \
  X(cuMemFree)                                                                 \
  X(cuMemcpyAsync)                                                             \
  X(cuMemsetD32Async)                                                          \
  X(cuMemsetD16Async)                                                          \
  X(cuMemHostRegister)                                                         \
  X(cuMemHostUnregister)                                                       \
  X(cuTensorMapEncodeTiled)

/// The resolved entry points; a member is null when the driver lacks it.
struct DriverApi {
#define ATTN_DECLARE_ENTRY_POINT(fn) decltype(&::fn) fn = nullptr;
  ATTN_CUDA_DRIVER_ENTRY_POINTS(ATTN_DECLARE_ENTRY_POINT)
#undef ATTN_DECLARE_ENTRY_POINT
};

/// The driver, loaded on first use; null, with the reason recorded as the
/// error, when libcuda.so.1 cannot be opened.
const DriverApi *loadDriver();

/// The driver with a context current on the calling thread: the current one,
/// or the primary context of the default device made current when none is
/// (or when mgpuSetDefaultDevice chose another device). Null with the error
/// recorded otherwise.
const DriverApi *driverWithContext();

/// Sets the device whose primary context driverWithContext() uses.
void setDefaultDevice(int ordinal);

//===----------------------------------------------------------------------===//
// Sticky error state (process-wide, mutex-protected; the first error wins)
//===----------------------------------------------------------------------===//

/// Records `message` unless an error is already recorded.
void recordError(std::string message);
/// Whether an error is recorded (lock-free).
bool hasError();
/// The recorded error ("" if none); valid until clearError().
const char *lastError();
void clearError();

/// "<call> failed: <name> (<description>)" for a failing `result`.
std::string describeFailure(const DriverApi &api, CUresult result,
                            const std::string &call);

/// Records the failure of `call` unless `result` is CUDA_SUCCESS; returns
/// whether it succeeded.
bool checkResult(const DriverApi &api, CUresult result,
                 const std::string &call);

/// Calls the entry point `fn` (null if the driver lacks it) and checks the
/// result; `call` names it in the error.
template <typename Fn, typename... Args>
bool callDriver(const DriverApi &api, Fn fn, const std::string &call,
                Args &&...args) {
  if (!fn) {
    recordError("CUDA driver library libcuda.so.1 has no entry point " + call +
                " (the driver is too old)");
    return false;
  }
  return checkResult(api, fn(std::forward<Args>(args)...), call);
}

//===----------------------------------------------------------------------===//
// Host-time profile (ATTN_RUNTIME_PROFILE=1; off: one predictable branch)
//===----------------------------------------------------------------------===//

/// Whether ATTN_RUNTIME_PROFILE is set (read once).
bool profiling();
/// Adds `ns` nanoseconds to the entry named `name` (a string literal).
void addProfile(const char *name, uint64_t ns);
uint64_t nowNs();

/// Times the enclosing scope under `name` when profiling.
class ProfileScope {
public:
  explicit ProfileScope(const char *name)
      : name(profiling() ? name : nullptr), start(name ? nowNs() : 0) {}
  ~ProfileScope() {
    if (name)
      addProfile(name, nowNs() - start);
  }

private:
  const char *name;
  uint64_t start;
};

} // namespace attn::runtime

#define ATTN_PROFILE(name) ::attn::runtime::ProfileScope attnProfileScope(name)

/// Calls driver entry point `fn` of DriverApi `api` with the remaining
/// arguments; records "<fn> failed: ..." and yields false on failure.
#define ATTN_CU(api, fn, ...)                                                  \
  ::attn::runtime::callDriver((api), (api).fn, #fn, __VA_ARGS__)

#endif // ATTN_LIB_RUNTIME_DRIVER_H
