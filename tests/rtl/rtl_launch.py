"""The pytest side of the operator tests in tests/rtl/: source lists, run directories and the one seed.

Every launcher `tests/rtl/test_rtl_<op>.py` builds its module with `run` and names its cocotb module
`tests/rtl/cocotb_<op>.py`; the cocotb side shares the valid/ready harness `verif/valid_ready.py`.
The seed is the project's one seed variable LE_SEED, read once here through `verif.seeds.Seeds.from_settings()`:
cocotb runs with `Seeds.cocotb` (COCOTB_RANDOM_SEED), HDL randomness with `Seeds.verilator`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from eda import simbuild
from verif.seeds import Seeds

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
RTL_DIR = REPO_ROOT / "rtl"
HDL_DIR = REPO_ROOT / "verif" / "hdl"
RUNS_DIR = REPO_ROOT / "build" / "sim" / "runs"
LANE_COUNTS = (8, 16)               # 64- and 128-bit buses, in operator lanes (int8 per beat)
DATA_WIDTHS = (64, 128)             # the same buses in bits, for the AXI modules


def rtl(*modules: str) -> list[Path]:
    """rtl/<module>.sv for each name, in the given order (dependencies first)."""
    return [RTL_DIR / f"{m}.sv" for m in modules]


def operator_sources(*modules: str) -> list[Path]:
    """le_pkg and le_pipe_ctrl first, then the named rtl/ modules."""
    return rtl("le_pkg", "le_pipe_ctrl", *modules)


def seeds() -> Seeds:
    return Seeds.from_settings()


def run(sources: Sequence[Path], top: str, op: str, run_name: str, parameters: Mapping[str, object] | None = None,
        plusargs: Sequence[str] = (), extra_args: Sequence[str] = (), test_filter: str | None = None) -> Path:
    """Build `top` from `sources` (cached) and run the cocotb module tests/rtl/cocotb_<op>.py in
    build/sim/runs/<run_name> with the LE_SEED-derived cocotb seed; return the run directory."""
    run_dir = RUNS_DIR / run_name
    simbuild.run_cocotb(sources, top, HERE / f"cocotb_{op}.py", run_dir, parameters=parameters,
                        extra_args=list(extra_args), seed=seeds().cocotb, plusargs=list(plusargs),
                        test_filter=test_filter)
    return run_dir


# ---- shared by the launchers of the MAC operators (le_gemv, le_logits) and of the AXI DMAs (le_axi_rd, le_axi_wr)
MAC_MAX_D_IN = 512          # x RAM of 64 (LANES 8) / 32 (LANES 16) beats; the d_in = MAX_D_IN corner runs
MAC_STRESS_ROWS = 5200      # random rows per lane count (plus corners and timing rows): > 10,000 in total


def mac_parameters(lanes: int) -> dict[str, int]:
    return {"LANES": lanes, "MAX_D_IN": MAC_MAX_D_IN}


def mac_plusargs(lanes: int) -> list[str]:
    return [f"+LANES={lanes}", f"+MAX_D_IN={MAC_MAX_D_IN}", f"+ROWS={MAC_STRESS_ROWS}"]


def axi_dma_sources(module: str) -> list[Path]:
    return rtl("le_axi_pkg", "le_stream_fifo", "le_axi_burst_split", module)


def axi_dma_parameters(data_w: int) -> dict[str, int]:
    return {"AXI_DATA_W": data_w, "AXI_ADDR_W": 32, "AXI_ID_W": 4, "MAX_OUTSTANDING": 4}
