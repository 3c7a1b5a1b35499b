//===- DecodeLaunch.cpp - Host code of paged_attn.decode ------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// paged_attn.decode on the host: encode q, k_cache, v_cache (and the nvfp4
// scales) from their own runtime strides, then, only if every check
// passed, choose the KV splits and launch the decode kernel (and the merge
// kernel when there is more than one split).
//
//===----------------------------------------------------------------------===//

#include "DecodeKernel.h"
#include "KernelArgs.h"
#include "KernelBuilder.h"
#include "Lowering.h"
#include "SplitWorkspace.h"

#include "attn/Kernels/DecodePlan.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::paged_attn;

namespace {
/// The decode launch: grid (splits, kv heads x q-row blocks, batch).
struct DecodeGrid {
  Value splits;      ///< index, >= 1
  Value splitTokens; ///< tokens per split, whole tiles and whole pages
  Value batch;
  int64_t headBlocks; ///< kv heads x 16-row blocks of a kv head's q rows
};
} // namespace

/// A CTA's fixed cost (prologue, pipeline fill, epilogue), in tile times.
static constexpr int64_t kSplitOverheadTiles = 4;

/// The KV splits: the count in [1, 64] (and at most one per tile or page)
/// that minimizes the modelled time, waves x time of one CTA:
/// ceil(ctas * splits / slots) * (tiles of a split + kSplitOverheadTiles),
/// with `slots` = SMs x the CTAs an SM holds. The smallest such count wins
/// (fewer splits, less merging). E.g. 64 CTAs of 512 tiles on 264 slots: 4
/// splits, one wave of 128 tiles (5 splits would be two waves of 103); 512
/// CTAs of 64 tiles: 1 split (the overhead keeps 64 splits of one tile
/// from looking as good). Each split starts on a whole tile and page.
static DecodeGrid chooseGrid(KernelBuilder &k, RuntimeCalls &runtime,
                             DecodeOp op, const DecodePlan &t,
                             const attn::TargetInfo &target) {
  ImplicitLocOpBuilder &b = k.builder();
  Value sms = k.toIndex(runtime.call(b, "attnRuntimeMultiprocessorCount",
                                     ValueRange{}, {b.getI32Type()}));
  sms = k.select(k.lt(sms, k.idx(1)), k.idx(target.smCountFallback()), sms);
  Value blockTable = op.getBlockTable();
  Value batch = memref::DimOp::create(b, blockTable, 0);
  int64_t kvHeads = cast<MemRefType>(op.getKCache().getType())
                        .getDimSize(getKvHeadsDim(op.getKvLayout()));
  int64_t headBlocks = kvHeads * t.mBlocks;
  Value ctas = k.maxS(k.mul(batch, headBlocks), k.idx(1));
  Value maxTokens = k.mul(memref::DimOp::create(b, blockTable, 1), t.pageSize);
  int64_t unit = t.splitUnit();
  Value maxUnits = k.maxS(k.ceilDiv(maxTokens, k.idx(unit)), k.idx(1));
  Value slots = k.mul(sms, t.ctasPerSM(target));
  int64_t tilesPerUnit = std::max<int64_t>(unit / DecodePlan::kTileRows, 1);
  auto cost = [&](Value splits) {
    Value tiles = k.mul(k.ceilDiv(maxUnits, splits), tilesPerUnit);
    return k.mul(k.ceilDiv(k.mul(ctas, splits), slots),
                 k.add(tiles, kSplitOverheadTiles));
  };
  Value one = k.idx(1);
  Value limit = k.add(k.minS(maxUnits, k.idx(SplitWorkspace::kMaxSplits)), one);
  auto search = scf::ForOp::create(b, k.idx(2), limit, one,
                                   ValueRange{one, cost(one)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(search.getBody());
    Value splits = search.getInductionVar();
    Value best = search.getRegionIterArgs()[0];
    Value bestCost = search.getRegionIterArgs()[1];
    Value c = cost(splits);
    Value better = k.lt(c, bestCost);
    scf::YieldOp::create(b, ValueRange{k.select(better, splits, best),
                                       k.select(better, c, bestCost)});
  }
  Value splits = search.getResult(0);
  Value unitsPerSplit = k.ceilDiv(maxUnits, splits);
  splits = k.ceilDiv(maxUnits, unitsPerSplit);
  return {splits, k.mul(unitsPerSplit, unit), batch, headBlocks};
}

/// A memref<?xelem> of `elems` elements over the device buffer at `ptr`
/// (!llvm.ptr): its LLVM descriptor, cast to the memref type (the cast
/// folds away when the host code reaches the LLVM dialect).
static Value wrapDeviceBuffer(KernelBuilder &k, Value ptr, Value elems,
                              Type elem) {
  ImplicitLocOpBuilder &b = k.builder();
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type();
  auto array = LLVM::LLVMArrayType::get(i64, 1);
  auto descType = LLVM::LLVMStructType::getLiteral(
      ctx, {ptr.getType(), ptr.getType(), i64, array, array});
  Value desc = LLVM::UndefOp::create(b, descType);
  desc = LLVM::InsertValueOp::create(b, desc, ptr, ArrayRef<int64_t>{0});
  desc = LLVM::InsertValueOp::create(b, desc, ptr, ArrayRef<int64_t>{1});
  desc = LLVM::InsertValueOp::create(b, desc, k.i64(0), ArrayRef<int64_t>{2});
  desc = LLVM::InsertValueOp::create(b, desc, k.toI64(elems),
                                     ArrayRef<int64_t>{3, 0});
  desc =
      LLVM::InsertValueOp::create(b, desc, k.i64(1), ArrayRef<int64_t>{4, 0});
  auto type = MemRefType::get({ShapedType::kDynamic}, elem);
  return UnrealizedConversionCastOp::create(b, TypeRange{type},
                                            ValueRange{desc})
      .getResult(0);
}

/// The runtime's split-KV workspace of `elems` f32 and its split counters,
/// `counters` u32 (attnRuntimeWorkspace, attnRuntimeSplitCounters: grown
/// outside graph capture, else an error and no launch).
static std::pair<Value, Value> getRuntimeWorkspace(KernelBuilder &k,
                                                   RuntimeCalls &runtime,
                                                   Value elems,
                                                   Value counters) {
  ImplicitLocOpBuilder &b = k.builder();
  Type ptrType = LLVM::LLVMPointerType::get(b.getContext());
  Value bytes = k.toI64(k.mul(elems, 4));
  Value ptr = runtime.call(b, "attnRuntimeWorkspace", ValueRange{bytes},
                           {ptrType});
  Value counterPtr = runtime.call(b, "attnRuntimeSplitCounters",
                                  ValueRange{k.toI64(counters)}, {ptrType});
  return {wrapDeviceBuffer(k, ptr, elems, b.getF32Type()),
          wrapDeviceBuffer(k, counterPtr, counters, b.getI32Type())};
}

LogicalResult mlir::paged_attn::lowerDecode(DecodeOp op, unsigned index,
                                            ModuleLowering &lowering) {
  FailureOr<DecodePlan> plan = DecodePlan::get(op, lowering.target);
  if (failed(plan))
    return failure();
  plan->chooseNvfp4Conversion(lowering.decodeNvfp4, lowering.target);
  const DecodePlan &t = *plan;
  TmaDescriptors tma = deriveTmaDescriptors(
      cast<AttentionOpInterface>(op.getOperation()), t.boxes());

  // Kernels.
  gpu::GPUModuleOp kernelModule = lowering.getKernelModule();
  OpBuilder moduleBuilder(op.getContext());
  std::string decodeName = ("decode_" + Twine(index)).str();
  gpu::GPUFuncOp decodeKernel = buildDecodeKernel(
      moduleBuilder, kernelModule, decodeName, op, t, tma, lowering.target);

  // Host: check and encode every descriptor, then launch if all passed.
  ImplicitLocOpBuilder b(op.getLoc(), op);
  KernelBuilder k(b);
  MLIRContext *ctx = b.getContext();
  // Sizes the compiler could not check, then every descriptor.
  std::string where = describeLocation(op);
  lowering.encoder.checkSizes(b, cast<AttentionOpInterface>(op.getOperation()),
                              "paged_attn.decode in " + where);
  SmallVector<Value> maps = lowering.encoder.encodeAll(
      b, tma, "paged_attn.decode", where, lowering.target.tmaTarget());
  Value ok = lowering.encoder.statusOk(b);

  k.ifThen(ok, [&] {
    DecodeGrid policy =
        chooseGrid(k, lowering.encoder.getRuntime(), op, t, lowering.target);
    Value splits = policy.splits;
    Value out = op.getOut();
    int64_t numHeads = cast<MemRefType>(out.getType()).getDimSize(1);
    Value numTokens = memref::DimOp::create(b, out, 0);
    Value multi = k.lt(k.idx(1), splits);
    // The extern shared array is 1024-byte aligned: no slack needed.
    int64_t smem = t.sharedMemoryBytes();

    auto launch = [&](bool multiSplit) {
      Type tokenType = gpu::AsyncTokenType::get(ctx);
      // The runtime's workspace and split counters (nothing is allocated
      // per call); one split needs neither.
      SplitWorkspace layout(k, numTokens, numHeads, splits, t.headDim);
      Value workspace, counters;
      if (multiSplit) {
        std::tie(workspace, counters) = getRuntimeWorkspace(
            k, lowering.encoder.getRuntime(), layout.elements(),
            k.mul(policy.batch, k.idx(policy.headBlocks)));
      } else {
        Value null = LLVM::ZeroOp::create(b, LLVM::LLVMPointerType::get(ctx));
        workspace = wrapDeviceBuffer(k, null, k.idx(0), b.getF32Type());
        counters = wrapDeviceBuffer(k, null, k.idx(0), b.getI32Type());
      }
      Value token =
          gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();

      DecodeKernelArgs<Value> args;
      setDescriptorArgs(args, maps, tma);
      args.blockTable = op.getBlockTable();
      args.seqLens = op.getSeqLens();
      args.out = out;
      args.workspace = workspace;
      args.splitCounters = counters;
      args.numSplits = splits;
      args.splitTokens = policy.splitTokens;
      args.sinks = op.getSinks();
      args.kGlobalScale = op.getKGlobalScale();
      args.vGlobalScale = op.getVGlobalScale();
      gpu::KernelDim3 grid{splits, k.idx(policy.headBlocks), policy.batch};
      gpu::KernelDim3 block{k.idx(DecodePlan::kThreads), k.idx(1), k.idx(1)};
      token = gpu::LaunchFuncOp::create(b, decodeKernel, grid, block,
                                        k.i32(smem), getPresentArgs(args),
                                        tokenType, ValueRange{token})
                  .getAsyncToken();
      gpu::WaitOp::create(b, Type(), ValueRange{token});
    };
    k.ifThenElse(
        multi, [&] { launch(true); }, [&] { launch(false); });
  });

  if (auto func = op->getParentOfType<func::FuncOp>())
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(ctx));
  op.erase();
  return success();
}
