"""Shared fixtures: the fpsim CLI the module is checked against, and random test inputs."""
import os
import subprocess

import numpy as np
import pytest

import fpsim  # noqa: F401  (a missing module is an error, never a skip)


def cli_path():
    path = os.environ.get("FPSIM_CLI")
    if not path:
        raise RuntimeError("FPSIM_CLI is not set: run the suite through ctest (or set it to build/tools/fpsim)")
    return path


def run_cli(args, stdin=b"", check=True):
    """Runs `fpsim ARGS`; returns (status, stdout text, stderr text)."""
    if isinstance(stdin, str):
        stdin = stdin.encode()
    p = subprocess.run([cli_path(), *args], input=stdin, capture_output=True)
    if check and p.returncode != 0:
        raise AssertionError(f"fpsim {' '.join(args)} failed ({p.returncode}): {p.stderr.decode()}")
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def hex_lines(text):
    return [int(w, 16) for w in text.split()]


def wide_values(n, seed, dtype=np.float32):
    """Values over many binades plus the edge cases: zeros, infinities, NaN, subnormals, large."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * np.exp2(rng.integers(-30, 30, n).astype(np.float64))
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -3e-39, 70000.0, 448.0, 464.0, -57344.0, 1e30, 0.1]
    x[: len(specials)] = specials
    return x.astype(dtype)


@pytest.fixture
def cli():
    return run_cli
