"""What a serving engine needs of a compiled decode: CUDA graph capture and
replay, asynchronous calls on torch's current stream, the runtime-owned
split-KV workspace, and every GPU of the process (the multi-GPU tests need
two devices and are skipped, by name, on one)."""

import ctypes

import pytest

import attn_mlir
from conftest import requires_gpu, torch
from decode_matrix import Config
from test_decode import assert_matches, make_inputs

pytestmark = requires_gpu

CFG = Config()  # bf16, HND, head_dim 128, group 4, page 16
NVFP4 = Config(kv_dtype="nvfp4", global_scales=True)
# Long enough that batch 3 takes the split-KV path (its merge and workspace).
LONG = [2999, 1, 1500]


def refill(inputs, seed):
    """New random contents in the same tensors (what a graph replay reads)."""
    gen = torch.Generator(device="cpu").manual_seed(seed)
    for t in (inputs.q, inputs.k_cache, inputs.v_cache):
        if t.element_size() == 1:  # fp8 / packed nvfp4: keep the bytes valid
            perm = torch.randperm(t.numel(), generator=gen).to(t.device)
            flat = t.view(torch.uint8).reshape(-1)
            flat.copy_(flat[perm])
        else:
            t.copy_(torch.randn(t.shape, generator=gen).to(t.dtype))


@pytest.mark.parametrize("cfg", [CFG, NVFP4], ids=lambda c: c.name)
def test_graph_replays_with_new_contents(matrix_lib, cfg):
    """Capture once, replay three times after writing new q/K/V contents
    into the captured tensors: every replay matches the reference."""
    inputs = make_inputs(cfg, 3, False, False, seed=31, lens=LONG)
    out = inputs.new_out(cfg)
    matrix_lib.call(cfg.name, *inputs.args(out))  # warm-up: sizes the workspace
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        matrix_lib.call(cfg.name, *inputs.args(out))
    for replay in range(3):
        refill(inputs, seed=100 + replay)
        out.fill_(float("nan"))
        graph.replay()
        torch.cuda.synchronize()
        assert_matches(cfg, inputs, out, f"replay {replay}")


def test_graphs_at_two_batch_sizes(matrix_lib):
    """Graphs captured at batch 3 (split-KV) and batch 40 (one split) both
    replay correctly, interleaved, with new contents each time."""
    small = make_inputs(CFG, 3, False, True, seed=41, lens=LONG)
    large = make_inputs(CFG, 40, True, False, seed=42)
    graphs = []
    for inputs in (small, large):
        out = inputs.new_out(CFG)
        matrix_lib.call(CFG.name, *inputs.args(out))
        torch.cuda.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            matrix_lib.call(CFG.name, *inputs.args(out))
        graphs.append((inputs, out, graph))
    for step in range(3):
        for i, (inputs, out, graph) in enumerate(graphs):
            refill(inputs, seed=200 + 10 * step + i)
            out.fill_(float("nan"))
            graph.replay()
        torch.cuda.synchronize()
        for i, (inputs, out, graph) in enumerate(graphs):
            assert_matches(CFG, inputs, out, f"graph {i}, step {step}")


class _DeviceWords:
    """`count` int32 at device address `ptr`, for torch.as_tensor."""

    def __init__(self, ptr, count):
        self.__cuda_array_interface__ = {
            "shape": (count,), "typestr": "<i4", "data": (ptr, False),
            "version": 3}


def split_counters(lib, count=4096):
    """A copy of the runtime's first `count` split counters (at least 4096
    come with any workspace)."""
    runtime = lib.runtime.lib
    runtime.attnRuntimeSplitCounters.argtypes = [ctypes.c_int64]
    runtime.attnRuntimeSplitCounters.restype = ctypes.c_void_p
    ptr = runtime.attnRuntimeSplitCounters(count)
    lib.runtime.check("attnRuntimeSplitCounters")
    return torch.as_tensor(_DeviceWords(ptr, count), device="cuda").clone()


@pytest.mark.parametrize("cfg", [CFG, NVFP4], ids=lambda c: c.name)
def test_split_merges_back_to_back(matrix_lib, cfg):
    """Eight split-KV calls queued without a synchronization, each with its
    own inputs and out: the last CTA of each row group merges its own
    call's splits (a counter one call left behind would make the next merge
    early or never), and every split counter is zero afterwards."""
    calls = [make_inputs(cfg, 3, False, False, seed=71 + i, lens=LONG)
             for i in range(8)]
    outs = [inputs.new_out(cfg) for inputs in calls]
    torch.cuda.synchronize()
    for inputs, out in zip(calls, outs):
        matrix_lib.call(cfg.name, *inputs.args(out))
    torch.cuda.synchronize()
    for i, (inputs, out) in enumerate(zip(calls, outs)):
        assert_matches(cfg, inputs, out, f"call {i}")
    counters = split_counters(matrix_lib)
    assert int(counters.count_nonzero()) == 0, counters.nonzero()[:8].tolist()


def test_capture_that_needs_more_workspace_is_refused(matrix_lib):
    """A captured call whose splits need more workspace than the runtime
    holds raises AttnError (nothing is allocated during capture, nothing
    launches); reserving the workspace first makes the same capture work."""
    runtime = matrix_lib.runtime
    runtime.release_workspace()
    assert runtime.workspace_bytes() == 0
    inputs = make_inputs(CFG, 3, False, False, seed=51, lens=LONG)
    out = inputs.new_out(CFG, fill=7.0)
    graph = torch.cuda.CUDAGraph()
    with pytest.raises(attn_mlir.AttnError) as info:
        with torch.cuda.graph(graph):
            matrix_lib.call(CFG.name, *inputs.args(out))
    message = str(info.value)
    assert "needs a split-KV workspace of" in message, message
    assert "capturing a CUDA graph" in message, message
    assert runtime.workspace_bytes() == 0
    torch.cuda.synchronize()
    assert (out == 7.0).all(), "a kernel ran despite the refusal"
    runtime.reserve_workspace(64 << 20)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        matrix_lib.call(CFG.name, *inputs.args(out))
    graph.replay()
    torch.cuda.synchronize()
    assert_matches(CFG, inputs, out, "after reserve_workspace")


def test_calls_are_asynchronous_on_the_current_stream(matrix_lib):
    """A call returns before its kernels finish and orders with later work
    on torch's current stream (here a side stream, behind a long sleep)."""
    inputs = make_inputs(CFG, 3, False, False, seed=61, lens=LONG)
    out = inputs.new_out(CFG)
    matrix_lib.call(CFG.name, *inputs.args(out))  # warm-up
    torch.cuda.synchronize()
    side = torch.cuda.Stream()
    with torch.cuda.stream(side):
        torch.cuda._sleep(int(2e8))  # ~0.1 s of GPU time before the call
        out.fill_(float("nan"))
        matrix_lib.call(CFG.name, *inputs.args(out))
        done = torch.cuda.Event()
        done.record(side)
        assert not done.query(), "the call waited for its kernels"
        result = out.float()  # ordered after the call on the same stream
    side.synchronize()
    assert_matches(CFG, inputs, result, "asynchronous call")


two_gpus = pytest.mark.skipif(
    torch is None or torch.cuda.device_count() < 2,
    reason="multi-GPU test: needs 2 CUDA devices")


@two_gpus
@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["0-then-1", "1-then-0"])
def test_each_gpu_of_the_process(matrix_lib, order):
    """One library, loaded while cuda:0 was current, serves tensors on
    either GPU (its kernels load into each device's context on first use),
    in both orders."""
    for dev in order:
        with torch.cuda.device(dev):
            inputs = make_inputs(CFG, 3, False, False, seed=70 + dev, lens=LONG,
                                 device=f"cuda:{dev}")
            out = inputs.new_out(CFG)
        # The current device is the other one: the call must follow the tensors.
        with torch.cuda.device(1 - dev):
            matrix_lib.call(CFG.name, *inputs.args(out))
        torch.cuda.synchronize(dev)
        assert out.device.index == dev
        assert_matches(CFG, inputs, out, f"cuda:{dev}")


@two_gpus
def test_tensors_on_two_gpus_are_refused(matrix_lib):
    inputs = make_inputs(CFG, 3, False, False, seed=81)
    out = inputs.new_out(CFG, fill=7.0)
    k_other = inputs.k_cache.to("cuda:1")
    args = inputs.args(out)
    args[1] = k_other
    with pytest.raises(attn_mlir.AttnError) as info:
        matrix_lib.call(CFG.name, *args)
    assert "all tensors must be on one device" in str(info.value)
    assert "'k_cache' on cuda:1" in str(info.value)
    assert (out == 7.0).all()
