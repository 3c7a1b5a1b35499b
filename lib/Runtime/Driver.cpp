//===- Driver.cpp - CUDA driver loading, errors and context ---------------===//
//
// Loads libcuda.so.1 once with dlopen, keeps the process-wide sticky error
// and makes a context current when a call needs one. State that must survive
// until the last global destructor (modules are unloaded from one) is
// allocated once and never freed.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "attn/Runtime/Runtime.h"

#include <string>

#include <vector>

#include <chrono>

#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

using namespace attn::runtime;

/// The symbol name of an entry point after cuda.h's macros (cuMemFree_v2).
#define ATTN_SYMBOL_NAME(fn) ATTN_STRINGIFY(fn)
#define ATTN_STRINGIFY(x) #x

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

namespace {
struct ErrorState {
  std::mutex mutex;
  std::string message;
  std::atomic<bool> isSet{false};
  bool verbose = false;
};
} // namespace

static ErrorState &errorState() {
  static ErrorState *state = [] {
    auto *s = new ErrorState;
    const char *verbose = std::getenv("ATTN_RUNTIME_VERBOSE");
    s->verbose = verbose && *verbose && std::string(verbose) != "0";
    return s;
  }();
  return *state;
}

void attn::runtime::recordError(std::string message) {
  ErrorState &state = errorState();
  if (state.verbose)
    std::fprintf(stderr, "attn runtime: %s\n", message.c_str());
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.isSet.load(std::memory_order_relaxed))
    return;
  state.message = std::move(message);
  state.isSet.store(true, std::memory_order_release);
}

bool attn::runtime::hasError() {
  return errorState().isSet.load(std::memory_order_acquire);
}

const char *attn::runtime::lastError() {
  ErrorState &state = errorState();
  std::lock_guard<std::mutex> lock(state.mutex);
  // The recorded message does not change until it is cleared; "" is static so
  // that a later error cannot invalidate it.
  if (!state.isSet.load(std::memory_order_relaxed))
    return "";
  return state.message.c_str();
}

void attn::runtime::clearError() {
  ErrorState &state = errorState();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.message.clear();
  state.isSet.store(false, std::memory_order_release);
}

std::string attn::runtime::describeFailure(const DriverApi &api,
                                           CUresult result,
                                           const std::string &call) {
  const char *name = nullptr, *description = nullptr;
  if (api.cuGetErrorName && api.cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (api.cuGetErrorString &&
      api.cuGetErrorString(result, &description) != CUDA_SUCCESS)
    description = nullptr;
  std::string text = call + " failed: ";
  text += name ? name : "CUresult " + std::to_string(int(result));
  if (description)
    text += std::string(" (") + description + ")";
  return text;
}

bool attn::runtime::checkResult(const DriverApi &api, CUresult result,
                                const std::string &call) {
  if (result == CUDA_SUCCESS)
    return true;
  recordError(describeFailure(api, result, call));
  return false;
}

//===----------------------------------------------------------------------===//
// Profile
//===----------------------------------------------------------------------===//

namespace {
struct ProfileEntry {
  const char *name;
  uint64_t calls, ns;
};
struct ProfileState {
  std::mutex mutex;
  std::vector<ProfileEntry> entries;
  std::string report;
};
} // namespace

static ProfileState &profileState() {
  static ProfileState *state = new ProfileState;
  return *state;
}

bool attn::runtime::profiling() {
  static const bool enabled = [] {
    const char *value = std::getenv("ATTN_RUNTIME_PROFILE");
    return value && *value && std::string(value) != "0";
  }();
  return enabled;
}

uint64_t attn::runtime::nowNs() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

void attn::runtime::addProfile(const char *name, uint64_t ns) {
  ProfileState &state = profileState();
  std::lock_guard<std::mutex> lock(state.mutex);
  for (ProfileEntry &entry : state.entries)
    if (entry.name == name) {
      ++entry.calls;
      entry.ns += ns;
      return;
    }
  state.entries.push_back({name, 1, ns});
}

extern "C" const char *attnRuntimeProfileReport(void) {
  ProfileState &state = profileState();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.report.clear();
  for (const ProfileEntry &entry : state.entries) {
    char line[160];
    std::snprintf(line, sizeof(line), "%s %llu %.1f %.3f\n", entry.name,
                  (unsigned long long)entry.calls, entry.ns / 1e3,
                  entry.ns / 1e3 / double(entry.calls ? entry.calls : 1));
    state.report += line;
  }
  state.entries.clear();
  return state.report.c_str();
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

namespace {
struct LoadedDriver {
  DriverApi api;
  /// Empty when the library was opened.
  std::string failure;
};
} // namespace

static const LoadedDriver &loadedDriver() {
  static const LoadedDriver *driver = [] {
    auto *loaded = new LoadedDriver;
    // Kept open for the life of the process.
    void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *reason = dlerror();
      loaded->failure = std::string("CUDA driver library libcuda.so.1 not "
                                    "found: ") +
                        (reason ? reason : "unknown dlopen error");
      return loaded;
    }
#define ATTN_RESOLVE_ENTRY_POINT(fn)                                           \
  loaded->api.fn = reinterpret_cast<decltype(loaded->api.fn)>(                 \
      dlsym(handle, ATTN_SYMBOL_NAME(fn)));
    ATTN_CUDA_DRIVER_ENTRY_POINTS(ATTN_RESOLVE_ENTRY_POINT)
#undef ATTN_RESOLVE_ENTRY_POINT
    return loaded;
  }();
  return *driver;
}

const DriverApi *attn::runtime::loadDriver() {
  const LoadedDriver &driver = loadedDriver();
  if (!driver.failure.empty()) {
    recordError(driver.failure);
    return nullptr;
  }
  return &driver.api;
}

/// The driver with cuInit done; null with the error recorded otherwise.
static const DriverApi *initializedDriver() {
  const DriverApi *api = loadDriver();
  if (!api)
    return nullptr;
  if (!api->cuInit) {
    recordError("CUDA driver library libcuda.so.1 has no entry point cuInit");
    return nullptr;
  }
  // cuInit is called once; a failure is reported again on every use.
  static const CUresult initResult = api->cuInit(0);
  return checkResult(*api, initResult, "cuInit") ? api : nullptr;
}

//===----------------------------------------------------------------------===//
// Context
//===----------------------------------------------------------------------===//

namespace {
struct ContextState {
  std::mutex mutex;
  /// Retained primary contexts by device ordinal; never released.
  std::map<int, CUcontext> primaryContexts;
  std::atomic<int> defaultDevice{0};
  /// Whether mgpuSetDefaultDevice chose the device explicitly.
  std::atomic<bool> deviceChosen{false};
};
} // namespace

static ContextState &contextState() {
  static ContextState *state = new ContextState;
  return *state;
}

void attn::runtime::setDefaultDevice(int ordinal) {
  ContextState &state = contextState();
  state.defaultDevice.store(ordinal);
  state.deviceChosen.store(true);
}

/// The primary context of device `ordinal`, retained on first use.
static CUcontext primaryContext(const DriverApi &api, int ordinal) {
  ContextState &state = contextState();
  std::lock_guard<std::mutex> lock(state.mutex);
  auto it = state.primaryContexts.find(ordinal);
  if (it != state.primaryContexts.end())
    return it->second;
  CUdevice device;
  if (!ATTN_CU(api, cuDeviceGet, &device, ordinal))
    return nullptr;
  CUcontext context = nullptr;
  if (!ATTN_CU(api, cuDevicePrimaryCtxRetain, &context, device))
    return nullptr;
  state.primaryContexts.emplace(ordinal, context);
  return context;
}

const DriverApi *attn::runtime::driverWithContext() {
  const DriverApi *api = initializedDriver();
  if (!api)
    return nullptr;
  ContextState &state = contextState();
  int ordinal = state.defaultDevice.load();
  CUcontext current = nullptr;
  if (!ATTN_CU(*api, cuCtxGetCurrent, &current))
    return nullptr;
  if (current) {
    // Keep the caller's context unless another device was chosen.
    if (!state.deviceChosen.load())
      return api;
    CUdevice currentDevice, wantedDevice;
    if (!ATTN_CU(*api, cuCtxGetDevice, &currentDevice) ||
        !ATTN_CU(*api, cuDeviceGet, &wantedDevice, ordinal))
      return nullptr;
    if (currentDevice == wantedDevice)
      return api;
  }
  CUcontext context = primaryContext(*api, ordinal);
  if (!context || !ATTN_CU(*api, cuCtxSetCurrent, context))
    return nullptr;
  return api;
}
