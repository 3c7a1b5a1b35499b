//===- PagedAttnToGPU.cpp - paged_attn to host code and kernels -----------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Host side of the lowering: every TMA descriptor is instantiated from its
// own memref's runtime sizes, strides and offset (the plan of
// deriveTmaDescriptors), checked and encoded by the runtime
// (include/attn/Runtime/Runtime.h), copied to the device, and the kernels
// are launched only when every check passed.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/Passes.h"

#include "DecodeKernel.h"
#include "KernelBuilder.h"

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"
#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace paged_attn {
#define GEN_PASS_DEF_CONVERTPAGEDATTNTOGPU
#include "attn/Conversion/Passes.h.inc"
} // namespace paged_attn
} // namespace mlir

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

static constexpr StringLiteral kKernelModuleName = "paged_attn_kernels";
static constexpr int64_t kTensorMapBytes = 128;

namespace {

/// Declares (once) and calls the runtime's C functions.
class RuntimeCalls {
public:
  RuntimeCalls(ModuleOp module) : module(module) {}

  func::FuncOp get(StringRef name, TypeRange args, TypeRange results) {
    if (auto f = module.lookupSymbol<func::FuncOp>(name))
      return f;
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToStart(module.getBody());
    auto f = func::FuncOp::create(b, module.getLoc(), name,
                                  b.getFunctionType(args, results));
    f.setPrivate();
    return f;
  }

private:
  ModuleOp module;
};

/// Lowers the attention ops and check_tma ops of one module.
class HostLowering {
public:
  HostLowering(ModuleOp module, tma::Target target)
      : module(module), target(target), runtime(module) {}

  LogicalResult lowerCheck(CheckTmaOp op);
  LogicalResult lowerDecode(DecodeOp op, unsigned index);

private:
  gpu::GPUModuleOp getKernelModule();
  Value pointerTo(ImplicitLocOpBuilder &b, Value memref);
  Value stackArray(ImplicitLocOpBuilder &b, ArrayRef<Value> values, Type type);
  /// A NUL-terminated global string constant, as a pointer.
  Value globalString(ImplicitLocOpBuilder &b, StringRef text);
  /// Calls attnTmaCheck (no `tensorMap`) or attnTmaEncode for `plan`
  /// instantiated on `memref`; returns the call's i32 status.
  Value emitTmaCall(ImplicitLocOpBuilder &b, StringRef label,
                    const tma::DescriptorPlan &plan, Value memref,
                    Value tensorMap, tma::Target chip);

  ModuleOp module;
  tma::Target target;
  RuntimeCalls runtime;
  gpu::GPUModuleOp kernels;
  unsigned stringCounter = 0;
};

} // namespace

gpu::GPUModuleOp HostLowering::getKernelModule() {
  if (kernels)
    return kernels;
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  std::string name = kKernelModuleName.str();
  for (unsigned i = 1; module.lookupSymbol(name); ++i)
    name = (kKernelModuleName + "_" + Twine(i)).str();
  kernels = gpu::GPUModuleOp::create(b, module.getLoc(), name);
  return kernels;
}

Value HostLowering::pointerTo(ImplicitLocOpBuilder &b, Value memref) {
  KernelBuilder k(b);
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  return LLVM::IntToPtrOp::create(b, LLVM::LLVMPointerType::get(b.getContext()),
                                  k.toI64(address));
}

/// A stack array of `values` (cast to `type`), as a pointer.
Value HostLowering::stackArray(ImplicitLocOpBuilder &b, ArrayRef<Value> values,
                             Type type) {
  KernelBuilder k(b);
  auto arrayType = MemRefType::get({static_cast<int64_t>(values.size())}, type);
  Value array = memref::AllocaOp::create(b, arrayType);
  for (auto [i, v] : llvm::enumerate(values)) {
    Value cast = v.getType() == type
                     ? v
                     : arith::IndexCastOp::create(b, type, v).getResult();
    memref::StoreOp::create(b, cast, array, ValueRange{k.idx(i)});
  }
  return pointerTo(b, array);
}

static int64_t getElementBytes(Type type) {
  if (auto vec = dyn_cast<VectorType>(type))
    return vec.getNumElements() * vec.getElementTypeBitWidth() / 8;
  return type.getIntOrFloatBitWidth() / 8;
}

Value HostLowering::globalString(ImplicitLocOpBuilder &b, StringRef text) {
  std::string cString = text.str();
  cString.push_back('\0');
  return LLVM::createGlobalString(
      b.getLoc(), b, ("attn_operand_" + Twine(stringCounter++)).str(), cString,
      LLVM::Linkage::Internal);
}

Value HostLowering::emitTmaCall(ImplicitLocOpBuilder &b, StringRef label,
                                const tma::DescriptorPlan &plan, Value memref,
                                Value tensorMap, tma::Target chip) {
  KernelBuilder k(b);
  MLIRContext *ctx = b.getContext();
  auto type = cast<MemRefType>(memref.getType());
  auto meta = memref::ExtractStridedMetadataOp::create(b, memref);
  auto term = [&](const tma::Term &term, ValueRange source) -> Value {
    if (term.isConstant())
      return k.idx(term.scale);
    return k.mul(source[term.source], term.scale);
  };
  SmallVector<Value> dims, strides, box;
  for (const tma::Term &d : plan.dims)
    dims.push_back(term(d, meta.getSizes()));
  for (const tma::Term &s : plan.strides)
    strides.push_back(term(s, meta.getStrides()));
  for (uint32_t extent : plan.boxDims)
    box.push_back(k.i32(extent));
  // The first element's address: the aligned pointer plus the offset.
  Value address = k.add(
      memref::ExtractAlignedPointerAsIndexOp::create(b, memref),
      k.mul(meta.getOffset(), getElementBytes(type.getElementType())));
  Type ptrType = LLVM::LLVMPointerType::get(ctx);
  Value addressPtr = LLVM::IntToPtrOp::create(b, ptrType, k.toI64(address));
  Value name = globalString(b, label);
  // Requirements the descriptor's shape rests on (the nvfp4 scales' folded
  // dims) are checked like the rules: they record an error, and nothing
  // launches, when they fail.
  for (const tma::StrideRequirement &req : plan.requirements) {
    func::FuncOp requireFn =
        runtime.get("attnTmaRequireStride",
                    {ptrType, ptrType, b.getI32Type(), b.getI64Type(),
                     b.getI64Type(), ptrType},
                    {b.getI32Type()});
    func::CallOp::create(
        b, requireFn,
        ValueRange{name, globalString(b, tma::StrideRequirement::kFoldedStride), k.i32(req.source),
                   k.toI64(meta.getStrides()[req.source]), k.i64(req.value),
                   globalString(b, req.reason)});
  }

  SmallVector<Value> args;
  if (tensorMap)
    args.push_back(tensorMap);
  Type i32 = b.getI32Type();
  args.append({name, k.i32(static_cast<int64_t>(plan.elemType)),
               k.i32(static_cast<int64_t>(chip)),
               k.i32(static_cast<int64_t>(plan.rank())), addressPtr,
               stackArray(b, dims, b.getI64Type()),
               stackArray(b, strides, b.getI64Type()), stackArray(b, box, i32),
               k.i32(static_cast<int64_t>(plan.swizzle)),
               k.i32(static_cast<int64_t>(plan.interleave)),
               k.i32(static_cast<int64_t>(plan.oobFill))});
  // Element strides are attributes, never runtime values: the check_tma
  // verifier and --paged-attn-verify-tma decide their rule statically.
  SmallVector<Type> argTypes;
  for (Value v : args)
    argTypes.push_back(v.getType());
  func::FuncOp callee = runtime.get(tensorMap ? "attnTmaEncode" : "attnTmaCheck",
                                    argTypes, {i32});
  return func::CallOp::create(b, callee, args).getResult(0);
}

/// Where an op sits, for runtime messages: "@func".
static std::string describeLocation(Operation *op) {
  if (auto func = op->getParentOfType<FunctionOpInterface>())
    return ("@" + func.getName()).str();
  return "module";
}

LogicalResult HostLowering::lowerCheck(CheckTmaOp op) {
  FailureOr<tma::DescriptorPlan> plan = getDescriptorPlan(op.getPlan());
  if (failed(plan))
    return op.emitOpError("has a malformed plan");
  std::optional<tma::Target> chip = parseTarget(op.getChip());
  if (!chip)
    return op.emitOpError("has an unknown chip '") << op.getChip() << "'";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  std::string label = (op.getOperand() + " (deferred TMA check in " +
                       describeLocation(op) + ")")
                          .str();
  emitTmaCall(b, label, *plan, op.getSource(), Value(), *chip);
  op.erase();
  return success();
}

LogicalResult HostLowering::lowerDecode(DecodeOp op, unsigned index) {
  FailureOr<DecodeTiling> tiling = getDecodeTiling(op);
  if (failed(tiling))
    return failure();
  const DecodeTiling &t = *tiling;
  SmallVector<TmaOperandPlan> plans =
      deriveTmaDescriptors(cast<AttentionOpInterface>(op.getOperation()));

  // Kernels.
  gpu::GPUModuleOp kernelModule = getKernelModule();
  OpBuilder moduleBuilder(op.getContext());
  std::string decodeName = ("decode_" + Twine(index)).str();
  std::string mergeName = ("decode_" + Twine(index) + "_merge").str();
  gpu::GPUFuncOp decodeKernel = buildDecodeKernel(
      moduleBuilder, kernelModule, decodeName, op, t, plans, target);
  gpu::GPUFuncOp mergeKernel =
      buildMergeKernel(moduleBuilder, kernelModule, mergeName, op, t);

  // Host: encode every descriptor (q, k_cache, v_cache, then the nvfp4
  // scales) into a 64-byte aligned stack buffer.
  ImplicitLocOpBuilder b(op.getLoc(), op);
  KernelBuilder k(b);
  MLIRContext *ctx = b.getContext();
  std::string where = describeLocation(op);
  auto mapsType = MemRefType::get(
      {static_cast<int64_t>(plans.size()) * kTensorMapBytes}, b.getI8Type());
  Value hostMaps = memref::AllocaOp::create(b, mapsType, ValueRange{},
                                            b.getI64IntegerAttr(64));
  Value hostMapsPtr = pointerTo(b, hostMaps);
  for (auto [i, plan] : llvm::enumerate(plans)) {
    Value mapPtr = LLVM::GEPOp::create(
        b, LLVM::LLVMPointerType::get(ctx), b.getI8Type(), hostMapsPtr,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i * kTensorMapBytes)});
    std::string label =
        (plan.name + " of paged_attn.decode in " + where).str();
    emitTmaCall(b, label, plan.plan, plan.value, mapPtr, target);
  }
  func::FuncOp statusFn =
      runtime.get("attnRuntimeStatusOk", {}, {b.getI32Type()});
  Value status = func::CallOp::create(b, statusFn, ValueRange{}).getResult(0);
  Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, status,
                                   k.i32(0));

  k.ifThen(ok, [&] {
    // The number of KV splits: enough CTAs for about two waves.
    func::FuncOp smFn =
        runtime.get("attnRuntimeMultiprocessorCount", {}, {b.getI32Type()});
    Value sms = k.toIndex(func::CallOp::create(b, smFn, ValueRange{}).getResult(0));
    sms = k.select(k.lt(sms, k.idx(1)), k.idx(132), sms);
    Value blockTable = op.getBlockTable();
    Value batch = memref::DimOp::create(b, blockTable, 0);
    int64_t kvHeads = cast<MemRefType>(op.getKCache().getType())
                          .getDimSize(getKvHeadsDim(op.getKvLayout()));
    Value ctas = k.mul(batch, kvHeads * t.mBlocks);
    Value maxTokens =
        k.mul(memref::DimOp::create(b, blockTable, 1), t.pageSize);
    // Splits start on whole tiles and whole pages.
    int64_t unit = t.splitUnit();
    Value maxUnits = k.maxS(k.ceilDiv(maxTokens, k.idx(unit)), k.idx(1));
    Value wanted = k.ceilDiv(k.mul(sms, 2), k.maxS(ctas, k.idx(1)));
    Value splits = k.maxS(k.minS(k.minS(wanted, maxUnits), k.idx(64)), k.idx(1));
    Value unitsPerSplit = k.ceilDiv(maxUnits, splits);
    splits = k.ceilDiv(maxUnits, unitsPerSplit);
    Value splitTokens = k.mul(unitsPerSplit, unit);

    Value out = op.getOut();
    Value numTokens = memref::DimOp::create(b, out, 0);
    int64_t numHeads = cast<MemRefType>(out.getType()).getDimSize(1);
    Value multi = k.lt(k.idx(1), splits);
    // The extern shared array is 1024-byte aligned: no slack needed.
    int64_t smem = t.sharedMemoryBytes();

    auto launch = [&](bool withMerge) {
      Type tokenType = gpu::AsyncTokenType::get(ctx);
      Value token = gpu::WaitOp::create(b, tokenType, ValueRange{}).getAsyncToken();
      auto devMaps = gpu::AllocOp::create(b, mapsType, tokenType,
                                          ValueRange{token}, ValueRange{},
                                          ValueRange{}, /*hostShared=*/false);
      token = gpu::MemcpyOp::create(b, tokenType,
                                    ValueRange{devMaps.getAsyncToken()},
                                    devMaps.getMemref(), hostMaps)
                  .getAsyncToken();
      Value wsElems = withMerge
                          ? k.mul(k.mul(k.mul(numTokens, numHeads), splits),
                                  t.headDim + 1)
                          : k.idx(1);
      auto wsType = MemRefType::get({ShapedType::kDynamic}, b.getF32Type());
      auto workspace = gpu::AllocOp::create(b, wsType, tokenType,
                                            ValueRange{token},
                                            ValueRange{wsElems}, ValueRange{},
                                            /*hostShared=*/false);
      token = workspace.getAsyncToken();
      Value mapsAddress = k.toI64(
          memref::ExtractAlignedPointerAsIndexOp::create(b, devMaps.getMemref()));
      SmallVector<Value> args{mapsAddress, blockTable, op.getSeqLens(), out,
                              workspace.getMemref(), splits, splitTokens};
      args.append(getOptionalKernelOperands(op, /*isMerge=*/false));
      gpu::KernelDim3 grid{splits, k.idx(kvHeads * t.mBlocks), batch};
      gpu::KernelDim3 block{k.idx(kDecodeThreads), k.idx(1), k.idx(1)};
      token = gpu::LaunchFuncOp::create(b, decodeKernel, grid, block,
                                        k.i32(smem), args, tokenType,
                                        ValueRange{token})
                  .getAsyncToken();
      if (withMerge) {
        SmallVector<Value> mergeArgs{workspace.getMemref(), splits, out};
        mergeArgs.append(getOptionalKernelOperands(op, /*isMerge=*/true));
        gpu::KernelDim3 mergeGrid{k.mul(numTokens, numHeads), k.idx(1),
                                  k.idx(1)};
        token = gpu::LaunchFuncOp::create(b, mergeKernel, mergeGrid, block,
                                          k.i32(0), mergeArgs, tokenType,
                                          ValueRange{token})
                    .getAsyncToken();
      }
      token = gpu::DeallocOp::create(b, tokenType, ValueRange{token},
                                     workspace.getMemref())
                  .getAsyncToken();
      token = gpu::DeallocOp::create(b, tokenType, ValueRange{token},
                                     devMaps.getMemref())
                  .getAsyncToken();
      gpu::WaitOp::create(b, Type(), ValueRange{token});
    };
    k.ifThenElse(multi, [&] { launch(true); }, [&] { launch(false); });
  });

  if (auto func = op->getParentOfType<func::FuncOp>())
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(ctx));
  op.erase();
  return success();
}

namespace {
struct ConvertPagedAttnToGPUPass
    : public paged_attn::impl::ConvertPagedAttnToGPUBase<
          ConvertPagedAttnToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<tma::Target> target = parseTarget(chip);
    if (!target) {
      module.emitError("convert-paged-attn-to-gpu: unknown chip '")
          << chip << "': expected sm_90a or sm_100a";
      return signalPassFailure();
    }
    SmallVector<CheckTmaOp> checks;
    SmallVector<DecodeOp> decodes;
    bool failedAny = false;
    module.walk([&](Operation *op) {
      if (auto check = dyn_cast<CheckTmaOp>(op))
        checks.push_back(check);
      else if (auto decode = dyn_cast<DecodeOp>(op))
        decodes.push_back(decode);
      else if (isa<PrefillOp>(op)) {
        op->emitOpError("is not lowered yet: only paged_attn.decode has a "
                        "kernel");
        failedAny = true;
      }
    });
    if (failedAny)
      return signalPassFailure();
    if (decodes.empty() && checks.empty())
      return;
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(module.getContext()));
    HostLowering lowering(module, *target);
    for (CheckTmaOp check : checks)
      if (failed(lowering.lowerCheck(check)))
        return signalPassFailure();
    for (auto [i, decode] : llvm::enumerate(decodes))
      if (failed(lowering.lowerDecode(decode, i)))
        return signalPassFailure();
  }
};
} // namespace
