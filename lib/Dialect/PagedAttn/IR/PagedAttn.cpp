//===- PagedAttn.cpp - paged_attn dialect -----------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Dialect registration and the structural verifier shared by the attention
// ops. TMA legality (alignment, stride multiples, box limits) is not checked
// here but by the --paged-attn-verify-tma pass, which can defer a rule to a
// runtime check; the rules here can always be decided on the IR.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"
#include "attn/Support/TargetInfo.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::paged_attn;

#include "attn/Dialect/PagedAttn/IR/PagedAttnOpsDialect.cpp.inc"

#include "attn/Dialect/PagedAttn/IR/PagedAttnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "attn/Dialect/PagedAttn/IR/PagedAttnAttrs.cpp.inc"

#include "attn/Dialect/PagedAttn/IR/PagedAttnInterfaces.cpp.inc"

void PagedAttnDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "attn/Dialect/PagedAttn/IR/PagedAttnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "attn/Dialect/PagedAttn/IR/PagedAttnOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

bool mlir::paged_attn::isNVFP4Type(Type type) {
  auto vec = dyn_cast<VectorType>(type);
  return vec && vec.getRank() == 1 && vec.getDimSize(0) == 2 &&
         !vec.isScalable() && isa<Float4E2M1FNType>(vec.getElementType());
}

unsigned mlir::paged_attn::getPageSizeDim(KVLayout layout) {
  return layout == KVLayout::HND ? 2 : 1;
}

unsigned mlir::paged_attn::getKvHeadsDim(KVLayout layout) {
  return layout == KVLayout::HND ? 1 : 2;
}

int64_t AttentionDims::groupSize() const {
  if (ShapedType::isDynamic(numQoHeads) || ShapedType::isDynamic(numKvHeads) ||
      numKvHeads == 0)
    return ShapedType::kDynamic;
  return numQoHeads / numKvHeads;
}

AttentionDims mlir::paged_attn::getAttentionDims(AttentionOpInterface op) {
  AttentionDims dims;
  auto q = cast<MemRefType>(op.getQ().getType());
  auto k = cast<MemRefType>(op.getKCache().getType());
  auto bt = cast<MemRefType>(op.getBlockTable().getType());
  KVLayout layout = op.getKvLayout();
  dims.numTokens = q.getDimSize(0);
  dims.numQoHeads = q.getDimSize(1);
  dims.headDim = q.getDimSize(2);
  dims.numPages = k.getDimSize(0);
  dims.numKvHeads = k.getDimSize(getKvHeadsDim(layout));
  dims.pageSize = k.getDimSize(getPageSizeDim(layout));
  dims.batch = bt.getDimSize(0);
  dims.maxPages = bt.getDimSize(1);
  dims.nvfp4 = isNVFP4Type(k.getElementType());
  return dims;
}

//===----------------------------------------------------------------------===//
// Structural verifier
//===----------------------------------------------------------------------===//

namespace {

/// Checks the structural rules of one attention op; each rule reports once,
/// naming the operand, the dim, what was expected and what was found.
class AttentionVerifier {
public:
  explicit AttentionVerifier(AttentionOpInterface op) : op(op) {}

  LogicalResult verify();

private:
  InFlightDiagnostic error() { return op->emitOpError(); }

  /// Checks that `value` is a ranked memref of the given rank with a strided
  /// layout and returns its type.
  FailureOr<MemRefType> checkMemRef(StringRef name, Value value, int64_t rank,
                                    StringRef shape);
  /// Checks that `dim` of `name` is static (the kernel is specialized on it).
  LogicalResult checkStatic(StringRef name, MemRefType type, unsigned dim,
                            StringRef dimName);
  /// Checks that `dim` of `name` equals `expected` where both are static.
  LogicalResult checkDim(StringRef name, MemRefType type, unsigned dim,
                         StringRef dimName, int64_t expected, StringRef source);
  /// Checks `name`'s element type against a predicate.
  LogicalResult checkElementType(StringRef name, MemRefType type,
                                 function_ref<bool(Type)> ok,
                                 StringRef allowed);

  /// Checks the static size agreements of `group` (getDimAgreements).
  LogicalResult checkAgreements(DimAgreement::Group group);

  LogicalResult verifyTypes();
  LogicalResult verifyDtypeCombination();
  LogicalResult verifyShapes();
  LogicalResult verifyScales();
  LogicalResult verifyAttributes();

  AttentionOpInterface op;
  MemRefType q, k, v, blockTable, seqLens, kScale, vScale, kGlobalScale,
      vGlobalScale, sinks, out, qoIndptr;
};

} // namespace

FailureOr<MemRefType> AttentionVerifier::checkMemRef(StringRef name,
                                                     Value value, int64_t rank,
                                                     StringRef shape) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type)
    return error() << "expects " << name << " to be a ranked memref " << shape
                   << ", got " << value.getType();
  if (type.getRank() != rank)
    return error() << "expects " << name << " to have rank " << rank << " "
                   << shape << ", got rank " << type.getRank();
  if (!type.isStrided())
    return error() << "expects " << name << " to have a strided layout, got "
                   << type.getLayout();
  return type;
}

LogicalResult AttentionVerifier::checkStatic(StringRef name, MemRefType type,
                                             unsigned dim, StringRef dimName) {
  if (!type.isDynamicDim(dim))
    return success();
  return error() << "expects " << name << " dim " << dim << " (" << dimName
                 << ") to be static: kernels are specialized on it";
}

LogicalResult AttentionVerifier::checkDim(StringRef name, MemRefType type,
                                          unsigned dim, StringRef dimName,
                                          int64_t expected, StringRef source) {
  int64_t found = type.getDimSize(dim);
  if (ShapedType::isDynamic(found) || ShapedType::isDynamic(expected) ||
      found == expected)
    return success();
  return error() << "expects " << name << " dim " << dim << " (" << dimName
                 << ") to be " << expected << " " << source << ", got "
                 << found;
}

LogicalResult AttentionVerifier::checkElementType(StringRef name,
                                                  MemRefType type,
                                                  function_ref<bool(Type)> ok,
                                                  StringRef allowed) {
  if (ok(type.getElementType()))
    return success();
  return error() << "expects " << name << " element type to be " << allowed
                 << ", got " << type.getElementType();
}

LogicalResult AttentionVerifier::verifyTypes() {
  auto get = [&](MemRefType &slot, StringRef name, Value value, int64_t rank,
                 StringRef shape) -> LogicalResult {
    if (!value)
      return success();
    FailureOr<MemRefType> type = checkMemRef(name, value, rank, shape);
    if (failed(type))
      return failure();
    slot = *type;
    return success();
  };
  bool hnd = op.getKvLayout() == KVLayout::HND;
  StringRef cacheShape = hnd ? "[pages, kv_heads, page_size, head_dim] (hnd)"
                             : "[pages, page_size, kv_heads, head_dim] (nhd)";
  StringRef scaleShape =
      hnd ? "[pages, kv_heads, page_size, head_dim / 16] (hnd)"
          : "[pages, page_size, kv_heads, head_dim / 16] (nhd)";
  if (failed(
          get(q, "q", op.getQ(), 3, "[num_tokens, num_qo_heads, head_dim]")) ||
      failed(get(k, "k_cache", op.getKCache(), 4, cacheShape)) ||
      failed(get(v, "v_cache", op.getVCache(), 4, cacheShape)) ||
      failed(get(blockTable, "block_table", op.getBlockTable(), 2,
                 "[batch, max_pages]")) ||
      failed(get(seqLens, "seq_lens", op.getSeqLens(), 1, "[batch]")) ||
      failed(get(qoIndptr, "qo_indptr", op.getQoIndptr(), 1, "[batch + 1]")) ||
      failed(get(kScale, "k_scale", op.getKScale(), 4, scaleShape)) ||
      failed(get(vScale, "v_scale", op.getVScale(), 4, scaleShape)) ||
      failed(get(kGlobalScale, "k_global_scale", op.getKGlobalScale(), 0,
                 "(one f32)")) ||
      failed(get(vGlobalScale, "v_global_scale", op.getVGlobalScale(), 0,
                 "(one f32)")) ||
      failed(get(sinks, "sinks", op.getSinks(), 1, "[num_qo_heads]")) ||
      failed(get(out, "out", op.getOut(), 3,
                 "[num_tokens, num_qo_heads, head_dim]")))
    return failure();

  auto isI32 = [](Type t) { return t.isSignlessInteger(32); };
  auto isF32 = [](Type t) { return t.isF32(); };
  auto isF8 = [](Type t) { return isa<Float8E4M3FNType>(t); };
  auto is16 = [](Type t) { return t.isBF16() || t.isF16(); };
  auto isQ = [&](Type t) { return is16(t) || isF8(t); };
  auto isKV = [&](Type t) { return isQ(t) || isNVFP4Type(t); };
  if (failed(checkElementType("q", q, isQ, "bf16, f16 or f8E4M3FN")) ||
      failed(checkElementType("k_cache", k, isKV,
                              "bf16, f16, f8E4M3FN or vector<2xf4E2M1FN> "
                              "(nvfp4)")) ||
      failed(checkElementType("out", out, is16, "bf16 or f16")) ||
      failed(checkElementType("block_table", blockTable, isI32, "i32")) ||
      failed(checkElementType("seq_lens", seqLens, isI32, "i32")) ||
      (qoIndptr &&
       failed(checkElementType("qo_indptr", qoIndptr, isI32, "i32"))) ||
      (kScale &&
       failed(checkElementType("k_scale", kScale, isF8, "f8E4M3FN"))) ||
      (vScale &&
       failed(checkElementType("v_scale", vScale, isF8, "f8E4M3FN"))) ||
      (sinks && failed(checkElementType("sinks", sinks, isF32, "f32"))) ||
      (kGlobalScale && failed(checkElementType("k_global_scale", kGlobalScale,
                                               isF32, "f32"))) ||
      (vGlobalScale &&
       failed(checkElementType("v_global_scale", vGlobalScale, isF32, "f32"))))
    return failure();
  // A 16-bit cache holds its values as they are: nothing to scale.
  bool quantized = isF8(k.getElementType()) || isNVFP4Type(k.getElementType());
  if (!quantized && (kGlobalScale || vGlobalScale))
    return error()
           << "expects " << (kGlobalScale ? "k_global_scale" : "v_global_scale")
           << " only with an fp8 or nvfp4 cache, got cache element type "
           << k.getElementType();
  if (v.getElementType() != k.getElementType())
    return error() << "expects v_cache element type to be "
                   << k.getElementType() << " as k_cache, got "
                   << v.getElementType();
  return success();
}

LogicalResult AttentionVerifier::verifyDtypeCombination() {
  Type qType = q.getElementType(), kvType = k.getElementType(),
       outType = out.getElementType();
  bool qIs16 = qType.isBF16() || qType.isF16();
  bool kvIs16 = kvType.isBF16() || kvType.isF16();
  // 16-bit caches are read in the query's own type (so an fp8 query needs an
  // fp8 or nvfp4 cache); fp8 and nvfp4 caches are dequantized.
  if (kvIs16 && kvType != qType)
    return error() << "expects k_cache element type " << kvType
                   << " to match q element type " << qType
                   << " (16-bit caches are not converted)";
  if (qIs16 && outType != qType)
    return error() << "expects out element type to be " << qType
                   << " as q, got " << outType;
  return success();
}

LogicalResult AttentionVerifier::verifyShapes() {
  KVLayout layout = op.getKvLayout();
  unsigned headsDim = getKvHeadsDim(layout), pageDim = getPageSizeDim(layout);
  bool nvfp4 = isNVFP4Type(k.getElementType());

  // Dims that the kernel is specialized on.
  if (failed(checkStatic("q", q, 1, "num_qo_heads")) ||
      failed(checkStatic("q", q, 2, "head_dim")) ||
      failed(checkStatic("k_cache", k, headsDim, "kv_heads")) ||
      failed(checkStatic("k_cache", k, pageDim, "page_size")) ||
      failed(checkStatic("k_cache", k, 3, "head_dim")))
    return failure();

  int64_t headDim = q.getDimSize(2);
  if (headDim != 64 && headDim != 128 && headDim != 256)
    return error() << "expects q dim 2 (head_dim) to be 64, 128 or 256, got "
                   << headDim;
  int64_t cacheInner = nvfp4 ? headDim / 2 : headDim;
  StringRef innerName =
      nvfp4 ? "head_dim / 2, two nvfp4 values per byte" : "head_dim";
  if (failed(checkDim("k_cache", k, 3, innerName, cacheInner, "as q")) ||
      failed(checkDim("out", out, 2, "head_dim", headDim, "as q")))
    return failure();

  int64_t qoHeads = q.getDimSize(1), kvHeads = k.getDimSize(headsDim);
  if (kvHeads <= 0 || qoHeads % kvHeads != 0)
    return error() << "expects q dim 1 (num_qo_heads) to be a multiple of "
                      "k_cache dim "
                   << headsDim << " (kv_heads) = " << kvHeads << ", got "
                   << qoHeads;
  if (k.getDimSize(pageDim) < 1)
    return error() << "expects k_cache dim " << pageDim
                   << " (page_size) to be at least 1, got "
                   << k.getDimSize(pageDim);

  if (auto decode = dyn_cast<DecodeOp>(op.getOperation()))
    if (decode.getQLenPerRequest() < 1)
      return error() << "expects q_len_per_request to be at least 1, got "
                     << decode.getQLenPerRequest();

  // Sizes that must agree (the dynamic ones are checked at run time).
  return checkAgreements(DimAgreement::Group::Shapes);
}

static int64_t getStaticDim(Value value, unsigned dim) {
  return cast<MemRefType>(value.getType()).getDimSize(dim);
}

LogicalResult AttentionVerifier::checkAgreements(DimAgreement::Group group) {
  for (const DimAgreement &a : getDimAgreements(op)) {
    if (a.group != group)
      continue;
    if (a.expectedOverflows()) {
      InFlightDiagnostic diag = error()
                                << "expects " << a.subject() << " "
                                << a.description << " to fit in 64 bits, got "
                                << getStaticDim(a.source, a.sourceDim);
      if (a.scale != 1)
        diag << " * " << a.scale;
      if (a.offset != 0)
        diag << " + " << a.offset;
      return diag;
    }
    int64_t found = a.staticFound(), expected = a.staticExpected();
    if (ShapedType::isDynamic(found) || ShapedType::isDynamic(expected) ||
        found == expected)
      continue;
    return error() << "expects " << a.subject() << " to be " << expected << " "
                   << a.description << ", got " << found;
  }
  return success();
}

LogicalResult AttentionVerifier::verifyScales() {
  bool nvfp4 = isNVFP4Type(k.getElementType());
  if (!nvfp4) {
    if (kScale || vScale)
      return error() << "expects no k_scale or v_scale: block scales belong "
                        "to nvfp4 caches, got "
                     << k.getElementType() << " caches";
    return success();
  }
  if (!kScale || !vScale)
    return error() << "expects k_scale and v_scale with nvfp4 caches, got "
                   << (kScale   ? "only k_scale"
                       : vScale ? "only v_scale"
                                : "neither");
  return checkAgreements(DimAgreement::Group::Scales);
}

LogicalResult AttentionVerifier::verifyAttributes() {
  auto self = op.getOperation();
  float scale = self->getAttrOfType<FloatAttr>("scale").getValueAsDouble();
  if (!std::isfinite(scale) || scale <= 0.0f)
    return error() << "expects scale to be positive and finite, got " << scale;
  int64_t windowLeft = self->getAttrOfType<IntegerAttr>("window_left").getInt();
  if (windowLeft < -1)
    return error() << "expects window_left to be -1 (no window) or at least "
                      "0, got "
                   << windowLeft;
  if (auto cap = self->getAttrOfType<FloatAttr>("logits_soft_cap")) {
    double value = cap.getValueAsDouble();
    if (!std::isfinite(value) || value <= 0.0)
      return error() << "expects logits_soft_cap to be positive and finite, "
                        "got "
                     << value;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Size agreements
//===----------------------------------------------------------------------===//

int64_t DimAgreement::staticFound() const { return getStaticDim(value, dim); }

/// scale * size + offset, or nullopt when it overflows int64_t.
static std::optional<int64_t> scaleAndOffset(int64_t scale, int64_t size,
                                             int64_t offset) {
  int64_t product, sum;
  if (llvm::MulOverflow(scale, size, product) ||
      llvm::AddOverflow(product, offset, sum))
    return std::nullopt;
  return sum;
}

int64_t DimAgreement::staticExpected() const {
  if (!source)
    return offset;
  int64_t size = getStaticDim(source, sourceDim);
  if (ShapedType::isDynamic(size))
    return size;
  return scaleAndOffset(scale, size, offset).value_or(ShapedType::kDynamic);
}

bool DimAgreement::expectedOverflows() const {
  if (!source)
    return false;
  int64_t size = getStaticDim(source, sourceDim);
  return !ShapedType::isDynamic(size) &&
         !scaleAndOffset(scale, size, offset);
}

std::string DimAgreement::subject() const {
  return (name + " dim " + Twine(dim) + " (" + dimName + ")").str();
}

SmallVector<DimAgreement>
mlir::paged_attn::getDimAgreements(AttentionOpInterface op) {
  using Group = DimAgreement::Group;
  SmallVector<DimAgreement> list;
  auto agree = [&](Group group, StringRef name, Value value, unsigned dim,
                   StringRef dimName, Value source, unsigned sourceDim,
                   std::string description, int64_t scale = 1,
                   int64_t offset = 0, bool fallback = false) {
    list.push_back({group, name, value, dim, dimName, source, sourceDim, scale,
                    offset, std::move(description), fallback});
  };
  bool hnd = op.getKvLayout() == KVLayout::HND;
  static constexpr StringLiteral hndNames[] = {"pages", "kv_heads", "page_size",
                                               "head_dim"};
  static constexpr StringLiteral nhdNames[] = {"pages", "page_size", "kv_heads",
                                               "head_dim"};
  // K and V agree on everything but their strides.
  for (unsigned d = 0; d < 4; ++d)
    agree(Group::Shapes, "v_cache", op.getVCache(), d,
          hnd ? hndNames[d] : nhdNames[d], op.getKCache(), d, "as k_cache");
  // out is shaped like q.
  static constexpr StringLiteral qNames[] = {"num_tokens", "num_qo_heads"};
  for (unsigned d = 0; d < 2; ++d)
    agree(Group::Shapes, "out", op.getOut(), d, qNames[d], op.getQ(), d,
          "as q");
  // Index operands agree on the batch (block_table's, else seq_lens').
  Value blockTable = op.getBlockTable(), seqLens = op.getSeqLens();
  agree(Group::Shapes, "seq_lens", seqLens, 0, "batch", blockTable, 0,
        "as block_table dim 0");
  if (Value qoIndptr = op.getQoIndptr())
    for (Value batch : {blockTable, seqLens})
      agree(Group::Shapes, "qo_indptr", qoIndptr, 0, "batch + 1", batch, 0,
            "(one more than the batch)", 1, 1, batch == seqLens);
  if (Value sinks = op.getSinks())
    agree(Group::Shapes, "sinks", sinks, 0, "num_qo_heads", op.getQ(), 1,
          "as q dim 1");
  // Decode: num_tokens = batch * q_len_per_request.
  if (auto decode = dyn_cast<DecodeOp>(op.getOperation()))
    for (Value batch : {blockTable, seqLens})
      agree(Group::Shapes, "q", op.getQ(), 0, "num_tokens", batch, 0,
            "(batch * q_len_per_request)", decode.getQLenPerRequest(), 0,
            batch == seqLens);
  // NVFP4 block scales: their cache's dims, one scale per 16 values.
  Value kScale = op.getKScale(), vScale = op.getVScale();
  if (kScale && vScale) {
    static constexpr StringLiteral hndScale[] = {"pages", "kv_heads",
                                                 "page_size", "head_dim / 16"};
    static constexpr StringLiteral nhdScale[] = {"pages", "page_size",
                                                 "kv_heads", "head_dim / 16"};
    int64_t headDim = getStaticDim(op.getQ(), 2);
    for (auto [name, scale, cache, cacheName] :
         {std::make_tuple(StringRef("k_scale"), kScale, op.getKCache(),
                          StringRef("k_cache")),
          std::make_tuple(StringRef("v_scale"), vScale, op.getVCache(),
                          StringRef("v_cache"))})
      for (unsigned d = 0; d < 4; ++d) {
        StringRef dimName = hnd ? hndScale[d] : nhdScale[d];
        if (d == 3)
          agree(Group::Scales, name, scale, d, dimName, Value(), 0,
                "(one scale per 16 values)", 1,
                ShapedType::isDynamic(headDim) ? headDim : headDim / 16);
        else
          agree(Group::Scales, name, scale, d, dimName, cache, d,
                ("as " + cacheName).str());
      }
  }
  return list;
}

LogicalResult AttentionVerifier::verify() {
  if (failed(verifyTypes()) || failed(verifyDtypeCombination()) ||
      failed(verifyShapes()) || failed(verifyScales()) ||
      failed(verifyAttributes()))
    return failure();
  return success();
}

LogicalResult DecodeOp::verify() {
  return AttentionVerifier(cast<AttentionOpInterface>(getOperation())).verify();
}

LogicalResult PrefillOp::verify() {
  return AttentionVerifier(cast<AttentionOpInterface>(getOperation())).verify();
}

//===----------------------------------------------------------------------===//
// TMA plans
//===----------------------------------------------------------------------===//

attn::tma::MemRefFacts mlir::paged_attn::getStaticMemRefFacts(MemRefType type) {
  namespace tma = attn::tma;
  auto fact = [](int64_t value) {
    return ShapedType::isDynamic(value)
               ? tma::Fact::unknown()
               : tma::Fact::exact(static_cast<uint64_t>(value));
  };
  tma::MemRefFacts facts;
  for (int64_t size : type.getShape())
    facts.sizes.push_back(fact(size));
  for (int64_t stride : type.getStridesAndOffset().first)
    facts.strides.push_back(fact(stride));
  facts.address = tma::Fact::unknown();
  return facts;
}

/// The value of `attn::tma` enum `E` whose name (`nameOf`) is `name`, for
/// the enumerators up to `last`.
template <typename E, typename NameFn>
static std::optional<E> parseTmaName(StringRef name, E last, NameFn nameOf) {
  for (int i = 0; i <= static_cast<int>(last); ++i)
    if (name == nameOf(E(i)))
      return E(i);
  return std::nullopt;
}

static std::optional<attn::tma::Interleave> parseInterleave(StringRef name) {
  return parseTmaName(name, attn::tma::Interleave::B32,
                      attn::tma::interleaveName);
}

static std::optional<attn::tma::OobFill> parseOobFill(StringRef name) {
  return parseTmaName(name, attn::tma::OobFill::NanRequestZeroFma,
                      attn::tma::oobFillName);
}

/// Element strides are 32-bit in cuTensorMapEncodeTiled; the [1, 8] range is
/// the rule element-stride-range, checked like any other rule.
static bool fitsElementStride(int64_t value) {
  return value >= 0 && value <= static_cast<int64_t>(UINT32_MAX);
}

TmaPlanAttr
mlir::paged_attn::getTmaPlanAttr(MLIRContext *context,
                                 const attn::tma::DescriptorPlan &plan) {
  SmallVector<int64_t> dimSources, dimScales, strideSources, strideScales, box,
      required;
  for (const attn::tma::Term &t : plan.dims) {
    dimSources.push_back(t.source);
    dimScales.push_back(t.scale);
  }
  for (const attn::tma::Term &t : plan.strides) {
    strideSources.push_back(t.source);
    strideScales.push_back(t.scale);
  }
  for (uint32_t b : plan.boxDims)
    box.push_back(b);
  for (const attn::tma::StrideRequirement &r : plan.requirements) {
    required.push_back(r.source);
    required.push_back(r.value);
  }
  auto array = [&](ArrayRef<int64_t> values) {
    return DenseI64ArrayAttr::get(context, values);
  };
  // Absent (null) unless the plan sets element strides, so that plans
  // without them print as before.
  DenseI64ArrayAttr elementStrides;
  if (!plan.elementStrides.empty())
    elementStrides = array(SmallVector<int64_t>(plan.elementStrides.begin(),
                                                plan.elementStrides.end()));
  return TmaPlanAttr::get(
      context, attn::tma::elemTypeName(plan.elemType), array(dimSources),
      array(dimScales), array(strideSources), array(strideScales), array(box),
      attn::tma::swizzleName(plan.swizzle), array(required), elementStrides,
      attn::tma::interleaveName(plan.interleave),
      attn::tma::oobFillName(plan.oobFill));
}

FailureOr<attn::tma::DescriptorPlan>
mlir::paged_attn::getDescriptorPlan(TmaPlanAttr attr) {
  attn::tma::DescriptorPlan plan;
  bool foundType = false, foundSwizzle = false;
  for (int i = 0; i <= static_cast<int>(attn::tma::ElemType::U6x16Align16B);
       ++i)
    if (attr.getElemType() == attn::tma::elemTypeName(attn::tma::ElemType(i))) {
      plan.elemType = attn::tma::ElemType(i);
      foundType = true;
    }
  for (int i = 0; i <= static_cast<int>(attn::tma::Swizzle::B128Atom64B); ++i)
    if (attr.getSwizzle() == attn::tma::swizzleName(attn::tma::Swizzle(i))) {
      plan.swizzle = attn::tma::Swizzle(i);
      foundSwizzle = true;
    }
  std::optional<attn::tma::Interleave> interleave =
      parseInterleave(attr.getInterleave());
  std::optional<attn::tma::OobFill> oobFill = parseOobFill(attr.getOobFill());
  ArrayRef<int64_t> elementStrides;
  if (attr.getElementStrides())
    elementStrides = attr.getElementStrides().asArrayRef();
  if (!foundType || !foundSwizzle || !interleave || !oobFill ||
      !llvm::all_of(elementStrides, fitsElementStride) ||
      attr.getDimSources().size() != attr.getDimScales().size() ||
      attr.getStrideSources().size() != attr.getStrideScales().size() ||
      attr.getRequiredStrides().size() % 2 != 0)
    return failure();
  for (auto [source, scale] : llvm::zip(attr.getDimSources().asArrayRef(),
                                        attr.getDimScales().asArrayRef()))
    plan.dims.push_back({scale, static_cast<int>(source)});
  for (auto [source, scale] : llvm::zip(attr.getStrideSources().asArrayRef(),
                                        attr.getStrideScales().asArrayRef()))
    plan.strides.push_back({scale, static_cast<int>(source)});
  for (int64_t b : attr.getBox().asArrayRef())
    plan.boxDims.push_back(static_cast<uint32_t>(b));
  for (int64_t e : elementStrides)
    plan.elementStrides.push_back(static_cast<uint32_t>(e));
  plan.interleave = *interleave;
  plan.oobFill = *oobFill;
  ArrayRef<int64_t> required = attr.getRequiredStrides().asArrayRef();
  for (size_t i = 0; i < required.size(); i += 2)
    plan.requirements.push_back({static_cast<int>(required[i]), required[i + 1],
                                 "required by the plan"});
  return plan;
}

//===----------------------------------------------------------------------===//
// CheckTmaOp
//===----------------------------------------------------------------------===//

LogicalResult CheckTmaOp::verify() {
  namespace tma = attn::tma;
  const attn::TargetInfo *chip = attn::TargetInfo::lookup(getChip());
  if (!chip)
    return emitOpError() << "expects chip to be "
                         << attn::TargetInfo::knownChips() << ", got '"
                         << getChip() << "'";
  tma::Target target = chip->tmaTarget();
  TmaPlanAttr planAttr = getPlan();
  if (!parseInterleave(planAttr.getInterleave()))
    return emitOpError() << "expects plan interleave to be none, 16b or 32b, "
                            "got '"
                         << planAttr.getInterleave() << "'";
  if (!parseOobFill(planAttr.getOobFill()))
    return emitOpError() << "expects plan oob_fill to be none or "
                            "nan-request-zero-fma, got '"
                         << planAttr.getOobFill() << "'";
  if (DenseI64ArrayAttr steps = planAttr.getElementStrides())
    for (auto [dim, step] : llvm::enumerate(steps.asArrayRef()))
      if (!fitsElementStride(step))
        return emitOpError() << "expects plan element_strides[" << dim
                             << "] to be in [0, 2^32), got " << step;
  FailureOr<tma::DescriptorPlan> plan = getDescriptorPlan(planAttr);
  if (failed(plan))
    return emitOpError() << "expects a well-formed plan (known elem_type and "
                            "swizzle, paired sources and scales), got "
                         << getPlan();
  auto type = cast<MemRefType>(getSource().getType());
  if (!type.isStrided())
    return emitOpError() << "expects source to have a strided layout";
  // The attribute's own values: the plan narrows sources to int and box
  // sizes to uint32_t. A required stride names a memref dim too (the
  // lowering reads that dim's stride).
  auto checkSources = [&](ArrayRef<int64_t> sources, StringRef what,
                          int64_t lowest, unsigned step = 1) -> LogicalResult {
    for (size_t i = 0; i < sources.size(); i += step)
      if (sources[i] >= type.getRank() || sources[i] < lowest)
        return emitOpError() << "expects plan " << what << " sources in ["
                             << lowest << ", " << type.getRank() << "), got "
                             << sources[i];
    return success();
  };
  if (failed(checkSources(planAttr.getDimSources().asArrayRef(), "dim", -1)) ||
      failed(checkSources(planAttr.getStrideSources().asArrayRef(), "stride",
                          -1)) ||
      failed(checkSources(planAttr.getRequiredStrides().asArrayRef(),
                          "required_strides", 0, /*step=*/2)))
    return failure();
  for (auto [dim, box] : llvm::enumerate(planAttr.getBox().asArrayRef()))
    if (box < 0 || box > std::numeric_limits<uint32_t>::max())
      return emitOpError() << "expects plan box[" << dim
                           << "] to be in [0, 2^32), got " << box;
  if (plan->boxDims.size() != plan->dims.size() ||
      plan->strides.size() != plan->dims.size())
    return emitOpError() << "expects plan dims, strides and box of one rank, "
                            "got "
                         << plan->dims.size() << ", " << plan->strides.size()
                         << " and " << plan->boxDims.size();
  if (!plan->elementStrides.empty() &&
      plan->elementStrides.size() != plan->dims.size())
    return emitOpError() << "expects plan element_strides to have one entry "
                            "per dim ("
                         << plan->dims.size() << "), got "
                         << plan->elementStrides.size();
  for (Attribute name : getDeferred()) {
    StringRef rule = cast<StringAttr>(name).getValue().split('@').first;
    if (rule != tma::StrideRequirement::kFoldedStride &&
        !tma::ruleFromName(rule.str()))
      return emitOpError() << "expects deferred entries to name TMA rules, "
                              "got '"
                           << cast<StringAttr>(name).getValue() << "'";
  }
  // The static parts of the plan (box, element strides, interleave,
  // swizzle, OOB fill, element type, target) and whatever the type fixes
  // must not break a rule: the runtime would only fail later. One error per
  // broken rule, as --paged-attn-verify-tma reports them (some rules only
  // ever break together, e.g. packed-byte-stride with global-stride-align).
  tma::CheckResult result = tma::checkTensorMap(
      tma::instantiate(*plan, getStaticMemRefFacts(type), target));
  std::vector<tma::RuleCheck> violations = result.violations();
  for (const tma::RuleCheck &check : violations)
    emitOpError() << "plan for " << getOperand() << " breaks TMA rule '"
                  << tma::ruleName(check.rule) << "': " << check.message;
  return failure(!violations.empty());
}

//===----------------------------------------------------------------------===//
// AssumeOp
//===----------------------------------------------------------------------===//

LogicalResult AssumeOp::verify() {
  auto type = cast<MemRefType>(getSource().getType());
  if (std::optional<int64_t> alignment = getAlignment())
    if (*alignment <= 0 || !llvm::isPowerOf2_64(*alignment))
      return emitOpError() << "expects alignment to be a power of two, got "
                           << *alignment;
  std::optional<ArrayRef<int64_t>> divisors = getStrideDivisors();
  if (!divisors)
    return success();
  if (static_cast<int64_t>(divisors->size()) != type.getRank())
    return emitOpError() << "expects stride_divisors to have one entry per "
                            "dim ("
                         << type.getRank() << "), got " << divisors->size();
  // Only a strided layout has strides to state facts about (and
  // getStridesAndOffset() is only defined for one).
  if (!type.isStrided())
    return emitOpError() << "expects source to have a strided layout with "
                            "stride_divisors, got "
                         << type.getLayout();
  auto [strides, offset] = type.getStridesAndOffset();
  for (auto [dim, divisor] : llvm::enumerate(*divisors)) {
    if (divisor < 1)
      return emitOpError() << "expects stride_divisors[" << dim
                           << "] to be at least 1, got " << divisor;
    if (!ShapedType::isDynamic(strides[dim]) && strides[dim] % divisor != 0)
      return emitOpError() << "expects stride_divisors[" << dim
                           << "] = " << divisor
                           << " to divide the static stride " << strides[dim];
  }
  return success();
}

#define GET_OP_CLASSES
#include "attn/Dialect/PagedAttn/IR/PagedAttnOps.cpp.inc"
