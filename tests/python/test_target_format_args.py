"""Every function that takes a target or a format accepts a fpsim.Target, a fpsim.Format or a format string with
the same result; a string that does not parse raises ValueError with the CLI's message, after the function and
argument it was given as; a value of another type raises TypeError naming the argument."""
import numpy as np
import pytest

import fpsim
from conftest import run_cli

X = np.float32([0.1, -3.0, 70000.0, 1e-6, 448.0, 2.5, -0.0, 17.0])
X2 = X.reshape(2, 4)
C = np.uint8([0x3c, 0x40, 0x7b, 0x01])


def cli_error(args):
    status, _, err = run_cli(args, "1\n", check=False)
    assert status == 2 and err.startswith("error: ")
    return err[len("error: "):].strip()


# (where the argument is named in messages, a call passing `arg` in its place)
TARGET_ARGS = [
    ("quantize: target", lambda t: fpsim.quantize(X, t)),
    ("quantize: target", lambda t: fpsim.quantize(X.astype(np.float64), t)),
    ("encode: target", lambda t: fpsim.encode(X, t)),
    ("quantize_with_scale: target", lambda t: fpsim.quantize_with_scale(X, 2.0, t)),
    ("scaled_cast: target", lambda t: fpsim.scaled_cast(X2, t, "row")),
    ("add: target", lambda t: fpsim.add(C, C, t, formats=["e5m2", "e5m2"])),
    ("sub: target", lambda t: fpsim.sub(C, C, t, formats=["e5m2", "e5m2"])),
    ("mul: target", lambda t: fpsim.mul(C, C, t, formats=["e5m2", "e5m2"])),
    ("div: target", lambda t: fpsim.div(C, C, t, formats=["e5m2", "e5m2"])),
    ("sqrt: target", lambda t: fpsim.sqrt(C, t, formats=["e5m2"])),
    ("fma: target", lambda t: fpsim.fma(C, C, C, t, formats=["e5m2", "e5m2", "e5m2"])),
    ("gemm: accumulator", lambda t: fpsim.gemm(X2, X2.T.copy(), accumulator=t)),
]
FORMAT_ARGS = [
    ("decode: format", lambda f: fpsim.decode(C, f)),
    ("per_tensor_scale: format", lambda f: fpsim.per_tensor_scale(3.0, f)),
    ("Target: format", lambda f: fpsim.Target(f, rounding="sr")),
    ("Target: format", lambda f: fpsim.Target(format=f)),
    ("Format.__eq__: other", lambda f: fpsim.Format("e5m2") == f),
    ("add: formats[1]", lambda f: fpsim.add(C, C, "e5m2", formats=["e5m2", f])),
    ("sub: formats[0]", lambda f: fpsim.sub(C, C, "e5m2", formats=(f, "e5m2"))),
    ("mul: formats[1]", lambda f: fpsim.mul(C, C, "e5m2", formats=["e5m2", f])),
    ("div: formats[0]", lambda f: fpsim.div(C, C, "e5m2", formats=[f, "e5m2"])),
    ("sqrt: formats[0]", lambda f: fpsim.sqrt(C, "e5m2", formats=[f])),
    ("fma: formats[2]", lambda f: fpsim.fma(C, C, C, "binary32", formats=["e5m2", "e5m2", f])),
]
ALL_ARGS = TARGET_ARGS + FORMAT_ARGS
IDS = [f"{where}-{i}" for i, (where, _) in enumerate(ALL_ARGS)]


@pytest.mark.parametrize("where,call", ALL_ARGS, ids=IDS)
@pytest.mark.parametrize("spec", ["e4m3x", "e0m3", "e4m3,bias=99999", "banana"])
def test_a_bad_format_string_raises_value_error_with_the_cli_message(where, call, spec):
    cli = cli_error(["quantize", "--format", spec])
    with pytest.raises(ValueError) as e:
        call(spec)
    if f'"{spec}"' in cli:
        assert str(e.value) == f"{where}: {cli}"  # 'quantize: target: unknown format "e4m3x": ...'
    else:
        assert str(e.value) == f'{where}="{spec}": {cli}'  # 'quantize: target="e0m3": exp_bits = 0 ...'
    assert f'"{spec}"' in str(e.value)


def test_the_message_is_the_one_format_raises():
    with pytest.raises(ValueError) as direct:
        fpsim.Format("e4m3x")
    with pytest.raises(ValueError) as e:
        fpsim.quantize(X, "e4m3x")
    assert str(e.value) == "quantize: target: " + str(direct.value)
    assert str(e.value).startswith('quantize: target: unknown format "e4m3x"')


@pytest.mark.parametrize("where,call", TARGET_ARGS, ids=[w for w, _ in TARGET_ARGS])
@pytest.mark.parametrize("bad", [3, 2.5, None, ["e5m2"]])
def test_a_target_of_another_type_raises_type_error_naming_the_argument(where, call, bad):
    if bad is None and where == "gemm: accumulator":
        return  # accumulator=None is the binary32 FMA chain
    with pytest.raises(TypeError) as e:
        call(bad)
    assert str(e.value) == (f"{where} must be a fpsim.Target, a fpsim.Format or a format string, "
                            f"not {type(bad).__name__}")


@pytest.mark.parametrize("where,call", FORMAT_ARGS, ids=[w for w, _ in FORMAT_ARGS])
@pytest.mark.parametrize("bad", [3, fpsim.Target("e5m2")])
def test_a_format_of_another_type_raises_type_error_naming_the_argument(where, call, bad):
    with pytest.raises(TypeError) as e:
        call(bad)
    assert str(e.value) == f"{where} must be a fpsim.Format or a format string, not {type(bad).__name__}"


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_formats_must_be_a_list(op):
    with pytest.raises(TypeError) as e:
        getattr(fpsim, op)(C, C, "e5m2", formats="e5m2")
    assert str(e.value).startswith(f"{op}: formats must be a list of formats") and str(e.value).endswith("not str")
    with pytest.raises(ValueError, match=f"{op}: formats has 1 entries"):
        getattr(fpsim, op)(C, C, "e5m2", formats=["e5m2"])


def test_a_bad_target_setting_still_raises_value_error():
    for kw in ({"rounding": "stoch"}, {"overflow": "clip"}, {"tininess": "during"}, {"nan": "mips"}):
        with pytest.raises(ValueError, match=next(iter(kw.values()))):
            fpsim.Target("e5m2", **kw)
    with pytest.raises(TypeError):
        fpsim.Target("e5m2", rounding=3)


def same(a, b):
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(p, q) for p, q in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, fpsim.ScaledMatrix):
        return same(a.q, b.q) and same(a.factors, b.factors) and a.tensor_factor == b.tensor_factor
    return a == b


@pytest.mark.parametrize("where,call", TARGET_ARGS, ids=[w for w, _ in TARGET_ARGS])
@pytest.mark.parametrize("spec", ["e5m2", "e4m3fn", "e4m3,bias=11", "binary16"])
def test_a_target_format_or_string_give_the_same_result(where, call, spec):
    want = call(fpsim.Target(spec))
    assert same(call(fpsim.Format(spec)), want), where
    assert same(call(spec), want), where
    assert same(call(spec.encode()), want), where  # bytes, as pybind11's string conversion took them


@pytest.mark.parametrize("where,call", FORMAT_ARGS, ids=[f"{w}-{i}" for i, (w, _) in enumerate(FORMAT_ARGS)])
def test_a_format_or_string_give_the_same_result(where, call):
    want = call(fpsim.Format("e5m2"))
    got = call("e5m2")
    if isinstance(want, fpsim.Target):
        assert repr(got) == repr(want), where
    else:
        assert same(got, want), where


def test_a_target_keeps_its_settings():
    t = fpsim.Target("e5m2", rounding="sr", overflow="saturate")
    assert same(fpsim.quantize(X, t, seed=5), fpsim.quantize(X, fpsim.Target("e5m2", "sr", "saturate"), seed=5))
    assert not same(fpsim.quantize(X, t, seed=5), fpsim.quantize(X, "e5m2"))
    assert fpsim.Format("e5m2") == "e5m2" and fpsim.Format("e5m2") != "e4m3fn"


def test_signatures_name_the_accepted_types():
    assert "target: Union[fpsim.Target, fpsim.Format, str]" in fpsim.quantize.__doc__
    assert "format: Union[fpsim.Format, str]" in fpsim.decode.__doc__
    assert "accumulator: Optional[Union[fpsim.Target, fpsim.Format, str]] = None" in fpsim.gemm.__doc__
    assert "formats: Optional[List[Union[fpsim.Format, str]]] = None" in fpsim.fma.__doc__
