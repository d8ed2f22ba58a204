"""PyTorch (fp32, CPU) timings of the two workloads fpsim's speed targets are stated against, to run beside
`fpsim bench train` on the same machine:

  transformer  the byte-level GPT of experiments/lm_transformer_fp32.json (2 layers, d 128, 4 heads, MLP 512,
               context 64, batch 32, vocabulary 256, tied head with biases, pre-LayerNorm, exact GELU, AdamW,
               global-norm clipping at 1.0): seconds per training update, median of the timed updates after a
               warm-up, like `fpsim bench train --model experiments/lm_transformer_fp32.json`;
  mlp          the 784-512-512-10 ReLU MLP of experiments/fmnist_mlp_fp32.json (batch 128, SGD with momentum 0.9,
               cross-entropy): seconds per 60,000-sample epoch, like `fpsim bench train`.

The inputs are random (the time of these dense models does not depend on the values). Usage:
  python3 torch_baseline.py [--threads 1 2] [--steps 40] [--runs 3] [--workload transformer mlp]
"""
import argparse
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, d, heads, d_ff, context):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.qkv, self.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
        self.fc_in, self.fc_out = torch.nn.Linear(d, d_ff), torch.nn.Linear(d_ff, d)
        mask = torch.full((context, context), float("-inf")).triu(1)
        self.register_buffer("mask", mask)

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (y.view(b, t, h, d // h).transpose(1, 2) for y in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // h) + self.mask[:t, :t]
        att = (F.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(att)
        return x + self.fc_out(F.gelu(self.fc_in(self.ln2(x))))


class Gpt(torch.nn.Module):
    def __init__(self, layers=2, d=128, heads=4, d_ff=512, context=64, vocab=256):
        super().__init__()
        self.tok, self.pos = torch.nn.Embedding(vocab, d), torch.nn.Embedding(context, d)
        self.blocks = torch.nn.ModuleList(Block(d, heads, d_ff, context) for _ in range(layers))
        self.ln = torch.nn.LayerNorm(d)
        self.head_bias = torch.nn.Parameter(torch.zeros(vocab))

    def forward(self, tokens):
        x = self.tok(tokens) + self.pos(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x)
        return F.linear(self.ln(x), self.tok.weight, self.head_bias)  # head tied to the embedding


def transformer_seconds_per_update(steps, warmup=5, batch=32, context=64):
    torch.manual_seed(1)
    model = Gpt(context=context)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    gen = torch.Generator().manual_seed(2)
    times = []
    for step in range(warmup + steps):
        window = torch.randint(0, 256, (batch, context + 1), generator=gen)
        start = time.perf_counter()
        logits = model(window[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 256), window[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def mlp_seconds_per_epoch(samples=60000, batch=128):
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                                torch.nn.ReLU(), torch.nn.Linear(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x, y = torch.randn(samples, 784), torch.randint(0, 10, (samples,))
    start = time.perf_counter()
    for i in range(0, samples, batch):
        loss = F.cross_entropy(model(x[i:i + batch]), y[i:i + batch])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def blas_library():
    """The libblas that Debian's PyTorch (BLAS_INFO=generic) loaded: the libblas.so.3 alternative. Debian's
    reference BLAS makes these timings about 15x slower; tools/setup.sh installs libopenblas0-openmp, which
    shares PyTorch's OpenMP threads, so torch.set_num_threads() bounds both."""
    torch.ones(8, 8) @ torch.ones(8, 8)
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "libblas" in line or "openblas" in line}
    return ", ".join(sorted(paths)) or "none loaded"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--steps", type=int, default=40, help="timed Transformer updates per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per workload and thread count (median, min-max)")
    parser.add_argument("--workload", nargs="+", choices=["transformer", "mlp"], default=["transformer", "mlp"])
    args = parser.parse_args(argv)
    if args.steps < 1 or args.runs < 1 or min(args.threads) < 1:
        parser.error("--steps, --runs and --threads must be at least 1")
    print(f"torch {torch.__version__}, BLAS {blas_library()}")
    for workload in args.workload:
        for threads in args.threads:
            torch.set_num_threads(threads)
            if workload == "transformer":
                runs = [transformer_seconds_per_update(args.steps) for _ in range(args.runs)]
                unit = "s/update"
            else:
                mlp_seconds_per_epoch(samples=128 * 20)  # warm-up
                runs = [mlp_seconds_per_epoch() for _ in range(args.runs)]
                unit = "s/epoch"
            print(f"{workload:<12} {threads} threads  {statistics.median(runs):.4f} {unit} "
                  f"(min {min(runs):.4f}, max {max(runs):.4f}, {args.runs} runs)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
