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
from verif.seeds import X_RANDOM_BUILD_ARGS, Seeds

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


# ---- shared by the launchers of the MAC operators (le_gemv, le_logits)
MAC_MAX_D_IN = 512          # x RAM of 64 (LANES 8) / 32 (LANES 16) beats; the d_in = MAX_D_IN corner runs
MAC_STRESS_ROWS = 5200      # random rows per lane count (plus corners and timing rows): > 10,000 in total


def mac_parameters(lanes: int) -> dict[str, int]:
    return {"LANES": lanes, "MAX_D_IN": MAC_MAX_D_IN}


def mac_plusargs(lanes: int) -> list[str]:
    return [f"+LANES={lanes}", f"+MAX_D_IN={MAC_MAX_D_IN}", f"+ROWS={MAC_STRESS_ROWS}"]


# ---- shared by the launchers of the AXI DMAs (le_axi_rd, le_axi_wr) and of the AXI4 slave BFM
AXI_DMA_TB = "le_axi_dma_bfm_tb"      # verif/hdl: le_axi_rd + le_axi_wr on the AXI4 slave BFM


def axi_dma_bfm_sources() -> list[Path]:
    """The AXI4 slave BFM, the DMAs and the wrapper verif/hdl/le_axi_dma_bfm_tb.sv, in dependency order."""
    bfm = [HDL_DIR / f"{m}.sv" for m in ("le_axi_bfm_pkg", "le_axi_bfm_mem", "le_axi_bfm_rd", "le_axi_bfm_wr",
                                          "le_axi_slave_bfm")]
    return [*bfm, *rtl("le_axi_pkg", "le_stream_fifo", "le_axi_burst_split", "le_axi_rd", "le_axi_wr"),
            HDL_DIR / f"{AXI_DMA_TB}.sv"]


def run_axi_dma_bfm(data_w: int, op: str, run_name: str, test_filter: str | None = None,
                    x_random: bool = False) -> Path:
    """Run tests/rtl/cocotb_<op>.py on le_axi_dma_bfm_tb (the BFM inside) with a DATA_W-bit bus. The
    BFM's and the wrapper's $urandom follow Seeds.verilator; with x_random (a build with X_RANDOM_BUILD_ARGS)
    every X-initialised variable starts random from the same seed."""
    s = seeds()
    return run(axi_dma_bfm_sources(), AXI_DMA_TB, op, run_name, parameters={"DATA_W": data_w},
               extra_args=X_RANDOM_BUILD_ARGS if x_random else (),
               plusargs=s.plusargs() if x_random else [f"+verilator+seed+{s.verilator}"], test_filter=test_filter)
