"""Lint the project's HDL with verible-verilog-lint and ``verilator --lint-only -Wall``.

    python -m eda.hdl_lint [TREE ...]        TREE: rtl, verif, tests (default: all three)

Trees (each: verible over its ``*.sv``, not recursive; Verilator over each of its top-level modules):

  rtl     rtl/*.sv (rtl/csr/ is generated and linted by tests/test_csr.py); top layer_engine from
          rtl/layer_engine.f.
  verif   verif/hdl/*.sv; top le_tb_top from rtl/layer_engine.f + verif/hdl/le_tb.f, and every other module
          of verif/hdl that no file of the tree instantiates (le_axi_dma_bfm_tb, le_axis_bfm_tb, ...).
  tests   tests/hdl/*.sv; every module that no file of the tree instantiates (the small tb tops).

Verilator lints each top twice: without and with the test-build defines (``--assert +define+LE_ASSERT_ON
+define+LE_STALL_INJECT``: the assertions and the stall-injection gates).

A top without a file list gets the packages and .vlt files of rtl/layer_engine.f (and the tree's own
packages) ahead of its file, and finds its modules with ``-y`` (file name = module name).

Rules: rtl/lint/verible.rules for every tree. Waivers, each with its reason: ``<tree>/lint/verible.waiver``
and ``<tree>/lint/verilator.vlt`` (rtl/lint/, verif/hdl/lint/, tests/hdl/lint/); rtl/lint/verilator.vlt
applies to every Verilator run (its waivers are scoped to rtl files, which every tree elaborates).

Output: one line per finding, ``file:line: tool: message``, then one summary line. Exit 0 when clean,
1 on findings, 2 (one line) when a tool or an input file is missing or a tree name is unknown.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eda import simbuild, toolchain

ROOT = simbuild.REPO_ROOT
RULES = ROOT / "rtl" / "lint" / "verible.rules"
RTL_VLT = ROOT / "rtl" / "lint" / "verilator.vlt"
RTL_F = ROOT / "rtl" / "layer_engine.f"
TB_F = ROOT / "verif" / "hdl" / "le_tb.f"
TIMEOUT_S = 300
ASSERT_ARGS = ("--assert", f"+define+{simbuild.ASSERT_DEFINE}", f"+define+{simbuild.STALL_DEFINE}")
"""The second pass: what a regression build defines (the assertions and the stall-injection gates)."""
"""Each top is linted twice by Verilator: as synthesised (the macros of rtl/le_assert.svh empty) and as the
regression builds it, with the assertions and the bound protocol checkers (docs/verification.md#assertions)."""


@dataclass(frozen=True)
class Finding:
    """One lint message, as ``file:line: tool: message``."""

    file: str
    line: int
    tool: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.tool}: {self.message}"


@dataclass(frozen=True)
class Tree:
    """A folder of HDL linted as one unit."""

    name: str
    hdl_dir: Path                                   # verible lints its *.sv; tops are found here
    lint_dir: Path                                  # verible.waiver / verilator.vlt (each optional)
    filelists: dict[str, tuple[Path, ...]] = field(default_factory=dict)   # top -> its .f files, in order
    libs: tuple[Path, ...] = ()                     # .f files whose packages / .vlt go ahead of other tops
    lib_dirs: tuple[Path, ...] = ()                 # -y folders for the other tops' modules
    discover: bool = True                           # lint every module no file of the tree instantiates


TREES: dict[str, Tree] = {
    "rtl": Tree("rtl", ROOT / "rtl", ROOT / "rtl" / "lint", {"layer_engine": (RTL_F,)}, discover=False),
    "verif": Tree("verif", ROOT / "verif" / "hdl", ROOT / "verif" / "hdl" / "lint",
                  {"le_tb_top": (RTL_F, TB_F)}, libs=(RTL_F,),
                  lib_dirs=(ROOT / "rtl", ROOT / "rtl" / "csr", ROOT / "verif" / "hdl")),
    "tests": Tree("tests", ROOT / "tests" / "hdl", ROOT / "tests" / "hdl" / "lint", libs=(RTL_F,),
                  lib_dirs=(ROOT / "rtl", ROOT / "rtl" / "csr", ROOT / "tests" / "hdl")),
}


class LintInputError(RuntimeError):
    """A file the lint needs is missing or unreadable; ``str(exc)`` is one line."""


# --------------------------------------------------------------------------- sources


def _code(path: Path) -> str:
    text = path.read_text(errors="replace")
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    return re.sub(r"//[^\n]*", "", text)


def _declared(path: Path, keyword: str) -> list[str]:
    return re.findall(rf"^\s*{keyword}\s+(?:automatic\s+|static\s+)?(\w+)", _code(path), flags=re.MULTILINE)


def sv_files(tree: Tree) -> list[Path]:
    """The tree's SystemVerilog files (not recursive)."""
    return sorted(tree.hdl_dir.glob("*.sv"))


def _instantiated(path: Path, names: set[str]) -> set[str]:
    """Which of `names` `path` instantiates (`name #(` or `name u_x (`), its own declaration left out."""
    code = re.sub(r"\b(?:end)?module\b\s*\w*", " ", _code(path))
    return {m for m in re.findall(r"\b(\w+)\s*(?:#\s*\(|\w+\s*\()", code) if m in names}


def tops(tree: Tree) -> dict[str, Path | None]:
    """Top-level module -> its file (None: the file lists give its sources), file-list tops first."""
    found: dict[str, Path | None] = dict.fromkeys(tree.filelists)
    if tree.discover:
        files = sv_files(tree)
        modules = {name: f for f in files for name in _declared(f, "module")}
        used = set().union(*(_instantiated(f, set(modules)) for f in files)) if files else set()
        for name in sorted(set(modules) - used - set(found)):
            found[name] = modules[name]
    return found


def _packages_used(top_file: Path, tree: Tree) -> set[str]:
    """Names before `::` in `top_file` and in the tree's files it instantiates, transitively."""
    by_module = {name: f for f in sv_files(tree) for name in _declared(f, "module")}
    todo, seen, used = [top_file], set(), set()
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            used |= set(re.findall(r"\b(\w+)\s*::", _code(f)))
            todo += [by_module[m] for m in _instantiated(f, set(by_module))]
    return used


def _read_lists(lists: Iterable[Path]) -> tuple[list[Path], list[str]]:
    sources: list[Path] = []
    extra: list[str] = []
    for f in lists:
        try:
            src, ext = simbuild.read_file_list(f, ROOT)
        except FileNotFoundError as exc:
            raise LintInputError(f"{exc}: fix the file list") from exc
        sources += [s for s in src if s not in sources]
        extra += [e for e in ext if e not in extra]
    return sources, extra


def _vlts(tree: Tree) -> list[Path]:
    own = tree.lint_dir / "verilator.vlt"
    return [RTL_VLT] + ([own] if own.is_file() and own.resolve() != RTL_VLT.resolve() else [])


def verilator_cmd(tree: Tree, top: str, top_file: Path | None) -> list[str]:
    """``verilator --lint-only -Wall`` of one top (without the executable)."""
    head = ["--lint-only", "-Wall", *map(str, _vlts(tree))]
    if top_file is None:
        sources, extra = _read_lists(tree.filelists[top])
        return [*head, *extra, *map(str, sources), "--top-module", top]
    lib_sources, extra = _read_lists(tree.libs)
    packages = [s for s in lib_sources if _declared(s, "package")]
    used = _packages_used(top_file, tree)
    packages += [f for f in sv_files(tree) if set(_declared(f, "package")) & used and f not in packages]
    libs = [a for d in tree.lib_dirs for a in ("-y", str(d))]
    return [*head, *libs, "+libext+.sv", *extra, *map(str, packages), str(top_file), "--top-module", top]


# --------------------------------------------------------------------------- running and parsing


def _rel(path: str) -> str:
    p = Path(path)
    p = p if p.is_absolute() else ROOT / p
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def _run(cmd: Sequence[str | Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, capture_output=True, text=True, check=False,
                          timeout=TIMEOUT_S)


_VERILATOR_MSG = re.compile(r"^%(?:Warning|Error)(?:-(\w+))?: (\S+?):(\d+):(?:\d+:)? (.*)$")
_VERIBLE_MSG = re.compile(r"^(\S+?):(\d+):\d+(?:-\d+)?: (.*?)(?: \[Style: [^]]*\])?( \[[\w-]+\])?$")


def parse_verilator(output: str, returncode: int, where: Path) -> list[Finding]:
    """Findings of one Verilator run; an error without a location is reported at `where`."""
    found: list[Finding] = []
    for line in output.splitlines():
        m = _VERILATOR_MSG.match(line)
        if m:
            rule = f"{m.group(1)}: " if m.group(1) else ""
            found.append(Finding(_rel(m.group(2)), int(m.group(3)), "verilator", f"{rule}{m.group(4)}"))
        elif line.startswith("%Error") and not line.startswith("%Error: Exiting due to"):
            found.append(Finding(_rel(str(where)), 0, "verilator", line.lstrip("%")))
    if returncode != 0 and not found:
        first = next((ln for ln in output.splitlines() if ln.strip()), f"exit {returncode}, no output")
        found.append(Finding(_rel(str(where)), 0, "verilator", first.strip()))
    return found


def parse_verible(output: str, returncode: int, where: Path) -> list[Finding]:
    """Findings of one verible-verilog-lint run; any other output is reported at `where`."""
    found: list[Finding] = []
    for line in output.splitlines():
        m = _VERIBLE_MSG.match(line)
        if m:
            found.append(Finding(_rel(m.group(1)), int(m.group(2)), "verible",
                                 f"{m.group(3)}{m.group(4) or ''}"))
        elif line.strip() and found:     # a message quoting multi-line code goes on over several lines
            last = found.pop()
            found.append(Finding(last.file, last.line, last.tool, f"{last.message} {line.strip()}"))
        elif line.strip():
            found.append(Finding(_rel(str(where)), 0, "verible", line.strip()))
    if returncode != 0 and not found:
        found.append(Finding(_rel(str(where)), 0, "verible", f"exit {returncode}, no output"))
    return found


def lint_tree(tree: Tree) -> list[Finding]:
    """Every finding of both tools over `tree`, each once, in tool then file order."""
    verible, verilator = toolchain.verible_lint(), toolchain.verilator()
    found: list[Finding] = []
    files = sv_files(tree)
    if files:
        waiver = tree.lint_dir / "verible.waiver"
        cmd: list[str | Path] = [verible, f"--rules_config={RULES}"]
        cmd += [f"--waiver_files={waiver}"] if waiver.is_file() else []
        done = _run([*cmd, *(_rel(str(f)) for f in files)])
        found += parse_verible(done.stdout + done.stderr, done.returncode, tree.hdl_dir)
    for top, top_file in tops(tree).items():
        for assert_args in ((), ASSERT_ARGS):
            done = _run([verilator, *verilator_cmd(tree, top, top_file), *assert_args])
            found += parse_verilator(done.stdout + done.stderr, done.returncode, top_file or tree.hdl_dir)
    return list(dict.fromkeys(found))


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv) or list(TREES)
    unknown = [n for n in names if n not in TREES]
    if unknown:
        print(f"hdl_lint: unknown tree {unknown[0]!r}: choose from {', '.join(TREES)}", file=sys.stderr)
        return 2
    try:
        toolchain.setup_env()
        results = {name: lint_tree(TREES[name]) for name in names}
    except (toolchain.ToolMissing, LintInputError) as exc:
        print(f"hdl_lint: {exc}", file=sys.stderr)
        return 2
    for findings in results.values():
        for f in findings:
            print(f)
    counts = ", ".join(f"{name} {len(findings)}" for name, findings in results.items())
    total = sum(len(f) for f in results.values())
    verdict = "clean" if total == 0 else f"{total} finding(s)"
    print(f"hdl_lint: {verdict} (verible + verilator -Wall; findings per tree: {counts})")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
