//===- Runtime.h - Host runtime of AOT-compiled attention code ----*- C -*-===//
//
// The C ABI of libattn_runtime.so: the functions that MLIR's `gpu-to-llvm`
// lowering and the `#gpu.select_object` offloading translation emit calls to
// (the `mgpu*` family, as in MLIR 22), and the project's own entry points
// (`attnRuntime*`, `attnTma*`).
//
// The library uses the CUDA driver API only and loads it at run time
// (dlopen("libcuda.so.1")): it loads, and its TMA validation works, on a
// machine without a driver; every call that needs the driver then records
// "CUDA driver library libcuda.so.1 not found: <dlerror>".
//
// Errors. No function aborts or only prints: failures are recorded in one
// process-wide, mutex-protected, sticky error state. The first error wins:
// later errors are dropped until attnRuntimeClearError(). While an error is
// recorded, kernel launches are skipped, so nothing runs after a failed
// check; other calls still go through. Driver failures read
// "<call> failed: <CUresult name> (<CUresult string>)", e.g.
// "cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE (invalid argument)".
// Set ATTN_RUNTIME_VERBOSE=1 to also print every error to stderr.
//
// Context. On first use the runtime calls cuInit(0), gets the device (ordinal
// 0 or the one set by mgpuSetDefaultDevice) and retains its primary context.
// Each call that needs a context makes that primary context current on the
// calling thread only when no context is current, so it cooperates with
// PyTorch, which uses the same primary context.
//
// Streams. By default mgpuStreamCreate/Destroy create and destroy real
// streams. attnRuntimeSetStream() makes the runtime borrow a stream (e.g.
// torch.cuda.current_stream().cuda_stream): mgpuStreamCreate returns it and
// mgpuStreamDestroy leaves it alone. The borrowed stream, the synchronous
// flag and the default device are process-wide settings.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_RUNTIME_H
#define ATTN_RUNTIME_RUNTIME_H

#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define ATTN_RUNTIME_EXPORT __attribute__((visibility("default")))
#else
#define ATTN_RUNTIME_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

//===----------------------------------------------------------------------===//
// Error state and settings
//===----------------------------------------------------------------------===//

/// 1 if no error is recorded, else 0.
ATTN_RUNTIME_EXPORT int32_t attnRuntimeStatusOk(void);

/// The recorded (first) error, or "" if none. The pointer stays valid until
/// the next attnRuntimeClearError().
ATTN_RUNTIME_EXPORT const char *attnRuntimeLastError(void);

/// Forgets the recorded error; launches run again.
ATTN_RUNTIME_EXPORT void attnRuntimeClearError(void);

/// Borrows `stream` (a CUstream; NULL is the legacy default stream, which is
/// what PyTorch reports for its default stream): from now on mgpuStreamCreate
/// returns it and mgpuStreamDestroy does not destroy it.
ATTN_RUNTIME_EXPORT void attnRuntimeSetStream(void *stream);

/// Stops borrowing: mgpuStreamCreate creates real streams again.
ATTN_RUNTIME_EXPORT void attnRuntimeResetStream(void);

/// With 0, mgpuStreamSynchronize on the borrowed stream returns without
/// waiting (for benchmarks that time many launches); 1 (the default) waits.
/// Streams the runtime created are always synchronized.
ATTN_RUNTIME_EXPORT void attnRuntimeSetSynchronous(int32_t synchronous);

/// Number of streaming multiprocessors of the current device (of the current
/// context, else of the default device); 0 and an error if unavailable.
ATTN_RUNTIME_EXPORT int32_t attnRuntimeMultiprocessorCount(void);

/// Checks one size agreement of an op's operands that the compiler could
/// not (a dynamic size): 1 if `found == expected`, else 0 and records
/// "<where>: expects <subject> to be <expected> <description>, got <found>",
/// the verifier's words (e.g. "paged_attn.decode in @f: expects q dim 0
/// (num_tokens) to be 5 (batch * q_len_per_request), got 7"); nothing
/// launches then.
ATTN_RUNTIME_EXPORT int32_t attnRuntimeRequireDim(const char *where,
                                                  const char *subject,
                                                  const char *description,
                                                  int64_t found,
                                                  int64_t expected);

/// With ATTN_RUNTIME_PROFILE=1 in the environment, the runtime times its
/// entry points; this returns one line per entry point ("name calls total_us
/// us_per_call"), "" when not profiling, and resets the counts.
ATTN_RUNTIME_EXPORT const char *attnRuntimeProfileReport(void);

/// The split-KV workspace: a device buffer of at least `bytes` bytes that
/// the runtime owns, one per CUDA context, reused by every call (compiled
/// code never allocates per call). It grows, when a call needs more, by a
/// synchronous reallocation (the context is synchronized first), which is
/// refused while the current stream (the borrowed one, attnRuntimeSetStream)
/// is capturing a CUDA graph: then it returns null and records "...needs a
/// split-KV workspace of N bytes ... reserve it before capture", and nothing
/// launches. Calls on one context share the buffer, so they must be ordered
/// (one stream, or streams that wait on each other); a captured graph
/// refers to the buffer, so replays must be ordered the same way.
ATTN_RUNTIME_EXPORT void *attnRuntimeWorkspace(int64_t bytes);

/// The split counters of the current context's workspace: `count` u32 in
/// device memory, zero between calls. A multi-split decode CTA adds one to
/// its row group's counter when its partial output is written; the last of
/// the group merges the splits and sets the counter back to zero. They come
/// with the workspace (one per 128 bytes of it, at least 4096), so after
/// attnRuntimeWorkspace(bytes) for a call, its counters fit; null with the
/// error recorded when `count` exceeds them.
ATTN_RUNTIME_EXPORT void *attnRuntimeSplitCounters(int64_t count);

/// Grows the current context's workspace to at least `bytes` bytes now
/// (e.g. before capturing graphs whose calls need it); 1 on success, 0 with
/// the error recorded otherwise.
ATTN_RUNTIME_EXPORT int32_t attnRuntimeReserveWorkspace(int64_t bytes);

/// Frees the current context's workspace (after synchronizing the context);
/// the next call that needs one allocates it again. Refused, with the error
/// recorded, while the current stream is capturing a graph.
ATTN_RUNTIME_EXPORT void attnRuntimeReleaseWorkspace(void);

/// Bytes of the current context's workspace (0 if none yet).
ATTN_RUNTIME_EXPORT int64_t attnRuntimeWorkspaceBytes(void);

//===----------------------------------------------------------------------===//
// TMA descriptors
//===----------------------------------------------------------------------===//

/// Validates one tiled TMA descriptor with every rule of
/// attn::tma::checkTensorMap (include/attn/Support/TmaRules.h) on exact
/// values. `elemType`, `swizzle`, `interleave` and `oobFill` are the numeric
/// values of the attn::tma enums (ElemType 0-15, Swizzle 0-6, Interleave 0-2,
/// OobFill 0-1); `target` is 0 for sm_90a and 1 for sm_100a. The arrays have
/// `rank` entries, innermost dim first (CUDA order); `globalStrides` are in
/// elements for every dim (entry 0 must be 1). Strides of dims of extent 1
/// are ignored (normalized as TmaRules does), whatever their value.
///
/// Returns 1 if the descriptor is legal. Otherwise returns 0 and records
/// "<operand> breaks TMA rule '<rule name>': <message>" for every broken rule,
/// joined by "; " (bad enum values or arguments get their own message).
ATTN_RUNTIME_EXPORT int32_t
attnTmaCheck(const char *operand, int32_t elemType, int32_t target,
             int32_t rank, const void *globalAddress, const int64_t *globalDims,
             const int64_t *globalStrides, const int32_t *boxDims,
             int32_t swizzle, int32_t interleave, int32_t oobFill);

/// Checks a descriptor requirement on one memref stride (in elements), such
/// as the nvfp4 scales' `folded-stride`: a descriptor that folds memref dims
/// d and d+1 into one needs stride(d) == size(d+1) * stride(d+1). Returns 1
/// if `stride == required`; otherwise returns 0 and records "<operand> breaks
/// descriptor requirement '<requirement>': stride of memref dim <memrefDim>
/// must be <required> elements (<reason>), got <stride>" (the words of the
/// compile-time diagnostic).
ATTN_RUNTIME_EXPORT int32_t attnTmaRequireStride(
    const char *operand, const char *requirement, int32_t memrefDim,
    int64_t stride, int64_t required, const char *reason);

/// Validates like attnTmaCheck and, only if that passes, encodes the
/// descriptor with cuTensorMapEncodeTiled into `tensorMap` (a 128-byte
/// CUtensorMap in host memory, 64-byte aligned): byte strides of dims 1 to
/// rank-1 as TmaRules derives them (attn::tma::encodedGlobalStrides), element
/// strides 1, L2 promotion 256B, the given interleave, swizzle and OOB fill.
/// The driver needs a current context: the default device's primary context
/// is made current if none is. Returns 1 on success; 0 with a recorded error
/// otherwise (the driver is not called, and `tensorMap` not written, when
/// validation fails).
ATTN_RUNTIME_EXPORT int32_t attnTmaEncode(
    void *tensorMap, const char *operand, int32_t elemType, int32_t target,
    int32_t rank, const void *globalAddress, const int64_t *globalDims,
    const int64_t *globalStrides, const int32_t *boxDims, int32_t swizzle,
    int32_t interleave, int32_t oobFill);

//===----------------------------------------------------------------------===//
// MLIR GPU runtime ABI (MLIR 22)
//
// Signatures match the LLVM IR declarations that `gpu-to-llvm` and the
// `#gpu.select_object` translation emit; handles (CUmodule, CUfunction,
// CUstream, CUevent) are opaque pointers. Where the IR passes an i8 or i16,
// the parameter is declared 32-bit and only its low bits are read, since
// LLVM passes those arguments without zero extension.
//===----------------------------------------------------------------------===//

/// `ptr @mgpuModuleLoad(ptr, i64)`: loads a cubin, fatbin or PTX image with
/// cuModuleLoadData (`size` is not needed) into the current context and
/// returns a handle that loads it into every other context on first use
/// (mgpuModuleGetFunction looks kernels up in the context current at the
/// launch, so one library serves every GPU; the image must stay mapped).
/// Safe to call from a global constructor at dlopen time: without a GPU it
/// records the error and returns NULL.
ATTN_RUNTIME_EXPORT void *mgpuModuleLoad(void *data, uint64_t size);

/// `ptr @mgpuModuleLoadJIT(ptr, i32)`: JIT-compiles a NUL-terminated PTX
/// image at optimization level `optLevel`; the JIT log is part of the error.
ATTN_RUNTIME_EXPORT void *mgpuModuleLoadJIT(void *data, int32_t optLevel);

/// `void @mgpuModuleUnload(ptr)`: NULL (a failed load) is ignored, and so is
/// a deinitialized driver at process exit.
ATTN_RUNTIME_EXPORT void mgpuModuleUnload(void *module);

/// `ptr @mgpuModuleGetFunction(ptr, ptr)`: NULL and an error on a NULL module
/// or a missing kernel.
ATTN_RUNTIME_EXPORT void *mgpuModuleGetFunction(void *module, const char *name);

/// `void @mgpuLaunchKernel(ptr, i64 x 6, i32, ptr, ptr, ptr, i64)`. Skipped
/// while an error is recorded; an error on a NULL function. With 48 KiB or
/// more of dynamic shared memory, first raises the kernel's
/// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES to `smem`.
ATTN_RUNTIME_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                          intptr_t gridY, intptr_t gridZ,
                                          intptr_t blockX, intptr_t blockY,
                                          intptr_t blockZ, int32_t smem,
                                          void *stream, void **params,
                                          void **extra, uint64_t paramsCount);

/// `void @mgpuLaunchClusterKernel(ptr, i64 x 9, i32, ptr, ptr, ptr)`: as
/// mgpuLaunchKernel, through cuLaunchKernelEx with a cluster dimension
/// attribute; the grid counts blocks (a multiple of the cluster shape).
ATTN_RUNTIME_EXPORT void
mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                        intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                        intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                        intptr_t blockZ, int32_t smem, void *stream,
                        void **params, void **extra);

/// `ptr @mgpuStreamCreate()`: the borrowed stream if one is set, else a new
/// non-blocking stream.
ATTN_RUNTIME_EXPORT void *mgpuStreamCreate(void);

/// `void @mgpuStreamDestroy(ptr)`: destroys only streams that
/// mgpuStreamCreate created.
ATTN_RUNTIME_EXPORT void mgpuStreamDestroy(void *stream);

/// `void @mgpuStreamSynchronize(ptr)`: returns at once for the borrowed
/// stream when attnRuntimeSetSynchronous(0) is in effect.
ATTN_RUNTIME_EXPORT void mgpuStreamSynchronize(void *stream);

/// `void @mgpuStreamWaitEvent(ptr, ptr)`.
ATTN_RUNTIME_EXPORT void mgpuStreamWaitEvent(void *stream, void *event);

/// `ptr @mgpuEventCreate()`: an event without timing.
ATTN_RUNTIME_EXPORT void *mgpuEventCreate(void);

/// `void @mgpuEventDestroy(ptr)`.
ATTN_RUNTIME_EXPORT void mgpuEventDestroy(void *event);

/// `void @mgpuEventSynchronize(ptr)`.
ATTN_RUNTIME_EXPORT void mgpuEventSynchronize(void *event);

/// `void @mgpuEventRecord(ptr, ptr)`: records `event` on `stream`.
ATTN_RUNTIME_EXPORT void mgpuEventRecord(void *event, void *stream);

/// `ptr @mgpuMemAlloc(i64, ptr, i8)`: cuMemAllocAsync on `stream`, or
/// cuMemAllocManaged when the low byte of `isHostShared` is non-zero. NULL for
/// 0 bytes.
ATTN_RUNTIME_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                                       uint32_t isHostShared);

/// `void @mgpuMemFree(ptr, ptr)`: cuMemFreeAsync on `stream`; managed
/// (host-shared) allocations are freed with cuMemFree.
ATTN_RUNTIME_EXPORT void mgpuMemFree(void *ptr, void *stream);

/// `void @mgpuMemcpy(ptr, ptr, i64, ptr)`: cuMemcpyAsync (unified addressing).
ATTN_RUNTIME_EXPORT void mgpuMemcpy(void *dst, void *src, uint64_t sizeBytes,
                                    void *stream);

/// `void @mgpuMemset32(ptr, i32, i64, ptr)`: `count` 32-bit values.
ATTN_RUNTIME_EXPORT void mgpuMemset32(void *dst, uint32_t value, uint64_t count,
                                      void *stream);

/// `void @mgpuMemset16(ptr, i16, i64, ptr)`: `count` 16-bit values (the low
/// 16 bits of `value`).
ATTN_RUNTIME_EXPORT void mgpuMemset16(void *dst, uint32_t value, uint64_t count,
                                      void *stream);

/// `void @mgpuMemHostRegisterMemRef(i64, ptr, i64)`: page-locks the data of a
/// dense ranked memref descriptor ({allocated, aligned, offset, sizes[rank],
/// strides[rank]}) with cuMemHostRegister.
ATTN_RUNTIME_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank,
                                                   void *descriptor,
                                                   int64_t elementSizeBytes);

/// `void @mgpuMemHostUnregisterMemRef(i64, ptr, i64)`.
ATTN_RUNTIME_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank,
                                                     void *descriptor,
                                                     int64_t elementSizeBytes);

/// `void @mgpuSetDefaultDevice(i32)`: the device ordinal whose primary context
/// the runtime uses from now on (process-wide).
ATTN_RUNTIME_EXPORT void mgpuSetDefaultDevice(int32_t device);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // ATTN_RUNTIME_RUNTIME_H
