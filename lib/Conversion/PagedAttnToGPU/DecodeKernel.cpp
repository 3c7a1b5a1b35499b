//===- DecodeKernel.cpp - The decode attention kernels --------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// The split-KV decode kernel and its merge kernel, built as gpu.func with
// nvgpu ops (TMA, mbarrier, ldmatrix, mma.sync). docs/DecodeKernel.md
// describes the structure; in short, per CTA (one batch entry, one kv head,
// 16 q rows, one KV split):
//
//  - thread 0 initializes one mbarrier per stage (plus one for q), loads q
//    (the GQA group's heads of the request's q_len tokens, one box per
//    128-byte column region) and keeps up to `stages` K/V tiles in flight,
//    one TMA box per page (or per 64 rows of a large page);
//  - each of the 4 warps takes 16 of a tile's 64 rows: S = Q K^T and
//    O += P V with mma.sync m16n8k16, an online softmax in f32 per warp;
//  - the warps' (max, sum, O) merge through shared memory; with one split
//    the CTA writes `out`, otherwise its normalized partial output and
//    log-sum-exp go to the workspace and the merge kernel combines them.
//
//===----------------------------------------------------------------------===//

#include "DecodeKernel.h"
#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

static Value getDynamicSharedMemory(ImplicitLocOpBuilder &b, int64_t bytes);

namespace {

/// A tile in shared memory: `regions` column slices of `inner` elements,
/// each `regionRows` rows deep, 128-byte swizzled or not. Logical (row, col)
/// maps to (physical row, physical col) of a 2-D view.
struct SharedTile {
  Value view;
  int64_t inner;
  int64_t regionRows;
  bool swizzled;

  /// Indices of logical (row, col); `col` must be a multiple of 8 when the
  /// tile is swizzled and the caller reads 16 bytes.
  SmallVector<Value, 2> at(KernelBuilder &k, Value row, Value col) const {
    Value region = k.div(col, inner);
    Value c = k.rem(col, inner);
    Value physRow = k.add(k.mul(region, regionRows), row);
    if (!swizzled)
      return {physRow, c};
    Value chunk = k.xorI(k.div(c, 8), k.rem(row, 8));
    return {physRow, k.add(k.mul(chunk, 8), k.rem(c, 8))};
  }
};

/// An m16n8 f32 accumulator fragment: c0..c3 of the PTX layout (rows g and
/// g + 8, columns 2 * tig and 2 * tig + 1).
using Acc = SmallVector<Value, 4>;

/// Builds one decode kernel; member state is the kernel's shared values.
class DecodeKernelEmitter {
public:
  DecodeKernelEmitter(ImplicitLocOpBuilder &b, DecodeOp op,
                      const DecodeTiling &t, ArrayRef<TmaOperandPlan> plans,
                      tma::Target chip)
      : b(b), k(b), op(op), t(t), plans(plans), chip(chip) {}

  void emit(gpu::GPUFuncOp func);

private:
  /// The type the MMAs compute in: the query's, or f16 for an fp8 query
  /// (e4m3 and e2m1 values, and their products with e4m3 block scales, are
  /// exact in f16).
  Type elemType() {
    Type q = cast<MemRefType>(op.getQ().getType()).getElementType();
    return t.qDequantize() ? b.getF16Type() : q;
  }
  /// The cache's element type (what TMA moves).
  Type cacheType() {
    return cast<MemRefType>(op.getKCache().getType()).getElementType();
  }
  Type outElemType() {
    return cast<MemRefType>(op.getOut().getType()).getElementType();
  }
  Value arg(DecodeKernelArg a) {
    return func.getArgument(static_cast<unsigned>(a));
  }

  Value tensorMap(unsigned index);
  /// The first token of tile `tile` of this CTA's split.
  Value tileStart(Value tile);
  /// The rows of tile `tile` that belong to its page (ragged pages only).
  Value tileRows(Value tile);
  Value sharedView(Value byteOffset, ArrayRef<int64_t> shape, Type elem);
  void issueTile(Value tile, Value stage);
  void zeroRows(const SharedTile &tile, Value fromRow, int64_t toRow);
  /// Quantized caches: converts the calling warp's 16 rows (those its MMAs
  /// read) of rows [0, rows) of a staged byte tile (and, for nvfp4, its
  /// block scales at `scaleOffset`) into `dst` (the compute type); rows at
  /// or past `zeroFrom` become zeros.
  void convertTile(Value stagedOffset, Value scaleOffset, const SharedTile &dst,
                   int64_t rows, Value zeroFrom);
  /// NHD scales: the head's scales start kvHead * head_dim / 16 bytes into
  /// the folded (kv_heads x head_dim / 16) row; TMA loads the 16-byte window
  /// that starts at the boundary below them (a TMA load's innermost
  /// coordinate must be a 16-byte multiple).
  Value scaleWindowStart() {
    return k.mul(k.div(k.mul(kvHead, t.headDim / 16), 16), 16);
  }
  /// Where this head's scales start in a row of the staged scales: 0 for
  /// HND, the head's offset in its 16-byte window for NHD.
  Value scaleWindowOffset() {
    return t.hnd ? k.idx(0) : k.rem(k.mul(kvHead, t.headDim / 16), 16);
  }
  /// An fp8 q: converts the staged q rows into the 16-bit q tile.
  void convertQuery(const SharedTile &dst);
  /// Eight e4m3 bytes as eight compute-type values.
  Value fp8ToCompute(Value bytes);
  /// Four nvfp4 bytes (eight e2m1 values, low nibble first) times one e4m3
  /// block scale byte, as eight compute-type values.
  Value nvfp4ToCompute(Value bytes, Value scaleByte);
  /// Eight f16 values as the compute type.
  Value halfToCompute(Value halves);
  /// The kernel argument of an optional op operand, or null when absent.
  Value optionalArg(Value opOperand);
  /// e^x as 2^(x log2 e): one ex2.approx.
  Value expF(Value x) {
    return math::Exp2Op::create(b, k.mulF(x, k.f32(M_LOG2E)));
  }
  Value quadReduce(Value v, bool isMax);
  /// The four (x4) ldmatrix results as packed i32 registers.
  SmallVector<Value, 4> ldmatrix(const SharedTile &tile, Value row, Value col,
                                 bool transpose);
  /// Packs two 16-bit values into one mma operand register.
  Value pack(Value lo, Value hi);
  /// A vector<2xT> pair as the mma operand type for T.
  Value asRegister(Value pair);
  /// D = A B + C with mma.sync m16n8k16 (A: 4 regs, B: 2 regs).
  Acc mma(ArrayRef<Value> a, ArrayRef<Value> bFrag, const Acc &c);

  ImplicitLocOpBuilder &b;
  KernelBuilder k;
  DecodeOp op;
  const DecodeTiling &t;
  ArrayRef<TmaOperandPlan> plans;
  /// sm_100a converts e2m1 in hardware (cvt.rn.f16x2.e2m1x2).
  tma::Target chip;
  gpu::GPUFuncOp func;

  // Values of the kernel prologue.
  Value tid, warp, lane, batch, kvHead, mBlock, seqLen, tokStart, tokEnd;
  Value numTiles, shared, base, barriers;
  Value qMap, kMap, vMap;
  /// nvfp4 block scales' tensor maps, or null.
  Value kScaleMap, vScaleMap;
  /// Per-tensor K and V scales (fp8 caches), or null.
  Value kScaleValue, vScaleValue;
};

} // namespace

/// The descriptor type for a plan's box: the box dims reversed, in shared
/// memory.
static nvgpu::TensorMapDescriptorType
getDescriptorType(MLIRContext *ctx, const tma::DescriptorPlan &plan,
                  Type elem) {
  SmallVector<int64_t> shape(plan.boxDims.rbegin(), plan.boxDims.rend());
  auto space = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto box = MemRefType::get(shape, elem, MemRefLayoutAttrInterface(), space);
  nvgpu::TensorMapSwizzleKind swizzle = nvgpu::TensorMapSwizzleKind::SWIZZLE_NONE;
  switch (plan.swizzle) {
  case tma::Swizzle::B32:
    swizzle = nvgpu::TensorMapSwizzleKind::SWIZZLE_32B;
    break;
  case tma::Swizzle::B64:
    swizzle = nvgpu::TensorMapSwizzleKind::SWIZZLE_64B;
    break;
  case tma::Swizzle::B128:
    swizzle = nvgpu::TensorMapSwizzleKind::SWIZZLE_128B;
    break;
  default:
    break;
  }
  return nvgpu::TensorMapDescriptorType::get(
      ctx, box, swizzle, nvgpu::TensorMapL2PromoKind::L2PROMO_256B,
      nvgpu::TensorMapOOBKind::OOB_ZERO,
      nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
}

Value DecodeKernelEmitter::tensorMap(unsigned index) {
  MLIRContext *ctx = b.getContext();
  Value address = arith::AddIOp::create(
      b, arg(DecodeKernelArg::TensorMaps), k.i64(128 * index));
  Value ptr =
      LLVM::IntToPtrOp::create(b, LLVM::LLVMPointerType::get(ctx), address);
  Type elem = cast<MemRefType>(plans[index].value.getType()).getElementType();
  // Byte descriptors (fp8 and nvfp4 data, block scales) move i8.
  if (plans[index].plan.elemType == tma::ElemType::UInt8)
    elem = b.getI8Type();
  auto type = getDescriptorType(ctx, plans[index].plan, elem);
  return UnrealizedConversionCastOp::create(b, TypeRange{type},
                                            ValueRange{ptr})
      .getResult(0);
}

Value DecodeKernelEmitter::sharedView(Value byteOffset, ArrayRef<int64_t> shape,
                                      Type elem) {
  auto space =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto type = MemRefType::get(shape, elem, MemRefLayoutAttrInterface(), space);
  return memref::ViewOp::create(b, type, shared, k.add(base, byteOffset),
                                ValueRange{});
}

Value DecodeKernelEmitter::tileStart(Value tile) {
  if (t.pageSize <= DecodeTiling::kTileRows)
    return k.add(tokStart, k.mul(tile, t.tileTokens));
  // Splits start on a page: tile i is rows 64 (i % tilesPerPage) onwards of
  // the split's page i / tilesPerPage.
  Value page = k.add(k.div(tokStart, t.pageSize), k.div(tile, t.tilesPerPage));
  return k.add(k.mul(page, t.pageSize),
               k.mul(k.rem(tile, t.tilesPerPage), DecodeTiling::kTileRows));
}

Value DecodeKernelEmitter::tileRows(Value tile) {
  Value row0 = k.mul(k.rem(tile, t.tilesPerPage), DecodeTiling::kTileRows);
  return k.minS(k.idx(DecodeTiling::kTileRows), k.sub(k.idx(t.pageSize), row0));
}

/// Thread 0: expect the bytes of tile `tile` and issue its K and V boxes into
/// stage `stage`.
void DecodeKernelEmitter::issueTile(Value tile, Value stage) {
  Type elem = t.kvElemBytes == 1 ? b.getI8Type() : cacheType();
  bool hnd = t.hnd;
  int64_t boxBytes = t.kvInnerBox * t.kvBoxRows * t.kvElemBytes;
  int64_t regionBytes = DecodeTiling::kTileRows * t.kvInnerBox * t.kvElemBytes;
  SmallVector<int64_t> boxShape(plans[1].plan.boxDims.rbegin(),
                                plans[1].plan.boxDims.rend());
  Value tileBase = tileStart(tile);
  Value stageOffset = k.mul(stage, t.stageBytes());
  Value stageK = k.add(k.idx(t.kOffset(0)), stageOffset);
  Value stageV = k.add(k.idx(t.vOffset(0)), stageOffset);
  Value blockTable = arg(DecodeKernelArg::BlockTable);

  auto loadPage = [&](Value slot, Value page, Value row0) {
    Value phys = k.toIndex(memref::LoadOp::create(b, blockTable,
                                                  ValueRange{batch, page}));
    for (int64_t r = 0; r < t.kvRegions; ++r) {
      Value slotOffset = k.add(k.mul(slot, t.slotBytes()),
                               k.idx(r * regionBytes));
      Value col = k.idx(r * t.kvInnerBox);
      SmallVector<Value> coords =
          hnd ? SmallVector<Value>{col, row0, kvHead, phys}
              : SmallVector<Value>{col, kvHead, row0, phys};
      for (auto [map, offset] :
           {std::pair{kMap, stageK}, std::pair{vMap, stageV}}) {
        Value dst = sharedView(k.add(offset, slotOffset), boxShape, elem);
        nvgpu::TmaAsyncLoadOp::create(b, dst, barriers, map, coords, stage,
                                      Value(), Value());
      }
    }
    if (!t.nvfp4)
      return;
    // The block scales of the same rows: HND, consecutive boxes along the
    // page's scale rows; NHD, the 16-byte window of each row that holds the
    // head's scales. The innermost box coordinate must be a 16-byte
    // multiple (the H100 raises an illegal instruction otherwise): HND
    // starts at multiples of 16 scale bytes, NHD at the 16-byte boundary
    // below the head's scales (head_dim / 16 divides 16, so they never
    // straddle one); scaleWindowOffset() finds them in the window.
    SmallVector<int64_t> scaleShape(plans[3].plan.boxDims.rbegin(),
                                    plans[3].plan.boxDims.rend());
    int64_t blocks = t.headDim / 16;
    for (int64_t i = 0; i < t.scaleBoxes; ++i) {
      Value slotOffset =
          k.add(k.mul(slot, t.scaleSlotBytes()), k.idx(i * t.scaleBoxBytes()));
      SmallVector<Value> coords =
          hnd ? SmallVector<Value>{k.add(k.mul(row0, blocks),
                                         k.idx(i * t.scaleInnerBox)),
                                   kvHead, phys}
              : SmallVector<Value>{scaleWindowStart(), row0, phys};
      for (auto [map, offset] : {std::pair{kScaleMap, t.kScaleOffset(0)},
                                 std::pair{vScaleMap, t.vScaleOffset(0)}}) {
        Value dst =
            sharedView(k.add(k.add(k.idx(offset), stageOffset), slotOffset),
                       scaleShape, b.getI8Type());
        nvgpu::TmaAsyncLoadOp::create(b, dst, barriers, map, coords, stage,
                                      Value(), Value());
      }
    }
  };

  int64_t tileBytes =
      2 * (t.kvRegions * boxBytes + t.scaleBoxes * t.scaleBoxBytes());
  if (t.pageSize <= DecodeTiling::kTileRows) {
    Value firstPage = k.div(tileBase, t.pageSize);
    Value pages = k.minS(k.idx(t.pagesPerTile),
                         k.ceilDiv(k.sub(tokEnd, tileBase), k.idx(t.pageSize)));
    // Never read the block table past its end.
    Value tableCols = memref::DimOp::create(b, blockTable, 1);
    pages = k.minS(pages, k.maxS(k.sub(tableCols, firstPage), k.idx(0)));
    nvgpu::MBarrierArriveExpectTxOp::create(
        b, barriers, k.mul(pages, tileBytes), stage, Value());
    k.forLoop(k.idx(0), pages, k.idx(1), [&](Value slot) {
      loadPage(slot, k.add(firstPage, slot), k.idx(0));
    });
  } else {
    Value page = k.div(tileBase, t.pageSize);
    Value row0 = k.rem(tileBase, t.pageSize);
    // Never read the block table past its end.
    Value inTable = k.lt(page, memref::DimOp::create(b, blockTable, 1));
    nvgpu::MBarrierArriveExpectTxOp::create(
        b, barriers, k.select(inTable, k.idx(tileBytes), k.idx(0)), stage,
        Value());
    k.ifThen(inTable, [&] { loadPage(k.idx(0), page, row0); });
  }
}

/// Zeroes rows [fromRow, toRow) of a V tile, 16 bytes per store, so that
/// rows no key maps to hold no NaN for P (= 0 there) times V.
void DecodeKernelEmitter::zeroRows(const SharedTile &tile, Value fromRow,
                                   int64_t toRow) {
  int64_t chunksPerRow = t.headDim / 8;
  Value count = k.mul(k.sub(k.idx(toRow), fromRow), chunksPerRow);
  auto vecType = VectorType::get({8}, elemType());
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(vecType));
  k.forLoop(tid, k.maxS(count, k.idx(0)), k.idx(kDecodeThreads), [&](Value i) {
    Value row = k.add(fromRow, k.div(i, chunksPerRow));
    Value col = k.mul(k.rem(i, chunksPerRow), 8);
    vector::StoreOp::create(b, zero, tile.view, tile.at(k, row, col));
  });
}

SmallVector<Value, 4> DecodeKernelEmitter::ldmatrix(const SharedTile &tile,
                                                    Value row, Value col,
                                                    bool transpose) {
  auto fragType = VectorType::get({4, 2}, elemType());
  Value frag = nvgpu::LdMatrixOp::create(b, fragType, tile.view,
                                         tile.at(k, row, col), transpose, 4);
  SmallVector<Value, 4> regs;
  for (int64_t i = 0; i < 4; ++i)
    regs.push_back(asRegister(
        vector::ExtractOp::create(b, frag, ArrayRef<int64_t>{i})));
  return regs;
}

Value DecodeKernelEmitter::asRegister(Value pair) {
  // nvvm.mma.sync takes f16 pairs as vector<2xf16> and bf16 pairs as i32.
  if (!elemType().isBF16())
    return pair;
  Value word = vector::BitCastOp::create(
      b, VectorType::get({1}, b.getI32Type()), pair);
  return vector::ExtractOp::create(b, word, ArrayRef<int64_t>{0});
}

Value DecodeKernelEmitter::pack(Value lo, Value hi) {
  auto pairType = VectorType::get({2}, elemType());
  return asRegister(
      vector::FromElementsOp::create(b, pairType, ValueRange{lo, hi}));
}

Acc DecodeKernelEmitter::mma(ArrayRef<Value> a, ArrayRef<Value> bFrag,
                             const Acc &c) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  NVVM::MMATypes type =
      elemType().isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
  Value d = NVVM::MmaOp::create(
      b, resultType, a, bFrag, c, ArrayRef<int64_t>{16, 8, 16}, std::nullopt,
      std::nullopt, std::array<NVVM::MMATypes, 2>{type, type},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                      NVVM::MMALayout::col});
  Acc out;
  for (int64_t i = 0; i < 4; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, d, ArrayRef<int64_t>{i}));
  return out;
}

Value DecodeKernelEmitter::optionalArg(Value opOperand) {
  if (!opOperand)
    return Value();
  SmallVector<Value> optional = getOptionalKernelOperands(op, /*isMerge=*/false);
  auto it = llvm::find(optional, opOperand);
  return func.getArgument(static_cast<unsigned>(DecodeKernelArg::Sinks) +
                          (it - optional.begin()));
}

Value DecodeKernelEmitter::halfToCompute(Value halves) {
  if (elemType().isF16())
    return halves;
  // bf16: exact for every value a quantized cache or q produces.
  return arith::TruncFOp::create(
      b, VectorType::get({8}, elemType()),
      arith::ExtFOp::create(b, VectorType::get({8}, b.getF32Type()), halves));
}

Value DecodeKernelEmitter::fp8ToCompute(Value bytes) {
  // cvt.rn.f16x2.e4m3x2, two values at a time.
  Type f16 = b.getF16Type();
  SmallVector<Value> halves;
  for (int64_t pair = 0; pair < 4; ++pair) {
    Value two = vector::FromElementsOp::create(
        b, VectorType::get({2}, b.getI8Type()),
        ValueRange{
            vector::ExtractOp::create(b, bytes, ArrayRef<int64_t>{2 * pair}),
            vector::ExtractOp::create(b, bytes,
                                      ArrayRef<int64_t>{2 * pair + 1})});
    Value h = NVVM::ConvertF8x2ToF16x2Op::create(b, VectorType::get({2}, f16),
                                                 two, /*relu=*/false,
                                                 b.getType<Float8E4M3FNType>());
    for (int64_t j = 0; j < 2; ++j)
      halves.push_back(vector::ExtractOp::create(b, h, ArrayRef<int64_t>{j}));
  }
  return halfToCompute(
      vector::FromElementsOp::create(b, VectorType::get({8}, f16), halves));
}

Value DecodeKernelEmitter::nvfp4ToCompute(Value bytes, Value scaleByte) {
  Type f16 = b.getF16Type(), i8 = b.getI8Type(), i32 = b.getI32Type();
  Type elem = elemType();
  auto halfPair = VectorType::get({2}, f16);
  auto pairType = VectorType::get({2}, elem);
  // The block scale in the compute type (exact), in both lanes.
  Value scalePair = NVVM::ConvertF8x2ToF16x2Op::create(
      b, halfPair,
      vector::FromElementsOp::create(
          b, VectorType::get({2}, i8),
          ValueRange{scaleByte,
                     arith::ConstantIntOp::create(b, i8, 0).getResult()}),
      /*relu=*/false, b.getType<Float8E4M3FNType>());
  Value scale = vector::ExtractOp::create(b, scalePair, ArrayRef<int64_t>{0});
  if (elem.isBF16())
    scale = arith::TruncFOp::create(
        b, elem, arith::ExtFOp::create(b, b.getF32Type(), scale));
  scale = vector::BroadcastOp::create(b, pairType, scale);
  // An e2m1 code s.e1e0.m placed in a 16-bit float as the sign bit and the
  // three bits above the mantissa's top bit (f16: bits 11-9, exponent
  // field 000e1e0, mantissa m0...; bf16: bits 8-6) is the e2m1 value times
  // 2^-14 (f16) or 2^-126 (bf16), subnormals included (0.5 = m at the
  // mantissa's top of a zero exponent). So: place both nibbles of a byte,
  // then multiply by 2^14 or 2^126 (exact). No conversion instructions,
  // which run at a quarter of the integer rate.
  bool bf16 = elem.isBF16();
  int64_t codeShift = bf16 ? 6 : 9;
  Value unscale = arith::ConstantOp::create(
      b,
      DenseElementsAttr::get(
          pairType, bf16 ? b.getFloatAttr(elem, std::ldexp(1.0, 126)).getValue()
                         : b.getFloatAttr(elem, 16384.0).getValue()));
  Value word = vector::ExtractOp::create(
      b, vector::BitCastOp::create(b, VectorType::get({1}, i32), bytes),
      ArrayRef<int64_t>{0});
  SmallVector<Value> values;
  for (int64_t j = 0; j < 4; ++j) {
    Value pair;
    if (chip == tma::Target::SM100 && !bf16) {
      // cvt.rn.f16x2.e2m1x2: the low nibble becomes the low half.
      Value byte = vector::ExtractOp::create(b, bytes, ArrayRef<int64_t>{j});
      pair = NVVM::ConvertF4x2ToF16x2Op::create(
          b, halfPair, byte, /*relu=*/false, b.getType<Float4E2M1FNType>());
    } else {
      // Byte j as b | b << 12: the low nibble at bits 0-3, the high one at
      // bits 16-19; then codes and signs move to their places in both halves.
      Value x = arith::AndIOp::create(
          b, arith::ShRUIOp::create(b, word, k.i32(8 * j)), k.i32(0xFF));
      Value spread =
          arith::OrIOp::create(b, x, arith::ShLIOp::create(b, x, k.i32(12)));
      auto field = [&](int64_t mask, int64_t shift) {
        return arith::ShLIOp::create(
            b, arith::AndIOp::create(b, spread, k.i32(mask)), k.i32(shift));
      };
      Value bits = arith::OrIOp::create(b, field(0x00070007, codeShift),
                                        field(0x00080008, 12));
      pair = k.mulF(
          vector::BitCastOp::create(
              b, pairType,
              vector::BroadcastOp::create(b, VectorType::get({1}, i32), bits)),
          unscale);
    }
    // e2m1 times e4m3 has at most 6 significant bits and a magnitude of at
    // most 6 * 448: exact in f16 and bf16.
    pair = k.mulF(pair, scale);
    for (int64_t h = 0; h < 2; ++h)
      values.push_back(
          vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{h}));
  }
  return vector::FromElementsOp::create(b, VectorType::get({8}, elem), values);
}

void DecodeKernelEmitter::convertTile(Value stagedOffset, Value scaleOffset,
                                      const SharedTile &dst, int64_t rows,
                                      Value zeroFrom) {
  int64_t chunksPerRow = t.headDim / 8;
  // Row r of the tile is row r % boxRows of the box r / boxRows.
  Value staged = sharedView(stagedOffset, {t.kvTileBytes()}, b.getI8Type());
  Value scales =
      t.nvfp4 ? sharedView(scaleOffset, {t.scaleTileBytes()}, b.getI8Type())
              : Value();
  int64_t bytesPerChunk = t.nvfp4 ? 4 : 8;
  auto bytesType = VectorType::get({bytesPerChunk}, b.getI8Type());
  auto outType = VectorType::get({8}, elemType());
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(outType));
  // Each warp converts the 16 rows its MMAs read (rows 16 warp + ...), so
  // the compute tiles need no block barrier. Unrolled: lane l takes chunks
  // l + 32 j of the warp's rows, so its column is the same in every step
  // and the index arithmetic folds.
  int64_t rowsPerWarp = DecodeTiling::kRowsPerBlock;
  int64_t chunks = rowsPerWarp * chunksPerRow;
  Value warpRow0 = k.mul(warp, rowsPerWarp);
  for (int64_t j = 0; j * 32 < chunks; ++j) {
    Value i = k.add(lane, j * 32);
    Value row = k.add(warpRow0, k.div(i, chunksPerRow));
    auto body = [&] {
      Value col = k.mul(k.rem(i, chunksPerRow), 8);
      Value slot = k.div(row, t.kvBoxRows);
      Value boxRow = k.rem(row, t.kvBoxRows);
      Value byte = k.add(
          k.add(k.mul(slot, t.slotBytes()), k.mul(boxRow, t.kvRowBytes())),
          k.div(k.mul(col, bytesPerChunk), 8));
      Value bytes =
          vector::LoadOp::create(b, bytesType, staged, ValueRange{byte});
      Value value;
      if (t.nvfp4) {
        Value scaleIndex = k.add(k.add(k.mul(slot, t.scaleSlotBytes()),
                                       k.mul(boxRow, t.scaleRowBytes())),
                                 k.add(k.div(col, 16), scaleWindowOffset()));
        value = nvfp4ToCompute(
            bytes, memref::LoadOp::create(b, scales, ValueRange{scaleIndex}));
      } else {
        value = fp8ToCompute(bytes);
      }
      value = k.select(k.lt(row, zeroFrom), value, zero);
      vector::StoreOp::create(b, value, dst.view, dst.at(k, row, col));
    };
    // Tiles of fewer than 64 rows (page sizes that do not divide 64): the
    // rows past them were zeroed once and are never written.
    if (rows < DecodeTiling::kTileRows)
      k.ifThen(k.lt(row, k.idx(rows)), body);
    else
      body();
  }
}

void DecodeKernelEmitter::convertQuery(const SharedTile &dst) {
  int64_t chunksPerRow = t.headDim / 8;
  Value staged =
      sharedView(k.idx(t.qStagedOffset()), {t.qStagedBytes()}, b.getI8Type());
  auto bytesType = VectorType::get({8}, b.getI8Type());
  k.forLoop(
      tid, k.idx(t.qRows * chunksPerRow), k.idx(kDecodeThreads), [&](Value i) {
        Value row = k.div(i, chunksPerRow);
        Value col = k.mul(k.rem(i, chunksPerRow), 8);
        Value byte = k.add(k.mul(row, t.headDim), col);
        Value bytes =
            vector::LoadOp::create(b, bytesType, staged, ValueRange{byte});
        vector::StoreOp::create(b, fp8ToCompute(bytes), dst.view,
                                dst.at(k, row, col));
      });
}

Value DecodeKernelEmitter::quadReduce(Value v, bool isMax) {
  for (int32_t offset : {1, 2}) {
    Value other = gpu::ShuffleOp::create(b, v, offset, 32,
                                         gpu::ShuffleMode::XOR)
                      .getShuffleResult();
    v = isMax ? k.maxF(v, other) : k.addF(v, other);
  }
  return v;
}

void DecodeKernelEmitter::emit(gpu::GPUFuncOp kernel) {
  func = kernel;
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  Type elem = elemType();
  int64_t group = t.group;
  int64_t qLen = t.qLen;
  int64_t numHeads = t.group * op.getKCache().getType().getDimSize(
                                   getKvHeadsDim(op.getKvLayout()));
  int64_t nTilesQK = 2; // 16 keys per warp = two n8 tiles
  int64_t kSteps = t.headDim / 16;
  int64_t oTiles = t.headDim / 8;

  // Prologue: who am I.
  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  warp = k.div(tid, 32);
  lane = k.rem(tid, 32);
  Value g = k.div(lane, 4);
  Value tig = k.rem(lane, 4);
  Value split = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value headBlock = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  batch = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  kvHead = k.div(headBlock, t.mBlocks);
  mBlock = k.rem(headBlock, t.mBlocks);
  seqLen = k.toIndex(memref::LoadOp::create(b, arg(DecodeKernelArg::SeqLens),
                                            ValueRange{batch}));
  Value splitTokens = arg(DecodeKernelArg::SplitTokens);
  Value numSplits = arg(DecodeKernelArg::NumSplits);
  tokStart = k.mul(split, splitTokens);
  tokEnd = k.minS(seqLen, k.add(tokStart, splitTokens));
  Value numTokens = k.maxS(k.sub(tokEnd, tokStart), k.idx(0));
  if (t.raggedPages()) {
    // Whole pages of tilesPerPage tiles, then the tiles the last page needs.
    Value pages = k.ceilDiv(numTokens, k.idx(t.pageSize));
    Value lastPageTokens =
        k.sub(numTokens, k.mul(k.maxS(k.sub(pages, k.idx(1)), k.idx(0)),
                               t.pageSize));
    Value tiles = k.add(k.mul(k.sub(pages, k.idx(1)), t.tilesPerPage),
                        k.ceilDiv(lastPageTokens, k.idx(DecodeTiling::kTileRows)));
    numTiles = k.select(k.lt(k.idx(0), numTokens), tiles, k.idx(0));
  } else {
    numTiles = k.ceilDiv(numTokens, k.idx(t.tileTokens));
  }

  // Dynamic shared memory, 1024-byte aligned for the swizzle pattern.
  auto space = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  shared = getDynamicSharedMemory(b, t.sharedMemoryBytes());
  base = k.idx(0);
  barriers = nvgpu::MBarrierCreateOp::create(
      b, nvgpu::MBarrierGroupType::get(ctx, space, t.stages + 1));
  Value qBarrier = k.idx(t.stages);
  if (Value scale = optionalArg(op.getKGlobalScale()))
    kScaleValue = memref::LoadOp::create(b, scale, ValueRange{});
  if (Value scale = optionalArg(op.getVGlobalScale()))
    vScaleValue = memref::LoadOp::create(b, scale, ValueRange{});
  qMap = tensorMap(0);
  kMap = tensorMap(1);
  vMap = tensorMap(2);
  if (t.nvfp4) {
    kScaleMap = tensorMap(3);
    vScaleMap = tensorMap(4);
  }

  SharedTile qTile{
      sharedView(k.idx(t.qOffset()),
                 {t.qComputeRegions() * t.mBlocks * 16, t.qComputeInner()},
                 elem),
      t.qComputeInner(), t.mBlocks * 16, /*swizzled=*/true};
  // The 16-bit K or V tile the MMAs read at `offset`.
  int64_t computeInner = t.computeInner();
  auto kvTile = [&](Value offset) {
    return SharedTile{sharedView(offset,
                                 {t.headDim / computeInner *
                                      DecodeTiling::kTileRows,
                                  computeInner},
                                 elem),
                      computeInner, DecodeTiling::kTileRows,
                      t.computeSwizzled()};
  };
  Value computeK = k.idx(t.computeOffset());
  Value computeV = k.idx(t.computeOffset() + t.computeTileBytes());

  Value isLeader = k.eq(tid, k.idx(0));
  k.ifThen(isLeader, [&] {
    for (int64_t i = 0; i <= t.stages; ++i)
      nvgpu::MBarrierInitOp::create(b, barriers, k.idx(1), k.idx(i), Value());
    NVVM::FenceMbarrierInitOp::create(b);
  });
  // Rows past a tile's tokens (page sizes that do not divide 64) are never
  // loaded: zero them once in every V stage.
  if (t.tileTokens < DecodeTiling::kTileRows) {
    if (t.dequantize())
      zeroRows(kvTile(computeV), k.idx(t.tileTokens), DecodeTiling::kTileRows);
    else
      for (int64_t s = 0; s < t.stages; ++s)
        zeroRows(kvTile(k.idx(t.vOffset(s))), k.idx(t.tileTokens),
                 DecodeTiling::kTileRows);
  }
  gpu::BarrierOp::create(b);

  k.ifThen(isLeader, [&] {
    // q: the group's heads of this request's q_len tokens.
    SmallVector<int64_t> qShape(plans[0].plan.boxDims.rbegin(),
                                plans[0].plan.boxDims.rend());
    int64_t qBoxBytes = t.qInnerBox * group * qLen * t.qElemBytes;
    nvgpu::MBarrierArriveExpectTxOp::create(
        b, barriers, k.idx(t.qRegions * qBoxBytes), qBarrier, Value());
    Type qElem = t.qDequantize() ? b.getI8Type() : elem;
    for (int64_t r = 0; r < t.qRegions; ++r) {
      // 16-bit q: straight into the q tile; fp8 q: into its staging bytes.
      int64_t offset =
          t.qDequantize()
              ? t.qStagedOffset()
              : t.qOffset() + r * t.mBlocks * 16 * t.qInnerBox * t.elemBytes;
      Value dst = sharedView(k.idx(offset), qShape, qElem);
      SmallVector<Value> coords{k.idx(r * t.qInnerBox), k.idx(0), kvHead,
                                k.mul(batch, qLen)};
      nvgpu::TmaAsyncLoadOp::create(b, dst, barriers, qMap, coords, qBarrier,
                                    Value(), Value());
    }
    for (int64_t s = 0; s < t.stages; ++s)
      k.ifThen(k.lt(k.idx(s), numTiles),
               [&] { issueTile(k.idx(s), k.idx(s)); });
  });

  Value falseBit = arith::ConstantIntOp::create(b, b.getI1Type(), 0);
  Value ticks = k.idx(10000000);
  nvgpu::MBarrierTryWaitParityOp::create(b, barriers, falseBit, ticks,
                                         qBarrier);
  if (t.qDequantize()) {
    convertQuery(qTile);
    gpu::BarrierOp::create(b);
  }

  // Per-lane addressing of the mma fragments.
  Value lane8 = k.rem(lane, 8);
  Value laneBit3 = k.rem(k.div(lane, 8), 2);
  Value laneBit4 = k.div(lane, 16);
  // A (q, 16 x 16): matrices {rows 0-7, 8-15} x {cols 0-7, 8-15}.
  Value qRow = k.add(k.add(k.mul(mBlock, 16), lane8), k.mul(laneBit3, 8));
  Value qColLane = k.mul(laneBit4, 8);
  // B for S (K rows are keys): {keys 0-7: dims 0-7, 8-15}, {keys 8-15: ...}.
  Value kRowLane = k.add(k.add(k.mul(warp, 16), lane8), k.mul(laneBit4, 8));
  Value kColLane = k.mul(laneBit3, 8);
  // B for O (V rows are keys, transposed): {keys 0-7, 8-15} x {dims 0-7, 8-15}.
  Value vRowLane = k.add(k.add(k.mul(warp, 16), lane8), k.mul(laneBit3, 8));
  Value vColLane = k.mul(laneBit4, 8);

  // Keep q's fragments in registers when they fit beside O.
  auto loadA = [&](int64_t kk) {
    return ldmatrix(qTile, qRow, k.add(qColLane, k.idx(kk * 16)), false);
  };
  bool hoistQ = t.headDim <= 128;
  SmallVector<SmallVector<Value, 4>> qFrags;
  if (hoistQ)
    for (int64_t kk = 0; kk < kSteps; ++kk)
      qFrags.push_back(loadA(kk));

  // The tile loop carries (m, l) for rows g and g + 8, then O's n8 tiles,
  // four f32 each.
  Value zero = k.f32(0);
  Acc zeroAcc(4, zero);
  SmallVector<Value> inits{k.negInf(), k.negInf(), zero, zero};
  inits.append(oTiles * 4, zero);
  auto loop = scf::ForOp::create(b, k.idx(0), numTiles, k.idx(1), inits);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value tile = loop.getInductionVar();
    ValueRange iter = loop.getRegionIterArgs();
    Value stage = k.rem(tile, t.stages);
    Value parity = arith::TruncIOp::create(
        b, b.getI1Type(), k.toI32(k.rem(k.div(tile, t.stages), 2)));
    nvgpu::MBarrierTryWaitParityOp::create(b, barriers, parity, ticks, stage);

    Value stageOffset = k.mul(stage, t.stageBytes());
    Value stageK = k.add(k.idx(t.kOffset(0)), stageOffset);
    Value stageV = k.add(k.idx(t.vOffset(0)), stageOffset);
    Value tileBase = tileStart(tile);
    Value validRows = k.sub(tokEnd, tileBase);
    Value pageRows = t.raggedPages() ? tileRows(tile) : Value();
    Value next = k.add(tile, k.idx(t.stages));
    SharedTile kTile = kvTile(t.dequantize() ? computeK : stageK);
    SharedTile vTile = kvTile(t.dequantize() ? computeV : stageV);

    if (t.dequantize()) {
      // Convert the staged bytes (V rows past the last key become zeros),
      // each warp its own rows; once every warp has, the stage is free:
      // refill it while this tile is computed.
      convertTile(stageK, k.add(k.idx(t.kScaleOffset(0)), stageOffset), kTile,
                  t.tileTokens, k.idx(t.tileTokens));
      convertTile(stageV, k.add(k.idx(t.vScaleOffset(0)), stageOffset), vTile,
                  t.tileTokens, k.minS(validRows, k.idx(t.tileTokens)));
      gpu::BarrierOp::create(b);
      k.ifThen(k.andI(isLeader, k.lt(next, numTiles)),
               [&] { issueTile(next, stage); });
    } else {
      // The last tile: zero V rows past the last key (stale or page-tail).
      Value isLast = k.eq(tile, k.sub(numTiles, k.idx(1)));
      k.ifThen(isLast, [&] {
        zeroRows(vTile, k.minS(validRows, k.idx(t.tileTokens)), t.tileTokens);
        gpu::BarrierOp::create(b);
      });
    }

    // S = Q K^T for this warp's 16 keys: s[n] covers keys 8n .. 8n + 7.
    SmallVector<Acc> s(nTilesQK, zeroAcc);
    for (int64_t kk = 0; kk < kSteps; ++kk) {
      SmallVector<Value, 4> a = hoistQ ? qFrags[kk] : loadA(kk);
      SmallVector<Value, 4> bk =
          ldmatrix(kTile, kRowLane, k.add(kColLane, k.idx(kk * 16)), false);
      for (int64_t n = 0; n < nTilesQK; ++n)
        s[n] = mma(a, {bk[2 * n], bk[2 * n + 1]}, s[n]);
    }

    // Scale, soft cap, masks; then the online softmax per row.
    double scale = op.getScale().convertToDouble();
    // A per-tensor K scale multiplies every logit.
    Value logitScale = kScaleValue ? k.mulF(kScaleValue, k.f32(scale))
                                   : k.f32(scale);
    std::optional<APFloat> cap = op.getLogitsSoftCap();
    int64_t window = op.getWindowLeft();
    Value keyLane = k.add(k.add(k.mul(warp, 16), k.mul(tig, 2)), tileBase);
    SmallVector<Value> m{iter[0], iter[1]}, l{iter[2], iter[3]};
    SmallVector<Value> alpha(2);
    // p[rr][n * 2 + j]: row g + 8 rr, key 8 n + 2 tig + j.
    SmallVector<SmallVector<Value>> p(2, SmallVector<Value>(4));
    for (int64_t rr = 0; rr < 2; ++rr) {
      Value row = k.add(k.add(k.mul(mBlock, 16), g), k.idx(8 * rr));
      Value qPos = k.add(k.sub(seqLen, k.idx(qLen)), k.div(row, group));
      SmallVector<Value> x;
      for (int64_t n = 0; n < nTilesQK; ++n) {
        for (int64_t j = 0; j < 2; ++j) {
          Value raw = s[n][2 * rr + j];
          Value key = k.add(keyLane, k.idx(8 * n + j));
          Value valid = k.lt(key, tokEnd);
          if (t.tileTokens < DecodeTiling::kTileRows)
            valid = k.andI(valid, k.lt(k.sub(key, tileBase),
                                       k.idx(t.tileTokens)));
          // Rows past a ragged page's end hold zeros, not keys.
          if (pageRows)
            valid = k.andI(valid, k.lt(k.sub(key, tileBase), pageRows));
          if (qLen > 1)
            valid = k.andI(valid, k.le(key, qPos));
          if (window >= 0)
            valid = k.andI(valid, k.ge(k.add(key, k.idx(window)), qPos));
          Value logit;
          if (cap) {
            double c = cap->convertToDouble();
            logit = k.mulF(
                math::TanhOp::create(
                    b, k.mulF(k.mulF(raw, logitScale), k.f32(1.0 / c))),
                k.f32(c));
          } else {
            logit = k.mulF(raw, logitScale);
          }
          x.push_back(k.select(valid, logit, k.negInf()));
        }
      }
      Value rowMax = k.maxF(k.maxF(x[0], x[1]), k.maxF(x[2], x[3]));
      rowMax = quadReduce(rowMax, /*isMax=*/true);
      Value mNew = k.maxF(m[rr], rowMax);
      // A row with no key yet keeps max -inf: use 0 so no -inf - -inf.
      Value isEmpty = k.cmpF(arith::CmpFPredicate::OEQ, mNew, k.negInf());
      Value mUse = k.select(isEmpty, zero, mNew);
      alpha[rr] = expF(k.subF(m[rr], mUse));
      Value sum = zero;
      for (int64_t e = 0; e < 4; ++e) {
        p[rr][e] = expF(k.subF(x[e], mUse));
        sum = k.addF(sum, p[rr][e]);
      }
      l[rr] = k.addF(k.mulF(l[rr], alpha[rr]), sum);
      m[rr] = mNew;
    }

    // O *= alpha (c0, c1 are row g; c2, c3 row g + 8), then O += P V.
    SmallVector<Acc> o(oTiles);
    for (int64_t n = 0; n < oTiles; ++n)
      for (int64_t e = 0; e < 4; ++e)
        o[n].push_back(k.mulF(iter[4 + 4 * n + e], alpha[e / 2]));
    // The A fragment of P: {row g keys 0-7, row g+8 keys 0-7, row g keys
    // 8-15, row g+8 keys 8-15}, two keys per register.
    auto narrow = [&](Value v) {
      return arith::TruncFOp::create(b, elem, v).getResult();
    };
    SmallVector<Value> pFrag;
    for (int64_t n = 0; n < nTilesQK; ++n)
      for (int64_t rr = 0; rr < 2; ++rr)
        pFrag.push_back(pack(narrow(p[rr][2 * n]), narrow(p[rr][2 * n + 1])));
    for (int64_t dn = 0; dn < t.headDim / 16; ++dn) {
      SmallVector<Value, 4> bv =
          ldmatrix(vTile, vRowLane, k.add(vColLane, k.idx(dn * 16)), true);
      for (int64_t n = 0; n < 2; ++n)
        o[2 * dn + n] = mma(pFrag, {bv[2 * n], bv[2 * n + 1]}, o[2 * dn + n]);
    }

    if (t.dequantize()) {
      // The warp's own compute rows may be overwritten by its next
      // conversion once all its lanes have read them.
      NVVM::SyncWarpOp::create(b, k.i32(-1));
    } else {
      // Every warp is done with this tile: refill its stage.
      gpu::BarrierOp::create(b);
      k.ifThen(k.andI(isLeader, k.lt(next, numTiles)),
               [&] { issueTile(next, stage); });
    }

    SmallVector<Value> yields{m[0], m[1], l[0], l[1]};
    for (const Acc &acc : o)
      yields.append(acc.begin(), acc.end());
    scf::YieldOp::create(b, yields);
  }

  // Epilogue: each warp's (m, l, O) to shared memory, then merge the warps.
  ValueRange res = loop.getResults();
  SmallVector<Value> lRow{quadReduce(res[2], false), quadReduce(res[3], false)};
  int64_t warps = DecodeTiling::kNumWarps;
  int64_t statBase = 2 * warps * 16;
  Value scratch = sharedView(k.idx(t.qBytes()),
                             {statBase + warps * 16 * t.headDim}, f32);
  gpu::BarrierOp::create(b);
  for (int64_t rr = 0; rr < 2; ++rr) {
    Value row = k.add(k.mul(warp, 16), k.add(g, k.idx(8 * rr)));
    k.ifThen(k.eq(tig, k.idx(0)), [&] {
      memref::StoreOp::create(b, res[rr], scratch, ValueRange{row});
      memref::StoreOp::create(b, lRow[rr], scratch,
                              ValueRange{k.add(row, k.idx(warps * 16))});
    });
    for (int64_t n = 0; n < oTiles; ++n)
      for (int64_t j = 0; j < 2; ++j) {
        Value col = k.add(k.mul(tig, 2), k.idx(n * 8 + j));
        Value index = k.add(k.add(k.idx(statBase), k.mul(row, t.headDim)), col);
        memref::StoreOp::create(b, res[4 + 4 * n + 2 * rr + j], scratch,
                                ValueRange{index});
      }
  }
  gpu::BarrierOp::create(b);

  Value out = arg(DecodeKernelArg::Out);
  Value workspace = arg(DecodeKernelArg::Workspace);
  Value numOutTokens = memref::DimOp::create(b, out, 0);
  k.forLoop(tid, k.idx(16 * t.headDim), k.idx(kDecodeThreads), [&](Value i) {
    Value row = k.div(i, t.headDim);
    Value d = k.rem(i, t.headDim);
    Value qRowIndex = k.add(k.mul(mBlock, 16), row);
    k.ifThen(k.lt(qRowIndex, k.idx(t.qRows)), [&] {
      Value mMax = k.negInf();
      for (int64_t w = 0; w < warps; ++w)
        mMax = k.maxF(mMax, memref::LoadOp::create(
                                b, scratch, ValueRange{k.add(row, k.idx(16 * w))}));
      Value isEmpty = k.cmpF(arith::CmpFPredicate::OEQ, mMax, k.negInf());
      Value mUse = k.select(isEmpty, k.f32(0), mMax);
      Value lSum = k.f32(0), oSum = k.f32(0);
      for (int64_t w = 0; w < warps; ++w) {
        Value r = k.add(row, k.idx(16 * w));
        Value weight = expF(k.subF(
            memref::LoadOp::create(b, scratch, ValueRange{r}), mUse));
        Value lw = memref::LoadOp::create(
            b, scratch, ValueRange{k.add(r, k.idx(warps * 16))});
        Value ow = memref::LoadOp::create(
            b, scratch,
            ValueRange{k.add(k.add(k.idx(statBase), k.mul(r, t.headDim)), d)});
        lSum = k.addF(lSum, k.mulF(lw, weight));
        oSum = k.addF(oSum, k.mulF(ow, weight));
      }
      // A per-tensor V scale multiplies the output.
      if (vScaleValue)
        oSum = k.mulF(oSum, vScaleValue);
      Value token = k.add(k.mul(batch, qLen), k.div(qRowIndex, group));
      Value head = k.add(k.mul(kvHead, group), k.rem(qRowIndex, group));
      // Rows with no key (l == 0) give zeros; a NaN (from NaN in K or V)
      // stays NaN rather than becoming a silent zero.
      Value positive = k.cmpF(arith::CmpFPredicate::UNE, lSum, k.f32(0));
      k.ifThenElse(
          k.eq(numSplits, k.idx(1)),
          [&] {
            Value value;
            if (Value sinks = optionalArg(op.getSinks())) {
              Value sink = memref::LoadOp::create(b, sinks, ValueRange{head});
              Value mAll = k.maxF(mUse, sink);
              Value keep = expF(k.subF(mUse, mAll));
              Value denom =
                  k.addF(k.mulF(lSum, keep), expF(k.subF(sink, mAll)));
              value = k.divF(k.mulF(oSum, keep), denom);
            } else {
              value = k.select(positive, k.divF(oSum, lSum), k.f32(0));
            }
            Value cast = arith::TruncFOp::create(b, outElemType(), value);
            memref::StoreOp::create(b, cast, out, ValueRange{token, head, d});
          },
          [&] {
            // Partial output [token, head, split, d] and its log-sum-exp.
            Value slot = k.add(
                k.mul(k.add(k.mul(token, numHeads), head), numSplits), split);
            Value value = k.select(positive, k.divF(oSum, lSum), k.f32(0));
            memref::StoreOp::create(
                b, value, workspace,
                ValueRange{k.add(k.mul(slot, t.headDim), d)});
            k.ifThen(k.eq(d, k.idx(0)), [&] {
              Value lse = k.select(
                  positive, k.addF(mUse, math::LogOp::create(b, lSum)),
                  k.negInf());
              Value lseBase = k.mul(
                  k.mul(k.mul(numOutTokens, numHeads), numSplits), t.headDim);
              memref::StoreOp::create(b, lse, workspace,
                                      ValueRange{k.add(lseBase, slot)});
            });
          });
    });
  });
  gpu::ReturnOp::create(b);
}

/// The kernel module's extern shared array (one per gpu.module), 1024-byte
/// aligned, viewed as `bytes` bytes. gpu.dynamic_shared_memory is only
/// 16-byte aligned, too little for a 128-byte swizzle.
static Value getDynamicSharedMemory(ImplicitLocOpBuilder &b, int64_t bytes) {
  MLIRContext *ctx = b.getContext();
  auto space = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto globalType =
      MemRefType::get({0}, b.getI8Type(), MemRefLayoutAttrInterface(), space);
  auto module = b.getInsertionBlock()->getParentOp()->getParentOfType<gpu::GPUModuleOp>();
  StringRef name = "__attn_dynamic_shared";
  if (!module.lookupSymbol(name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    // Public and uninitialized: an `.extern .shared` array, i.e. the
    // dynamic shared memory (a private one would be a static 1-byte array).
    memref::GlobalOp::create(b, name, StringAttr(), globalType, Attribute(),
                             /*constant=*/false, b.getI64IntegerAttr(1024));
  }
  Value global = memref::GetGlobalOp::create(b, globalType, name);
  auto viewType =
      MemRefType::get({bytes}, b.getI8Type(), MemRefLayoutAttrInterface(), space);
  return memref::ReinterpretCastOp::create(b, viewType, global, 0,
                                           ArrayRef<int64_t>{bytes},
                                           ArrayRef<int64_t>{1});
}

SmallVector<Value>
mlir::paged_attn::getOptionalKernelOperands(DecodeOp op, bool isMerge) {
  SmallVector<Value> operands;
  SmallVector<Value> candidates{op.getSinks()};
  if (!isMerge)
    candidates.append({op.getKGlobalScale(), op.getVGlobalScale()});
  for (Value v : candidates)
    if (v)
      operands.push_back(v);
  return operands;
}

/// An empty kernel of `op` taking `argTypes`, then its optional operands.
static gpu::GPUFuncOp createKernel(OpBuilder &builder, gpu::GPUModuleOp module,
                                   StringRef name, DecodeOp op,
                                   SmallVector<Type> argTypes, bool isMerge) {
  Location loc = op.getLoc();
  for (Value v : getOptionalKernelOperands(op, isMerge))
    argTypes.push_back(v.getType());
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  auto type = builder.getFunctionType(argTypes, {});
  auto func = gpu::GPUFuncOp::create(builder, loc, name, type);
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  func.setKnownBlockSizeAttr(
      builder.getDenseI32ArrayAttr({static_cast<int32_t>(kDecodeThreads), 1, 1}));
  return func;
}

gpu::GPUFuncOp mlir::paged_attn::buildDecodeKernel(
    OpBuilder &builder, gpu::GPUModuleOp module, StringRef name, DecodeOp op,
    const DecodeTiling &tiling, ArrayRef<TmaOperandPlan> plans,
    tma::Target chip) {
  gpu::GPUFuncOp func = createKernel(
      builder, module, name, op,
      {builder.getI64Type(), op.getBlockTable().getType(),
       op.getSeqLens().getType(), op.getOut().getType(),
       MemRefType::get({ShapedType::kDynamic}, builder.getF32Type()),
       builder.getIndexType(), builder.getIndexType()},
      /*isMerge=*/false);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&func.getBody().front());
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  DecodeKernelEmitter(b, op, tiling, plans, chip).emit(func);
  return func;
}

gpu::GPUFuncOp mlir::paged_attn::buildMergeKernel(OpBuilder &builder,
                                                  gpu::GPUModuleOp module,
                                                  StringRef name, DecodeOp op,
                                                  const DecodeTiling &t) {
  gpu::GPUFuncOp func = createKernel(
      builder, module, name, op,
      {MemRefType::get({ShapedType::kDynamic}, builder.getF32Type()),
       builder.getIndexType(), op.getOut().getType()},
      /*isMerge=*/true);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&func.getBody().front());
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  KernelBuilder k(b);
  auto argOf = [&](MergeKernelArg a) {
    return func.getArgument(static_cast<unsigned>(a));
  };
  Value workspace = argOf(MergeKernelArg::Workspace);
  Value numSplits = argOf(MergeKernelArg::NumSplits);
  Value out = argOf(MergeKernelArg::Out);
  int64_t numHeads = cast<MemRefType>(op.getOut().getType()).getDimSize(1);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value block = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  Value token = k.div(block, numHeads);
  Value head = k.rem(block, numHeads);
  Value numTokens = memref::DimOp::create(b, out, 0);
  Value lseBase =
      k.mul(k.mul(k.mul(numTokens, numHeads), numSplits), t.headDim);
  Value slot0 = k.mul(block, numSplits);
  auto lseOf = [&](Value s) -> Value {
    return memref::LoadOp::create(
        b, workspace, ValueRange{k.add(lseBase, k.add(slot0, s))});
  };

  // The largest log-sum-exp (and sink).
  auto maxLoop = scf::ForOp::create(b, k.idx(0), numSplits, k.idx(1),
                                    ValueRange{k.negInf()});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(maxLoop.getBody());
    scf::YieldOp::create(
        b, ValueRange{k.maxF(maxLoop.getRegionIterArgs()[0],
                             lseOf(maxLoop.getInductionVar()))});
  }
  Value mMax = maxLoop.getResult(0);
  Value sink;
  if (op.getSinks()) {
    sink = memref::LoadOp::create(b, argOf(MergeKernelArg::Sinks),
                                  ValueRange{head});
    mMax = k.maxF(mMax, sink);
  }
  Value isEmpty = k.cmpF(arith::CmpFPredicate::OEQ, mMax, k.negInf());
  Value mUse = k.select(isEmpty, k.f32(0), mMax);
  auto sumLoop = scf::ForOp::create(b, k.idx(0), numSplits, k.idx(1),
                                    ValueRange{k.f32(0)});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(sumLoop.getBody());
    Value w = math::ExpOp::create(
        b, k.subF(lseOf(sumLoop.getInductionVar()), mUse));
    scf::YieldOp::create(
        b, ValueRange{k.addF(sumLoop.getRegionIterArgs()[0], w)});
  }
  Value denom = sumLoop.getResult(0);
  if (sink)
    denom = k.addF(denom, math::ExpOp::create(b, k.subF(sink, mUse)));
  // No key in any split (denom == 0) gives zeros; NaN stays NaN.
  Value positive = k.cmpF(arith::CmpFPredicate::UNE, denom, k.f32(0));

  Type outElem = cast<MemRefType>(op.getOut().getType()).getElementType();
  k.forLoop(tid, k.idx(t.headDim), k.idx(kDecodeThreads), [&](Value d) {
    auto acc = scf::ForOp::create(b, k.idx(0), numSplits, k.idx(1),
                                  ValueRange{k.f32(0)});
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(acc.getBody());
      Value s = acc.getInductionVar();
      Value w = math::ExpOp::create(b, k.subF(lseOf(s), mUse));
      Value o = memref::LoadOp::create(
          b, workspace,
          ValueRange{k.add(k.mul(k.add(slot0, s), t.headDim), d)});
      scf::YieldOp::create(
          b, ValueRange{k.addF(acc.getRegionIterArgs()[0], k.mulF(w, o))});
    }
    Value value = k.select(positive, k.divF(acc.getResult(0), denom), k.f32(0));
    memref::StoreOp::create(b, arith::TruncFOp::create(b, outElem, value), out,
                            ValueRange{token, head, d});
  });
  gpu::ReturnOp::create(b);
  return func;
}
