/*===- capi.c - C API test: dialect, attributes, registration, pipeline ---===*\
|*                                                                            *|
|* Part of the attn-mlir project.                                             *|
|*                                                                            *|
|*===----------------------------------------------------------------------===*|
|*                                                                            *|
|* attn-capi-test [--toolkit DIR [--out PREFIX]]                             *|
|*                                                                            *|
|* Uses only the C API (attn-c/*.h, mlir-c/*.h): creates a context, registers *|
|* the dialects, parses a decode module, checks the kv_layout helpers, runs a *|
|* created pass and the pipeline with bad options (diagnostics through the    *|
|* context's handler). With --toolkit (the CUDA root, for libdevice), it also *|
|* compiles the module to PTX for sm_90a and sm_100a; with --out, it writes   *|
|* each result to PREFIX.<chip>.mlir (for scripts/extract-ptx.sh + ptxas).    *|
|* Prints one line per check; exits non-zero on the first failed check.       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

// RUN: attn-capi-test | FileCheck %s
// The PTX part runs in pipeline.test (it needs the CUDA toolkit).

// The version comes first.
// CHECK: attn-mlir {{[0-9]+\.[0-9]+\.[0-9]+}} (LLVM/MLIR 22

#include "attn-c/Dialects.h"
#include "attn-c/Pipelines.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "mlir-c/Support.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kDecodeModule =
    "func.func @decode_hnd(\n"
    "    %q: memref<?x32x128xbf16, strided<[6144, 128, 1]>>,\n"
    "    %k: memref<?x8x16x128xbf16>, %v: memref<?x8x16x128xbf16>,\n"
    "    %bt: memref<?x?xi32>, %sl: memref<?xi32>,\n"
    "    %o: memref<?x32x128xbf16>) {\n"
    "  paged_attn.decode\n"
    "      q(%q : memref<?x32x128xbf16, strided<[6144, 128, 1]>>)\n"
    "      k_cache(%k : memref<?x8x16x128xbf16>)\n"
    "      v_cache(%v : memref<?x8x16x128xbf16>)\n"
    "      block_table(%bt : memref<?x?xi32>) seq_lens(%sl : memref<?xi32>)\n"
    "      out(%o : memref<?x32x128xbf16>)\n"
    "      {kv_layout = #paged_attn.kv_layout<hnd>, scale = 0.0883883 : f32}\n"
    "  return\n"
    "}\n";

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

#define CHECK_OR_DIE(cond, what)                                               \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stdout, "FAILED: %s\n", what);                                   \
      fflush(stdout);                                                          \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/// A growable string that MLIR print callbacks append to.
typedef struct {
  char *data;
  size_t size;
  size_t capacity;
} Buffer;

static void appendToBuffer(MlirStringRef str, void *userData) {
  Buffer *buffer = (Buffer *)userData;
  if (buffer->size + str.length + 1 > buffer->capacity) {
    size_t capacity = 2 * (buffer->size + str.length + 1);
    char *data = (char *)realloc(buffer->data, capacity);
    CHECK_OR_DIE(data, "out of memory");
    buffer->data = data;
    buffer->capacity = capacity;
  }
  memcpy(buffer->data + buffer->size, str.data, str.length);
  buffer->size += str.length;
  buffer->data[buffer->size] = '\0';
}

static void clearBuffer(Buffer *buffer) {
  free(buffer->data);
  buffer->data = NULL;
  buffer->size = buffer->capacity = 0;
}

static void printAttribute(const char *prefix, MlirAttribute attr) {
  Buffer text = {NULL, 0, 0};
  mlirAttributePrint(attr, appendToBuffer, &text);
  printf("%s%s\n", prefix, text.data ? text.data : "");
  clearBuffer(&text);
}

/// Prints the first line of a diagnostic (or note): the "see current
/// operation" notes would otherwise print whole modules.
static void printFirstLine(const char *prefix, MlirDiagnostic diagnostic) {
  Buffer text = {NULL, 0, 0};
  mlirDiagnosticPrint(diagnostic, appendToBuffer, &text);
  if (text.data) {
    char *newline = strchr(text.data, '\n');
    if (newline)
      *newline = '\0';
  }
  printf("%s%s\n", prefix, text.data ? text.data : "");
  clearBuffer(&text);
}

static const char *severityName(MlirDiagnosticSeverity severity) {
  switch (severity) {
  case MlirDiagnosticError:
    return "error";
  case MlirDiagnosticWarning:
    return "warning";
  case MlirDiagnosticNote:
    return "note";
  case MlirDiagnosticRemark:
    return "remark";
  }
  return "?";
}

/// The context's diagnostic handler: prints every diagnostic and its notes on
/// stdout, as "diagnostic: <severity>: <message>", and counts the errors.
static MlirLogicalResult handleDiagnostic(MlirDiagnostic diagnostic,
                                          void *userData) {
  MlirDiagnosticSeverity severity = mlirDiagnosticGetSeverity(diagnostic);
  if (severity == MlirDiagnosticError)
    ++*(int *)userData;
  char prefix[64];
  snprintf(prefix, sizeof(prefix), "diagnostic: %s: ", severityName(severity));
  printFirstLine(prefix, diagnostic);
  for (intptr_t i = 0, e = mlirDiagnosticGetNumNotes(diagnostic); i < e; ++i)
    printFirstLine("diagnostic:   note: ",
                   mlirDiagnosticGetNote(diagnostic, i));
  return mlirLogicalResultSuccess();
}

typedef struct {
  const char *name;
  MlirOperation found;
} FindOp;

static MlirWalkResult findOpCallback(MlirOperation op, void *userData) {
  FindOp *find = (FindOp *)userData;
  MlirStringRef name = mlirIdentifierStr(mlirOperationGetName(op));
  if (name.length == strlen(find->name) &&
      strncmp(name.data, find->name, name.length) == 0) {
    find->found = op;
    return MlirWalkResultInterrupt;
  }
  return MlirWalkResultAdvance;
}

/// The first op named `name` under `module` (null if none).
static MlirOperation findOp(MlirModule module, const char *name) {
  FindOp find = {name, {NULL}};
  mlirOperationWalk(mlirModuleGetOperation(module), findOpCallback, &find,
                    MlirWalkPreOrder);
  return find.found;
}

static MlirModule parseDecodeModule(MlirContext ctx) {
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kDecodeModule));
  CHECK_OR_DIE(!mlirModuleIsNull(module), "parse the decode module");
  return module;
}

//===----------------------------------------------------------------------===//
// Checks
//===----------------------------------------------------------------------===//

static void testDialectAndAttributes(MlirContext ctx) {
  MlirStringRef ns =
      mlirDialectHandleGetNamespace(mlirGetDialectHandle__paged_attn__());
  printf("dialect: %.*s\n", (int)ns.length, ns.data);
  // CHECK-LABEL: dialect: paged_attn

  MlirStringRef name = mlirPagedAttnKVLayoutAttrGetName();
  printf("attribute name: %.*s\n", (int)name.length, name.data);
  // CHECK: attribute name: paged_attn.kv_layout

  MlirAttribute hnd =
      mlirPagedAttnKVLayoutAttrGet(ctx, MlirPagedAttnKVLayoutHND);
  MlirAttribute nhd =
      mlirPagedAttnKVLayoutAttrGet(ctx, MlirPagedAttnKVLayoutNHD);
  printAttribute("hnd: ", hnd);
  printAttribute("nhd: ", nhd);
  // CHECK: hnd: #paged_attn.kv_layout<hnd>
  // CHECK: nhd: #paged_attn.kv_layout<nhd>
  CHECK_OR_DIE(mlirAttributeIsAPagedAttnKVLayoutAttr(hnd) &&
                   mlirAttributeIsAPagedAttnKVLayoutAttr(nhd),
               "kv_layout attributes are kv_layout attributes");
  CHECK_OR_DIE(
      mlirPagedAttnKVLayoutAttrGetValue(hnd) == MlirPagedAttnKVLayoutHND &&
          mlirPagedAttnKVLayoutAttrGetValue(nhd) == MlirPagedAttnKVLayoutNHD,
      "kv_layout values round-trip");
  CHECK_OR_DIE(!mlirAttributeEqual(hnd, nhd), "hnd != nhd");
  MlirAttribute i32 = mlirTypeAttrGet(mlirIntegerTypeGet(ctx, 32));
  CHECK_OR_DIE(!mlirAttributeIsAPagedAttnKVLayoutAttr(i32),
               "a type attribute is not a kv_layout attribute");
  printf("kv_layout helpers: ok\n");
  // CHECK: kv_layout helpers: ok

  // The same attribute parses from text.
  MlirAttribute parsed = mlirAttributeParseGet(
      ctx, mlirStringRefCreateFromCString("#paged_attn.kv_layout<nhd>"));
  CHECK_OR_DIE(mlirAttributeEqual(parsed, nhd), "parsed kv_layout == nhd");
}

static void testParseAndVerifyTma(MlirContext ctx) {
  MlirModule module = parseDecodeModule(ctx);
  MlirOperation decode = findOp(module, "paged_attn.decode");
  CHECK_OR_DIE(!mlirOperationIsNull(decode), "find paged_attn.decode");
  MlirAttribute layout = mlirOperationGetAttributeByName(
      decode, mlirStringRefCreateFromCString("kv_layout"));
  CHECK_OR_DIE(mlirAttributeIsAPagedAttnKVLayoutAttr(layout) &&
                   mlirPagedAttnKVLayoutAttrGetValue(layout) ==
                       MlirPagedAttnKVLayoutHND,
               "the parsed op's kv_layout is hnd");
  printAttribute("parsed decode: kv_layout = ", layout);
  // CHECK: parsed decode: kv_layout = #paged_attn.kv_layout<hnd>

  // A pass created through the generated C API.
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  mlirPassManagerAddOwnedPass(pm, mlirCreatePagedAttnPagedAttnVerifyTma());
  MlirLogicalResult result =
      mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module));
  CHECK_OR_DIE(mlirLogicalResultIsSuccess(result), "run paged-attn-verify-tma");
  printf("paged-attn-verify-tma: %s\n",
         mlirOperationIsNull(findOp(module, "paged_attn.decode")) ? "lost op"
                                                                  : "ok");
  // CHECK: paged-attn-verify-tma: ok
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
}

static void printPipelineError(MlirStringRef message, void *userData) {
  (void)userData;
  printf("pipeline parse: %.*s\n", (int)message.length, message.data);
}

static void testRegisteredPipeline(MlirContext ctx) {
  // attnRegisterPipelines makes the pipeline known by name.
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirLogicalResult result = mlirParsePassPipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString(
          "builtin.module(paged-attn-to-nvvm{chip=sm_100a format=isa})"),
      printPipelineError, NULL);
  CHECK_OR_DIE(mlirLogicalResultIsSuccess(result),
               "parse a pipeline naming paged-attn-to-nvvm");
  Buffer text = {NULL, 0, 0};
  mlirPrintPassPipeline(mlirPassManagerGetAsOpPassManager(pm), appendToBuffer,
                        &text);
  printf("registered pipeline: %s\n",
         text.data && strstr(text.data, "paged-attn-check-target") &&
                 strstr(text.data, "convert-paged-attn-to-gpu") &&
                 strstr(text.data, "gpu-module-to-binary")
             ? "paged-attn-to-nvvm"
             : "(unexpected stages)");
  // CHECK: registered pipeline: paged-attn-to-nvvm
  clearBuffer(&text);
  mlirPassManagerDestroy(pm);
}

static void testBadOptions(MlirContext ctx, const int *numErrors) {
  static const char *kBadOptions[] = {
      "chip=sm_80 format=isa", "chip=sm_100a ptx-features=+ptx80 format=isa",
      "format=elf", "no-such-option=1", "opt-level=fast"};
  for (size_t i = 0; i < sizeof(kBadOptions) / sizeof(kBadOptions[0]); ++i) {
    MlirModule module = parseDecodeModule(ctx);
    int errorsBefore = *numErrors;
    printf("options '%s':\n", kBadOptions[i]);
    MlirLogicalResult result = attnRunPagedAttnToNVVM(
        module, mlirStringRefCreateFromCString(kBadOptions[i]));
    CHECK_OR_DIE(mlirLogicalResultIsFailure(result), "bad options fail");
    CHECK_OR_DIE(*numErrors > errorsBefore,
                 "bad options are reported through the diagnostic handler");
    printf("  -> failure\n");
    mlirModuleDestroy(module);
  }
  // clang-format off
  // CHECK-LABEL: options 'chip=sm_80 format=isa':
  // CHECK-NEXT: diagnostic: error: paged-attn-to-nvvm: unknown chip 'sm_80': expected sm_90a or sm_100a
  // CHECK: -> failure
  // CHECK-LABEL: options 'chip=sm_100a ptx-features=+ptx80 format=isa':
  // CHECK-NEXT: diagnostic: error: paged-attn-to-nvvm: ptx-features '+ptx80' is too old for sm_100a
  // CHECK: -> failure
  // CHECK-LABEL: options 'format=elf':
  // CHECK-NEXT: diagnostic: error: paged-attn-to-nvvm: {{.*}}elf
  // CHECK: -> failure
  // CHECK-LABEL: options 'no-such-option=1':
  // CHECK-NEXT: diagnostic: error: paged-attn-to-nvvm: invalid options 'no-such-option=1'
  // CHECK-NEXT: diagnostic:   note: {{.*}}no such option no-such-option
  // CHECK-NEXT: diagnostic:   note: expected space-separated key=value pairs of chip, format, ptx-features, toolkit, opt-level, report
  // CHECK-NEXT: -> failure
  // CHECK-LABEL: options 'opt-level=fast':
  // CHECK-NEXT: diagnostic: error: paged-attn-to-nvvm: invalid options 'opt-level=fast'
  // CHECK-NEXT: diagnostic:   note: expected space-separated key=value pairs
  // CHECK-NEXT: -> failure
  // clang-format on
}

/// Compiles the decode module for `chip` and checks that the kernels became
/// a gpu.binary holding PTX for that chip.
static void testCompile(MlirContext ctx, const char *chip, const char *toolkit,
                        const char *outPrefix) {
  char options[1024];
  snprintf(options, sizeof(options), "chip=%s format=isa toolkit=%s", chip,
           toolkit);
  MlirModule module = parseDecodeModule(ctx);
  MlirLogicalResult result =
      attnRunPagedAttnToNVVM(module, mlirStringRefCreateFromCString(options));
  CHECK_OR_DIE(mlirLogicalResultIsSuccess(result), "compile to PTX");
  CHECK_OR_DIE(mlirOperationIsNull(findOp(module, "paged_attn.decode")) &&
                   mlirOperationIsNull(findOp(module, "gpu.module")),
               "no paged_attn.decode or gpu.module left");
  MlirOperation binary = findOp(module, "gpu.binary");
  CHECK_OR_DIE(!mlirOperationIsNull(binary), "a gpu.binary");

  Buffer text = {NULL, 0, 0};
  mlirOperationPrint(mlirModuleGetOperation(module), appendToBuffer, &text);
  char target[64];
  snprintf(target, sizeof(target), ".target %s", chip);
  CHECK_OR_DIE(strstr(text.data, "gpu.binary @paged_attn_kernels"),
               "gpu.binary @paged_attn_kernels");
  CHECK_OR_DIE(strstr(text.data, target), "PTX for the chip");
  CHECK_OR_DIE(strstr(text.data, "llvm.func @decode_hnd"),
               "host code in the LLVM dialect");
  printf("%s: gpu.binary @paged_attn_kernels with PTX (%s), host "
         "llvm.func @decode_hnd\n",
         chip, target);
  if (outPrefix) {
    char path[1024];
    snprintf(path, sizeof(path), "%s.%s.mlir", outPrefix, chip);
    FILE *file = fopen(path, "w");
    CHECK_OR_DIE(file, "open the output file");
    fwrite(text.data, 1, text.size, file);
    fclose(file);
  }
  clearBuffer(&text);
  mlirModuleDestroy(module);
  // clang-format off
  // PTX: sm_90a: gpu.binary @paged_attn_kernels with PTX (.target sm_90a), host llvm.func @decode_hnd
  // PTX: sm_100a: gpu.binary @paged_attn_kernels with PTX (.target sm_100a), host llvm.func @decode_hnd
  // clang-format on
}

int main(int argc, char **argv) {
  const char *toolkit = NULL;
  const char *outPrefix = NULL;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--toolkit") == 0 && i + 1 < argc)
      toolkit = argv[++i];
    else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      outPrefix = argv[++i];
    else {
      fprintf(stderr, "usage: %s [--toolkit DIR [--out PREFIX]]\n", argv[0]);
      return 2;
    }
  }

  MlirStringRef version = attnGetVersionString();
  printf("%.*s\n", (int)version.length, version.data);

  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  attnRegisterAllDialects(registry);
  MlirContext ctx = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  int numErrors = 0;
  mlirContextAttachDiagnosticHandler(ctx, handleDiagnostic, &numErrors, NULL);
  // Registration is idempotent: calling twice is fine.
  attnRegisterPipelines();
  attnRegisterPipelines();

  testDialectAndAttributes(ctx);
  testParseAndVerifyTma(ctx);
  testRegisteredPipeline(ctx);
  testBadOptions(ctx, &numErrors);

  if (toolkit) {
    int errorsBefore = numErrors;
    testCompile(ctx, "sm_90a", toolkit, outPrefix);
    testCompile(ctx, "sm_100a", toolkit, outPrefix);
    CHECK_OR_DIE(numErrors == errorsBefore, "no error while compiling");
  } else {
    printf("compile: not run (no --toolkit)\n");
  }

  attnRegisterAllPasses();
  attnRegisterAllPasses();
  mlirContextDestroy(ctx);
  printf("done\n");
  // CHECK: done
  return 0;
}
