"""fpsim.add/sub/mul/div/fma/sqrt, mx_quantize/mx_dequantize and gemm against the fpsim CLI, bit for bit."""
import zlib

import numpy as np
import pytest

import fpsim
from conftest import hex_lines, run_cli, wide_values


def random_codes(fmt, n, rng):
    return rng.integers(0, 1 << fpsim.Format(fmt).total_bits, n, dtype=np.uint64)


def cli_eval(op, operands, formats, target_fmt, rounding="rne", seed=0, extra=()):
    """`fpsim eval OP`: one line of hex operands per case; returns (codes, flags) arrays."""
    digits = [(fpsim.Format(f).total_bits + 3) // 4 for f in formats]
    lines = [" ".join(f"{int(c):0{d}X}" for c, d in zip(case, digits)) for case in zip(*operands)]
    args = ["eval", op, "--format", target_fmt, "--rounding", rounding, "--seed", str(seed), *extra]
    for f in formats:
        args += ["--from", f]
    words = hex_lines(run_cli(args, "\n".join(lines) + "\n")[1])
    return np.array(words[0::2], dtype=np.uint64), np.array(words[1::2], dtype=np.uint8)


OPS = {"add": fpsim.add, "sub": fpsim.sub, "mul": fpsim.mul, "div": fpsim.div, "sqrt": fpsim.sqrt, "fma": fpsim.fma}
ARITY = {"add": 2, "sub": 2, "mul": 2, "div": 2, "sqrt": 1, "fma": 3}
CASES = [  # (operand formats, target format, rounding): tables, lanes and the scalar path
    ("e5m2", "e5m2", "rne"), ("e4m3fn", "e4m3fn", "rtz"), ("e5m2", "e5m2", "sr"), ("binary16", "binary16", "rne"),
    ("binary16", "binary16", "sr:8"), ("bfloat16", "bfloat16", "rup"), ("binary32", "binary32", "rne"),
    ("e2m1fn", "e2m1fn", "rne"), ("e5m2", "binary32", "rodd"), ("binary64", "binary64", "rne"),
]


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("src,dst,rounding", CASES)
def test_arith_matches_cli_eval(op, src, dst, rounding):
    rng = np.random.default_rng(zlib.crc32(f"{op} {src} {dst} {rounding}".encode()))  # the same inputs every run
    n = 1500
    ops = [random_codes(src, n, rng) for _ in range(ARITY[op])]
    formats = [src] * ARITY[op]
    if op == "fma" and src == "e5m2":  # an FP8 GEMM step: e5m2 · e5m2 + binary32
        formats[2] = "binary32"
        ops[2] = random_codes("binary32", n, rng)
    want_codes, want_flags = cli_eval(op, ops, formats, dst, rounding, seed=3)
    t = fpsim.Target(dst, rounding=rounding)
    codes, each = OPS[op](*ops, t, formats=formats, flags="each", seed=3)
    np.testing.assert_array_equal(codes, want_codes)
    np.testing.assert_array_equal(each, want_flags)
    codes_or, flags_or = OPS[op](*ops, t, formats=formats, seed=3)
    np.testing.assert_array_equal(codes_or, want_codes)
    assert flags_or == int(np.bitwise_or.reduce(want_flags))
    assert codes.dtype.itemsize * 8 >= fpsim.Format(dst).total_bits


def test_arith_keeps_the_shape_and_accepts_any_integer_dtype():
    a = np.array([[0x3C, 0x40], [0x7B, 0x00]], dtype=np.int32)  # e5m2 1, 2, 57344, 0
    codes, flags = fpsim.add(a, a, "e5m2", flags="each")
    assert codes.shape == (2, 2) and codes.dtype == np.uint8
    np.testing.assert_array_equal(codes, [[0x40, 0x44], [0x7C, 0x00]])  # 2, 4, inf (overflow), 0
    assert flags[1, 0] == fpsim.OVERFLOW | fpsim.INEXACT and flags[0, 0] == 0


@pytest.mark.parametrize("element,cli_format", [("mxfp8_e4m3", "e4m3fn"), ("mxfp8_e5m2", "e5m2"),
                                                ("mxfp6_e2m3", "e2m3fn"), ("mxfp4_e2m1", "e2m1fn"),
                                                ("mxint8", "mxint8")])
@pytest.mark.parametrize("axis,rule,rounding", [(1, "floor", "rne"), (0, "ceil", "rne"), (1, "ceil", "sr")])
def test_mx_quantize_matches_cli_blocks(element, cli_format, axis, rule, rounding, tmp_path):
    x = wide_values(40 * 70, 9).reshape(40, 70)  # short last blocks along both axes
    x[5, :32] = 0.0  # an all-zero block
    x = np.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0) * 1e-3
    x[30, 40] = np.nan  # a NaN block
    scales, codes = fpsim.mx_quantize(x, element, axis=axis, scale_rule=rule, rounding=rounding, seed=4)
    assert codes.shape == x.shape and scales.shape == ((40, 3) if axis == 1 else (2, 70))
    p = tmp_path / "x.f32"
    p.write_bytes(x.tobytes())
    args = ["quantize", "--format", cli_format, "--block", "32", "--cols", "70", "--axis", str(axis),
            "--scale-rule", rule, "--rounding", rounding, "--seed", "4", "--input", "f32", str(p)]
    words = hex_lines(run_cli(args + ["--output", "codes"])[1])
    np.testing.assert_array_equal(codes.ravel(), words[1::2])
    rows, cols = np.indices(x.shape)
    block = rows * 3 + cols // 32 if axis == 1 else (rows // 32) * 70 + cols
    np.testing.assert_array_equal(scales.ravel()[block.ravel()], words[0::2])
    values = np.array([np.float32(w) for w in run_cli(args)[1].split()], dtype=np.float32)
    y = fpsim.mx_dequantize(scales, codes, element, axis=axis)
    np.testing.assert_array_equal(np.isnan(y.ravel()), np.isnan(values))
    ok = ~np.isnan(values)
    np.testing.assert_array_equal(y.ravel()[ok].view(np.uint32), values[ok].view(np.uint32))


def float_codes(x):
    return np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)


def cli_gemm(a, b, acc_fmt, chunk):
    """The GEMM model step by step through `fpsim eval`: every s = round(s + a_ik·b_kj) is an fma into the
    accumulator format (the product of two binary32 values is exact), chunk sums are added with `eval add`."""
    m, k = a.shape
    n = b.shape[1]
    ai = np.repeat(a, n, axis=0).reshape(m, n, k).reshape(m * n, k)  # a[i, :] for output (i, j)
    bj = np.tile(b.T, (m, 1))                                          # b[:, j] for output (i, j)
    zero = np.zeros(m * n, np.uint64)

    def chain(first, last):
        s = zero
        for kk in range(first, last):
            s, _ = cli_eval("fma", [float_codes(ai[:, kk]), float_codes(bj[:, kk]), s],
                            ["binary32", "binary32", acc_fmt], acc_fmt)
        return s

    if chunk == 0:
        s = chain(0, k)
    else:
        s = zero
        for c in range(0, k, chunk):
            s, _ = cli_eval("add", [s, chain(c, min(c + chunk, k))], [acc_fmt, acc_fmt], acc_fmt)
    return fpsim.decode(s, acc_fmt).astype(np.float32).reshape(m, n)


@pytest.mark.parametrize("acc,chunk", [(None, 0), ("binary16", 0), ("bfloat16", 3), ("e5m2", 0), ("binary16", 4)])
def test_gemm_matches_cli_fma_chain(acc, chunk):
    rng = np.random.default_rng(12)
    a = (rng.standard_normal((5, 9)) * 4).astype(np.float32)
    b = (rng.standard_normal((9, 6)) * 4).astype(np.float32)
    if acc is None:
        c = fpsim.gemm(a, b)
        want = cli_gemm(a, b, "binary32", 0)
    else:
        c = fpsim.gemm(a, b, accumulator=fpsim.Target(acc), chunk=chunk)
        want = cli_gemm(a, b, acc, chunk)
    assert c.shape == (5, 6) and c.dtype == np.float32
    np.testing.assert_array_equal(c.view(np.uint32), want.view(np.uint32))


def test_gemm_stochastic_accumulator_is_reproducible():
    rng = np.random.default_rng(13)
    a = rng.standard_normal((33, 70)).astype(np.float32)
    b = rng.standard_normal((70, 17)).astype(np.float32)
    t = fpsim.Target("bfloat16", rounding="sr")
    c1 = fpsim.gemm(a, b, accumulator=t, seed=1)
    np.testing.assert_array_equal(c1.view(np.uint32), fpsim.gemm(a, b, accumulator=t, seed=1).view(np.uint32))
    assert not np.array_equal(c1, fpsim.gemm(a, b, accumulator=t, seed=2))
    np.testing.assert_allclose(c1, a.astype(np.float64) @ b, rtol=0.1, atol=0.5)
