"""The layers of the project hold (pyproject [tool.importlinter], run by `make lint` too) and every class name is
defined once across the packages (two `TokenResult`s once meant two things under one name).

The layer test is shown to fail: a scratch copy of the packages with one upward import (an agent importing the env)
breaks the testbench contract.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "eda", "verif", "regress")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
GENERATED = {"verif/ral/le_csr_ral.py"}          # PeakRDL-pyuvm output (eda/csrgen.py)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root,
                          capture_output=True, text=True, check=False, env={"PYTHONPATH": str(root)})


def test_import_layers_kept() -> None:
    res = lint_imports(REPO)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "0 broken" in res.stdout


def test_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    for pkg in PACKAGES:
        shutil.copytree(REPO / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__", "hdl"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    irq = tmp_path / "verif" / "agents" / "irq.py"
    irq.write_text(irq.read_text() + "\nfrom verif.env import scoreboard  # planted: an agent importing the env\n")
    res = lint_imports(tmp_path)
    assert res.returncode != 0 and "BROKEN" in res.stdout, res.stdout[-3000:]
    assert "verif.agents.irq -> verif.env.scoreboard" in res.stdout


def class_definitions(root: Path = REPO) -> dict[str, list[str]]:
    """Class name -> 'file:line' of each top-level definition in the packages (generated files aside)."""
    where: dict[str, list[str]] = defaultdict(list)
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel in GENERATED:
                continue
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.ClassDef):
                    where[node.name].append(f"{rel}:{node.lineno}")
    return where


def test_one_class_per_name() -> None:
    twice = {name: places for name, places in class_definitions().items() if len(places) > 1}
    assert not twice, f"class names defined more than once: {twice}"


def test_one_class_per_name_finds_a_twin(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "verif").mkdir()
    (tmp_path / "models" / "a.py").write_text("class TokenResult:\n    pass\n")
    (tmp_path / "verif" / "b.py").write_text("class TokenResult:\n    pass\n")
    assert class_definitions(tmp_path)["TokenResult"] == ["models/a.py:1", "verif/b.py:1"]
