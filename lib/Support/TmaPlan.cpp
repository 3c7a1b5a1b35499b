//===- TmaPlan.cpp - How a TMA descriptor is read off a memref --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/TmaPlan.h"

#include <sstream>

using namespace attn::tma;

std::string Term::str(const char *what) const {
  if (isConstant())
    return std::to_string(scale);
  std::string base = std::string(what) + "[" + std::to_string(source) + "]";
  return scale == 1 ? base : std::to_string(scale) + " * " + base;
}

Fact attn::tma::scaleFact(const Fact &fact, int64_t scale) {
  uint64_t s = static_cast<uint64_t>(scale);
  if (std::optional<uint64_t> v = fact.exactValue()) {
    unsigned __int128 product = static_cast<unsigned __int128>(*v) * s;
    if (product <= UINT64_MAX)
      return Fact::exact(static_cast<uint64_t>(product));
    return Fact::unknown();
  }
  Fact result;
  unsigned __int128 divisor = static_cast<unsigned __int128>(fact.divisor) * s;
  result.divisor = divisor <= UINT64_MAX ? static_cast<uint64_t>(divisor) : s;
  unsigned __int128 lower = static_cast<unsigned __int128>(fact.lowerBound) * s;
  result.lowerBound = lower <= UINT64_MAX ? static_cast<uint64_t>(lower) : 0;
  if (fact.upperBound) {
    unsigned __int128 upper =
        static_cast<unsigned __int128>(*fact.upperBound) * s;
    if (upper <= UINT64_MAX)
      result.upperBound = static_cast<uint64_t>(upper);
  }
  return result;
}

static Fact evaluate(const Term &term, const std::vector<Fact> &source) {
  if (term.isConstant())
    return Fact::exact(static_cast<uint64_t>(term.scale));
  if (term.source >= static_cast<int>(source.size()))
    return Fact::unknown();
  return scaleFact(source[term.source], term.scale);
}

TensorMapSpec attn::tma::instantiate(const DescriptorPlan &plan,
                                     const MemRefFacts &facts, Target target) {
  TensorMapSpec spec;
  spec.elemType = plan.elemType;
  spec.target = target;
  for (const Term &dim : plan.dims)
    spec.globalDims.push_back(evaluate(dim, facts.sizes));
  for (const Term &stride : plan.strides)
    spec.globalStrides.push_back(evaluate(stride, facts.strides));
  spec.globalAddress = facts.address;
  spec.boxDims = plan.boxDims;
  spec.elementStrides = plan.elementStrides;
  spec.interleave = plan.interleave;
  spec.swizzle = plan.swizzle;
  spec.oobFill = plan.oobFill;
  spec.dimLabels = plan.dimLabels;
  return spec;
}

RequirementCheck attn::tma::checkRequirement(const StrideRequirement &req,
                                             const Fact &stride) {
  Status status = Status::Unknown;
  if (std::optional<uint64_t> v = stride.exactValue())
    status = static_cast<int64_t>(*v) == req.value ? Status::Holds
                                                   : Status::Violated;
  else if (!stride.mayBe(static_cast<uint64_t>(req.value)))
    status = Status::Violated;
  std::ostringstream os;
  os << "stride of memref dim " << req.source << " must be " << req.value
     << " elements (" << req.reason << "), got ";
  if (std::optional<uint64_t> v = stride.exactValue())
    os << static_cast<int64_t>(*v);
  else
    os << "a dynamic stride";
  return {&req, status, os.str()};
}

std::vector<RequirementCheck>
attn::tma::checkRequirements(const DescriptorPlan &plan,
                             const MemRefFacts &facts) {
  std::vector<RequirementCheck> result;
  for (const StrideRequirement &req : plan.requirements)
    result.push_back(checkRequirement(
        req, req.source < static_cast<int>(facts.strides.size())
                 ? facts.strides[req.source]
                 : Fact::unknown()));
  return result;
}

std::string attn::tma::describeViolation(const RequirementCheck &check) {
  return std::string("breaks descriptor requirement '") +
         StrideRequirement::kFoldedStride + "': " + check.message;
}

std::string attn::tma::describe(const DescriptorPlan &plan) {
  std::ostringstream os;
  auto list = [&](const char *name, const std::vector<Term> &terms,
                  const char *what) {
    os << " " << name << " [";
    for (size_t i = 0; i < terms.size(); ++i)
      os << (i ? ", " : "") << terms[i].str(what);
    os << "]";
  };
  os << elemTypeName(plan.elemType);
  list("dims", plan.dims, "size");
  list("strides", plan.strides, "stride");
  auto numbers = [&](const char *name, const std::vector<uint32_t> &values) {
    os << " " << name << " [";
    for (size_t i = 0; i < values.size(); ++i)
      os << (i ? ", " : "") << values[i];
    os << "]";
  };
  numbers("box", plan.boxDims);
  if (!plan.elementStrides.empty())
    numbers("element strides", plan.elementStrides);
  if (plan.interleave != Interleave::None)
    os << " interleave " << interleaveName(plan.interleave);
  os << " swizzle " << swizzleName(plan.swizzle);
  if (plan.oobFill != OobFill::None)
    os << " oob fill " << oobFillName(plan.oobFill);
  return os.str();
}
