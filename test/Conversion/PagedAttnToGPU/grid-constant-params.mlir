// RUN: attn-opt %s -split-input-file -paged-attn-grid-constant-params -verify-diagnostics | FileCheck %s

// A kernel (already an llvm.func) whose argument 0 is a TMA descriptor:
// it becomes a byval, 64-byte aligned grid_constant parameter, and the
// launch passes the 128 bytes its pointer operand points to.
// CHECK-LABEL: llvm.func @k(
// CHECK-SAME: %{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant}, %{{.*}}: i32)
// CHECK-SAME: attributes {gpu.kernel, nvvm.kernel}
// Kernels without the attribute are left alone.
// CHECK-LABEL: llvm.func @plain(%{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @host(
// CHECK: %[[BYTES:[0-9]+]] = llvm.load %{{.*}} {alignment = 64 : i64} : !llvm.ptr -> !llvm.array<128 x i8>
// CHECK: gpu.launch_func {{ *}}@kernels::@k {{.*}} args(%[[BYTES]] : !llvm.array<128 x i8>, %{{.*}} : i32)
// CHECK: gpu.launch_func {{ *}}@kernels::@plain {{.*}} args(%{{.*}} : !llvm.ptr)
// CHECK-NOT: paged_attn.grid_constant_args
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%desc: !llvm.ptr, %x: i32) attributes {gpu.kernel, nvvm.kernel, paged_attn.grid_constant_args = array<i32: 0>} {
      llvm.return
    }
    llvm.func @plain(%p: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel} {
      llvm.return
    }
  }
  llvm.func @host(%desc: !llvm.ptr, %x: i32) {
    %c1 = llvm.mlir.constant(1 : index) : i64
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) : i64 args(%desc : !llvm.ptr, %x : i32)
    gpu.launch_func @kernels::@plain blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) : i64 args(%desc : !llvm.ptr)
    llvm.return
  }
}

// -----

// Before convert-gpu-to-nvvm the kernel is a gpu.func: the pass runs too
// early in the pipeline, and says so.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%desc: !llvm.ptr) kernel attributes {paged_attn.grid_constant_args = array<i32: 0>} {
      gpu.return
    }
  }
  func.func @host(%desc: !llvm.ptr) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{launches a kernel with by-value TMA descriptors that is not an llvm.func yet: run --paged-attn-grid-constant-params after convert-gpu-to-nvvm}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%desc : !llvm.ptr)
    return
  }
}

// -----

// The listed operand must be the pointer to an encoded descriptor.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%desc: i64) attributes {gpu.kernel, nvvm.kernel, paged_attn.grid_constant_args = array<i32: 0>} {
      llvm.return
    }
  }
  llvm.func @host(%desc: i64) {
    %c1 = llvm.mlir.constant(1 : index) : i64
    // expected-error @+1 {{kernel operand 0 should point to an encoded TMA descriptor, got 'i64'}}
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) : i64 args(%desc : i64)
    llvm.return
  }
}
