//===- TmaEncoding.cpp - Host code that checks and encodes TMA ------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "TmaEncoding.h"
#include "KernelBuilder.h"
#include "Tma.h"

#include "attn/Support/TargetInfo.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

func::FuncOp RuntimeCalls::get(StringRef name, TypeRange args,
                               TypeRange results) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToStart(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name,
                                b.getFunctionType(args, results));
  f.setPrivate();
  return f;
}

Value RuntimeCalls::call(ImplicitLocOpBuilder &b, StringRef name,
                         ValueRange args, TypeRange results) {
  func::FuncOp callee = get(name, args.getTypes(), results);
  auto call = func::CallOp::create(b, callee, args);
  return call.getNumResults() ? call.getResult(0) : Value();
}

Value TmaEncoder::pointerTo(ImplicitLocOpBuilder &b, Value memref) {
  KernelBuilder k(b);
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  return LLVM::IntToPtrOp::create(b, LLVM::LLVMPointerType::get(b.getContext()),
                                  k.toI64(address));
}

/// A stack array of `values` (cast to `type`), as a pointer.
Value TmaEncoder::stackArray(ImplicitLocOpBuilder &b, ArrayRef<Value> values,
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

Value TmaEncoder::globalString(ImplicitLocOpBuilder &b, StringRef text) {
  std::string cString = text.str();
  cString.push_back('\0');
  // One global per distinct text.
  auto it = strings.find(cString);
  if (it == strings.end()) {
    std::string name = ("attn_operand_" + Twine(stringCounter++)).str();
    Value ptr = LLVM::createGlobalString(b.getLoc(), b, name, cString,
                                         LLVM::Linkage::Internal);
    strings[cString] = name;
    return ptr;
  }
  MLIRContext *ctx = b.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  auto arrayType =
      LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), cString.size());
  Value global = LLVM::AddressOfOp::create(b, ptrType, it->second);
  return LLVM::GEPOp::create(b, ptrType, arrayType, global,
                             ArrayRef<LLVM::GEPArg>{0, 0});
}

Value TmaEncoder::emitTmaCall(ImplicitLocOpBuilder &b, StringRef label,
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
  Value address =
      k.add(memref::ExtractAlignedPointerAsIndexOp::create(b, memref),
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
        ValueRange{name, globalString(b, tma::StrideRequirement::kFoldedStride),
                   k.i32(req.source), k.toI64(meta.getStrides()[req.source]),
                   k.i64(req.value), globalString(b, req.reason)});
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
  func::FuncOp callee = runtime.get(
      tensorMap ? "attnTmaEncode" : "attnTmaCheck", argTypes, {i32});
  return func::CallOp::create(b, callee, args).getResult(0);
}

/// Where an op sits, for runtime messages: "@func".
std::string mlir::paged_attn::describeLocation(Operation *op) {
  if (auto func = op->getParentOfType<FunctionOpInterface>())
    return ("@" + func.getName()).str();
  return "module";
}

LogicalResult TmaEncoder::lowerCheck(CheckTmaOp op) {
  FailureOr<tma::DescriptorPlan> plan = getDescriptorPlan(op.getPlan());
  if (failed(plan))
    return op.emitOpError("has a malformed plan");
  const attn::TargetInfo *chip = attn::TargetInfo::lookup(op.getChip());
  if (!chip)
    return op.emitOpError("has an unknown chip '") << op.getChip() << "'";
  ImplicitLocOpBuilder b(op.getLoc(), op);
  std::string label = (op.getOperand() + " (deferred TMA check in " +
                       describeLocation(op) + ")")
                          .str();
  emitTmaCall(b, label, *plan, op.getSource(), Value(), chip->tmaTarget());
  op.erase();
  return success();
}

SmallVector<Value> TmaEncoder::encodeAll(ImplicitLocOpBuilder &b,
                                         const TmaDescriptors &set,
                                         StringRef opName, StringRef where,
                                         tma::Target chip) {
  MLIRContext *ctx = b.getContext();
  SmallVector<const TmaOperandPlan *, 5> slots = set.all();
  auto mapsType = MemRefType::get(
      {static_cast<int64_t>(slots.size()) * kTensorMapBytes}, b.getI8Type());
  Value hostMaps = memref::AllocaOp::create(b, mapsType, ValueRange{},
                                            b.getI64IntegerAttr(64));
  Value hostMapsPtr = pointerTo(b, hostMaps);
  SmallVector<Value> maps;
  for (auto [i, operand] : llvm::enumerate(slots)) {
    Value mapPtr = LLVM::GEPOp::create(
        b, LLVM::LLVMPointerType::get(ctx), b.getI8Type(), hostMapsPtr,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i * kTensorMapBytes)});
    std::string label =
        (operand->name + " of " + opName + " in " + where).str();
    emitTmaCall(b, label, operand->plan, operand->value, mapPtr, chip);
    maps.push_back(mapPtr);
  }
  return maps;
}

void TmaEncoder::checkSizes(ImplicitLocOpBuilder &b, AttentionOpInterface op,
                            StringRef where) {
  KernelBuilder k(b);
  Value whereString;
  for (const DimAgreement &a : getDimAgreements(op)) {
    if (a.fallback || (!ShapedType::isDynamic(a.staticFound()) &&
                       !ShapedType::isDynamic(a.staticExpected())))
      continue; // the verifier has proven it, or another check covers it
    Value found = memref::DimOp::create(b, a.value, a.dim);
    Value expected = k.idx(a.offset);
    if (a.source)
      expected =
          k.add(k.mul(memref::DimOp::create(b, a.source, a.sourceDim), a.scale),
                a.offset);
    if (!whereString)
      whereString = globalString(b, where);
    runtime.call(b, "attnRuntimeRequireDim",
                 ValueRange{whereString, globalString(b, a.subject()),
                            globalString(b, a.description), k.toI64(found),
                            k.toI64(expected)},
                 {b.getI32Type()});
  }
}

Value TmaEncoder::statusOk(ImplicitLocOpBuilder &b) {
  KernelBuilder k(b);
  Value status =
      runtime.call(b, "attnRuntimeStatusOk", ValueRange{}, {b.getI32Type()});
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ne, status, k.i32(0));
}
