"""rtl/le_pkg.sv vs models/ops.py: every numerics constant of the package equals its golden twin.

le_pkg.sv promises "every constant below has a same-named twin in models/ops.py". A constant's twin is
its CamelCase name in UPPER_SNAKE_CASE (ScoreFb -> SCORE_FB, I16Min -> I16_MIN, LnGFb -> LN_G_FB), or the
name in RENAMED. Width constants without a twin of their own are checked against the ops ranges they
must hold (DERIVED). A package constant with neither fails the test: add its twin to models/ops.py or
its check here.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from models import ops

PKG = Path(__file__).resolve().parents[1] / "rtl" / "le_pkg.sv"

RENAMED = {"MultW": "MULT_BITS"}

# Width constants: the ops-side quantity each one must represent exactly.
DERIVED: dict[str, tuple[str, Callable[[dict[str, int]], bool]]] = {
    "AccW": ("int32 accumulators: [I32_MIN, I32_MAX] is the AccW-bit signed range",
             lambda c: (-(1 << (c["AccW"] - 1)), (1 << (c["AccW"] - 1)) - 1) == (ops.I32_MIN, ops.I32_MAX)),
    "ActW": ("int8 activations: I8_MAX = 2^(ActW-1) - 1 (symmetric, -128 unused)",
             lambda c: (1 << (c["ActW"] - 1)) - 1 == ops.I8_MAX == -ops.I8_MIN),
    "WideW": ("int16: [I16_MIN, I16_MAX] is the WideW-bit signed range",
              lambda c: (-(1 << (c["WideW"] - 1)), (1 << (c["WideW"] - 1)) - 1) == (ops.I16_MIN, ops.I16_MAX)),
    "ShiftW": ("the ShiftW-bit signed range holds [SHIFT_MIN, SHIFT_MAX] and no wider type is needed",
               lambda c: -(1 << (c["ShiftW"] - 1)) <= ops.SHIFT_MIN and (1 << (c["ShiftW"] - 1)) - 1 >= ops.SHIFT_MAX
               and -(1 << (c["ShiftW"] - 2)) > ops.SHIFT_MIN),
    "ProbW": ("probabilities: uint Q1.PROB_FB, 1.0 = 2^PROB_FB is the largest value, so ProbW = PROB_FB + 1",
              lambda c: c["ProbW"] == ops.PROB_FB + 1),
    "ResMultW": ("residual multipliers: RES_MULT_MAX = 2^ResMultW - 1",
                 lambda c: (1 << c["ResMultW"]) - 1 == ops.RES_MULT_MAX),
    "ActBankW": ("bank id: ACT_BANKS = 2^ActBankW",
                 lambda c: 1 << c["ActBankW"] == ops.ACT_BANKS),
}

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.LShift: operator.lshift,
           ast.RShift: operator.rshift, ast.FloorDiv: operator.floordiv, ast.Pow: operator.pow}
_BASES = {"d": 10, "h": 16, "b": 2, "o": 8}


def _sv_to_python(expr: str) -> str:
    """SV literals and operators -> Python: 32'd5 / 'h1F / 1_000 / $clog2(x) / a ** b / a / b."""
    expr = re.sub(r"(?<=[0-9a-fA-F])_(?=[0-9a-fA-F])", "", expr)
    expr = re.sub(r"\d*'[sS]?([dDhHbBoO])([0-9a-fA-F]+)",
                  lambda m: str(int(m.group(2), _BASES[m.group(1).lower()])), expr)
    expr = expr.replace("$clog2", "clog2").replace("<<<", "<<").replace(">>>", ">>")
    return re.sub(r"(?<![/])/(?![/])", "//", expr)


def _eval(expr: str, known: dict[str, int]) -> int:
    """Evaluate an integer SV constant expression over literals and earlier constants."""

    def ev(node: ast.AST) -> int:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name) and node.id in known:
            return known[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -ev(node.operand) if isinstance(node.op, ast.USub) else ev(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "clog2" and len(node.args) == 1:
            return max(0, (ev(node.args[0]) - 1).bit_length())
        raise ValueError(f"le_pkg.sv: cannot evaluate constant expression {expr!r} (extend {Path(__file__).name})")

    return ev(ast.parse(_sv_to_python(expr), mode="eval"))


def pkg_constants() -> dict[str, int]:
    """name -> value of every `parameter`/`localparam` of le_pkg.sv, in declaration order."""
    code = re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", " ", PKG.read_text(), flags=re.DOTALL))
    found: dict[str, int] = {}
    decl = re.compile(r"\b(?:parameter|localparam)\b(?!\s+type\b)[^=;]*?\b(\w+)\s*=\s*([^;]+);")
    for name, expr in decl.findall(code):
        found[name] = _eval(expr.strip(), found)
    return found


def twin(name: str) -> str:
    return RENAMED.get(name) or re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).upper()


CONSTANTS = pkg_constants()
TWINNED = sorted(n for n in CONSTANTS if n not in DERIVED)


def test_parsed_the_package() -> None:
    for name in ("ScoreFb", "RecipBits", "ProbFb", "ResShift", "NormFb", "LnGFb", "LnOutShift", "ResCopyShift",
                 "ActBanks", "ShiftMin", "ShiftMax", "MultW", "ExpFb", "ExpZeroN", "I8Min", "I8Max", "I16Min",
                 "I16Max", "AccW", "ActW", "WideW", "ShiftW", "ProbW", "ResMultW", "ActBankW"):
        assert name in CONSTANTS, f"{name} not found in {PKG}"
    assert CONSTANTS["ShiftMin"] == -31, "negative values must parse"


@pytest.mark.parametrize("name", TWINNED)
def test_constant_equals_golden_twin(name: str) -> None:
    ops_name = twin(name)
    assert hasattr(ops, ops_name), (f"le_pkg::{name} has no twin models.ops.{ops_name}: add it to models/ops.py, "
                                    f"or its check to DERIVED/RENAMED in {Path(__file__).name}")
    assert CONSTANTS[name] == int(getattr(ops, ops_name)), \
        f"le_pkg::{name} = {CONSTANTS[name]} but models.ops.{ops_name} = {getattr(ops, ops_name)}"


@pytest.mark.parametrize("name", sorted(DERIVED))
def test_width_constant_matches_golden_range(name: str) -> None:
    what, check = DERIVED[name]
    assert name in CONSTANTS, f"le_pkg::{name} missing"
    assert check(CONSTANTS), f"le_pkg::{name} = {CONSTANTS[name]}: {what}"


def test_cross_constants() -> None:
    c = CONSTANTS
    assert c["LnOutShift"] == c["NormFb"] + c["LnGFb"] == ops.LN_OUT_SHIFT
    assert int(ops.EXP_LUT[0]) == 1 << c["ExpFb"]
    assert c["ShiftMax"] - c["ShiftMin"] + 1 == 62 and 31 - c["ShiftMax"] == 1 and 31 - c["ShiftMin"] == 62
