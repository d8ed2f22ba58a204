"""fpsim.quantize on 2^24 float32 values against `fpsim bench quantize` for the same formats and modes.

    PYTHONPATH=build/python /usr/bin/python3 tools/python/examples/bench_quantize.py build/tools/fpsim [THREADS]

Runs the CLI benchmark (--threads THREADS, default 1), then times fpsim.quantize(x, target, out=y) from
Python on the same kind of input (normal(0, 1/16) samples, a preallocated output, so the binding allocates
and copies nothing), median of 7 runs after a warm-up, and prints both rates and their ratio. Timings on a
shared machine move by tens of percent between runs: compare figures from the same invocation only.
"""
import os
import re
import subprocess
import sys
import time

threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
os.environ["OMP_NUM_THREADS"] = str(threads)  # read when OpenMP starts: before the module is imported
import numpy as np  # noqa: E402

import fpsim  # noqa: E402

CASES = [("e5m2", "rne"), ("e4m3fn", "rne"), ("binary16", "rne"), ("bfloat16", "rne"), ("e5m2", "sr"),
         ("e4m3fn", "sr"), ("binary16", "sr")]


def median_seconds(call, runs=7):
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main():
    cli = sys.argv[1]
    out = subprocess.run([cli, "bench", "quantize", "--threads", str(threads), "--runs", "7"], check=True,
                         capture_output=True, text=True).stdout
    cli_rate = {}
    for line in out.splitlines():
        m = re.match(r"(\S+)\s+(rne|sr)\s+([0-9.]+)\s+([0-9.]+)", line)
        if m:
            cli_rate[(m[1], m[2])] = float(m[3])
    n = 1 << 24
    x = (np.random.default_rng(1).standard_normal(n) * 0.0625).astype(np.float32)
    y = np.empty_like(x)
    memcpy = median_seconds(lambda: np.copyto(y, x))
    stream = fpsim.RandomStream(1, fpsim.stream_id("bench"))
    print(f"{threads} thread(s), 2^24 float32 values; numpy copy {n / memcpy / 1e6:.1f} Melem/s")
    print(f"{'format':<10} {'mode':<5} {'CLI Melem/s':>12} {'Python Melem/s':>15} {'Python/CLI':>11}")
    for fmt, mode in CASES:
        t = fpsim.Target(fmt, rounding=mode)
        s = median_seconds(lambda: fpsim.quantize(x, t, stream=stream, out=y))
        rate = n / s / 1e6
        print(f"{fmt:<10} {mode:<5} {cli_rate[(fmt, mode)]:>12.1f} {rate:>15.1f} {rate / cli_rate[(fmt, mode)]:>11.2f}")


if __name__ == "__main__":
    main()
