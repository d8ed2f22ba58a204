"""fpsim.scaled_cast / dequantize_scaled against `fpsim quantize --scaling` on the same inputs, bit for bit."""
import numpy as np
import pytest

import fpsim
from conftest import run_cli, wide_values
from test_quantize import same_values

ROWS, COLS = 40, 150  # short last tiles both ways: 150 = 4*32 + 22 = 9*16 + 6, 40 = 32 + 8


def matrix(seed, specials=False):
    """Rows of very different magnitudes (so row, block and tile scales differ); optionally NaN, inf and zeros."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((ROWS, COLS)) * np.exp2(rng.integers(-20, 20, (ROWS, 1)).astype(np.float64))
    x[3, :] = 0.0  # an all-zero row: enc 1 (tensor-like modes), MX scale 2^-127
    if specials:
        flat = x.reshape(-1)
        flat[: 200] = wide_values(200, seed)[:200]
    return x.astype(np.float32)


# (scaling, element format, keyword arguments, CLI arguments)
MODES = [
    ("none", "e4m3fn", {}, []),
    ("tensor", "e4m3fn", {}, []),
    ("tensor", "e5m2", {"margin": 2, "power_of_two": True}, ["--margin", "2", "--power-of-two"]),
    ("tensor_delayed", "e4m3fn", {"scale": 37.5}, ["--scale", "37.5"]),
    ("row", "e4m3fn", {}, []),
    ("row", "e3m2fn", {"power_of_two": True}, ["--power-of-two"]),
    ("block", "e4m3fn", {}, []),  # 1x128
    ("block", "e4m3fn", {"tile": (2, 4)}, ["--tile", "2x4"]),
    ("block", "e5m2", {"tile": (16, 32), "margin": 1}, ["--tile", "16x32", "--margin", "1"]),
    ("mx", "e4m3fn", {}, []),
    ("mx", "e4m3fn", {"scale_rule": "ceil"}, ["--scale-rule", "ceil"]),
    ("mx", "e2m1fn", {"scale_rule": "rceil"}, ["--scale-rule", "rceil"]),
    ("mx", "e5m2", {"scale_rule": "even"}, ["--scale-rule", "even"]),
    ("nvfp4", "e2m1fn", {}, []),
    ("nvfp4", "e2m1fn", {"two_d": True}, ["--two-d"]),
]


def f32_file(x, tmp_path):
    p = tmp_path / "x.f32"
    p.write_bytes(np.ascontiguousarray(x, np.float32).tobytes())
    return str(p)


def parse_scaled(text, n):
    """`--output scaled`: n element values, `tiles OxK of RxC`, one `tile i factor F amax A` line per tile,
    `tensor_factor F amax A`."""
    lines = text.splitlines()
    q = np.array([np.float32(w) for w in lines[:n]], np.float32)
    words = lines[n].split()
    assert words[0] == "tiles" and words[2] == "of"
    ot, kt = map(int, words[1].split("x"))
    tile = tuple(map(int, words[3].split("x")))
    factors, amaxes = [], []
    for i, line in enumerate(lines[n + 1: n + 1 + ot * kt]):
        w = line.split()
        assert w[:2] == ["tile", str(i)] and w[2] == "factor" and w[4] == "amax"
        factors.append(np.float32(w[3]))
        amaxes.append(np.float32(w[5]))
    last = lines[n + 1 + ot * kt].split()
    assert last[0] == "tensor_factor" and last[2] == "amax" and len(lines) == n + 2 + ot * kt
    return dict(q=q.reshape(ROWS, COLS), factors=np.array(factors, np.float32).reshape(ot, kt),
                tile_amax=np.array(amaxes, np.float32).reshape(ot, kt), tile=tile,
                tensor_factor=np.float32(last[1]), amax=np.float32(last[3]))


@pytest.mark.parametrize("rounding", ["rne", "sr"])
@pytest.mark.parametrize("k_axis", [1, 0])
@pytest.mark.parametrize("scaling,fmt,kwargs,args", MODES, ids=[f"{m[0]}-{m[1]}-{i}" for i, m in enumerate(MODES)])
def test_scaled_cast_matches_cli(scaling, fmt, kwargs, args, k_axis, rounding, tmp_path):
    x = matrix(len(args) + k_axis)
    t = fpsim.Target(fmt, rounding=rounding)
    s = fpsim.scaled_cast(x, t, scaling, k_axis=k_axis, seed=13, **kwargs)
    cli_args = ["quantize", "--format", fmt, "--rounding", rounding, "--seed", "13", "--scaling", scaling,
                "--k-axis", str(k_axis), "--cols", str(COLS), "--input", "f32", *args, f32_file(x, tmp_path)]
    _, out, _ = run_cli([*cli_args, "--output", "scaled"])
    want = parse_scaled(out, x.size)
    assert s.q.dtype == np.float32 and s.q.shape == x.shape and s.k_axis == k_axis
    same_values(s.q, want["q"])
    same_values(s.factors, want["factors"])
    same_values(s.tile_amax, want["tile_amax"])
    assert s.tile == want["tile"]
    same_values(np.float32([s.tensor_factor, s.amax]), [want["tensor_factor"], want["amax"]])
    _, out, _ = run_cli([*cli_args, "--output", "values"])
    y = fpsim.dequantize_scaled(s)
    assert y.dtype == np.float32 and y.shape == x.shape
    same_values(y, np.array([np.float32(w) for w in out.split()], np.float32).reshape(x.shape))
    same_values(s.dequantize(), y)


@pytest.mark.parametrize("scaling,fmt,kwargs,args", [MODES[i] for i in (1, 4, 7, 9, 11, 13, 14)])
def test_scaled_cast_with_nan_inf_and_zeros_matches_cli(scaling, fmt, kwargs, args, tmp_path):
    x = matrix(5, specials=True)
    s = fpsim.scaled_cast(x, fmt, scaling, **kwargs)
    _, out, _ = run_cli(["quantize", "--format", fmt, "--scaling", scaling, "--cols", str(COLS), "--input", "f32",
                         *args, "--output", "scaled", f32_file(x, tmp_path)])
    want = parse_scaled(out, x.size)
    same_values(s.q, want["q"])
    same_values(s.factors, want["factors"])
    same_values(np.float32([s.tensor_factor, s.amax]), [want["tensor_factor"], want["amax"]])


def test_tensor_scaling_worked_example():
    # amax 4, enc = fp32(448 / 4) = 112; q = x * 112 is exact in e4m3fn; factor = fp32(1 / 112).
    s = fpsim.scaled_cast(np.float32([[1, 2, -4, 0.5]]), "e4m3fn", "tensor")
    np.testing.assert_array_equal(s.q, [[112, 224, -448, 56]])
    assert s.factors.shape == (1, 1) and s.factors[0, 0] == np.float32(1) / np.float32(112)
    assert (s.tensor_factor, s.amax, s.tile) == (1.0, 4.0, (1, 4))


def test_tile_grids_have_the_documented_shapes():
    x = matrix(1)
    assert fpsim.scaled_cast(x, "e4m3fn", "mx").factors.shape == (40, 5)             # 150 = 4*32 + 22
    assert fpsim.scaled_cast(x, "e4m3fn", "mx", k_axis=0).factors.shape == (150, 2)  # 40 = 32 + 8
    s = fpsim.scaled_cast(x, "e2m1fn", two_d=True)                                   # nvfp4 by default
    assert s.tile == (16, 16) and s.factors.shape == (3, 10)
    assert fpsim.scaled_cast(x, "e4m3fn", "block", tile=(2, 4)).factors.shape == (20, 38)
    assert fpsim.scaled_cast(x, "e4m3fn", "block").tile == (1, 128)


def test_stochastic_element_i_draws_stream_bits_i():
    x = matrix(2) * np.float32(1e-3)
    t = fpsim.Target("e5m2", rounding="sr", overflow="saturate")
    s = fpsim.scaled_cast(x, t, "none", seed=99)
    same_values(s.q, fpsim.quantize(x, t, seed=99))
    same_values(fpsim.scaled_cast(x, t, "row", stream=fpsim.RandomStream(99)).q, fpsim.scaled_cast(x, t, "row", seed=99).q)


@pytest.mark.parametrize("call,kind,message", [
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "row", tile=(1, 32)), ValueError, 'tile= applies to scaling="block"'),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "nvfp4"), ValueError, "nvfp4 scaling needs e2m1fn elements"),
    (lambda x: fpsim.scaled_cast(x, "binary16", "mx"), ValueError, "mx scaling needs an MX element format"),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "tensor_delayed"), ValueError, "needs scale="),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "tensor", scale=2.0), ValueError, 'scale= applies to scaling="tensor_delayed"'),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "tensor_delayed", scale=-1.0), ValueError, "not a positive finite"),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "row", scale_rule="ceil"), ValueError, 'scale_rule= applies to scaling="mx"'),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "mx", scale_rule="up"), ValueError, "up"),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "mx", margin=1), ValueError, "margin= applies"),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "row", two_d=True), ValueError, 'two_d= applies to scaling="nvfp4"'),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "block", tile=(0, 4)), ValueError, "positive extents"),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "rows"), ValueError, 'unknown scaling "rows"'),
    (lambda x: fpsim.scaled_cast(x, "e4m3fn", "row", k_axis=2), ValueError, "k_axis=2"),
    (lambda x: fpsim.scaled_cast(x, "binary64", "row"), ValueError, "not binary32 values"),
    (lambda x: fpsim.scaled_cast(x.astype(np.float64), "e4m3fn", "row"), TypeError, "float32"),
    (lambda x: fpsim.scaled_cast(x.reshape(-1), "e4m3fn", "row"), ValueError, "expected a 2-D array"),
])
def test_bad_arguments_name_the_problem(call, kind, message):
    with pytest.raises(kind, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(matrix(0))
