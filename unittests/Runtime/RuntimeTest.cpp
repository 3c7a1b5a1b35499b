//===- RuntimeTest.cpp - Tests of libattn_runtime.so ----------------------===//
//
// The TMA validation, the error state and the stream bookkeeping need no
// driver and run everywhere. Tests that need the driver check for it: without
// libcuda.so.1 they expect the "not found" error; the Gpu* tests run only
// where a GPU is present and skip elsewhere.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Runtime.h"
#include "attn/Support/TmaRules.h"

#include "gtest/gtest.h"

#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

using namespace attn::tma;

namespace {

// The C ABI takes the numeric values of the attn::tma enums; they follow the
// CUDA enums.
static_assert(int(ElemType::BFloat16) == 9 &&
                  int(ElemType::U6x16Align16B) == 15,
              "ElemType must follow CUtensorMapDataType");
static_assert(int(Swizzle::B128) == 3 && int(Swizzle::B128Atom64B) == 6,
              "Swizzle must follow CUtensorMapSwizzle");

bool driverPresent() {
  static const bool present = [] {
    void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (handle)
      dlclose(handle);
    return handle != nullptr;
  }();
  return present;
}

/// Whether kernels can run here (probed once; leaves no error behind).
bool gpuAvailable() {
  static const bool available = [] {
    if (!driverPresent())
      return false;
    bool ok = attnRuntimeMultiprocessorCount() > 0;
    attnRuntimeClearError();
    return ok;
  }();
  return available;
}

std::string lastError() { return attnRuntimeLastError(); }

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

size_t countOf(const std::string &text, const std::string &part) {
  size_t count = 0;
  for (size_t pos = text.find(part); pos != std::string::npos;
       pos = text.find(part, pos + 1))
    ++count;
  return count;
}

/// One descriptor: a legal bf16 K cache [pages=100][heads=8][dim=128],
/// innermost first, 64 x 8 x 1 box with 128B swizzle, on sm_90a.
struct Descriptor {
  const char *operand = "k_cache";
  int32_t elemType = int32_t(ElemType::BFloat16);
  int32_t target = int32_t(Target::SM90);
  uintptr_t address = 0x7f0000000000;
  std::vector<int64_t> dims = {128, 8, 100};
  std::vector<int64_t> strides = {1, 128, 1024};
  std::vector<int32_t> box = {64, 8, 1};
  int32_t swizzle = int32_t(Swizzle::B128);
  int32_t interleave = int32_t(Interleave::None);
  int32_t oobFill = int32_t(OobFill::None);
  /// The rank passed; the size of `dims` unless set.
  static constexpr int32_t kUnset = INT32_MIN;
  int32_t rank = kUnset;

  int32_t passedRank() const {
    return rank != kUnset ? rank : int32_t(dims.size());
  }
  int32_t check() const {
    return attnTmaCheck(operand, elemType, target, passedRank(),
                        reinterpret_cast<const void *>(address), dims.data(),
                        strides.data(), box.data(), swizzle, interleave,
                        oobFill);
  }
  int32_t encode(void *tensorMap) const {
    return attnTmaEncode(tensorMap, operand, elemType, target, passedRank(),
                         reinterpret_cast<const void *>(address), dims.data(),
                         strides.data(), box.data(), swizzle, interleave,
                         oobFill);
  }
};

/// A 128-byte CUtensorMap-sized, 64-byte aligned buffer.
struct alignas(128) TensorMapBuffer {
  unsigned char bytes[128];
};

class RuntimeTest : public ::testing::Test {
protected:
  void SetUp() override {
    attnRuntimeClearError();
    attnRuntimeResetStream();
    attnRuntimeSetSynchronous(1);
  }
  void TearDown() override {
    attnRuntimeResetStream();
    attnRuntimeSetSynchronous(1);
    attnRuntimeClearError();
  }
};

//===----------------------------------------------------------------------===//
// attnTmaCheck
//===----------------------------------------------------------------------===//

TEST_F(RuntimeTest, LegalDescriptorPasses) {
  Descriptor d;
  EXPECT_EQ(d.check(), 1);
  EXPECT_EQ(attnRuntimeStatusOk(), 1);
  EXPECT_EQ(lastError(), "");
}

TEST_F(RuntimeTest, MisalignedBaseAddress) {
  Descriptor d;
  d.address = 0x1002;
  EXPECT_EQ(d.check(), 0);
  EXPECT_EQ(attnRuntimeStatusOk(), 0);
  EXPECT_EQ(lastError(),
            "k_cache breaks TMA rule 'global-address-align': global address "
            "must be aligned to 16 bytes, got 0x1002");
}

TEST_F(RuntimeTest, StrideNotMultipleOf16Bytes) {
  Descriptor d;
  d.strides = {1, 100, 1024};
  EXPECT_EQ(d.check(), 0);
  EXPECT_EQ(lastError(),
            "k_cache breaks TMA rule 'global-stride-align': global stride of "
            "dim 1 must be a multiple of 16 bytes, got 200 bytes (100 x bf16)");
}

TEST_F(RuntimeTest, GarbageStrideOnUnitDimIsAccepted) {
  // Heads = 1: the head stride never takes part in an address.
  for (int64_t garbage : {int64_t(7), int64_t(-3), int64_t(1) << 62}) {
    Descriptor d;
    d.dims = {128, 1, 100};
    d.strides = {1, garbage, 128};
    d.box = {64, 1, 1};
    EXPECT_EQ(d.check(), 1) << "stride " << garbage << ": " << lastError();
  }
  // The same stride on a dim of extent 2 is checked.
  Descriptor d;
  d.dims = {128, 2, 100};
  d.strides = {1, 7, 256};
  d.box = {64, 2, 1};
  EXPECT_EQ(d.check(), 0);
  EXPECT_TRUE(contains(lastError(), "'global-stride-align': global stride of "
                                    "dim 1 must be a multiple of 16 bytes, "
                                    "got 14 bytes (7 x bf16)"))
      << lastError();
}

TEST_F(RuntimeTest, GarbageInnerStrideOnUnitInnerDimIsAccepted) {
  Descriptor d;
  d.elemType = int32_t(ElemType::UInt8);
  d.dims = {1, 16, 4};
  d.strides = {99, 16, 256};
  d.box = {16, 16, 1};
  d.swizzle = int32_t(Swizzle::None);
  // Box 16 x u8 spans 16 bytes; dim 0 has extent 1, its stride is ignored.
  EXPECT_EQ(d.check(), 1) << lastError();
  d.dims[0] = 2;
  EXPECT_EQ(d.check(), 0);
  EXPECT_TRUE(contains(lastError(), "'inner-stride-unit'")) << lastError();
}

TEST_F(RuntimeTest, BoxLargerThan256) {
  Descriptor d;
  d.box = {64, 300, 1};
  EXPECT_EQ(d.check(), 0);
  EXPECT_EQ(lastError(), "k_cache breaks TMA rule 'box-dim-range': box extent "
                         "of dim 1 must be in [1, 256], got 300");
}

TEST_F(RuntimeTest, InnerBoxWiderThanSwizzleSpan) {
  Descriptor d;
  d.box = {128, 8, 1}; // 256 bytes of bf16 under a 128-byte swizzle.
  EXPECT_EQ(d.check(), 0);
  EXPECT_EQ(lastError(),
            "k_cache breaks TMA rule 'swizzle-span': box extent of dim 0 must "
            "span at most 128 bytes with swizzle 128b, got 256 bytes (128 x "
            "bf16)");
  d.swizzle = int32_t(Swizzle::None);
  attnRuntimeClearError();
  EXPECT_EQ(d.check(), 1) << lastError();
}

TEST_F(RuntimeTest, TargetRules) {
  Descriptor d;
  d.swizzle = int32_t(Swizzle::B128Atom32B);
  EXPECT_EQ(d.check(), 0);
  EXPECT_TRUE(contains(lastError(), "k_cache breaks TMA rule "
                                    "'swizzle-target': swizzle 128b-atom-32b "
                                    "requires sm_100a, got sm_90a"))
      << lastError();
  attnRuntimeClearError();
  d.target = int32_t(Target::SM100);
  EXPECT_EQ(d.check(), 1) << lastError();
}

TEST_F(RuntimeTest, EveryViolationIsListed) {
  Descriptor d;
  d.address = 0x1002;
  d.strides = {1, 100, 1024};
  d.box = {64, 300, 1};
  EXPECT_EQ(d.check(), 0);
  std::string error = lastError();
  EXPECT_EQ(countOf(error, "k_cache breaks TMA rule "), 3u) << error;
  EXPECT_TRUE(contains(error, "'global-address-align'")) << error;
  EXPECT_TRUE(contains(error, "'global-stride-align'")) << error;
  EXPECT_TRUE(contains(error, "'box-dim-range'")) << error;
  EXPECT_EQ(countOf(error, "; "), 2u) << error;
}

TEST_F(RuntimeTest, UnnamedOperand) {
  Descriptor d;
  d.operand = nullptr;
  d.address = 0x1002;
  EXPECT_EQ(d.check(), 0);
  EXPECT_TRUE(contains(lastError(), "TMA operand breaks TMA rule "
                                    "'global-address-align'"))
      << lastError();
}

TEST_F(RuntimeTest, BadEnumValues) {
  struct Case {
    int32_t Descriptor::*field;
    int32_t value;
    const char *expected;
  } cases[] = {
      {&Descriptor::elemType, 16, "has an invalid element type 16"},
      {&Descriptor::elemType, -1, "has an invalid element type -1"},
      {&Descriptor::target, 2, "has an invalid target 2"},
      {&Descriptor::swizzle, 7, "has an invalid swizzle 7"},
      {&Descriptor::interleave, 3, "has an invalid interleave 3"},
      {&Descriptor::oobFill, 2, "has an invalid oob fill 2"},
  };
  for (const Case &c : cases) {
    attnRuntimeClearError();
    Descriptor d;
    d.*c.field = c.value;
    EXPECT_EQ(d.check(), 0) << c.expected;
    EXPECT_TRUE(contains(lastError(), std::string("k_cache ") + c.expected))
        << lastError();
  }
  // All at once: every one is reported.
  attnRuntimeClearError();
  Descriptor d;
  d.elemType = 99;
  d.swizzle = 42;
  EXPECT_EQ(d.check(), 0);
  EXPECT_TRUE(contains(lastError(), "invalid element type 99")) << lastError();
  EXPECT_TRUE(contains(lastError(), "invalid swizzle 42")) << lastError();
}

TEST_F(RuntimeTest, BadRankAndArrays) {
  for (int32_t rank : {0, 6, -1}) {
    attnRuntimeClearError();
    Descriptor d;
    d.operand = "q";
    d.rank = rank;
    EXPECT_EQ(d.check(), 0);
    EXPECT_EQ(lastError(), "q breaks TMA rule 'rank': rank must be in [1, 5], "
                           "got " +
                               std::to_string(rank));
  }
  attnRuntimeClearError();
  Descriptor d;
  EXPECT_EQ(attnTmaCheck("q", d.elemType, d.target, 3,
                         reinterpret_cast<const void *>(d.address), nullptr,
                         d.strides.data(), d.box.data(), d.swizzle, 0, 0),
            0);
  EXPECT_EQ(lastError(), "q has null globalDims array");
}

TEST_F(RuntimeTest, RequireStride) {
  const char *reason = "the head_dim / 16 scales of consecutive rows of dim 2 "
                       "must be contiguous to fold dims 2-3";
  EXPECT_EQ(attnTmaRequireStride("k_scale", "folded-stride", 2, 8, 8, reason),
            1);
  EXPECT_EQ(attnRuntimeStatusOk(), 1);
  EXPECT_EQ(attnTmaRequireStride("v_scale", "folded-stride", 2, 16, 8, reason),
            0);
  EXPECT_EQ(attnRuntimeStatusOk(), 0);
  EXPECT_EQ(lastError(),
            std::string("v_scale breaks descriptor requirement "
                        "'folded-stride': stride of memref dim 2 must be 8 "
                        "elements (") +
                reason + "), got 16");
}

TEST_F(RuntimeTest, NegativeValues) {
  Descriptor d;
  d.dims = {128, -5, 100};
  EXPECT_EQ(d.check(), 0);
  EXPECT_EQ(lastError(), "k_cache breaks TMA rule 'global-dim-range': extent "
                         "of dim 1 must be in [1, 2^32], got -5");
  attnRuntimeClearError();
  d = Descriptor();
  d.strides = {1, -128, 1024};
  EXPECT_EQ(d.check(), 0);
  EXPECT_EQ(lastError(), "k_cache has a negative global stride of dim 1 "
                         "(-128 elements); TMA strides are unsigned");
  attnRuntimeClearError();
  d = Descriptor();
  d.box = {64, -8, 1};
  EXPECT_EQ(d.check(), 0);
  EXPECT_EQ(lastError(), "k_cache breaks TMA rule 'box-dim-range': box extent "
                         "of dim 1 must be in [1, 256], got -8");
}

//===----------------------------------------------------------------------===//
// Error state
//===----------------------------------------------------------------------===//

TEST_F(RuntimeTest, FirstErrorIsSticky) {
  Descriptor first;
  first.operand = "first";
  first.address = 0x1002;
  Descriptor second = first;
  second.operand = "second";

  EXPECT_EQ(first.check(), 0);
  std::string firstError = lastError();
  EXPECT_TRUE(contains(firstError, "first breaks")) << firstError;
  EXPECT_EQ(second.check(), 0);
  EXPECT_EQ(lastError(), firstError);
  // A legal descriptor reports its own result but leaves the error.
  EXPECT_EQ(Descriptor().check(), 1);
  EXPECT_EQ(attnRuntimeStatusOk(), 0);
  EXPECT_EQ(lastError(), firstError);

  attnRuntimeClearError();
  EXPECT_EQ(attnRuntimeStatusOk(), 1);
  EXPECT_EQ(lastError(), "");
  EXPECT_EQ(second.check(), 0);
  EXPECT_TRUE(contains(lastError(), "second breaks")) << lastError();
}

//===----------------------------------------------------------------------===//
// attnTmaEncode
//===----------------------------------------------------------------------===//

TEST_F(RuntimeTest, EncodeRejectsIllegalSpecBeforeTheDriver) {
  TensorMapBuffer map;
  std::memset(map.bytes, 0xab, sizeof(map.bytes));
  Descriptor d;
  d.strides = {1, 100, 1024};
  EXPECT_EQ(d.encode(&map), 0);
  // The rule, not a driver error: the driver was not reached.
  EXPECT_EQ(lastError(),
            "k_cache breaks TMA rule 'global-stride-align': global stride of "
            "dim 1 must be a multiple of 16 bytes, got 200 bytes (100 x bf16)");
  for (unsigned char byte : map.bytes)
    ASSERT_EQ(byte, 0xab);
}

TEST_F(RuntimeTest, EncodeRejectsBadTensorMapPointer) {
  TensorMapBuffer maps[2];
  Descriptor d;
  EXPECT_EQ(d.encode(maps[0].bytes + 8), 0);
  EXPECT_TRUE(contains(lastError(), "which is not 64-byte aligned"))
      << lastError();
  EXPECT_FALSE(contains(lastError(), "libcuda")) << lastError();
  attnRuntimeClearError();
  EXPECT_EQ(d.encode(nullptr), 0);
  EXPECT_EQ(lastError(), "k_cache has a null tensor map pointer");
}

TEST_F(RuntimeTest, EncodeRejectsBadEnumBeforeTheDriver) {
  TensorMapBuffer map;
  Descriptor d;
  d.elemType = 16;
  EXPECT_EQ(d.encode(&map), 0);
  EXPECT_TRUE(contains(lastError(), "k_cache has an invalid element type 16"))
      << lastError();
  EXPECT_FALSE(contains(lastError(), "libcuda")) << lastError();
}

TEST_F(RuntimeTest, EncodeLegalSpec) {
  TensorMapBuffer map;
  std::memset(map.bytes, 0, sizeof(map.bytes));
  Descriptor d;
  int32_t result = d.encode(&map);
  if (!driverPresent()) {
    EXPECT_EQ(result, 0);
    EXPECT_EQ(
        lastError().rfind("CUDA driver library libcuda.so.1 not found: ", 0),
        0u)
        << lastError();
    return;
  }
  if (!gpuAvailable())
    GTEST_SKIP() << "driver present but no GPU: " << lastError();
  EXPECT_EQ(result, 1) << lastError();
  EXPECT_EQ(attnRuntimeStatusOk(), 1) << lastError();
  bool written = false;
  for (unsigned char byte : map.bytes)
    written |= byte != 0;
  EXPECT_TRUE(written);
}

//===----------------------------------------------------------------------===//
// mgpu* without a GPU
//===----------------------------------------------------------------------===//

TEST_F(RuntimeTest, NullModuleAndFunction) {
  EXPECT_EQ(mgpuModuleGetFunction(nullptr, "attn_decode"), nullptr);
  EXPECT_EQ(lastError(), "mgpuModuleGetFunction: cannot look up kernel "
                         "'attn_decode' in a null module (its load failed)");
  attnRuntimeClearError();
  mgpuLaunchKernel(nullptr, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_EQ(lastError(), "mgpuLaunchKernel: null kernel function (its module "
                         "load or lookup failed)");
  attnRuntimeClearError();
  mgpuLaunchClusterKernel(nullptr, 2, 1, 1, 2, 1, 1, 32, 1, 1, 0, nullptr,
                          nullptr, nullptr);
  EXPECT_EQ(lastError(), "mgpuLaunchClusterKernel: null kernel function (its "
                         "module load or lookup failed)");
  attnRuntimeClearError();
  // A module whose load failed is unloaded quietly at exit.
  mgpuModuleUnload(nullptr);
  EXPECT_EQ(attnRuntimeStatusOk(), 1) << lastError();
}

TEST_F(RuntimeTest, LaunchDimensionsAreChecked) {
  int dummy = 0;
  mgpuLaunchKernel(&dummy, 1, 0, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_EQ(lastError(),
            "mgpuLaunchKernel: grid y must be in [1, 2^32-1], got 0");
}

TEST_F(RuntimeTest, WithoutDriverEveryCallRecordsNotFound) {
  if (driverPresent())
    GTEST_SKIP() << "libcuda.so.1 is present";
  const std::string prefix = "CUDA driver library libcuda.so.1 not found: ";
  static const char image[] = "not a cubin";
  EXPECT_EQ(mgpuModuleLoad(const_cast<char *>(image), sizeof(image)), nullptr);
  EXPECT_EQ(lastError().rfind(prefix, 0), 0u) << lastError();
  EXPECT_GT(lastError().size(), prefix.size()); // dlerror() text follows.
  attnRuntimeClearError();
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(lastError().rfind(prefix, 0), 0u) << lastError();
  attnRuntimeClearError();
  EXPECT_EQ(mgpuMemAlloc(256, nullptr, 0), nullptr);
  EXPECT_EQ(lastError().rfind(prefix, 0), 0u) << lastError();
  attnRuntimeClearError();
  EXPECT_EQ(attnRuntimeMultiprocessorCount(), 0);
  EXPECT_EQ(lastError().rfind(prefix, 0), 0u) << lastError();
  attnRuntimeClearError();
  EXPECT_EQ(attnRuntimeWorkspace(1024), nullptr);
  EXPECT_EQ(lastError().rfind(prefix, 0), 0u) << lastError();
  attnRuntimeClearError();
  EXPECT_EQ(attnRuntimeReserveWorkspace(1024), 0);
  EXPECT_EQ(lastError().rfind(prefix, 0), 0u) << lastError();
}

TEST_F(RuntimeTest, CheckVerdictsAreReusedOnlyForLegalDescriptors) {
  Descriptor legal;
  legal.address = 0x7f0000100000;
  EXPECT_EQ(legal.check(), 1) << lastError();
  EXPECT_EQ(legal.check(), 1) << lastError(); // the remembered verdict
  Descriptor bad = legal;
  bad.strides = {1, 100, 1024};
  for (int i = 0; i < 2; ++i) { // never remembered: refused every time
    EXPECT_EQ(bad.check(), 0);
    EXPECT_NE(lastError().find("global-stride-align"), std::string::npos)
        << lastError();
    attnRuntimeClearError();
  }
  // The operand's name is not part of the verdict, only of its words.
  Descriptor renamed = bad;
  renamed.operand = "v_cache";
  EXPECT_EQ(renamed.check(), 0);
  EXPECT_EQ(lastError().rfind("v_cache breaks TMA rule", 0), 0u) << lastError();
}

TEST_F(RuntimeTest, RequireDim) {
  EXPECT_EQ(attnRuntimeRequireDim("paged_attn.decode in @f",
                                  "q dim 0 (num_tokens)",
                                  "(batch * q_len_per_request)", 5, 5),
            1);
  EXPECT_EQ(attnRuntimeStatusOk(), 1);
  EXPECT_EQ(attnRuntimeRequireDim("paged_attn.decode in @f",
                                  "q dim 0 (num_tokens)",
                                  "(batch * q_len_per_request)", 7, 5),
            0);
  EXPECT_EQ(lastError(), "paged_attn.decode in @f: expects q dim 0 "
                         "(num_tokens) to be 5 (batch * q_len_per_request), "
                         "got 7");
  // Nothing launches after it (the error is sticky).
  EXPECT_EQ(attnRuntimeStatusOk(), 0);
}

TEST_F(RuntimeTest, WorkspaceSizeMustBeNonNegative) {
  EXPECT_EQ(attnRuntimeReserveWorkspace(-5), 0);
  EXPECT_EQ(lastError(), "attnRuntimeReserveWorkspace: workspace size must be "
                         "non-negative, got -5");
}

TEST_F(RuntimeTest, NoWorkspaceAfterAnError) {
  attnRuntimeReserveWorkspace(-1);
  // A recorded error (e.g. a broken TMA rule) means nothing launches: the
  // workspace is not even looked at.
  EXPECT_EQ(attnRuntimeWorkspace(16), nullptr);
  EXPECT_EQ(lastError().rfind("attnRuntimeReserveWorkspace", 0), 0u);
}

TEST_F(RuntimeTest, BorrowedStreamIsReturnedAndNeverDestroyed) {
  // None of this reaches the driver, so it works without one.
  void *borrowed = reinterpret_cast<void *>(uintptr_t(0x5000));
  attnRuntimeSetStream(borrowed);
  EXPECT_EQ(mgpuStreamCreate(), borrowed);
  mgpuStreamDestroy(borrowed);
  attnRuntimeSetSynchronous(0);
  mgpuStreamSynchronize(borrowed);
  EXPECT_EQ(attnRuntimeStatusOk(), 1) << lastError();
  // The legacy default stream (PyTorch's default) can be borrowed too.
  attnRuntimeSetStream(nullptr);
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  mgpuStreamDestroy(nullptr);
  mgpuStreamSynchronize(nullptr);
  EXPECT_EQ(attnRuntimeStatusOk(), 1) << lastError();
  // Synchronous again: the borrowed stream is waited on.
  if (!driverPresent()) {
    attnRuntimeSetSynchronous(1);
    mgpuStreamSynchronize(nullptr);
    EXPECT_TRUE(contains(lastError(), "libcuda.so.1 not found")) << lastError();
  }
}

//===----------------------------------------------------------------------===//
// On a GPU
//===----------------------------------------------------------------------===//

/// attn_fill(out, base): out[i] = base + i over the whole grid.
/// attn_smem(out, bytes): each thread stores tid + 7 at the top of `bytes` of
/// dynamic shared memory and copies it back to out[tid].
const char kPtx[] = R"ptx(
.version 7.8
.target sm_90
.address_size 64

.visible .entry attn_fill(.param .u64 out, .param .u32 base)
{
  .reg .b32 %r<6>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  ld.param.u32 %r1, [base];
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mad.lo.u32 %r5, %r3, %r4, %r2;
  add.u32 %r1, %r1, %r5;
  cvta.to.global.u64 %rd1, %rd1;
  mul.wide.u32 %rd2, %r5, 4;
  add.u64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r1;
  ret;
}

.extern .shared .align 16 .b8 attn_dsmem[];

.visible .entry attn_smem(.param .u64 out, .param .u32 bytes)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  ld.param.u32 %r1, [bytes];
  mov.u32 %r2, %tid.x;
  add.u32 %r3, %r2, 1;
  shl.b32 %r3, %r3, 2;
  sub.u32 %r4, %r1, %r3;
  mov.u32 %r5, attn_dsmem;
  add.u32 %r5, %r5, %r4;
  add.u32 %r6, %r2, 7;
  st.shared.u32 [%r5], %r6;
  bar.sync 0;
  ld.shared.u32 %r7, [%r5];
  cvta.to.global.u64 %rd1, %rd1;
  mul.wide.u32 %rd2, %r2, 4;
  add.u64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r7;
  ret;
}
)ptx";

class GpuTest : public RuntimeTest {
protected:
  void SetUp() override {
    RuntimeTest::SetUp();
    if (!gpuAvailable())
      GTEST_SKIP() << "no GPU";
    module = mgpuModuleLoad(const_cast<char *>(kPtx), sizeof(kPtx));
    ASSERT_NE(module, nullptr) << lastError();
    stream = mgpuStreamCreate();
    ASSERT_NE(stream, nullptr) << lastError();
  }
  void TearDown() override {
    if (stream)
      mgpuStreamDestroy(stream);
    if (module)
      mgpuModuleUnload(module);
    EXPECT_EQ(attnRuntimeStatusOk(), 1) << lastError();
    RuntimeTest::TearDown();
  }

  /// Copies `count` values of `device` back, synchronously.
  std::vector<uint32_t> download(void *device, size_t count) {
    std::vector<uint32_t> host(count, 0xdeadbeef);
    mgpuMemcpy(host.data(), device, count * 4, stream);
    mgpuStreamSynchronize(stream);
    return host;
  }

  /// Launches attn_fill over `blocks` x `threads` into `out`.
  void fill(void *out, uint32_t base, intptr_t blocks, intptr_t threads,
            intptr_t cluster = 0) {
    void *function = mgpuModuleGetFunction(module, "attn_fill");
    ASSERT_NE(function, nullptr) << lastError();
    void *params[] = {&out, &base};
    if (cluster)
      mgpuLaunchClusterKernel(function, cluster, 1, 1, blocks, 1, 1, threads, 1,
                              1, 0, stream, params, nullptr);
    else
      mgpuLaunchKernel(function, blocks, 1, 1, threads, 1, 1, 0, stream, params,
                       nullptr, 2);
  }

  void *module = nullptr;
  void *stream = nullptr;
};

TEST_F(GpuTest, LaunchFillsMemory) {
  void *out = mgpuMemAlloc(256 * 4, stream, 0);
  ASSERT_NE(out, nullptr) << lastError();
  fill(out, 1000, 4, 64);
  std::vector<uint32_t> host = download(out, 256);
  ASSERT_EQ(attnRuntimeStatusOk(), 1) << lastError();
  for (uint32_t i = 0; i < 256; ++i)
    ASSERT_EQ(host[i], 1000 + i) << i;
  mgpuMemFree(out, stream);
}

TEST_F(GpuTest, ClusterLaunch) {
  void *out = mgpuMemAlloc(256 * 4, stream, 0);
  ASSERT_NE(out, nullptr) << lastError();
  fill(out, 5, 4, 64, /*cluster=*/2);
  std::vector<uint32_t> host = download(out, 256);
  ASSERT_EQ(attnRuntimeStatusOk(), 1) << lastError();
  for (uint32_t i = 0; i < 256; ++i)
    ASSERT_EQ(host[i], 5 + i) << i;
  mgpuMemFree(out, stream);
}

TEST_F(GpuTest, LargeDynamicSharedMemory) {
  void *function = mgpuModuleGetFunction(module, "attn_smem");
  ASSERT_NE(function, nullptr) << lastError();
  void *out = mgpuMemAlloc(128 * 4, stream, 0);
  ASSERT_NE(out, nullptr) << lastError();
  uint32_t bytes = 100 * 1024; // Needs the opt-in above 48 KiB.
  void *params[] = {&out, &bytes};
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, int32_t(bytes), stream, params,
                   nullptr, 2);
  std::vector<uint32_t> host = download(out, 128);
  ASSERT_EQ(attnRuntimeStatusOk(), 1) << lastError();
  for (uint32_t i = 0; i < 128; ++i)
    ASSERT_EQ(host[i], i + 7) << i;
  mgpuMemFree(out, stream);
}

TEST_F(GpuTest, NothingLaunchesAfterAnError) {
  void *out = mgpuMemAlloc(64 * 4, stream, 0);
  ASSERT_NE(out, nullptr) << lastError();
  mgpuMemset32(out, 0x1234, 64, stream);
  Descriptor bad;
  bad.address = 0x1002;
  EXPECT_EQ(bad.check(), 0);
  fill(out, 1, 1, 64);
  EXPECT_TRUE(contains(lastError(), "global-address-align")) << lastError();
  attnRuntimeClearError();
  std::vector<uint32_t> host = download(out, 64);
  for (uint32_t value : host)
    ASSERT_EQ(value, 0x1234u);
  // Once cleared, launches run again.
  fill(out, 1, 1, 64);
  host = download(out, 64);
  EXPECT_EQ(host[63], 64u);
  mgpuMemFree(out, stream);
}

TEST_F(GpuTest, MemsetEventsAndJit) {
  void *jitModule = mgpuModuleLoadJIT(const_cast<char *>(kPtx), 3);
  ASSERT_NE(jitModule, nullptr) << lastError();
  EXPECT_NE(mgpuModuleGetFunction(jitModule, "attn_fill"), nullptr);
  mgpuModuleUnload(jitModule);

  void *out = mgpuMemAlloc(64 * 4, stream, 0);
  mgpuMemset16(out, 0xffff0007u, 128, stream); // Only the low 16 bits count.
  void *event = mgpuEventCreate();
  ASSERT_NE(event, nullptr) << lastError();
  mgpuEventRecord(event, stream);
  void *other = mgpuStreamCreate();
  mgpuStreamWaitEvent(other, event);
  mgpuEventSynchronize(event);
  std::vector<uint32_t> host = download(out, 64);
  EXPECT_EQ(host[0], 0x00070007u);
  mgpuEventDestroy(event);
  mgpuStreamDestroy(other);
  mgpuMemFree(out, stream);
}

TEST_F(GpuTest, BadPtxReportsTheJitLog) {
  static const char bad[] = ".version 7.8\n.target sm_90\n.address_size 64\n"
                            ".visible .entry broken() { bogus.op; }\n";
  EXPECT_EQ(mgpuModuleLoadJIT(const_cast<char *>(bad), 0), nullptr);
  EXPECT_TRUE(contains(lastError(), "cuModuleLoadDataEx (PTX JIT) failed: "))
      << lastError();
  attnRuntimeClearError();
  EXPECT_EQ(mgpuModuleGetFunction(module, "no_such_kernel"), nullptr);
  EXPECT_TRUE(contains(lastError(), "cuModuleGetFunction('no_such_kernel') "
                                    "failed: CUDA_ERROR_NOT_FOUND"))
      << lastError();
  attnRuntimeClearError();
}

TEST_F(GpuTest, BorrowedStream) {
  attnRuntimeSetStream(stream);
  EXPECT_EQ(mgpuStreamCreate(), stream);
  mgpuStreamDestroy(stream); // Not destroyed: it is borrowed.
  void *out = mgpuMemAlloc(64 * 4, stream, 0);
  fill(out, 3, 1, 64);
  std::vector<uint32_t> host = download(out, 64);
  EXPECT_EQ(host[10], 13u) << lastError();
  // Asynchronous mode: synchronizing the borrowed stream does not wait, but
  // the stream still orders the work.
  attnRuntimeSetSynchronous(0);
  fill(out, 4, 1, 64);
  mgpuStreamSynchronize(stream);
  attnRuntimeSetSynchronous(1);
  host = download(out, 64);
  EXPECT_EQ(host[10], 14u) << lastError();
  mgpuMemFree(out, stream);
  attnRuntimeResetStream();
  void *owned = mgpuStreamCreate();
  EXPECT_NE(owned, stream);
  mgpuStreamDestroy(owned);
}

TEST_F(GpuTest, WorkspaceIsOwnedGrownAndReleased) {
  attnRuntimeReleaseWorkspace();
  EXPECT_EQ(attnRuntimeWorkspaceBytes(), 0);
  void *small = attnRuntimeWorkspace(1000);
  ASSERT_NE(small, nullptr) << lastError();
  int64_t bytes = attnRuntimeWorkspaceBytes();
  EXPECT_GE(bytes, 1000);
  // Calls that fit reuse the buffer: no allocation per call.
  EXPECT_EQ(attnRuntimeWorkspace(bytes), small);
  EXPECT_EQ(attnRuntimeWorkspace(1), small);
  // The buffer is device memory the kernels can write.
  fill(small, 7, 1, 64);
  EXPECT_EQ(download(small, 64)[5], 12u) << lastError();
  void *large = attnRuntimeWorkspace(bytes + 1);
  ASSERT_NE(large, nullptr) << lastError();
  EXPECT_GE(attnRuntimeWorkspaceBytes(), bytes + 1);
  attnRuntimeReleaseWorkspace();
  EXPECT_EQ(attnRuntimeWorkspaceBytes(), 0);
  EXPECT_EQ(attnRuntimeStatusOk(), 1) << lastError();
}

TEST_F(GpuTest, SplitCountersComeZeroedWithTheWorkspace) {
  attnRuntimeReleaseWorkspace();
  // None without a workspace.
  EXPECT_EQ(attnRuntimeSplitCounters(1), nullptr);
  EXPECT_NE(lastError().find("needs 1 split counters, but the workspace "
                             "holds 0"),
            std::string::npos)
      << lastError();
  attnRuntimeClearError();
  void *workspace = attnRuntimeWorkspace(1 << 20);
  ASSERT_NE(workspace, nullptr) << lastError();
  int64_t bytes = attnRuntimeWorkspaceBytes();
  // One per 128 bytes of workspace, at least 4096.
  int64_t capacity = std::max<int64_t>(bytes / 128, 4096);
  void *counters = attnRuntimeSplitCounters(capacity);
  ASSERT_NE(counters, nullptr) << lastError();
  EXPECT_EQ(attnRuntimeSplitCounters(1), counters);
  // After the workspace's bytes: what kernels write there never reaches
  // them.
  EXPECT_GE(static_cast<char *>(counters) - static_cast<char *>(workspace),
            bytes);
  std::vector<uint32_t> host = download(counters, capacity);
  EXPECT_EQ(std::count(host.begin(), host.end(), 0u), capacity);
  // More than come with the workspace: refused, with the reason.
  EXPECT_EQ(attnRuntimeSplitCounters(capacity + 1), nullptr);
  EXPECT_NE(lastError().find("needs " + std::to_string(capacity + 1) +
                             " split counters, but the workspace holds " +
                             std::to_string(capacity)),
            std::string::npos)
      << lastError();
  attnRuntimeClearError();
  // Counters left non-zero (a kernel cut short) do not survive a new
  // workspace: it comes with zeroed ones, as many as its bytes call for.
  fill(counters, 7, 1, 64);
  EXPECT_EQ(download(counters, 64)[5], 12u) << lastError();
  ASSERT_NE(attnRuntimeWorkspace(bytes + 1), nullptr) << lastError();
  int64_t grown = attnRuntimeWorkspaceBytes();
  void *fresh = attnRuntimeSplitCounters(grown / 128);
  ASSERT_NE(fresh, nullptr) << lastError();
  host = download(fresh, grown / 128);
  EXPECT_EQ(std::count(host.begin(), host.end(), 0u), grown / 128);
  attnRuntimeReleaseWorkspace();
  EXPECT_EQ(attnRuntimeSplitCounters(1), nullptr);
  attnRuntimeClearError();
  EXPECT_EQ(attnRuntimeStatusOk(), 1) << lastError();
}

TEST_F(GpuTest, WorkspaceNeverGrowsDuringCapture) {
  // Stream capture straight from the driver (the runtime's ABI has none).
  void *cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(cuda, nullptr);
  using BeginFn = int (*)(void *, int);
  using EndFn = int (*)(void *, void **);
  using DestroyFn = int (*)(void *);
  auto begin =
      reinterpret_cast<BeginFn>(dlsym(cuda, "cuStreamBeginCapture_v2"));
  auto end = reinterpret_cast<EndFn>(dlsym(cuda, "cuStreamEndCapture"));
  auto destroy = reinterpret_cast<DestroyFn>(dlsym(cuda, "cuGraphDestroy"));
  ASSERT_TRUE(begin && end && destroy);
  constexpr int kThreadLocalCapture = 1; // CU_STREAM_CAPTURE_MODE_THREAD_LOCAL
  ASSERT_EQ(attnRuntimeReserveWorkspace(4096), 1) << lastError();
  int64_t reserved = attnRuntimeWorkspaceBytes();
  void *before = attnRuntimeWorkspace(1);
  attnRuntimeSetStream(stream);
  attnRuntimeSetSynchronous(0);
  ASSERT_EQ(begin(stream, kThreadLocalCapture), 0);
  // What was reserved serves the capture...
  EXPECT_EQ(attnRuntimeWorkspace(reserved), before) << lastError();
  // ...more is refused with the reason, and nothing is allocated.
  EXPECT_EQ(attnRuntimeWorkspace(reserved + 1), nullptr);
  std::string error = lastError();
  attnRuntimeReleaseWorkspace(); // refused too: the graph may use it
  void *graph = nullptr;
  EXPECT_EQ(end(stream, &graph), 0);
  if (graph)
    destroy(graph);
  dlclose(cuda);
  attnRuntimeSetSynchronous(1);
  attnRuntimeResetStream();
  EXPECT_NE(error.find("paged_attn.decode needs a split-KV workspace of " +
                       std::to_string(reserved + 1) + " bytes"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("capturing a CUDA graph"), std::string::npos) << error;
  EXPECT_EQ(attnRuntimeWorkspaceBytes(), reserved);
  attnRuntimeClearError();
}

TEST_F(GpuTest, EncodingsAreReusedAndNewArgumentsAreChecked) {
  void *buffer = mgpuMemAlloc(128 * 8 * 100 * 2, stream, 0);
  ASSERT_NE(buffer, nullptr) << lastError();
  Descriptor d;
  d.address = reinterpret_cast<uintptr_t>(buffer);
  TensorMapBuffer first, again;
  std::memset(&again, 0xAB, sizeof(again));
  ASSERT_EQ(d.encode(&first), 1) << lastError();
  // The same arguments: the same bytes (from the cache, or encoded anew).
  ASSERT_EQ(d.encode(&again), 1) << lastError();
  EXPECT_EQ(std::memcmp(&first, &again, sizeof(first)), 0);
  // Another stride is another descriptor...
  Descriptor wider = d;
  wider.strides = {1, 256, 2048};
  TensorMapBuffer other;
  ASSERT_EQ(wider.encode(&other), 1) << lastError();
  EXPECT_NE(std::memcmp(&first, &other, sizeof(first)), 0);
  // ...and one that breaks a rule is refused, cached legal ones or not.
  Descriptor bad = d;
  bad.address += 2;
  EXPECT_EQ(bad.encode(&other), 0);
  EXPECT_NE(lastError().find("global-address-align"), std::string::npos)
      << lastError();
  attnRuntimeClearError();
  mgpuStreamSynchronize(stream);
  mgpuMemFree(buffer, stream);
}

TEST_F(GpuTest, HostSharedAllocation) {
  auto *shared = static_cast<uint32_t *>(mgpuMemAlloc(64 * 4, nullptr, 1));
  ASSERT_NE(shared, nullptr) << lastError();
  fill(shared, 100, 1, 64);
  mgpuStreamSynchronize(stream);
  EXPECT_EQ(shared[63], 163u) << lastError();
  mgpuMemFree(shared, nullptr);
}

TEST_F(GpuTest, HostRegisterMemRef) {
  std::vector<float> data(32, 1.0f);
  struct {
    void *allocated;
    void *aligned;
    int64_t offset;
    int64_t sizes[2];
    int64_t strides[2];
  } memref = {data.data(), data.data(), 0, {4, 8}, {8, 1}};
  mgpuMemHostRegisterMemRef(2, &memref, 4);
  mgpuMemHostUnregisterMemRef(2, &memref, 4);
  EXPECT_EQ(attnRuntimeStatusOk(), 1) << lastError();
}

TEST_F(GpuTest, MultiprocessorCountAndEncode) {
  EXPECT_GT(attnRuntimeMultiprocessorCount(), 0) << lastError();
  void *buffer = mgpuMemAlloc(128 * 8 * 100 * 2, stream, 0);
  ASSERT_NE(buffer, nullptr) << lastError();
  TensorMapBuffer map;
  Descriptor d;
  d.address = reinterpret_cast<uintptr_t>(buffer);
  EXPECT_EQ(d.encode(&map), 1) << lastError();
  // A garbage stride on an extent-1 dim is never passed to the driver.
  d.dims = {128, 1, 100};
  d.strides = {1, -12345, 128};
  d.box = {64, 1, 1};
  EXPECT_EQ(d.encode(&map), 1) << lastError();
  mgpuStreamSynchronize(stream);
  mgpuMemFree(buffer, stream);
}

} // namespace
