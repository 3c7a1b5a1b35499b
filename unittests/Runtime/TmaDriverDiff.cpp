//===- TmaDriverDiff.cpp - TmaRules against cuTensorMapEncodeTiled --------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// A differential test of the project's TMA rules against the CUDA driver:
// a seeded, repeatable generator of descriptor requests (every element type,
// ranks 1-5, sizes and strides on both sides of the limits, boxes 0-257,
// every swizzle, interleave and OOB fill, element strides 0-9, base
// addresses at 0/1/8/16/32-byte offsets) judged by TmaRules
// (checkTensorMap on the request, normalized as the runtime does) and by
// cuTensorMapEncodeTiled with exactly the arguments the runtime would pass.
// Prints the counts per rule and every disagreement; exits 1 if there is a
// disagreement that is not a documented driver behaviour. Needs a GPU.
//
//   AttnTmaDriverDiff [--count N] [--seed S] [--show K]
//
//===----------------------------------------------------------------------===//

#include "attn/Support/TmaRules.h"

#include <cuda.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace attn::tma;

namespace {

struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*retain)(CUcontext *, CUdevice);
  CUresult (*setCurrent)(CUcontext);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*encode)(CUtensorMap *, CUtensorMapDataType, cuuint32_t, void *,
                     const cuuint64_t *, const cuuint64_t *, const cuuint32_t *,
                     const cuuint32_t *, CUtensorMapInterleave,
                     CUtensorMapSwizzle, CUtensorMapL2promotion,
                     CUtensorMapFloatOOBfill);
  CUresult (*errorName)(CUresult, const char **);
};

bool loadDriver(Driver &d) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW);
  if (!lib)
    return false;
  auto sym = [&](const char *name) { return dlsym(lib, name); };
  d.init = reinterpret_cast<decltype(d.init)>(sym("cuInit"));
  d.deviceGet = reinterpret_cast<decltype(d.deviceGet)>(sym("cuDeviceGet"));
  d.retain =
      reinterpret_cast<decltype(d.retain)>(sym("cuDevicePrimaryCtxRetain"));
  d.setCurrent =
      reinterpret_cast<decltype(d.setCurrent)>(sym("cuCtxSetCurrent"));
  d.memAlloc = reinterpret_cast<decltype(d.memAlloc)>(sym("cuMemAlloc_v2"));
  d.encode =
      reinterpret_cast<decltype(d.encode)>(sym("cuTensorMapEncodeTiled"));
  d.errorName = reinterpret_cast<decltype(d.errorName)>(sym("cuGetErrorName"));
  return d.init && d.deviceGet && d.retain && d.setCurrent && d.memAlloc &&
         d.encode && d.errorName;
}

/// One request, in the runtime's terms (strides in elements).
struct Request {
  ElemType type;
  unsigned rank;
  uint64_t offset; // bytes past a 256-byte aligned base
  uint64_t dims[5];
  uint64_t strides[5]; // elements; strides[0] is 1
  uint32_t box[5];
  uint32_t elementStrides[5];
  Interleave interleave;
  Swizzle swizzle;
  OobFill fill;
};

class Generator {
public:
  explicit Generator(uint64_t seed) : rng(seed) {}

  uint64_t below(uint64_t n) {
    return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng);
  }
  template <typename T>
  T pick(std::initializer_list<T> values) {
    return *(values.begin() + below(values.size()));
  }

  Request next() {
    Request r{};
    r.type = ElemType(below(16));
    r.rank = unsigned(1 + below(5));
    r.offset = pick<uint64_t>({0, 0, 0, 1, 8, 16, 32});
    r.interleave = below(4) == 0 ? Interleave(below(3)) : Interleave::None;
    r.swizzle = below(3) == 0 ? Swizzle::None : Swizzle(below(7));
    r.fill = below(4) == 0 ? OobFill::NanRequestZeroFma : OobFill::None;
    unsigned bits = elemBits(r.type);
    for (unsigned i = 0; i < r.rank; ++i) {
      switch (below(8)) {
      case 0:
        r.dims[i] = pick<uint64_t>({0, 1, (1ull << 32), (1ull << 32) + 1});
        break;
      case 1:
        r.dims[i] = 1;
        break;
      case 2:
        r.dims[i] = 1 + below(1ull << 20);
        break;
      default:
        r.dims[i] = pick<uint64_t>({2, 16, 64, 100, 128, 256, 1000}) +
                    (below(4) == 0 ? below(8) : 0);
      }
      // Box: usually a legal size, sometimes an edge.
      r.box[i] =
          below(5) == 0
              ? uint32_t(pick<uint64_t>({0, 1, 255, 256, 257}))
              : uint32_t(pick<uint64_t>({1, 2, 8, 16, 32, 64, 128, 256}));
      r.elementStrides[i] =
          below(6) == 0 ? uint32_t(below(10)) : uint32_t(1 + below(2));
    }
    // Strides: dims >= 1, in elements, whole bytes (what the runtime can
    // pass); aligned, misaligned, or near 2^40 bytes.
    r.strides[0] = 1;
    uint64_t packed = 1;
    for (unsigned i = 1; i < r.rank; ++i) {
      packed *= std::max<uint64_t>(r.dims[i - 1], 1);
      uint64_t quantum = bits == 4 ? 2 : bits == 6 ? 4 : 1; // whole bytes
      uint64_t alignElems = std::max<uint64_t>(128 / bits, quantum);
      uint64_t s;
      switch (below(6)) {
      case 0: // near 2^40 bytes
        s = (1ull << 40) * 8 / bits - pick<uint64_t>({0, alignElems, 1});
        break;
      case 1: // misaligned
        s = alignElems * (1 + below(64)) + quantum * (1 + below(3));
        break;
      case 2: // huge but legal-ish
        s = alignElems * (1 + below(1ull << 24));
        break;
      default: // dense, rounded up to the alignment
        s = std::min<uint64_t>(packed, 1ull << 36);
        s = (s + alignElems - 1) / alignElems * alignElems;
      }
      s = s / quantum * quantum;
      r.strides[i] = std::max<uint64_t>(s, quantum);
    }
    return r;
  }

private:
  std::mt19937_64 rng;
};

TensorMapSpec specOf(const Request &r, uint64_t address) {
  TensorMapSpec spec;
  spec.elemType = r.type;
  spec.target = Target::SM90;
  spec.globalAddress = Fact::exact(address);
  for (unsigned i = 0; i < r.rank; ++i) {
    spec.globalDims.push_back(Fact::exact(r.dims[i]));
    spec.globalStrides.push_back(Fact::exact(r.strides[i]));
    spec.boxDims.push_back(r.box[i]);
    spec.elementStrides.push_back(r.elementStrides[i]);
  }
  spec.interleave = r.interleave;
  spec.swizzle = r.swizzle;
  spec.oobFill = r.fill;
  return spec;
}

CUtensorMapDataType driverType(ElemType t) {
  static const CUtensorMapDataType types[] = {
      CU_TENSOR_MAP_DATA_TYPE_UINT8,
      CU_TENSOR_MAP_DATA_TYPE_UINT16,
      CU_TENSOR_MAP_DATA_TYPE_UINT32,
      CU_TENSOR_MAP_DATA_TYPE_INT32,
      CU_TENSOR_MAP_DATA_TYPE_UINT64,
      CU_TENSOR_MAP_DATA_TYPE_INT64,
      CU_TENSOR_MAP_DATA_TYPE_FLOAT16,
      CU_TENSOR_MAP_DATA_TYPE_FLOAT32,
      CU_TENSOR_MAP_DATA_TYPE_FLOAT64,
      CU_TENSOR_MAP_DATA_TYPE_BFLOAT16,
      CU_TENSOR_MAP_DATA_TYPE_FLOAT32_FTZ,
      CU_TENSOR_MAP_DATA_TYPE_TFLOAT32,
      CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ,
      CU_TENSOR_MAP_DATA_TYPE_16U4_ALIGN8B,
      CU_TENSOR_MAP_DATA_TYPE_16U4_ALIGN16B,
      CU_TENSOR_MAP_DATA_TYPE_16U6_ALIGN16B};
  return types[unsigned(t)];
}

std::string describeRequest(const Request &r) {
  std::string s = std::string(elemTypeName(r.type)) + " rank " +
                  std::to_string(r.rank) + " offset " +
                  std::to_string(r.offset) + " dims [";
  for (unsigned i = 0; i < r.rank; ++i)
    s += (i ? ", " : "") + std::to_string(r.dims[i]);
  s += "] strides(elems) [";
  for (unsigned i = 0; i < r.rank; ++i)
    s += (i ? ", " : "") + std::to_string(r.strides[i]);
  s += "] box [";
  for (unsigned i = 0; i < r.rank; ++i)
    s += (i ? ", " : "") + std::to_string(r.box[i]);
  s += "] elementStrides [";
  for (unsigned i = 0; i < r.rank; ++i)
    s += (i ? ", " : "") + std::to_string(r.elementStrides[i]);
  s += std::string("] interleave ") + interleaveName(r.interleave) +
       " swizzle " + swizzleName(r.swizzle) + " oob " + oobFillName(r.fill);
  return s;
}

/// The driver's result on `r`, with the arguments the runtime would pass
/// (normalized byte strides); CUDA_ERROR_INVALID_VALUE when the strides are
/// not encodable at all.
CUresult encodeResult(Driver &d, const Request &r, uint64_t address) {
  TensorMapSpec spec = specOf(r, address);
  std::optional<std::vector<uint64_t>> bytes = encodedGlobalStrides(spec);
  if (!bytes)
    return CUDA_ERROR_INVALID_VALUE;
  cuuint64_t dims[5], strides[5] = {0};
  cuuint32_t box[5], es[5];
  for (unsigned i = 0; i < r.rank; ++i) {
    dims[i] = r.dims[i];
    box[i] = r.box[i];
    es[i] = r.elementStrides[i];
    if (i + 1 < r.rank)
      strides[i] = (*bytes)[i];
  }
  alignas(64) CUtensorMap map;
  return d.encode(
      &map, driverType(r.type), r.rank, reinterpret_cast<void *>(address), dims,
      strides, box, es, CUtensorMapInterleave(r.interleave),
      CUtensorMapSwizzle(r.swizzle), CU_TENSOR_MAP_L2_PROMOTION_NONE,
      CUtensorMapFloatOOBfill(r.fill));
}

bool driverAccepts(Driver &d, const Request &r, uint64_t address) {
  return encodeResult(d, r, address) == CUDA_SUCCESS;
}

/// Which single change makes the driver agree with the rules: a hint at
/// the rule the two disagree on.
std::string explain(Driver &d, const Request &r, uint64_t address) {
  bool accepted = driverAccepts(d, r, address);
  std::string out;
  auto tryChange = [&](const char *what, Request v) {
    if (driverAccepts(d, v, address) != accepted)
      out += std::string(out.empty() ? "" : ", ") + what;
  };
  Request v = r;
  for (unsigned i = 0; i < r.rank; ++i)
    v.elementStrides[i] = 1;
  tryChange("elementStrides=1", v);
  v = r;
  v.elementStrides[0] = 1;
  tryChange("elementStrides[0]=1", v);
  v = r;
  for (unsigned i = 0; i < r.rank; ++i)
    v.box[i] = std::min<uint32_t>(v.box[i], 16);
  tryChange("box<=16", v);
  v = r;
  for (unsigned i = 1; i < r.rank; ++i)
    v.box[i] = 1;
  tryChange("outer boxes=1", v);
  v = r;
  v.interleave = Interleave::None;
  tryChange("interleave=none", v);
  for (Swizzle s : {Swizzle::None, Swizzle::B32, Swizzle::B64, Swizzle::B128}) {
    v = r;
    v.swizzle = s;
    tryChange((std::string("swizzle=") + swizzleName(s)).c_str(), v);
  }
  v = r;
  v.fill = OobFill::None;
  tryChange("oob=none", v);
  uint64_t boxBytes = elemBits(r.type) / 8 ? elemBits(r.type) / 8 : 1;
  for (unsigned i = 0; i < r.rank; ++i)
    boxBytes *= (r.box[i] + std::max(r.elementStrides[i], 1u) - 1) /
                std::max(r.elementStrides[i], 1u);
  return "[flips: " + (out.empty() ? std::string("none") : out) +
         "; box bytes " + std::to_string(boxBytes) + "]";
}

} // namespace

int main(int argc, char **argv) {
  uint64_t count = 10000, seed = 1;
  int show = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--count"))
      count = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--seed"))
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--show"))
      show = std::atoi(argv[i + 1]);
  }
  Driver d;
  CUdevice device;
  CUcontext context;
  CUdeviceptr base;
  if (!loadDriver(d) || d.init(0) != CUDA_SUCCESS ||
      d.deviceGet(&device, 0) != CUDA_SUCCESS ||
      d.retain(&context, device) != CUDA_SUCCESS ||
      d.setCurrent(context) != CUDA_SUCCESS ||
      d.memAlloc(&base, 1 << 20) != CUDA_SUCCESS) {
    std::fprintf(stderr, "AttnTmaDriverDiff: no usable CUDA device\n");
    return 2;
  }
  base = (base + 255) / 256 * 256;

  Generator gen(seed);
  uint64_t agree = 0, legalBoth = 0, illegalBoth = 0, unencodable = 0;
  std::map<std::string, uint64_t> violatedCount; // rule -> requests
  std::map<std::string, uint64_t> disagreements; // kind + rules -> count
  std::vector<std::string> samples;
  for (uint64_t n = 0; n < count; ++n) {
    Request r = gen.next();
    uint64_t address = base + r.offset;
    TensorMapSpec spec = specOf(r, address);
    CheckResult result = checkTensorMap(spec);
    bool rulesLegal = result.isLegal();
    std::string violated;
    for (const RuleCheck &c : result.violations()) {
      std::string name = ruleName(c.rule);
      if (violated.find(name) == std::string::npos) {
        violated += (violated.empty() ? "" : "+") + name;
        ++violatedCount[name];
      }
    }
    // The driver's arguments, as the runtime builds them: normalized byte
    // strides of dims 1..rank-1.
    std::optional<std::vector<uint64_t>> bytes = encodedGlobalStrides(spec);
    if (!bytes) {
      ++unencodable;
      if (rulesLegal) {
        ++disagreements["legal but unencodable"];
        if (int(samples.size()) < show)
          samples.push_back("legal but unencodable: " + describeRequest(r));
      }
      continue;
    }
    CUresult res = encodeResult(d, r, address);
    bool driverLegal = res == CUDA_SUCCESS;
    if (driverLegal == rulesLegal) {
      ++agree;
      (rulesLegal ? legalBoth : illegalBoth) += 1;
      continue;
    }
    const char *err = "?";
    d.errorName(res, &err);
    std::string kind =
        rulesLegal ? "rules accept, driver refuses ("
                   : "rules refuse [" + violated + "], driver accepts (";
    kind += driverLegal ? std::string("CUDA_SUCCESS") : std::string(err);
    kind += ")";
    // Documented driver behaviour: cuda.h requires 32B swizzle with 32B
    // interleave, the driver (580) encodes other swizzles too; the rules
    // keep the documented (stricter) requirement.
    if (!rulesLegal && driverLegal && violated == "interleave-swizzle")
      kind = "documented: " + kind;
    // Known, and on the safe side: with element strides other than 1 the
    // driver's box-size limit is looser than ceil(box / stride) bytes in a
    // way not modelled yet; the rules refuse those boxes (the kernels use
    // element strides of 1, where the 228 KiB limit is exact).
    bool steps = false;
    for (unsigned i = 0; i < r.rank; ++i)
      steps |= r.elementStrides[i] != 1;
    if (!rulesLegal && driverLegal && steps &&
        (violated == "box-bytes-max" ||
         violated == "interleave-swizzle+box-bytes-max"))
      kind = "documented (rules stricter): " + kind;
    ++disagreements[kind];
    if (int(samples.size()) < show)
      samples.push_back(kind + ": " + describeRequest(r) + " " +
                        explain(d, r, address));
  }

  std::printf("TmaRules vs cuTensorMapEncodeTiled, seed %llu: %llu requests, "
              "%llu agree (%llu legal, %llu illegal), %llu unencodable "
              "(illegal by the rules, not passed to the driver)\n",
              (unsigned long long)seed, (unsigned long long)count,
              (unsigned long long)agree, (unsigned long long)legalBoth,
              (unsigned long long)illegalBoth, (unsigned long long)unencodable);
  std::printf("requests per violated rule:\n");
  for (auto &[rule, n] : violatedCount)
    std::printf("  %-24s %llu\n", rule.c_str(), (unsigned long long)n);
  uint64_t bad = 0;
  std::printf("disagreements:%s\n", disagreements.empty() ? " none" : "");
  for (auto &[kind, n] : disagreements) {
    std::printf("  %llu x %s\n", (unsigned long long)n, kind.c_str());
    if (kind.rfind("documented", 0) != 0)
      bad += n;
  }
  std::printf("%llu undocumented disagreements\n", (unsigned long long)bad);
  for (const std::string &s : samples)
    std::printf("  e.g. %s\n", s.c_str());
  return bad ? 1 : 0;
}
