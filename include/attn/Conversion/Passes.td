//===- Passes.td - attn-mlir conversion passes -------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CONVERSION_PASSES_TD
#define ATTN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertPagedAttnToGPU : Pass<"convert-paged-attn-to-gpu", "ModuleOp"> {
  let summary = "Lower paged_attn ops to host code and gpu/nvgpu kernels";
  let description = [{
    Replaces every `paged_attn.decode` with host code and adds its kernel
    (split-KV decode, whose last CTA of each row group merges the splits)
    to the `gpu.module @paged_attn_kernels` of the module:

    - each TMA descriptor (q, k_cache, v_cache) is the one
      `deriveTmaDescriptors` gives, instantiated from its own memref's
      runtime sizes, strides and offset and encoded by the runtime's
      `attnTmaEncode`, which checks every TMA rule first and records an
      error instead of encoding when one fails;
    - `paged_attn.check_tma` becomes a call of `attnTmaCheck` with the same
      instantiated descriptor;
    - the kernels are launched only when no check or encoding failed
      (`attnRuntimeStatusOk`); decode's number of KV splits is chosen at
      run time from the batch, the heads, the block table's width and the
      multiprocessor count; prefill launches one CTA per q tile and kv
      head on a grid of host-known sizes (ceil(num_tokens / tile tokens)
      + batch tiles), and each CTA finds its request on the device.

    Functions that held an attention op get `llvm.emit_c_interface`, so
    their `_mlir_ciface_` wrappers take memref descriptors by pointer.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "Target chip: sm_90a or sm_100a">,
    Option<"prefillKernel", "prefill-kernel", "std::string",
           /*default=*/"\"auto\"",
           "Which prefill kernel: auto (wgmma where the chip and cache "
           "allow it) or portable (the mma.sync kernel sm_100a gets, e.g. "
           "to run it on an sm_90a machine)">,
    Option<"prefillEpilogue", "prefill-epilogue", "std::string",
           /*default=*/"\"auto\"",
           "How the prefill epilogue writes out where its start and strides "
           "are multiples of 16 bytes: auto (rows staged in the q tile, "
           "16-byte stores) or tma-bulk (the wgmma kernel copies each row "
           "by cp.async.bulk, the TMA engine, from a free K/V stage)">,
    Option<"decodeNvfp4", "decode-nvfp4", "std::string",
           /*default=*/"\"auto\"",
           "How register-dequantized decode converts NVFP4: auto "
           "(byte-pairs where the chip has cvt.rn.f16x2.e2m1x2, sm_100a; "
           "placement elsewhere), byte-pairs (each byte into an f16 pair, "
           "by that cvt or its exact integer equivalent, e.g. to run "
           "sm_100a's kernel on an sm_90a machine), placement (sign and "
           "code bits shifted into place) or leave-out (measurement only, "
           "wrong outputs: the staged words go to the MMAs unconverted and "
           "unscaled, timing everything but the conversion)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def PagedAttnCheckTarget : Pass<"paged-attn-check-target", "ModuleOp"> {
  let summary = "Diagnose bad target options before anything is lowered";
  let description = [{
    The first pass of `--paged-attn-to-nvvm`. Checks that the chip is
    sm_90a or sm_100a, that the PTX feature (`+ptxNN`) is one LLVM 22 knows
    and is new enough for the chip (sm_90a needs PTX 8.0, sm_100a PTX 8.6:
    older ones make the NVPTX backend abort), that the format is isa, bin
    or fatbin, that the NVVM optimization level is 0-3, that the toolkit
    has libdevice (`nvvm/libdevice/libdevice.10.bc`: the kernels' math
    links it, for every format) and, for bin and fatbin, `bin/ptxas` (and
    `bin/fatbinary` for fatbin). Each problem is an error on the module; no
    LLVM fatal error is ever reached.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "Target chip: sm_90a or sm_100a">,
    Option<"ptxFeatures", "ptx-features", "std::string", /*default=*/"\"\"",
           "PTX ISA feature, e.g. +ptx80; empty for the chip's default">,
    Option<"format", "format", "std::string", /*default=*/"\"fatbin\"",
           "isa (PTX text), bin (cubin) or fatbin">,
    Option<"toolkit", "toolkit", "std::string", /*default=*/"\"\"",
           "CUDA toolkit root; empty for $CUDA_HOME or /usr/local/cuda">,
    Option<"optLevel", "opt-level", "int", /*default=*/"3",
           "NVVM optimization level (0-3)">,
  ];
}

def PagedAttnGridConstantParams
    : Pass<"paged-attn-grid-constant-params", "ModuleOp"> {
  let summary = "Pass TMA descriptors by value as __grid_constant__ kernel "
                "parameters";
  let description = [{
    Runs once the kernels are `llvm.func`s (after `convert-gpu-to-nvvm`)
    and before the host's launches are lowered. Each kernel argument listed
    in the kernel's `paged_attn.grid_constant_args` attribute (an
    `!llvm.ptr` to an encoded CUtensorMap, as `convert-paged-attn-to-gpu`
    emits them) becomes a `byval([128 x i8])`, 64-byte aligned
    `nvvm.grid_constant` parameter, PTX `.param .align 64 .b8 p[128]` whose
    generic address (`cvta.param`) TMA reads; and each `gpu.launch_func` of
    such a kernel passes the 128 bytes its pointer operand points to, by
    value. A launch, or a CUDA graph's kernel node, then carries the
    descriptors themselves: nothing the call owns is read after the launch
    (what makes a captured call replay correctly). MLIR 22's `gpu.func`
    keeps neither `llvm.byval` nor `nvvm.grid_constant` through the
    conversion, hence this pass. Kernels without the attribute are left
    alone.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // ATTN_CONVERSION_PASSES_TD
