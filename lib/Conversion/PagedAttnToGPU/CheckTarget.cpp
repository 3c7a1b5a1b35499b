//===- CheckTarget.cpp - Diagnose bad target options ----------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Conversion/Passes.h"

#include "attn/Support/TargetInfo.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

namespace mlir {
namespace paged_attn {
#define GEN_PASS_DEF_PAGEDATTNCHECKTARGET
#include "attn/Conversion/Passes.h.inc"
} // namespace paged_attn
} // namespace mlir

using namespace mlir;

/// PTX ISA versions (times 10) the NVPTX backend of LLVM 22 knows from 8.0
/// on; older ones are too old for either chip.
static bool isKnownPtxVersion(unsigned version) {
  return (version >= 80 && version <= 88) || version == 90;
}

std::string mlir::paged_attn::getToolkitPath(StringRef option) {
  if (!option.empty())
    return option.str();
  if (const char *home = std::getenv("CUDA_HOME"); home && *home)
    return home;
  return "/usr/local/cuda";
}

namespace {
struct PagedAttnCheckTargetPass
    : public paged_attn::impl::PagedAttnCheckTargetBase<
          PagedAttnCheckTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool ok = true;
    toolkit = paged_attn::getToolkitPath(toolkit);
    auto error = [&]() -> InFlightDiagnostic {
      ok = false;
      return module.emitError("paged-attn-to-nvvm: ");
    };

    const attn::TargetInfo *target = attn::TargetInfo::lookup(chip);
    unsigned minPtx = target ? target->minPtxVersion() : 0;
    if (!target)
      error() << "unknown chip '" << chip << "': expected "
              << attn::TargetInfo::knownChips()
              << " (the 'a' targets: the kernels use TMA and arch-specific "
                 "instructions)";

    unsigned oldestPtx = ~0u;
    for (const attn::TargetInfo *info : attn::TargetInfo::all())
      oldestPtx = std::min(oldestPtx, info->minPtxVersion());
    if (!ptxFeatures.empty()) {
      StringRef feature = ptxFeatures;
      unsigned version = 0;
      if (!feature.consume_front("+ptx") || feature.getAsInteger(10, version))
        error() << "ptx-features '" << ptxFeatures
                << "' is not of the form +ptxNN (e.g. +ptx86)";
      else if (version < oldestPtx) {
        InFlightDiagnostic diag = error();
        diag << "ptx-features '" << ptxFeatures << "': PTX ISA " << version / 10
             << "." << version % 10 << " is too old for either chip (";
        for (const attn::TargetInfo *info : attn::TargetInfo::all())
          diag << (info == attn::TargetInfo::all().front() ? "" : ", ")
               << info->name()
               << (info == attn::TargetInfo::all().front() ? " needs " : " ")
               << info->defaultPtxFeatures();
        diag << ")";
      } else if (!isKnownPtxVersion(version))
        error() << "ptx-features '" << ptxFeatures << "': PTX ISA "
                << version / 10 << "." << version % 10
                << " is not one LLVM 22 can emit (8.0-8.8, 9.0)";
      else if (minPtx != 0 && version < minPtx)
        error() << "ptx-features '" << ptxFeatures << "' is too old for "
                << chip << ": it needs +ptx" << minPtx << " or later";
    }

    bool knownFormat = format == "isa" || format == "bin" || format == "fatbin";
    if (!knownFormat)
      error() << "unknown format '" << format
              << "': expected isa (PTX text), bin (cubin) or fatbin";

    if (optLevel < 0 || optLevel > 3)
      error() << "opt-level " << static_cast<int>(optLevel) << " is not in 0-3";

    // The toolkit: libdevice for every format, ptxas for cubins.
    if (knownFormat) {
      SmallString<128> libdevice(toolkit);
      llvm::sys::path::append(libdevice, "nvvm", "libdevice",
                              "libdevice.10.bc");
      if (!llvm::sys::fs::exists(libdevice))
        error() << "the kernels need libdevice, but '" << libdevice
                << "' does not exist; set toolkit=<CUDA root> or CUDA_HOME";
    }

    if (knownFormat && format != "isa") {
      SmallString<128> ptxas(toolkit);
      llvm::sys::path::append(ptxas, "bin", "ptxas");
      if (!llvm::sys::fs::can_execute(ptxas))
        error() << "format=" << format << " needs ptxas, but '" << ptxas
                << "' does not exist; set toolkit=<CUDA root> or CUDA_HOME, "
                   "or use format=isa for PTX text";
      SmallString<128> fatbinary(toolkit);
      llvm::sys::path::append(fatbinary, "bin", "fatbinary");
      if (format == "fatbin" && llvm::sys::fs::can_execute(ptxas) &&
          !llvm::sys::fs::can_execute(fatbinary))
        error() << "format=fatbin needs fatbinary, but '" << fatbinary
                << "' does not exist";
    }
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
