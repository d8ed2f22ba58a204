"""fpsim.quantize / encode / decode / RandomStream / formats against the fpsim CLI on the same inputs, bit for bit."""
import os
import tempfile

import numpy as np
import pytest

import fpsim
from conftest import hex_lines, run_cli, wide_values

CASES = [  # (format, rounding, overflow)
    ("e5m2", "rne", "ieee"), ("e5m2", "sr", "ieee"), ("e5m2", "sr:8", "saturate"), ("e4m3fn", "rne", "saturate"),
    ("e4m3fn", "rtz", "nonsat"), ("e4m3fn", "sr", "ieee"), ("e4m3fnuz", "rup", "ieee"), ("binary16", "rne", "ieee"),
    ("binary16", "sr", "ieee"), ("bfloat16", "rdn", "ieee"), ("bfloat16", "rodd", "saturate"),
    ("e2m1fn", "rne", "ieee"), ("e3m2fn", "sr:4", "ieee"), ("e4m3,bias=11", "rna", "saturate"),
    ("e4m3fn", "trunc", "ieee"), ("e6m9", "rne", "ieee"),
]


def same_values(got, want):
    """Bit-identical, except that a NaN is compared by being NaN and by its sign (the CLI prints no payload)."""
    got, want = np.asarray(got), np.asarray(want, dtype=got.dtype)
    assert got.shape == want.shape
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    np.testing.assert_array_equal(np.signbit(got[nan]), np.signbit(want[nan]))
    bits = {4: np.uint32, 8: np.uint64}[got.dtype.itemsize]
    mismatch = np.nonzero(got[~nan].view(bits) != want[~nan].view(bits))[0]
    assert mismatch.size == 0, f"{mismatch.size} mismatches, first at {mismatch[0]}: {got[~nan][mismatch[0]]!r} vs " \
                               f"{want[~nan][mismatch[0]]!r}"


def target_args(fmt, rounding, overflow, seed):
    return ["--format", fmt, "--rounding", rounding, "--overflow", overflow, "--seed", str(seed)]


def text_input(x):
    return "\n".join(repr(float(v)) for v in x) + "\n"


def f32_file(x, tmp_path):
    p = tmp_path / "x.f32"
    p.write_bytes(np.asarray(x, np.float32).tobytes())
    return str(p)


@pytest.mark.parametrize("fmt,rounding,overflow", CASES)
def test_quantize_float64_matches_cli_text_input(fmt, rounding, overflow):
    x = wide_values(3000, 1, np.float64)
    t = fpsim.Target(fmt, rounding=rounding, overflow=overflow)
    y, stats = fpsim.quantize(x, t, seed=11, stats=True)
    _, out, err = run_cli(["quantize", *target_args(fmt, rounding, overflow, 11), "--stats"], text_input(x))
    assert y.dtype == np.float64
    same_values(y, [float(w) for w in out.split()])
    words = err.split()
    want = {words[i]: float(words[i + 1]) for i in range(0, len(words), 2)}
    assert {k: float(v) for k, v in stats.items()} == want


@pytest.mark.parametrize("fmt,rounding,overflow", [c for c in CASES if c[0] != "e6m9"])
def test_quantize_float32_matches_cli_raw_input(fmt, rounding, overflow, tmp_path):
    x = wide_values(5000, 2)
    y = fpsim.quantize(x, fpsim.Target(fmt, rounding=rounding, overflow=overflow), seed=5)
    _, out, _ = run_cli(["quantize", *target_args(fmt, rounding, overflow, 5), "--input", "f32", f32_file(x, tmp_path)])
    assert y.dtype == np.float32 and y.shape == x.shape
    same_values(y, [np.float32(w) for w in out.split()])


@pytest.mark.parametrize("fmt,rounding,overflow", CASES + [("binary32", "sr", "ieee"), ("tf32", "rne", "ieee")])
def test_encode_matches_cli_codes(fmt, rounding, overflow, tmp_path):
    x32 = wide_values(4000, 3)
    t = fpsim.Target(fmt, rounding=rounding, overflow=overflow)
    codes = fpsim.encode(x32, t, seed=9)
    bits = t.format.total_bits
    assert codes.dtype == {8: np.uint8, 16: np.uint16}.get(bits if bits in (8, 16) else 0, codes.dtype)
    assert codes.dtype.itemsize * 8 >= bits
    _, out, _ = run_cli(["quantize", *target_args(fmt, rounding, overflow, 9), "--input", "f32", "--output", "codes",
                         f32_file(x32, tmp_path)])
    np.testing.assert_array_equal(codes, hex_lines(out))
    x64 = wide_values(2000, 4, np.float64)
    _, out, _ = run_cli(["quantize", *target_args(fmt, rounding, overflow, 9), "--output", "codes"], text_input(x64))
    np.testing.assert_array_equal(fpsim.encode(x64, t, seed=9), hex_lines(out))


@pytest.mark.parametrize("fmt", ["e5m2", "e4m3fn", "e4m3fnuz", "e2m1fn", "e3m2fn", "e2m3fn", "e8m0fnu", "binary16",
                                 "bfloat16", "e4m3,bias=11"])
def test_decode_matches_cli_convert_to_binary64(fmt):
    f = fpsim.Format(fmt)
    if f.total_bits <= 8:
        codes = np.arange(1 << f.total_bits, dtype=np.uint16)  # every code
    else:
        codes = np.random.default_rng(5).integers(0, 1 << f.total_bits, 3000).astype(np.uint16)
    digits = (f.total_bits + 3) // 4
    stdin = "".join(f"{c:0{digits}X}\n" for c in codes)
    _, out, _ = run_cli(["eval", "convert", "--from", fmt, "--format", "binary64"], stdin)
    want = np.array(hex_lines(out)[0::2], dtype=np.uint64).view(np.float64)
    same_values(fpsim.decode(codes, f), want)
    # decode(encode(x)) is quantize(x) for every value
    x = wide_values(1000, 6, np.float64)
    same_values(fpsim.decode(fpsim.encode(x, f), f), fpsim.quantize(x, f))


def test_random_stream_gives_the_cli_words():
    for seed, ids in [(0, []), (7, []), (3, [5, 0, 2]), (2**64 - 1, [1])]:
        s = fpsim.RandomStream(seed, *ids)
        args = ["random", "--seed", str(seed), "--first", "1000", "--count", "70"]
        if ids:
            args += ["--ids", ",".join(map(str, ids))]
        want = hex_lines(run_cli(args)[1])
        assert [s.bits(1000 + i) for i in range(70)] == want
        np.testing.assert_array_equal(s.fill(1000, 70), np.array(want, dtype=np.uint64))


def test_stream_argument_equals_seed_argument():
    x = wide_values(1 << 16, 7)
    t = fpsim.Target("e5m2", rounding="sr")
    a = fpsim.quantize(x, t, seed=42)
    b = fpsim.quantize(x, t, stream=fpsim.RandomStream(42))
    np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))
    assert not np.array_equal(a, fpsim.quantize(x, t, seed=43))
    # offset: element i draws bits(offset + i), so the tail of a call equals a call on the tail with an offset
    tail = fpsim.quantize(x[1000:], t, seed=42, offset=1000)
    np.testing.assert_array_equal(tail.view(np.uint32), a[1000:].view(np.uint32))


def test_quantize_out_argument_writes_in_place_without_a_copy():
    x = wide_values(1 << 12, 8)
    want = fpsim.quantize(x, "e4m3fn")
    y = x.copy()
    r = fpsim.quantize(y, "e4m3fn", out=y)
    assert np.shares_memory(r, y)
    np.testing.assert_array_equal(y.view(np.uint32), want.view(np.uint32))
    big, sr = wide_values(1 << 18, 10), fpsim.Target("e5m2", rounding="sr")  # 4 chunks of 2^16
    serial = fpsim.quantize(big, sr, seed=1, threads=1)
    for threads in (0, 2, 3):  # the bits never depend on the thread count
        np.testing.assert_array_equal(fpsim.quantize(big, sr, seed=1, threads=threads).view(np.uint32),
                                      serial.view(np.uint32))
    grid = x.reshape(64, 64)
    np.testing.assert_array_equal(fpsim.quantize(grid, "e4m3fn").ravel().view(np.uint32), want.view(np.uint32))


def test_format_limits_match_cli_formats_table():
    _, out, _ = run_cli(["formats"])
    rows = [line.split() for line in out.splitlines()[1:] if line.strip()]
    assert len(rows) == len(fpsim.presets()) and len(rows) >= 16
    for name, exp, man, bias, sign, special, mx, mn, msub, eps in rows:
        f = fpsim.Format(name)
        assert f.name == name and str(f) == name
        assert (f.exp_bits, f.man_bits, f.bias, f.signed, f.specials) == (int(exp), int(man), int(bias),
                                                                           sign == "yes", special)
        for got, want in [(f.max, mx), (f.min_normal, mn), (f.min_subnormal, msub)]:
            assert f"{got:.8g}" == want
        assert f"{f.epsilon:.6g}" == eps
    assert fpsim.Format("e4m3,bias=11,fnuz") == fpsim.Format("e4m3b11fnuz")
    assert fpsim.Format(exp_bits=4, man_bits=3, specials="fn") == fpsim.Format("e4m3fn")
    assert fpsim.Format("e4m3,bias=11,fnuz").max == 30.0 and fpsim.Format("e4m3,bias=11").max == 15.0
    t = fpsim.Target("e5m2", rounding="sr:8", overflow="saturate", tininess="before")
    assert (t.rounding, t.overflow, t.tininess, str(t.format)) == ("sr:8", "saturate", "before", "e5m2")


@pytest.mark.parametrize("fmt,rounding", [("e4m3fn", "rne"), ("e5m2", "sr")])
def test_per_tensor_scaling_matches_cli_quantize_of_the_scaled_values(fmt, rounding, tmp_path):
    x = (np.random.default_rng(11).standard_normal(3000) * 1e-3).astype(np.float32)
    x[7] = np.nan
    amax = fpsim.tensor_amax(x)
    _, _, err = run_cli(["quantize", "--format", fmt, "--stats", "--input", "f32", f32_file(x, tmp_path)])
    assert amax == float(err.split()[-1]) == np.nanmax(np.abs(x).astype(np.float64))
    scale = fpsim.per_tensor_scale(amax, fmt, margin=1)
    assert scale == fpsim.Format(fmt).max / amax / 2
    scaled = x * np.float32(scale)  # the binary32 product, as quantize_with_scale forms it
    _, out, _ = run_cli(["quantize", "--format", fmt, "--rounding", rounding, "--seed", "2", "--input", "f32",
                         f32_file(scaled, tmp_path)])
    want = np.array([np.float32(w) for w in out.split()], dtype=np.float32) / np.float32(scale)
    same_values(fpsim.quantize_with_scale(x, scale, fpsim.Target(fmt, rounding=rounding), seed=2), want)


def test_every_isa_gives_the_same_bits_and_a_bad_name_is_refused():
    x = wide_values(5000, 21)
    t = fpsim.Target("e4m3fn", rounding="sr")
    widest = fpsim.best_isa()
    want = fpsim.quantize(x, t, seed=3)
    codes = fpsim.encode(x, "e5m2")
    before = fpsim.limit_isa("portable")
    try:
        assert fpsim.best_isa() == "portable"
        same_values(fpsim.quantize(x, t, seed=3), want)
        np.testing.assert_array_equal(fpsim.encode(x, "e5m2"), codes)
        fpsim.limit_isa("avx2")
        assert fpsim.best_isa() in ("portable", "avx2")
        same_values(fpsim.quantize(x, t, seed=3), want)
        with pytest.raises(ValueError, match=r'limit_isa: unknown ISA "sse" \(expected portable, avx2 or avx512\)'):
            fpsim.limit_isa("sse")
    finally:
        fpsim.limit_isa(before)
    assert fpsim.best_isa() == widest
