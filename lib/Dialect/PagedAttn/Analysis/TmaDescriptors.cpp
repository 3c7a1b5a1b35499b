//===- TmaDescriptors.cpp - TMA descriptors of attention operands -*- C++ -*-//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <string>

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;
using tma::Term;

tma::ElemType mlir::paged_attn::getTmaElemType(Type type) {
  if (type.isBF16())
    return tma::ElemType::BFloat16;
  if (type.isF16())
    return tma::ElemType::Float16;
  return tma::ElemType::UInt8;
}

int64_t mlir::paged_attn::getTmaElemBytes(Type type) {
  return getTmaElemType(type) == tma::ElemType::UInt8 ? 1 : 2;
}

/// q [T, H, D] with the GQA group folded in: {D, G, H/G, T}.
static tma::DescriptorPlan planQuery(MemRefType q, const AttentionDims &dims,
                                     const TmaBoxes &boxes) {
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
  // (Saturated: a huge group breaks box-dim-range, not 0.)
  auto groupBox = static_cast<uint32_t>(
      std::min<uint64_t>(group, std::numeric_limits<uint32_t>::max()));
  plan.boxDims = {boxes.qInner, groupBox, 1, boxes.qRows};
  plan.swizzle = boxes.qSwizzle;
  return plan;
}

/// A cache [P, H, N, E] (HND) or [P, N, H, E] (NHD): its dims reversed, a box
/// of (up to 64 rows of) one page of one head.
static tma::DescriptorPlan planCache(MemRefType cache, KVLayout layout,
                                     const AttentionDims &dims,
                                     const TmaBoxes &boxes) {
  tma::DescriptorPlan plan;
  plan.elemType = getTmaElemType(cache.getElementType());
  plan.dims = {Term::of(3), Term::of(2), Term::of(1), Term::of(0)};
  plan.strides = {Term::of(3), Term::of(2), Term::of(1), Term::of(0)};
  bool hnd = layout == KVLayout::HND;
  plan.dimLabels = {dims.nvfp4 ? "dim 0 (head_dim / 2, memref dim 3)"
                               : "dim 0 (head_dim, memref dim 3)",
                    hnd ? "dim 1 (page_size, memref dim 2)"
                        : "dim 1 (kv_heads, memref dim 2)",
                    hnd ? "dim 2 (kv_heads, memref dim 1)"
                        : "dim 2 (page_size, memref dim 1)",
                    "dim 3 (pages, memref dim 0)"};
  plan.boxDims = hnd ? std::vector<uint32_t>{boxes.kvInner, boxes.kvRows, 1, 1}
                     : std::vector<uint32_t>{boxes.kvInner, 1, boxes.kvRows, 1};
  plan.swizzle = boxes.kvSwizzle;
  if (boxes.kvFold > 1) {
    // Dense pages (a static row stride of one row): kvFold rows are one
    // descriptor row. The kernel plan folds only what the types prove.
    int64_t fold = boxes.kvFold;
    int64_t rowElems = cache.getDimSize(3);
    plan.dims[0] = Term::constant(rowElems * fold);
    plan.dims[1] = Term::constant(cache.getDimSize(2) / fold);
    plan.strides[1] = Term::of(2, fold);
    std::string rows = std::to_string(fold);
    plan.dimLabels[0] = "dim 0 (" + rows + " rows of " +
                        (dims.nvfp4 ? "head_dim / 2" : "head_dim") +
                        ", memref dims 2-3)";
    plan.dimLabels[1] = "dim 1 (page_size / " + rows + ", memref dim 2)";
    plan.requirements.push_back(getDenseRowsRequirement(cache, fold));
  }
  return plan;
}

/// NVFP4 block scales [P, H, N, D/16] (HND) or [P, N, H, D/16] (NHD): the
/// innermost two dims folded into one (a scale row is D/16 bytes, too short
/// for a box on its own), which needs stride(-2) == D/16. The box is what
/// the kernel loads per page: HND, consecutive scale rows of one head; NHD,
/// a window of the folded heads dim, one per page row.
static tma::DescriptorPlan planScales(MemRefType scale, KVLayout layout,
                                      const AttentionDims &dims,
                                      const TmaBoxes &boxes) {
  int64_t blocks = dims.headDim / 16;
  int64_t folded = scale.getDimSize(2);
  tma::DescriptorPlan plan;
  plan.elemType = tma::ElemType::UInt8;
  plan.dims = {Term::constant(folded * blocks), Term::of(1), Term::of(0)};
  plan.strides = {Term::of(3), Term::of(1), Term::of(0)};
  bool hnd = layout == KVLayout::HND;
  plan.dimLabels = {hnd ? "dim 0 (page_size * head_dim / 16, memref dims 2-3)"
                        : "dim 0 (kv_heads * head_dim / 16, memref dims 2-3)",
                    hnd ? "dim 1 (kv_heads, memref dim 1)"
                        : "dim 1 (page_size, memref dim 1)",
                    "dim 2 (pages, memref dim 0)"};
  plan.boxDims =
      hnd ? std::vector<uint32_t>{boxes.scaleInner, 1, 1}
          : std::vector<uint32_t>{boxes.scaleInner, boxes.scaleRows, 1};
  plan.swizzle = tma::Swizzle::None;
  // A folded dim of extent 1 has no stride to agree with.
  if (folded != 1)
    plan.requirements.push_back(
        {2, blocks,
         "the head_dim / 16 scales of consecutive rows of dim 2 "
         "must be contiguous to fold dims 2-3"});
  return plan;
}

SmallVector<const TmaOperandPlan *, 5> TmaDescriptors::all() const {
  SmallVector<const TmaOperandPlan *, 5> result{&q, &kCache, &vCache};
  if (kScale)
    result.push_back(&*kScale);
  if (vScale)
    result.push_back(&*vScale);
  return result;
}

unsigned TmaDescriptors::slotOf(const TmaOperandPlan &operand) const {
  SmallVector<const TmaOperandPlan *, 5> slots = all();
  auto it = llvm::find(slots, &operand);
  assert(it != slots.end() && "not a descriptor of this set");
  return static_cast<unsigned>(it - slots.begin());
}

TmaDescriptors mlir::paged_attn::deriveTmaDescriptors(AttentionOpInterface op,
                                                      const TmaBoxes &boxes) {
  AttentionDims dims = getAttentionDims(op);
  KVLayout layout = op.getKvLayout();
  auto typeOf = [](Value v) { return cast<MemRefType>(v.getType()); };
  TmaDescriptors set{
      {"q", op.getQ(), planQuery(typeOf(op.getQ()), dims, boxes)},
      {"k_cache", op.getKCache(),
       planCache(typeOf(op.getKCache()), layout, dims, boxes)},
      {"v_cache", op.getVCache(),
       planCache(typeOf(op.getVCache()), layout, dims, boxes)},
      std::nullopt,
      std::nullopt};
  if (Value kScale = op.getKScale())
    set.kScale = TmaOperandPlan{
        "k_scale", kScale, planScales(typeOf(kScale), layout, dims, boxes)};
  if (Value vScale = op.getVScale())
    set.vScale = TmaOperandPlan{
        "v_scale", vScale, planScales(typeOf(vScale), layout, dims, boxes)};
  return set;
}

tma::StrideRequirement
mlir::paged_attn::getDenseRowsRequirement(MemRefType cache, int64_t fold) {
  return {2, cache.getDimSize(3),
          "rows of a page must be contiguous to fold " + std::to_string(fold) +
              " of them into one descriptor row"};
}

bool mlir::paged_attn::hasDenseRows(MemRefType cache, int64_t fold) {
  tma::MemRefFacts facts = getStaticMemRefFacts(cache);
  return tma::checkRequirement(getDenseRowsRequirement(cache, fold),
                               facts.strides[2])
                 .status == tma::Status::Holds &&
         facts.strides[3].exactValue() == uint64_t(1);
}

tma::MemRefFacts mlir::paged_attn::getMemRefFacts(Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  tma::MemRefFacts facts = getStaticMemRefFacts(type);
  int64_t offset = type.getStridesAndOffset().second;

  // Walk the chain of facts-stating ops that produced the value.
  int64_t elemBytes = getTmaElemBytes(type.getElementType());
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
            fact.divisor = std::max<uint64_t>(fact.divisor,
                                              static_cast<uint64_t>(divisor));
      current = assume.getSource();
      continue;
    }
    if (auto assume = dyn_cast<memref::AssumeAlignmentOp>(def)) {
      // Alignment of the base pointer; the first element is `offset`
      // elements further.
      if (!ShapedType::isDynamic(offset)) {
        uint64_t align = assume.getAlignment();
        // Modulo 2^64, like the address arithmetic itself: the residues
        // modulo the (power-of-two) alignment are exact even when the
        // offset in bytes does not fit (a huge or negative static offset).
        uint64_t offsetBytes =
            static_cast<uint64_t>(offset) * static_cast<uint64_t>(elemBytes);
        if (align >= 32 && offsetBytes % 32 != 0) {
          // The address is offsetBytes past a 32-byte multiple: every TMA
          // alignment rule (16 or 32 bytes) sees the same residue as it
          // would on offsetBytes itself.
          facts.address = tma::Fact::exact(offsetBytes % align);
        } else {
          uint64_t known =
              offsetBytes == 0
                  ? align
                  : std::min<uint64_t>(
                        align, uint64_t(1) << llvm::countr_zero(offsetBytes));
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
