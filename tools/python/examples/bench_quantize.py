"""fpsim.quantize on 2^24 float32 values against `fpsim bench quantize` for the same formats and modes.

    PYTHONPATH=build/python /usr/bin/python3 tools/python/examples/bench_quantize.py \
        build/tools/fpsim [THREADS [ROUNDS [wall|cpu [numpy|4k]]]]

Each round runs the CLI benchmark (`fpsim bench quantize --threads THREADS`, default 1), then times
fpsim.quantize(x, target, out=y, threads=THREADS) from Python on the same kind of input (normal(0, 1/16)
samples, a preallocated output, so the binding allocates and copies nothing; median of 7 runs after a warm-up).
It prints the median over ROUNDS (default 3) of both rates and of their per-round ratio, with the ratio's min-max.
Rates on a shared machine move by tens of percent between runs; alternating the two in rounds keeps the ratio
fair. `cpu` times both with the process CPU clock (`fpsim bench quantize --clock cpu`), which ignores time spent
descheduled. Pages: numpy asks the kernel for transparent huge pages on large arrays (`numpy`, the default), the
CLI's buffers get ordinary 4 KiB pages; `4k` turns numpy's request off so both sides have the same page backing,
which is the like-for-like comparison of the binding itself (huge pages alone move the rate by tens of percent).
"""
import os
import re
import subprocess
import sys
import time

threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
clock = sys.argv[4] if len(sys.argv) > 4 else "wall"
pages = sys.argv[5] if len(sys.argv) > 5 else "numpy"
if clock not in ("wall", "cpu") or pages not in ("numpy", "4k"):
    sys.exit(f"bench_quantize.py: clock {clock!r} must be wall or cpu, pages {pages!r} numpy or 4k")
now = time.process_time if clock == "cpu" else time.perf_counter
os.environ["OMP_NUM_THREADS"] = str(threads)  # read when OpenMP starts: before the module is imported
import numpy as np  # noqa: E402

if pages == "4k":
    np.core.multiarray._set_madvise_hugepage(False)  # numpy's own switch (numpy >= 1.20)

import fpsim  # noqa: E402

CASES = [("e5m2", "rne"), ("e4m3fn", "rne"), ("binary16", "rne"), ("bfloat16", "rne"), ("e5m2", "sr"),
         ("e4m3fn", "sr"), ("binary16", "sr")]


def median_seconds(call, runs=7):
    call()
    times = []
    for _ in range(runs):
        start = now()
        call()
        times.append(now() - start)
    return sorted(times)[len(times) // 2]


def cli_rates(cli):
    args = [cli, "bench", "quantize", "--threads", str(threads), "--runs", "7", "--clock", clock,
            "--distribution", "narrow"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    rates = {}
    for line in out.splitlines():
        m = re.match(r"narrow\s+(\S+)\s+(rne|sr)\s+([0-9.]+)", line)
        if m:
            rates[(m[1], m[2])] = float(m[3])
    return rates


def main():
    cli = sys.argv[1]
    n = 1 << 24
    x = (np.random.default_rng(1).standard_normal(n) * 0.0625).astype(np.float32)
    y = np.empty_like(x)
    stream = fpsim.RandomStream(1, fpsim.stream_id("bench"))  # the CLI benchmark's stream
    cli_runs, py_runs = [], []
    for _ in range(rounds):
        cli_runs.append(cli_rates(cli))
        py = {}
        for fmt, mode in CASES:
            t = fpsim.Target(fmt, rounding=mode)
            call = lambda: fpsim.quantize(x, t, stream=stream, out=y, threads=threads)  # noqa: E731
            py[(fmt, mode)] = n / median_seconds(call) / 1e6
        py_runs.append(py)
    median = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
    print(f"{threads} thread(s), 2^24 float32 values, {clock} clock, {pages} pages, medians of {rounds} alternating rounds")
    print(f"{'format':<10} {'mode':<5} {'CLI Melem/s':>12} {'Python Melem/s':>15} {'Python/CLI':>11} {'min-max':>11}")
    for case in CASES:
        ratios = [p[case] / c[case] for p, c in zip(py_runs, cli_runs)]
        print(f"{case[0]:<10} {case[1]:<5} {median([c[case] for c in cli_runs]):>12.1f} "
              f"{median([p[case] for p in py_runs]):>15.1f} {median(ratios):>11.2f} "
              f"{min(ratios):>5.2f}-{max(ratios):.2f}")


if __name__ == "__main__":
    main()
