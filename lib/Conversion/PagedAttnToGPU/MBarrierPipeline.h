//===- MBarrierPipeline.h - mbarrier-driven multi-stage pipelines -*- C++ -*-=//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// A multi-stage TMA pipeline on mbarriers: stage s of a ring of `stages`
// buffers has a "full" barrier that the producer arms with the bytes it
// expects (arrive.expect_tx) and the consumers wait on; iteration i uses
// stage i % stages with phase parity (i / stages) % 2. Extra one-shot
// barriers (e.g. for q) follow the stages. Internal to lib/Conversion.
//
// The decode kernel frees a stage with a CTA barrier once every warp has
// read it (its loads are issued by thread 0 of the computing warps); the
// "empty" barriers of a producer-warp pipeline join this class with the
// first kernel that has a producer warp.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_MBARRIERPIPELINE_H
#define ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_MBARRIERPIPELINE_H

#include "KernelBuilder.h"

namespace mlir {
namespace paged_attn {

class MBarrierPipeline {
public:
  /// Creates the group of `stages + extra` mbarriers in shared memory; a
  /// stage's phase completes after `arrivals` arrivals (and its bytes), an
  /// extra barrier's after one.
  MBarrierPipeline(KernelBuilder &k, int64_t stages, int64_t extra,
                   int64_t arrivals = 1);

  /// The nvgpu.mbarrier.group value (for TMA loads).
  Value barriers() const { return group; }
  int64_t stages() const { return numStages; }
  /// The index of extra barrier `i` (after the stages).
  Value extra(int64_t i) { return k.idx(numStages + i); }

  /// One thread: initializes every barrier, then fences the initialization
  /// for the async proxy.
  void init();
  /// The calling thread arrives on `barrier` (a consumer releasing a
  /// stage).
  void arrive(Value barrier);
  /// The producer: arrive on `barrier` expecting `bytes` more bytes.
  void expectBytes(Value bytes, Value barrier, Value predicate = Value());
  /// Waits until `barrier` completes the phase of parity `parity` (i1).
  void wait(Value barrier, Value parity);
  /// Waits for the first phase of `barrier` (a one-shot barrier).
  void waitFirstPhase(Value barrier);

  /// The stage and phase parity of iteration `i`, an index below 2^31 (a
  /// tile of a sequence whose tokens are i32): computed in 32 bits, where
  /// an index is 64 and its division by the stage count several
  /// instructions.
  Value stageOf(Value i);
  Value parityOf(Value i);

private:
  KernelBuilder &k;
  int64_t numStages, numExtra, numArrivals;
  Value group;
};

} // namespace paged_attn
} // namespace mlir

#endif // ATTN_LIB_CONVERSION_PAGEDATTNTOGPU_MBARRIERPIPELINE_H
