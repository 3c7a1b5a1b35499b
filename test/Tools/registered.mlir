// The upstream dialects the pipeline needs are registered in attn-opt.
// RUN: attn-opt %s | FileCheck %s
// RUN: attn-opt --help | FileCheck %s --check-prefix=PASSES

// CHECK-LABEL: func.func @uses_upstream_dialects
// CHECK: gpu.thread_id
// CHECK: nvvm.read.ptx.sreg.tid.x
// CHECK: nvgpu.mbarrier.create
// CHECK: vector.broadcast
// CHECK: math.exp
// CHECK: scf.for
// CHECK: cf.br
// CHECK: llvm.mlir.constant
func.func @uses_upstream_dialects(%x: f32) {
  %t = gpu.thread_id x
  %r = nvvm.read.ptx.sreg.tid.x : i32
  %b = nvgpu.mbarrier.create -> !nvgpu.mbarrier.group<memorySpace = #gpu.address_space<workgroup>>
  %v = vector.broadcast %x : f32 to vector<4xf32>
  %e = math.exp %x : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
  }
  cf.br ^bb1
^bb1:
  %l = llvm.mlir.constant(1 : i32) : i32
  return
}

// PASSES-DAG: --convert-nvgpu-to-nvvm
// PASSES-DAG: --gpu-module-to-binary
// PASSES-DAG: --nvvm-attach-target
// PASSES-DAG: --gpu-lower-to-nvvm-pipeline
// PASSES-DAG: --gpu-to-llvm
// PASSES-DAG: --convert-gpu-to-nvvm
