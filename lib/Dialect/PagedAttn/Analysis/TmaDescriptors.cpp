//===- TmaDescriptors.cpp - TMA descriptors of attention operands -*- C++ -*-//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;
using tma::Term;

/// The descriptor element type of a memref element type: 16-bit floats keep
/// their type, every 1-byte type (fp8, nvfp4 pairs, scales) moves as u8.
static tma::ElemType getTmaElemType(Type type) {
  if (type.isBF16())
    return tma::ElemType::BFloat16;
  if (type.isF16())
    return tma::ElemType::Float16;
  return tma::ElemType::UInt8;
}

/// The inner box (in elements) and swizzle for an innermost extent of
/// `extent` elements of `bytes` bytes: up to 128 bytes, swizzled over the
/// whole span when it is 32, 64 or 128 bytes.
static std::pair<uint32_t, tma::Swizzle> getInnerBox(int64_t extent,
                                                     int64_t bytes) {
  int64_t spanBytes = std::min<int64_t>(extent * bytes, 128);
  uint32_t box = static_cast<uint32_t>(std::max<int64_t>(spanBytes / bytes, 1));
  tma::Swizzle swizzle = tma::Swizzle::None;
  if (spanBytes == 128)
    swizzle = tma::Swizzle::B128;
  else if (spanBytes == 64)
    swizzle = tma::Swizzle::B64;
  else if (spanBytes == 32)
    swizzle = tma::Swizzle::B32;
  return {box, swizzle};
}

static int64_t getElemBytes(Type type) {
  return getTmaElemType(type) == tma::ElemType::UInt8 ? 1 : 2;
}

/// q [T, H, D] with the GQA group folded in: {D, G, H/G, T}.
static tma::DescriptorPlan planQuery(MemRefType q, const AttentionDims &dims,
                                     int64_t rows,
                                     const DecodeTiling *tiling) {
  int64_t group = dims.groupSize();
  tma::DescriptorPlan plan;
  plan.elemType = getTmaElemType(q.getElementType());
  plan.dims = {Term::of(2), Term::constant(group),
               Term::constant(dims.numQoHeads / group), Term::of(0)};
  plan.strides = {Term::of(2), Term::of(1), Term::of(1, group), Term::of(0)};
  plan.dimLabels = {"dim 0 (head_dim, memref dim 2)",
                    "dim 1 (gqa group, memref dim 1)",
                    "dim 2 (kv_heads, memref dim 1 times group)",
                    "dim 3 (num_tokens, memref dim 0)"};
  auto [inner, swizzle] =
      getInnerBox(dims.headDim, getElemBytes(q.getElementType()));
  if (tiling) {
    inner = static_cast<uint32_t>(tiling->qInnerBox);
    // An fp8 q is staged whole-row and converted: no swizzle.
    if (tiling->qDequantize())
      swizzle = tma::Swizzle::None;
  }
  plan.boxDims = {inner, static_cast<uint32_t>(group), 1,
                  static_cast<uint32_t>(rows)};
  plan.swizzle = swizzle;
  return plan;
}

/// A cache [P, H, N, E] (HND) or [P, N, H, E] (NHD): its dims reversed, a box
/// of (up to 64 rows of) one page of one head.
static tma::DescriptorPlan planCache(MemRefType cache, KVLayout layout,
                                     const AttentionDims &dims,
                                     const DecodeTiling *tiling) {
  tma::DescriptorPlan plan;
  plan.elemType = getTmaElemType(cache.getElementType());
  plan.dims = {Term::of(3), Term::of(2), Term::of(1), Term::of(0)};
  plan.strides = {Term::of(3), Term::of(2), Term::of(1), Term::of(0)};
  bool hnd = layout == KVLayout::HND;
  plan.dimLabels = {dims.nvfp4 ? "dim 0 (head_dim / 2, memref dim 3)"
                               : "dim 0 (head_dim, memref dim 3)",
                    hnd ? "dim 1 (page_size, memref dim 2)" : "dim 1 (kv_heads, memref dim 2)",
                    hnd ? "dim 2 (kv_heads, memref dim 1)" : "dim 2 (page_size, memref dim 1)",
                    "dim 3 (pages, memref dim 0)"};
  auto [inner, swizzle] = getInnerBox(cache.getDimSize(3), 1 *
                                      getElemBytes(cache.getElementType()));
  uint32_t page = static_cast<uint32_t>(dims.pageSize);
  if (tiling) {
    inner = static_cast<uint32_t>(tiling->kvInnerBox);
    swizzle = tiling->kvSwizzled ? tma::Swizzle::B128 : tma::Swizzle::None;
    page = static_cast<uint32_t>(tiling->kvBoxRows);
  }
  plan.boxDims = hnd ? std::vector<uint32_t>{inner, page, 1, 1}
                     : std::vector<uint32_t>{inner, 1, page, 1};
  plan.swizzle = swizzle;
  return plan;
}

/// NVFP4 block scales [P, H, N, D/16] (HND) or [P, N, H, D/16] (NHD): the
/// innermost two dims folded into one (a scale row is D/16 bytes, too short
/// for a box on its own), which needs stride(-2) == D/16. With the kernel's
/// tiling the box is what the kernel loads per page: HND, the page's scale
/// rows of one head (`scaleBoxes` boxes when they exceed 256 bytes); NHD,
/// the 16-byte window that holds the head's scales, one per page row.
static tma::DescriptorPlan planScales(MemRefType scale, KVLayout layout,
                                      const AttentionDims &dims,
                                      const DecodeTiling *tiling) {
  int64_t blocks = dims.headDim / 16;
  int64_t folded = scale.getDimSize(2);
  tma::DescriptorPlan plan;
  plan.elemType = tma::ElemType::UInt8;
  plan.dims = {Term::constant(folded * blocks), Term::of(1), Term::of(0)};
  plan.strides = {Term::of(3), Term::of(1), Term::of(0)};
  bool hnd = layout == KVLayout::HND;
  plan.dimLabels = {hnd ? "dim 0 (page_size * head_dim / 16, memref dims 2-3)"
                        : "dim 0 (kv_heads * head_dim / 16, memref dims 2-3)",
                    hnd ? "dim 1 (kv_heads, memref dim 1)" : "dim 1 (page_size, memref dim 1)",
                    "dim 2 (pages, memref dim 0)"};
  uint32_t inner = static_cast<uint32_t>(std::min<int64_t>(folded * blocks, 256));
  uint32_t rows = static_cast<uint32_t>(dims.pageSize);
  if (tiling) {
    inner = static_cast<uint32_t>(tiling->scaleInnerBox);
    rows = static_cast<uint32_t>(tiling->kvBoxRows);
  }
  plan.boxDims = hnd ? std::vector<uint32_t>{inner, 1, 1}
                     : std::vector<uint32_t>{inner, rows, 1};
  plan.swizzle = tma::Swizzle::None;
  // A folded dim of extent 1 has no stride to agree with.
  if (folded != 1)
    plan.requirements.push_back(
        {2, blocks, "the head_dim / 16 scales of consecutive rows of dim 2 "
                    "must be contiguous to fold dims 2-3"});
  return plan;
}

static DecodeTiling computeDecodeTiling(DecodeOp op) {
  AttentionDims dims = getAttentionDims(op);
  DecodeTiling t;
  t.headDim = dims.headDim;
  t.elemBytes = 2;
  t.qElemBytes =
      getElemBytes(cast<MemRefType>(op.getQ().getType()).getElementType());
  t.kvElemBytes =
      getElemBytes(cast<MemRefType>(op.getKCache().getType()).getElementType());
  t.nvfp4 = dims.nvfp4;
  t.hnd = op.getKvLayout() == KVLayout::HND;
  t.group = dims.groupSize();
  t.qLen = op.getQLenPerRequest();
  t.pageSize = dims.pageSize;
  t.qRows = t.group * t.qLen;
  t.mBlocks = llvm::divideCeil(t.qRows, DecodeTiling::kRowsPerBlock);
  int64_t span = 128 / t.elemBytes;
  // An fp8 q moves as one unswizzled box of head_dim bytes.
  t.qInnerBox = t.qDequantize() ? t.headDim : std::min(t.headDim, span);
  t.qRegions = t.headDim / t.qInnerBox;
  t.kvBoxRows = std::min(t.pageSize, DecodeTiling::kTileRows);
  t.pagesPerTile = t.pageSize <= DecodeTiling::kTileRows
                       ? DecodeTiling::kTileRows / t.pageSize
                       : 1;
  t.tileTokens = t.pageSize <= DecodeTiling::kTileRows
                     ? t.pagesPerTile * t.pageSize
                     : DecodeTiling::kTileRows;
  t.tilesPerPage = llvm::divideCeil(t.pageSize, DecodeTiling::kTileRows);
  // A swizzled box must start on a 1024-byte (8-row) boundary; pages of a
  // size that is not a multiple of 8 land at other offsets, so they are
  // loaded unswizzled, the whole head_dim in one box.
  // Quantized (fp8, nvfp4) stages are converted by every thread, not read
  // by ldmatrix: one unswizzled box of the whole row.
  t.kvSwizzled = t.kvBoxRows % 8 == 0 && !t.dequantize();
  int64_t cacheInner = t.nvfp4 ? t.headDim / 2 : t.headDim;
  t.kvInnerBox = t.kvSwizzled ? std::min(t.headDim, span) : cacheInner;
  t.kvRegions = cacheInner / t.kvInnerBox;
  if (t.nvfp4) {
    // Box inner extents are 16-byte multiples of at most 256 elements.
    int64_t blocks = t.headDim / 16;
    if (t.hnd) {
      int64_t bytes = t.kvBoxRows * blocks;
      t.scaleInnerBox = std::min<int64_t>((bytes + 15) / 16 * 16, 256);
      t.scaleBoxes = llvm::divideCeil(bytes, t.scaleInnerBox);
    } else {
      t.scaleInnerBox = 16;
      t.scaleBoxes = 1;
    }
  }
  // About half of an SM's 228 KiB, so that two CTAs share an SM when
  // head_dim <= 128 (one CTA's prologue and epilogue hide behind the
  // other's loads); 2 to 4 stages.
  constexpr int64_t kSharedBudget = 110 * 1024;
  t.stages = std::clamp<int64_t>(
      (kSharedBudget - t.computeOffset() - t.computeBytes()) / t.stageBytes(),
      2, 4);
  return t;
}

FailureOr<DecodeTiling> mlir::paged_attn::getDecodeTiling(DecodeOp op) {
  DecodeTiling t = computeDecodeTiling(op);
  if (t.group > 256 || t.qLen > 256)
    return op.emitOpError("the decode kernel needs gqa group (")
           << t.group << ") and q_len_per_request (" << t.qLen
           << ") of at most 256 each (one q box)";
  constexpr int64_t kMaxSharedPerBlock = 227 * 1024;
  if (t.sharedMemoryBytes() > kMaxSharedPerBlock)
    return op.emitOpError("the decode kernel would need ")
           << t.sharedMemoryBytes() << " bytes of shared memory (" << t.qBytes()
           << " for the " << t.qRows << " q rows of a kv head, " << t.stages
           << " stages of " << t.stageBytes() << " for K and V), more than the "
           << kMaxSharedPerBlock
           << " a CTA can have: lower gqa group * q_len_per_request";
  return t;
}

SmallVector<TmaOperandPlan>
mlir::paged_attn::deriveTmaDescriptors(AttentionOpInterface op) {
  AttentionDims dims = getAttentionDims(op);
  KVLayout layout = op.getKvLayout();
  int64_t rows = 1;
  std::optional<DecodeTiling> tiling;
  if (auto decode = dyn_cast<DecodeOp>(op.getOperation())) {
    rows = decode.getQLenPerRequest();
    // Every verified element type combination has a kernel.
    tiling = computeDecodeTiling(decode);
  } else {
    rows = std::max<int64_t>(1, 64 / dims.groupSize());
  }
  const DecodeTiling *t = tiling ? &*tiling : nullptr;

  SmallVector<TmaOperandPlan> plans;
  auto typeOf = [](Value v) { return cast<MemRefType>(v.getType()); };
  plans.push_back(
      {"q", op.getQ(), planQuery(typeOf(op.getQ()), dims, rows, t)});
  plans.push_back({"k_cache", op.getKCache(),
                   planCache(typeOf(op.getKCache()), layout, dims, t)});
  plans.push_back({"v_cache", op.getVCache(),
                   planCache(typeOf(op.getVCache()), layout, dims, t)});
  if (Value kScale = op.getKScale())
    plans.push_back(
        {"k_scale", kScale, planScales(typeOf(kScale), layout, dims, t)});
  if (Value vScale = op.getVScale())
    plans.push_back(
        {"v_scale", vScale, planScales(typeOf(vScale), layout, dims, t)});
  return plans;
}

tma::MemRefFacts mlir::paged_attn::getMemRefFacts(Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  tma::MemRefFacts facts = getStaticMemRefFacts(type);
  int64_t offset = type.getStridesAndOffset().second;

  // Walk the chain of facts-stating ops that produced the value.
  int64_t elemBytes = getElemBytes(type.getElementType());
  Value current = memref;
  while (Operation *def = current.getDefiningOp()) {
    if (auto assume = dyn_cast<AssumeOp>(def)) {
      if (std::optional<int64_t> align = assume.getAlignment())
        facts.address.divisor =
            std::max<uint64_t>(facts.address.divisor, *align);
      if (std::optional<ArrayRef<int64_t>> divisors =
              assume.getStrideDivisors())
        for (auto [fact, divisor] : llvm::zip(facts.strides, *divisors))
          if (!fact.value)
            fact.divisor = std::max<uint64_t>(
                fact.divisor, static_cast<uint64_t>(divisor));
      current = assume.getSource();
      continue;
    }
    if (auto assume = dyn_cast<memref::AssumeAlignmentOp>(def)) {
      // Alignment of the base pointer; the first element is `offset`
      // elements further.
      if (!ShapedType::isDynamic(offset)) {
        uint64_t align = assume.getAlignment();
        uint64_t offsetBytes = static_cast<uint64_t>(offset * elemBytes);
        if (align >= 32 && offsetBytes % 32 != 0) {
          // The address is offsetBytes past a 32-byte multiple: every TMA
          // alignment rule (16 or 32 bytes) sees the same residue as it
          // would on offsetBytes itself.
          facts.address = tma::Fact::exact(offsetBytes % align);
        } else {
          uint64_t known =
              offsetBytes == 0
                  ? align
                  : std::min<uint64_t>(align, uint64_t(1) << llvm::countr_zero(
                                                  offsetBytes));
          facts.address.divisor = std::max(facts.address.divisor, known);
        }
      }
      current = assume.getMemref();
      continue;
    }
    break;
  }
  return facts;
}

