//===- VerifyTma.cpp - Prove or defer the TMA rules -------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/PagedAttn/Analysis/TmaDescriptors.h"
#include "attn/Dialect/PagedAttn/Transforms/Passes.h"
#include "attn/Kernels/KernelPlan.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir {
namespace paged_attn {
#define GEN_PASS_DEF_PAGEDATTNVERIFYTMA
#include "attn/Dialect/PagedAttn/Transforms/Passes.h.inc"
} // namespace paged_attn
} // namespace mlir

using namespace mlir;
using namespace mlir::paged_attn;
namespace tma = attn::tma;

/// "rule" or "rule@dim": how a deferred rule instance is named on check_tma.
static std::string getInstanceName(const tma::RuleCheck &check) {
  std::string name = tma::ruleName(check.rule);
  if (check.dim >= 0)
    name += "@" + std::to_string(check.dim);
  return name;
}

/// "folded-stride@dim": how a stride requirement is named, like a rule.
static std::string getInstanceName(const tma::RequirementCheck &check) {
  return std::string(tma::StrideRequirement::kFoldedStride) + "@" +
         std::to_string(check.requirement->source);
}

/// "128", "?" or "?*16" (unknown multiple of 16).
static std::string factStr(const tma::Fact &fact) {
  if (std::optional<uint64_t> v = fact.exactValue())
    return std::to_string(*v);
  return fact.divisor > 1 ? "?*" + std::to_string(fact.divisor) : "?";
}

static std::string factsStr(const std::vector<tma::Fact> &facts) {
  SmallVector<std::string> parts;
  for (const tma::Fact &fact : facts)
    parts.push_back(factStr(fact));
  return "[" + llvm::join(parts, ", ") + "]";
}

/// True if a check_tma for the same operand already guards `op` (the pass
/// is idempotent).
static bool isAlreadyChecked(Operation *op, Value value, StringRef operand) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    auto check = dyn_cast<CheckTmaOp>(prev);
    if (!check)
      break;
    if (check.getSource() == value && check.getOperand() == operand)
      return true;
  }
  return false;
}

namespace {

struct PagedAttnVerifyTmaPass
    : public paged_attn::impl::PagedAttnVerifyTmaBase<PagedAttnVerifyTmaPass> {
  using Base::Base;

  void runOnOperation() override;

  /// Checks one operand's descriptor; returns failure if a rule is broken.
  LogicalResult verifyOperand(AttentionOpInterface op,
                              const TmaOperandPlan &operand,
                              tma::Target target);
};

} // namespace

LogicalResult
PagedAttnVerifyTmaPass::verifyOperand(AttentionOpInterface op,
                                      const TmaOperandPlan &operand,
                                      tma::Target target) {
  tma::MemRefFacts facts = getMemRefFacts(operand.value);
  tma::TensorMapSpec spec = tma::instantiate(operand.plan, facts, target);
  tma::CheckResult result = tma::checkTensorMap(spec);
  std::vector<tma::RequirementCheck> requirements =
      tma::checkRequirements(operand.plan, facts);

  bool broken = false;
  auto note = [&](InFlightDiagnostic &diag) {
    diag.attachNote() << operand.name
                      << " descriptor: " << tma::describe(operand.plan);
  };
  for (const tma::RuleCheck &check : result.violations()) {
    InFlightDiagnostic diag = op->emitOpError()
                              << operand.name << " breaks TMA rule '"
                              << tma::ruleName(check.rule)
                              << "': " << check.message;
    note(diag);
    broken = true;
  }
  for (const tma::RequirementCheck &check : requirements) {
    if (check.status != tma::Status::Violated)
      continue;
    InFlightDiagnostic diag = op->emitOpError()
                              << operand.name << " "
                              << tma::describeViolation(check);
    note(diag);
    broken = true;
  }
  if (broken)
    return failure();

  SmallVector<std::string> deferred;
  for (const tma::RuleCheck &check : result.deferred())
    deferred.push_back(getInstanceName(check));
  for (const tma::RequirementCheck &check : requirements)
    if (check.status == tma::Status::Unknown)
      deferred.push_back(getInstanceName(check));

  if (report) {
    SmallVector<std::string> proven;
    for (const tma::RuleCheck &check : result.proven())
      proven.push_back(getInstanceName(check));
    for (const tma::RequirementCheck &check : requirements)
      if (check.status == tma::Status::Holds)
        proven.push_back(getInstanceName(check));
    op->emitRemark() << operand.name << ": " << tma::describe(operand.plan)
                     << "; global dims " << factsStr(spec.globalDims)
                     << " strides " << factsStr(spec.globalStrides)
                     << " (elements) address " << factStr(spec.globalAddress)
                     << "; proven: [" << llvm::join(proven, ", ")
                     << "]; deferred: [" << llvm::join(deferred, ", ") << "]";
  }

  if (deferred.empty() ||
      isAlreadyChecked(op.getOperation(), operand.value, operand.name))
    return success();
  OpBuilder builder(op.getOperation());
  SmallVector<StringRef> names(deferred.begin(), deferred.end());
  CheckTmaOp::create(builder, op->getLoc(), operand.value,
                     builder.getStringAttr(operand.name),
                     builder.getStringAttr(tma::targetName(target)),
                     getTmaPlanAttr(op->getContext(), operand.plan),
                     builder.getStrArrayAttr(names));
  return success();
}

void PagedAttnVerifyTmaPass::runOnOperation() {
  const attn::TargetInfo *target = attn::TargetInfo::lookup(chip);
  if (!target) {
    getOperation()->emitError()
        << "paged-attn-verify-tma: unknown chip '" << chip << "', expected "
        << attn::TargetInfo::knownChips();
    return signalPassFailure();
  }
  std::optional<PrefillKernelChoice> prefill =
      parsePrefillKernelChoice(prefillKernel);
  if (!prefill) {
    getOperation()->emitError()
        << "paged-attn-verify-tma: unknown prefill-kernel '" << prefillKernel
        << "', expected auto or portable";
    return signalPassFailure();
  }
  bool failed = false;
  getOperation()->walk([&](AttentionOpInterface op) {
    TmaDescriptors descriptors = getKernelDescriptors(op, *target, *prefill);
    for (const TmaOperandPlan *operand : descriptors.all())
      if (mlir::failed(verifyOperand(op, *operand, target->tmaTarget())))
        failed = true;
  });
  if (failed)
    signalPassFailure();
}
