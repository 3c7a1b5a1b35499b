//===- GpuRuntime.cpp - MLIR GPU runtime ABI on the CUDA driver -----------===//
//
// The `mgpu*` functions that MLIR 22's `gpu-to-llvm` lowering and the
// `#gpu.select_object` translation call, and the runtime's settings
// (borrowed stream, synchronous flag, error state). See Runtime.h for the
// contract of each function.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Runtime.h"

#include "Driver.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

using namespace attn::runtime;

/// Dynamic shared memory above this needs an explicit opt-in per kernel.
static constexpr int32_t kDefaultMaxDynamicSmem = 48 * 1024;

//===----------------------------------------------------------------------===//
// Streams and allocations owned by the runtime
//===----------------------------------------------------------------------===//

namespace {
struct StreamState {
  std::mutex mutex;
  bool borrowing = false;
  CUstream borrowed = nullptr;
  bool synchronous = true;
  /// Streams created by mgpuStreamCreate, the only ones it destroys.
  std::unordered_set<CUstream> owned;
  /// Host-shared (managed) allocations, freed with cuMemFree.
  std::unordered_set<CUdeviceptr> managed;
};
} // namespace

static StreamState &streamState() {
  static StreamState *state = new StreamState;
  return *state;
}

static CUstream asStream(void *stream) { return static_cast<CUstream>(stream); }

static CUdeviceptr asDevicePtr(const void *ptr) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(ptr));
}

//===----------------------------------------------------------------------===//
// Settings and error state
//===----------------------------------------------------------------------===//

extern "C" int32_t attnRuntimeStatusOk(void) {
  ATTN_PROFILE("attnRuntimeStatusOk");
  return hasError() ? 0 : 1;
}

extern "C" const char *attnRuntimeLastError(void) { return lastError(); }

extern "C" void attnRuntimeClearError(void) { clearError(); }

extern "C" void attnRuntimeSetStream(void *stream) {
  StreamState &state = streamState();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.borrowing = true;
  state.borrowed = asStream(stream);
}

extern "C" void attnRuntimeResetStream(void) {
  StreamState &state = streamState();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.borrowing = false;
  state.borrowed = nullptr;
}

extern "C" void attnRuntimeSetSynchronous(int32_t synchronous) {
  StreamState &state = streamState();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.synchronous = synchronous != 0;
}

extern "C" int32_t attnRuntimeRequireDim(const char *where, const char *subject,
                                         const char *description, int64_t found,
                                         int64_t expected) {
  ATTN_PROFILE("attnRuntimeRequireDim");
  if (found == expected)
    return 1;
  recordError(std::string(where ? where : "") + ": expects " +
              (subject ? subject : "") + " to be " + std::to_string(expected) +
              " " + (description ? description : "") + ", got " +
              std::to_string(found));
  return 0;
}

extern "C" int32_t attnRuntimeMultiprocessorCount(void) {
  ATTN_PROFILE("attnRuntimeMultiprocessorCount");
  const DriverApi *api = driverWithContext();
  if (!api)
    return 0;
  CUdevice device;
  if (!ATTN_CU(*api, cuCtxGetDevice, &device))
    return 0;
  // Read once per device: it does not change.
  static constexpr int kMaxDevices = 64;
  static std::atomic<int> counts[kMaxDevices];
  if (device >= 0 && device < kMaxDevices)
    if (int known = counts[device].load(std::memory_order_relaxed))
      return known;
  int count = 0;
  if (!ATTN_CU(*api, cuDeviceGetAttribute, &count,
               CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device))
    return 0;
  if (device >= 0 && device < kMaxDevices)
    counts[device].store(count, std::memory_order_relaxed);
  return count;
}

//===----------------------------------------------------------------------===//
// The split-KV workspace
//===----------------------------------------------------------------------===//

namespace {
/// `bytes` of workspace at `ptr`, then `counters` zeroed u32 (the split
/// counters, attnRuntimeSplitCounters).
struct Workspace {
  CUdeviceptr ptr = 0;
  int64_t bytes = 0;
  int64_t counters = 0;
};
struct WorkspaceState {
  std::mutex mutex;
  std::unordered_map<CUcontext, Workspace> byContext;
};
} // namespace

static WorkspaceState &workspaceState() {
  static WorkspaceState *state = new WorkspaceState;
  return *state;
}

/// The driver (in `api`) and the context current on the calling thread,
/// made current by driverWithContext(); null with the error recorded when
/// there is none.
static CUcontext currentContext(const DriverApi *&api) {
  api = driverWithContext();
  CUcontext context = nullptr;
  if (!api || !ATTN_CU(*api, cuCtxGetCurrent, &context))
    return nullptr;
  return context;
}

/// The stream compiled code runs on when it creates one: the borrowed one,
/// else none known (null).
static CUstream currentStream() {
  StreamState &state = streamState();
  std::lock_guard<std::mutex> lock(state.mutex);
  return state.borrowing ? state.borrowed : nullptr;
}

/// Whether the current stream is capturing a graph (false if unknown, with
/// the error recorded).
static bool isCapturing(const DriverApi &api) {
  CUstreamCaptureStatus capture = CU_STREAM_CAPTURE_STATUS_NONE;
  CUstream stream = currentStream();
  if (stream && !ATTN_CU(api, cuStreamIsCapturing, stream, &capture))
    return false;
  return capture != CU_STREAM_CAPTURE_STATUS_NONE;
}

/// The split counters that come with `bytes` of workspace: one per 128
/// bytes, at least 4096. A decode call has one counter per CTA row group
/// (batch x kv heads x 16-row blocks), at most one per q row, and every q
/// row takes at least 2 splits x (head_dim + 1) x 4 bytes >= 136 bytes of
/// workspace, so a call whose workspace fits finds its counters too.
static int64_t splitCounterCapacity(int64_t bytes) {
  return std::max<int64_t>(bytes / 128, 4096);
}

/// The current context's workspace, grown to `bytes` if it is smaller;
/// `caller` names the need in errors.
static void *getWorkspace(int64_t bytes, const char *caller) {
  if (bytes < 0) {
    recordError(std::string(caller) +
                ": workspace size must be "
                "non-negative, got " +
                std::to_string(bytes));
    return nullptr;
  }
  const DriverApi *api;
  CUcontext context = currentContext(api);
  if (!context)
    return nullptr;
  WorkspaceState &state = workspaceState();
  std::lock_guard<std::mutex> lock(state.mutex);
  Workspace &ws = state.byContext[context];
  if (ws.bytes >= bytes && (ws.ptr || bytes == 0))
    return reinterpret_cast<void *>(uintptr_t(ws.ptr));
  bool capturing = isCapturing(*api);
  if (hasError())
    return nullptr;
  if (capturing) {
    recordError(std::string(caller) + " needs a split-KV workspace of " +
                std::to_string(bytes) + " bytes, but the library's holds " +
                std::to_string(ws.bytes) +
                " and the stream is capturing a CUDA graph, where nothing may "
                "be allocated: reserve it before capture (make one call with "
                "the largest shapes, or attnRuntimeReserveWorkspace(" +
                std::to_string(bytes) + "))");
    return nullptr;
  }
  // Calls in flight may still use the old buffer.
  if (ws.ptr) {
    if (!callDriver(*api, api->cuCtxSynchronize, "cuCtxSynchronize") ||
        !ATTN_CU(*api, cuMemFree, ws.ptr))
      return nullptr;
    ws = Workspace();
  }
  // Grow geometrically: shapes that creep up reallocate rarely.
  int64_t grown = std::max<int64_t>(bytes, 2 * ws.bytes);
  grown = std::max<int64_t>(grown, 1 << 20);
  grown = (grown + 15) / 16 * 16;
  int64_t counters = splitCounterCapacity(grown);
  CUdeviceptr ptr = 0;
  if (!ATTN_CU(*api, cuMemAlloc, &ptr, size_t(grown + 4 * counters)))
    return nullptr;
  // The counters start at zero; kernels leave them so (the last CTA of a
  // row group resets its counter). Synchronized: calls on any stream see
  // the zeros.
  if (!ATTN_CU(*api, cuMemsetD32Async, ptr + CUdeviceptr(grown), 0u,
               size_t(counters), nullptr) ||
      !callDriver(*api, api->cuCtxSynchronize, "cuCtxSynchronize")) {
    ATTN_CU(*api, cuMemFree, ptr);
    return nullptr;
  }
  ws.ptr = ptr;
  ws.bytes = grown;
  ws.counters = counters;
  return reinterpret_cast<void *>(uintptr_t(ws.ptr));
}

extern "C" void *attnRuntimeWorkspace(int64_t bytes) {
  ATTN_PROFILE("attnRuntimeWorkspace");
  if (hasError())
    return nullptr;
  return getWorkspace(bytes, "paged_attn.decode");
}

/// The current context's workspace as it stands (none: all zero).
static Workspace currentWorkspace() {
  const DriverApi *api;
  CUcontext context = currentContext(api);
  if (!context)
    return Workspace();
  WorkspaceState &state = workspaceState();
  std::lock_guard<std::mutex> lock(state.mutex);
  auto it = state.byContext.find(context);
  return it == state.byContext.end() ? Workspace() : it->second;
}

extern "C" void *attnRuntimeSplitCounters(int64_t count) {
  ATTN_PROFILE("attnRuntimeSplitCounters");
  if (hasError())
    return nullptr;
  Workspace ws = currentWorkspace();
  if (hasError())
    return nullptr;
  if (count < 0 || count > ws.counters || !ws.ptr) {
    recordError("paged_attn.decode needs " + std::to_string(count) +
                " split counters, but the workspace holds " +
                std::to_string(ws.counters) +
                " (attnRuntimeWorkspace first, with the call's bytes)");
    return nullptr;
  }
  return reinterpret_cast<void *>(uintptr_t(ws.ptr + CUdeviceptr(ws.bytes)));
}

extern "C" int32_t attnRuntimeReserveWorkspace(int64_t bytes) {
  void *ptr = getWorkspace(bytes, "attnRuntimeReserveWorkspace");
  return ptr || (bytes == 0 && !hasError()) ? 1 : 0;
}

extern "C" void attnRuntimeReleaseWorkspace(void) {
  const DriverApi *api;
  CUcontext context = currentContext(api);
  if (!context)
    return;
  if (isCapturing(*api)) {
    recordError("attnRuntimeReleaseWorkspace: the stream is capturing a CUDA "
                "graph, which may use the workspace");
    return;
  }
  WorkspaceState &state = workspaceState();
  std::lock_guard<std::mutex> lock(state.mutex);
  auto it = state.byContext.find(context);
  if (it == state.byContext.end() || !it->second.ptr)
    return;
  if (callDriver(*api, api->cuCtxSynchronize, "cuCtxSynchronize") &&
      ATTN_CU(*api, cuMemFree, it->second.ptr))
    state.byContext.erase(it);
}

extern "C" int64_t attnRuntimeWorkspaceBytes(void) {
  return currentWorkspace().bytes;
}

extern "C" void mgpuSetDefaultDevice(int32_t device) {
  if (device < 0) {
    recordError("mgpuSetDefaultDevice: device ordinal must be non-negative, "
                "got " +
                std::to_string(device));
    return;
  }
  setDefaultDevice(device);
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

namespace {
/// A module image loaded lazily into every CUDA context that launches from
/// it: the handle mgpuModuleLoad returns. The compiled code loads a module
/// once (a global constructor) and looks its kernels up per launch, in the
/// context current then, so one library serves every GPU of the process.
struct ContextModules {
  const void *image;
  bool jit;
  int32_t optLevel;
  std::mutex mutex;
  std::unordered_map<CUcontext, CUmodule> modules;
  /// Kernels looked up before, by context and name pointer (the compiled
  /// code passes the same constant string at every launch).
  std::map<std::pair<CUcontext, const char *>, CUfunction> functions;
};
} // namespace

/// Loads `image` into the current context: with the JIT's error log for PTX
/// (`jit`), else cuModuleLoadData.
static CUmodule loadImage(const DriverApi &api, const void *image, bool jit,
                          int32_t optLevel) {
  CUmodule module = nullptr;
  if (!jit) {
    if (!ATTN_CU(api, cuModuleLoadData, &module, image))
      return nullptr;
    return module;
  }
  if (!api.cuModuleLoadDataEx) {
    recordError("CUDA driver library libcuda.so.1 has no entry point "
                "cuModuleLoadDataEx");
    return nullptr;
  }
  char log[8192] = {0};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                            CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, reinterpret_cast<void *>(uintptr_t(sizeof(log))),
                    reinterpret_cast<void *>(uintptr_t(uint32_t(optLevel)))};
  CUresult result = api.cuModuleLoadDataEx(&module, image, 3, options, values);
  if (result != CUDA_SUCCESS) {
    std::string message =
        describeFailure(api, result, "cuModuleLoadDataEx (PTX JIT)");
    if (log[0])
      message += ": " + std::string(log);
    recordError(std::move(message));
    return nullptr;
  }
  return module;
}

/// The module of `handle` in `context` (the current one), loaded on first
/// use.
static CUmodule moduleInContext(const DriverApi &api, ContextModules &handle,
                                CUcontext context) {
  std::lock_guard<std::mutex> lock(handle.mutex);
  auto it = handle.modules.find(context);
  if (it != handle.modules.end())
    return it->second;
  CUmodule module = loadImage(api, handle.image, handle.jit, handle.optLevel);
  if (module)
    handle.modules.emplace(context, module);
  return module;
}

/// Loads `image` into the current context now (so that a bad image is an
/// error at load time) and returns the handle.
static void *loadModule(const char *caller, const void *image, bool jit,
                        int32_t optLevel) {
  if (!image) {
    recordError(std::string(caller) + ": null " +
                (jit ? "PTX image" : "module image"));
    return nullptr;
  }
  const DriverApi *api;
  CUcontext context = currentContext(api);
  if (!context)
    return nullptr;
  auto *handle = new ContextModules{image, jit, optLevel, {}, {}, {}};
  if (!moduleInContext(*api, *handle, context)) {
    delete handle;
    return nullptr;
  }
  return handle;
}

extern "C" void *mgpuModuleLoad(void *data, uint64_t size) {
  (void)size; // cubin, fatbin and PTX images describe their own size.
  return loadModule("mgpuModuleLoad", data, /*jit=*/false, 0);
}

extern "C" void *mgpuModuleLoadJIT(void *data, int32_t optLevel) {
  return loadModule("mgpuModuleLoadJIT", data, /*jit=*/true, optLevel);
}

extern "C" void mgpuModuleUnload(void *module) {
  // A failed load left a null module: nothing to do, and no new error.
  if (!module)
    return;
  auto *handle = static_cast<ContextModules *>(module);
  const DriverApi *api = loadDriver();
  // From a global destructor the driver may already be shut down.
  CUcontext current = nullptr;
  bool alive = api && api->cuCtxGetCurrent &&
               api->cuCtxGetCurrent(&current) != CUDA_ERROR_DEINITIALIZED &&
               api->cuModuleUnload;
  if (alive) {
    for (auto &[context, loaded] : handle->modules) {
      CUresult result = api->cuModuleUnload(loaded);
      // A context destroyed before us took its modules with it.
      if (result != CUDA_ERROR_DEINITIALIZED &&
          result != CUDA_ERROR_CONTEXT_IS_DESTROYED &&
          result != CUDA_ERROR_INVALID_CONTEXT)
        checkResult(*api, result, "cuModuleUnload");
    }
  }
  delete handle;
}

extern "C" void *mgpuModuleGetFunction(void *module, const char *name) {
  ATTN_PROFILE("mgpuModuleGetFunction");
  if (!module || !name) {
    std::string kernel = name ? name : "<null>";
    recordError("mgpuModuleGetFunction: cannot look up kernel '" + kernel +
                "' " +
                (module ? "without a name"
                        : "in a null module (its load "
                          "failed)"));
    return nullptr;
  }
  const DriverApi *api;
  CUcontext context = currentContext(api);
  if (!context)
    return nullptr;
  auto &handle = *static_cast<ContextModules *>(module);
  {
    std::lock_guard<std::mutex> lock(handle.mutex);
    auto it = handle.functions.find({context, name});
    if (it != handle.functions.end())
      return it->second;
  }
  CUmodule loaded = moduleInContext(*api, handle, context);
  if (!loaded)
    return nullptr;
  CUfunction function = nullptr;
  if (!callDriver(*api, api->cuModuleGetFunction,
                  "cuModuleGetFunction('" + std::string(name) + "')", &function,
                  loaded, name))
    return nullptr;
  std::lock_guard<std::mutex> lock(handle.mutex);
  handle.functions.emplace(std::make_pair(context, name), function);
  return function;
}

namespace {
/// Launch dimensions converted to the driver's unsigned int.
struct LaunchDims {
  unsigned values[9];
};
} // namespace

/// Converts `count` dimensions named by `names`; records an error naming
/// `caller` if one is not in [1, 2^32-1].
static bool convertDims(const char *caller, const intptr_t *dims,
                        const char *const *names, unsigned count,
                        LaunchDims &out) {
  for (unsigned i = 0; i < count; ++i) {
    if (dims[i] < 1 || uint64_t(dims[i]) > UINT32_MAX) {
      recordError(std::string(caller) + ": " + names[i] +
                  " must be in [1, 2^32-1], got " + std::to_string(dims[i]));
      return false;
    }
    out.values[i] = unsigned(dims[i]);
  }
  return true;
}

/// Checks what every launch checks: no recorded error (else the launch is
/// skipped silently), a function, a non-negative shared memory size. Returns
/// the driver with a context, after opting the kernel in to `smem` bytes of
/// dynamic shared memory when that is 48 KiB or more.
static const DriverApi *prepareLaunch(const char *caller, void *function,
                                      int32_t smem) {
  if (hasError())
    return nullptr;
  if (!function) {
    recordError(std::string(caller) +
                ": null kernel function (its module load or lookup failed)");
    return nullptr;
  }
  if (smem < 0) {
    recordError(std::string(caller) +
                ": dynamic shared memory size must be non-negative, got " +
                std::to_string(smem));
    return nullptr;
  }
  const DriverApi *api = driverWithContext();
  if (!api)
    return nullptr;
  if (smem < kDefaultMaxDynamicSmem)
    return api;
  // Opt in once per kernel (and larger size): the attribute stays set.
  static std::mutex mutex;
  static auto *optedIn = new std::unordered_map<CUfunction, int32_t>;
  auto cuFunction = static_cast<CUfunction>(function);
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = optedIn->find(cuFunction);
    if (it != optedIn->end() && it->second >= smem)
      return api;
  }
  if (!ATTN_CU(*api, cuFuncSetAttribute, cuFunction,
               CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, int(smem)))
    return nullptr;
  std::lock_guard<std::mutex> lock(mutex);
  (*optedIn)[cuFunction] = smem;
  return api;
}

extern "C" void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                 intptr_t gridZ, intptr_t blockX,
                                 intptr_t blockY, intptr_t blockZ, int32_t smem,
                                 void *stream, void **params, void **extra,
                                 uint64_t paramsCount) {
  ATTN_PROFILE("mgpuLaunchKernel");
  (void)paramsCount; // The driver takes the count from the kernel.
  static const char *const names[] = {"grid x",  "grid y",  "grid z",
                                      "block x", "block y", "block z"};
  const intptr_t dims[] = {gridX, gridY, gridZ, blockX, blockY, blockZ};
  LaunchDims d;
  if (hasError() || !convertDims("mgpuLaunchKernel", dims, names, 6, d))
    return;
  const DriverApi *api = prepareLaunch("mgpuLaunchKernel", function, smem);
  if (!api)
    return;
  ::attn::runtime::ProfileScope driverLaunch("  cuLaunchKernel");
  ATTN_CU(*api, cuLaunchKernel, static_cast<CUfunction>(function), d.values[0],
          d.values[1], d.values[2], d.values[3], d.values[4], d.values[5],
          unsigned(smem), asStream(stream), params, extra);
}

extern "C" void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                                        intptr_t clusterY, intptr_t clusterZ,
                                        intptr_t gridX, intptr_t gridY,
                                        intptr_t gridZ, intptr_t blockX,
                                        intptr_t blockY, intptr_t blockZ,
                                        int32_t smem, void *stream,
                                        void **params, void **extra) {
  static const char *const names[] = {"cluster x", "cluster y", "cluster z",
                                      "grid x",    "grid y",    "grid z",
                                      "block x",   "block y",   "block z"};
  const intptr_t dims[] = {clusterX, clusterY, clusterZ, gridX, gridY,
                           gridZ,    blockX,   blockY,   blockZ};
  LaunchDims d;
  if (hasError() || !convertDims("mgpuLaunchClusterKernel", dims, names, 9, d))
    return;
  const DriverApi *api =
      prepareLaunch("mgpuLaunchClusterKernel", function, smem);
  if (!api)
    return;
  CUlaunchAttribute attribute = {};
  attribute.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attribute.value.clusterDim.x = d.values[0];
  attribute.value.clusterDim.y = d.values[1];
  attribute.value.clusterDim.z = d.values[2];
  CUlaunchConfig config = {};
  config.gridDimX = d.values[3];
  config.gridDimY = d.values[4];
  config.gridDimZ = d.values[5];
  config.blockDimX = d.values[6];
  config.blockDimY = d.values[7];
  config.blockDimZ = d.values[8];
  config.sharedMemBytes = unsigned(smem);
  config.hStream = asStream(stream);
  config.attrs = &attribute;
  config.numAttrs = 1;
  ATTN_CU(*api, cuLaunchKernelEx, &config, static_cast<CUfunction>(function),
          params, extra);
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

extern "C" void *mgpuStreamCreate(void) {
  ATTN_PROFILE("mgpuStreamCreate");
  StreamState &state = streamState();
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.borrowing)
      return state.borrowed;
  }
  const DriverApi *api = driverWithContext();
  if (!api)
    return nullptr;
  CUstream stream = nullptr;
  if (!ATTN_CU(*api, cuStreamCreate, &stream, CU_STREAM_NON_BLOCKING))
    return nullptr;
  std::lock_guard<std::mutex> lock(state.mutex);
  state.owned.insert(stream);
  return stream;
}

extern "C" void mgpuStreamDestroy(void *stream) {
  ATTN_PROFILE("mgpuStreamDestroy");
  StreamState &state = streamState();
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    // The borrowed stream, foreign streams and null are not ours to destroy
    // (an owned stream may be borrowed too: it is destroyed once returned).
    if ((state.borrowing && state.borrowed == asStream(stream)) ||
        state.owned.erase(asStream(stream)) == 0)
      return;
  }
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuStreamDestroy, asStream(stream));
}

extern "C" void mgpuStreamSynchronize(void *stream) {
  ATTN_PROFILE("mgpuStreamSynchronize");
  StreamState &state = streamState();
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.borrowing && !state.synchronous &&
        state.borrowed == asStream(stream))
      return;
  }
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuStreamSynchronize, asStream(stream));
}

extern "C" void mgpuStreamWaitEvent(void *stream, void *event) {
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuStreamWaitEvent, asStream(stream),
            static_cast<CUevent>(event), 0u);
}

extern "C" void *mgpuEventCreate(void) {
  const DriverApi *api = driverWithContext();
  if (!api)
    return nullptr;
  CUevent event = nullptr;
  if (!ATTN_CU(*api, cuEventCreate, &event, CU_EVENT_DISABLE_TIMING))
    return nullptr;
  return event;
}

extern "C" void mgpuEventDestroy(void *event) {
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuEventDestroy, static_cast<CUevent>(event));
}

extern "C" void mgpuEventSynchronize(void *event) {
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuEventSynchronize, static_cast<CUevent>(event));
}

extern "C" void mgpuEventRecord(void *event, void *stream) {
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuEventRecord, static_cast<CUevent>(event), asStream(stream));
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                              uint32_t isHostShared) {
  if (sizeBytes == 0)
    return nullptr;
  const DriverApi *api = driverWithContext();
  if (!api)
    return nullptr;
  CUdeviceptr ptr = 0;
  // The IR passes an i8: only its low byte is defined.
  if (isHostShared & 0xffu) {
    if (!ATTN_CU(*api, cuMemAllocManaged, &ptr, size_t(sizeBytes),
                 unsigned(CU_MEM_ATTACH_GLOBAL)))
      return nullptr;
    StreamState &state = streamState();
    std::lock_guard<std::mutex> lock(state.mutex);
    state.managed.insert(ptr);
  } else if (!ATTN_CU(*api, cuMemAllocAsync, &ptr, size_t(sizeBytes),
                      asStream(stream))) {
    return nullptr;
  }
  return reinterpret_cast<void *>(uintptr_t(ptr));
}

extern "C" void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  bool isManaged;
  {
    StreamState &state = streamState();
    std::lock_guard<std::mutex> lock(state.mutex);
    isManaged = state.managed.erase(asDevicePtr(ptr)) != 0;
  }
  const DriverApi *api = driverWithContext();
  if (!api)
    return;
  if (isManaged)
    ATTN_CU(*api, cuMemFree, asDevicePtr(ptr));
  else
    ATTN_CU(*api, cuMemFreeAsync, asDevicePtr(ptr), asStream(stream));
}

extern "C" void mgpuMemcpy(void *dst, void *src, uint64_t sizeBytes,
                           void *stream) {
  if (sizeBytes == 0)
    return;
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuMemcpyAsync, asDevicePtr(dst), asDevicePtr(src),
            size_t(sizeBytes), asStream(stream));
}

extern "C" void mgpuMemset32(void *dst, uint32_t value, uint64_t count,
                             void *stream) {
  if (count == 0)
    return;
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuMemsetD32Async, asDevicePtr(dst), unsigned(value),
            size_t(count), asStream(stream));
}

extern "C" void mgpuMemset16(void *dst, uint32_t value, uint64_t count,
                             void *stream) {
  if (count == 0)
    return;
  // The IR passes an i16: only the low 16 bits are defined.
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuMemsetD16Async, asDevicePtr(dst),
            static_cast<unsigned short>(value & 0xffffu), size_t(count),
            asStream(stream));
}

namespace {
/// The head of a ranked memref descriptor; sizes[rank] and strides[rank]
/// follow it as int64_t.
struct MemRefHead {
  void *allocated;
  char *aligned;
  int64_t offset;
};
} // namespace

static const int64_t *memRefSizes(void *descriptor) {
  return reinterpret_cast<const int64_t *>(
      static_cast<MemRefHead *>(descriptor) + 1);
}

/// The first byte of the memref's data; null with an error on bad input.
static char *memRefData(const char *caller, int64_t rank, void *descriptor,
                        int64_t elementSizeBytes) {
  if (!descriptor || rank < 0 || elementSizeBytes <= 0) {
    recordError(std::string(caller) + ": invalid memref (descriptor " +
                (descriptor ? "set" : "null") + ", rank " +
                std::to_string(rank) + ", element size " +
                std::to_string(elementSizeBytes) + ")");
    return nullptr;
  }
  auto *head = static_cast<MemRefHead *>(descriptor);
  return head->aligned + head->offset * elementSizeBytes;
}

extern "C" void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                          int64_t elementSizeBytes) {
  const char *caller = "mgpuMemHostRegisterMemRef";
  char *data = memRefData(caller, rank, descriptor, elementSizeBytes);
  if (!data)
    return;
  const int64_t *sizes = memRefSizes(descriptor);
  const int64_t *strides = sizes + rank;
  // Only dense row-major memrefs: the registered range is sizes * element.
  uint64_t elements = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    if (sizes[i] < 0 || (sizes[i] > 1 && uint64_t(strides[i]) != elements)) {
      recordError(std::string(caller) +
                  ": only dense row-major memrefs can "
                  "be registered; dim " +
                  std::to_string(i) + " has size " + std::to_string(sizes[i]) +
                  " and stride " + std::to_string(strides[i]) +
                  ", expected stride " + std::to_string(elements));
      return;
    }
    elements *= uint64_t(sizes[i]);
  }
  uint64_t bytes = elements * uint64_t(elementSizeBytes);
  if (bytes == 0)
    return;
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuMemHostRegister, static_cast<void *>(data), size_t(bytes),
            0u);
}

extern "C" void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                            int64_t elementSizeBytes) {
  char *data = memRefData("mgpuMemHostUnregisterMemRef", rank, descriptor,
                          elementSizeBytes);
  if (!data)
    return;
  if (const DriverApi *api = driverWithContext())
    ATTN_CU(*api, cuMemHostUnregister, static_cast<void *>(data));
}
