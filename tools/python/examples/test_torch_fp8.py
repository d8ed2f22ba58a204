"""The PyTorch example: straight-through quantisation is exact in both directions and trains a small model."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="python3-torch is not installed (tools/setup.sh installs it)")

import fpsim  # noqa: E402
from torch_fp8 import FpsimQuant, train  # noqa: E402


def test_forward_and_backward_round_exactly_like_fpsim():
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.standard_normal(1000).astype(np.float32) * 400, requires_grad=True)
    w = torch.tensor(rng.standard_normal(1000).astype(np.float32) * 1e-3)
    fwd, bwd = fpsim.Target("e4m3fn", overflow="saturate"), fpsim.Target("e5m2", rounding="sr")
    y = FpsimQuant.apply(x, fwd, bwd, fpsim.RandomStream(9))
    (y * w).sum().backward()
    want_y = fpsim.quantize(x.detach().numpy(), fwd)
    want_g = fpsim.quantize(w.numpy(), bwd, stream=fpsim.RandomStream(9))  # dL/dy = w, passed straight through
    np.testing.assert_array_equal(y.detach().numpy().view(np.uint32), want_y.view(np.uint32))
    np.testing.assert_array_equal(x.grad.numpy().view(np.uint32), want_g.view(np.uint32))
    assert np.abs(want_y).max() == 448.0  # saturated, not inf


def test_small_model_trains_and_reruns_bit_for_bit():
    first, last, accuracy = train()
    assert last < 0.5 * first and accuracy > 0.9
    assert train() == (first, last, accuracy)
