"""Straight-through FP8 quantisation in PyTorch with fpsim's exact rounding.

    PYTHONPATH=build/python /usr/bin/python3 tools/python/examples/torch_fp8.py

FpsimQuant rounds activations into a forward Target (E4M3, nearest-even) and, in the backward pass, passes
the gradient straight through the rounding while rounding the gradient itself into a backward Target
(E5M2, stochastic). Random words are keyed by (seed, step, layer name), never by call order, so a rerun
gives the same bits. A small MLP trained on a synthetic two-class problem shows it in a model.
"""
import numpy as np
import torch

import fpsim


class FpsimQuant(torch.autograd.Function):
    """y = quantize(x) forward; dL/dx = quantize(dL/dy) backward (straight-through estimator)."""

    @staticmethod
    def forward(ctx, x, forward_target, backward_target, stream):
        ctx.backward_target, ctx.stream = backward_target, stream
        y = fpsim.quantize(x.detach().contiguous().numpy(), forward_target)  # float32 in, float32 out
        return torch.from_numpy(y)

    @staticmethod
    def backward(ctx, grad):
        g = fpsim.quantize(grad.contiguous().numpy(), ctx.backward_target, stream=ctx.stream)
        return torch.from_numpy(g), None, None, None


class QuantPoint(torch.nn.Module):
    """A quantisation point named `name`: activations in E4M3 (rne), their gradients in E5M2 (sr)."""

    def __init__(self, name, seed):
        super().__init__()
        self.id, self.seed, self.step = fpsim.stream_id(name), seed, 0
        self.forward_target = fpsim.Target("e4m3fn", overflow="saturate")
        self.backward_target = fpsim.Target("e5m2", rounding="sr")

    def forward(self, x):
        stream = fpsim.RandomStream(self.seed, self.step, self.id)
        if self.training:
            self.step += 1
        return FpsimQuant.apply(x, self.forward_target, self.backward_target, stream)


def make_model(seed=1):
    torch.manual_seed(seed)
    return torch.nn.Sequential(QuantPoint("fc1.in", seed), torch.nn.Linear(16, 32), torch.nn.ReLU(),
                               QuantPoint("fc2.in", seed), torch.nn.Linear(32, 2))


def synthetic_data(n=512, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 16)).astype(np.float32)
    y = (x[:, :4].sum(axis=1) > 0).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def train(steps=60, seed=1):
    """Full-batch SGD; returns (first loss, last loss, accuracy)."""
    model = make_model(seed)
    x, y = synthetic_data()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    return losses[0], losses[-1], accuracy


if __name__ == "__main__":
    first, last, acc = train()
    print(f"loss {first:.4f} -> {last:.4f}, train accuracy {acc:.3f} (activations E4M3 rne, gradients E5M2 sr)")
