"""Bad arguments raise ValueError/TypeError naming the problem (with fpsim's own messages); 10^5 repeated calls
neither crash nor leak; the GIL is released while fpsim computes."""
import sys
import threading

import numpy as np
import pytest

import fpsim
from conftest import run_cli


def cli_error(args):
    status, _, err = run_cli(args, "1\n", check=False)
    assert status == 2 and err.startswith("error: ")
    return err[len("error: "):].strip()


@pytest.mark.parametrize("spec", ["e4m3x", "e0m3", "e4m3,bias=99999", "e4m3,unsigned,fnuz", "banana"])
def test_bad_format_raises_value_error_with_the_cli_message(spec):
    with pytest.raises(ValueError) as e:
        fpsim.Format(spec)
    assert str(e.value) == cli_error(["quantize", "--format", spec])


@pytest.mark.parametrize("kw,cli_flag", [({"rounding": "stoch"}, "--rounding"), ({"overflow": "clip"}, "--overflow"),
                                         ({"tininess": "during"}, "--tininess"), ({"nan": "mips"}, "--nan")])
def test_bad_target_setting_raises_value_error_with_the_cli_message(kw, cli_flag):
    with pytest.raises(ValueError) as e:
        fpsim.Target("e5m2", **kw)
    assert str(e.value) == cli_error(["quantize", "--format", "e5m2", cli_flag, next(iter(kw.values()))])
    assert next(iter(kw.values())) in str(e.value)


def test_bad_arguments_name_the_problem():
    x = np.ones(8, np.float32)
    cases = [
        (TypeError, "int64", lambda: fpsim.quantize(np.arange(8), "e5m2")),
        (TypeError, "<U", lambda: fpsim.quantize(np.array(["a"]), "e5m2")),
        (TypeError, "", lambda: fpsim.Target(3)),
        (TypeError, "", lambda: fpsim.quantize(x, 3.5)),
        (TypeError, "float32", lambda: fpsim.quantize(x, "e5m2", out=np.zeros(8))),
        (ValueError, "elements", lambda: fpsim.quantize(x, "e5m2", out=np.zeros(7, np.float32))),
        (TypeError, "codes", lambda: fpsim.decode(np.ones(3), "e5m2")),
        (ValueError, "codes[1] = 256", lambda: fpsim.decode(np.array([1, 256]), "e5m2")),
        (ValueError, "negative", lambda: fpsim.decode(np.array([-1]), "e5m2")),
        (ValueError, "shape", lambda: fpsim.add(np.zeros(3, np.uint8), np.zeros(4, np.uint8), "e5m2")),
        (ValueError, "b[0] = 512", lambda: fpsim.mul(np.zeros(1, np.uint16), np.array([512]), "e5m2")),
        (ValueError, "flags", lambda: fpsim.add(np.zeros(1, np.uint8), np.zeros(1, np.uint8), "e5m2", flags="all")),
        (ValueError, "formats", lambda: fpsim.add(np.zeros(1, np.uint8), np.zeros(1, np.uint8), "e5m2",
                                                  formats=["e5m2"])),
        (ValueError, "unknown MX element", lambda: fpsim.mx_quantize(x, "mxfp5")),
        (ValueError, "scale_rule", lambda: fpsim.mx_quantize(x, "mxfp8_e4m3", scale_rule="round")),
        (ValueError, "axis", lambda: fpsim.mx_quantize(x.reshape(2, 4), "mxfp8_e4m3", axis=2)),
        (ValueError, "dimensions", lambda: fpsim.mx_quantize(x.reshape(2, 2, 2), "mxfp8_e4m3")),
        (TypeError, "float32", lambda: fpsim.mx_quantize(x.astype(np.float64), "mxfp8_e4m3")),
        (ValueError, "inner dimensions", lambda: fpsim.gemm(np.ones((2, 3), np.float32), np.ones((4, 2), np.float32))),
        (ValueError, "chunk", lambda: fpsim.gemm(np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), chunk=2)),
        (ValueError, "blocks expected", lambda: fpsim.mx_dequantize(np.zeros(1, np.uint8), np.zeros(64, np.uint8))),
        (TypeError, "uint8", lambda: fpsim.mx_dequantize(np.zeros(2), np.zeros(64, np.uint8))),
        (ValueError, "not binary32 values", lambda: fpsim.quantize(x, "binary64")),
        (ValueError, "count", lambda: fpsim.RandomStream(1).fill(0, -1)),
        (ValueError, "threads", lambda: fpsim.quantize(x, "e5m2", threads=-1)),
        (ValueError, "float32 input only", lambda: fpsim.quantize(x.astype(np.float64), "e5m2", threads=2)),
    ]
    for error, words, call in cases:
        with pytest.raises(error) as e:
            call()
        assert words in str(e.value), f"{error.__name__} message {str(e.value)!r} does not name {words!r}"


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4  # resident pages of 4 KiB


def test_1e5_repeated_calls_do_not_leak_or_crash():
    x = np.linspace(-3, 3, 64, dtype=np.float32)
    codes = fpsim.encode(x, "e5m2")
    t = fpsim.Target("e5m2", rounding="sr")

    def calls(i):
        fpsim.quantize(x, t, seed=i)
        fpsim.add(codes, codes, "e5m2", flags="each")
        if i % 4 == 0:
            fpsim.decode(fpsim.encode(x, "binary16"), "binary16")
            fpsim.mx_quantize(x, "mxfp4_e2m1")
            fpsim.scaled_cast(x.reshape(4, 16), "e2m1fn", "nvfp4", seed=i).dequantize()
        if i % 8 == 0:
            try:
                fpsim.Format("e4m3x")
            except ValueError:
                pass
            try:
                fpsim.quantize(x, "e4m3x")
            except ValueError:
                pass
            try:
                fpsim.add(codes, codes, "e5m2", formats=["e5m2", 3])
            except TypeError:
                pass
            try:
                fpsim.scaled_cast(x.reshape(4, 16), "e4m3fn", "row", tile=(1, 4))
            except ValueError:
                pass

    for i in range(10_000):  # warm-up: allocator pools, op tables, first-use caches
        calls(i)
    before = rss_kib()
    for i in range(100_000):
        calls(i)
    grown = rss_kib() - before
    assert grown < 2 * 1024, f"RSS grew by {grown} KiB over 10^5 calls"


@pytest.mark.parametrize("work", ["quantize", "scaled_cast"])
def test_the_gil_is_released_while_quantizing(work):
    """With a switch interval of 1000 s the interpreter never takes the GIL from a running thread: a second thread
    runs only when the first releases it itself. The main thread sets `inside` around each quantize call (never
    releasing the GIL between); the waiting thread therefore sees inside == True only if quantize released it."""
    x = np.random.default_rng(2).standard_normal(1 << 20).astype(np.float32)
    t = fpsim.Target("e5m2", rounding="sr")
    state = {"inside": False, "seen": None}
    go = threading.Event()

    def waiter():
        go.wait()
        state["seen"] = state["inside"]

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        b = threading.Thread(target=waiter)
        b.start()
        go.set()
        for i in range(20):  # a few calls, in case the waiting thread is not scheduled during the first
            state["inside"] = True
            if work == "quantize":
                fpsim.quantize(x, t, seed=i)
            else:
                fpsim.scaled_cast(x.reshape(1024, 1024), t, "row", seed=i)
            state["inside"] = False
            if state["seen"] is not None:
                break
        b.join()
    finally:
        sys.setswitchinterval(old)
    assert state["seen"] is True, "the other thread ran only after quantize returned: the GIL was held"
