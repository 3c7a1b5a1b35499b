//===- Dialects.cpp - C API for the paged_attn dialect ----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn-c/Dialects.h"

#include "attn/Conversion/Passes.h"
#include "attn/Dialect/PagedAttn/IR/PagedAttn.h"
#include "attn/Dialect/PagedAttn/Transforms/Passes.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Pass.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"

using namespace mlir;
using namespace mlir::paged_attn;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(PagedAttn, paged_attn,
                                      mlir::paged_attn::PagedAttnDialect)

//===----------------------------------------------------------------------===//
// KVLayoutAttr
//===----------------------------------------------------------------------===//

static_assert(static_cast<int>(KVLayout::HND) == MlirPagedAttnKVLayoutHND &&
                  static_cast<int>(KVLayout::NHD) == MlirPagedAttnKVLayoutNHD,
              "MlirPagedAttnKVLayout must mirror paged_attn::KVLayout");

bool mlirAttributeIsAPagedAttnKVLayoutAttr(MlirAttribute attr) {
  return isa<KVLayoutAttr>(unwrap(attr));
}

MlirAttribute mlirPagedAttnKVLayoutAttrGet(MlirContext ctx,
                                           MlirPagedAttnKVLayout layout) {
  MLIRContext *context = unwrap(ctx);
  context->getOrLoadDialect<PagedAttnDialect>();
  return wrap(KVLayoutAttr::get(context, static_cast<KVLayout>(layout)));
}

MlirPagedAttnKVLayout mlirPagedAttnKVLayoutAttrGetValue(MlirAttribute attr) {
  return static_cast<MlirPagedAttnKVLayout>(
      cast<KVLayoutAttr>(unwrap(attr)).getValue());
}

MlirStringRef mlirPagedAttnKVLayoutAttrGetName(void) {
  return wrap(KVLayoutAttr::name);
}

//===----------------------------------------------------------------------===//
// Passes (generated)
//===----------------------------------------------------------------------===//

#ifdef __cplusplus
extern "C" {
#endif
#include "attn-c/AttnConversionPasses.capi.cpp.inc"
#include "attn-c/PagedAttnPasses.capi.cpp.inc"
#ifdef __cplusplus
}
#endif
