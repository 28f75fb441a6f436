"""pytest launcher: the `layer_engine` top level end to end (cocotb module tests/rtl/cocotb_layer_engine.py).

Sources: rtl/layer_engine.f (one path per line relative to the repo root, packages first; `#` or `//`
comments; `.vlt` Verilator configuration files and `+`/`-` options go to the Verilator command line).
One cached Verilator build per bus width (64 and 128 bits); every other parameter is the default except
MAX_VOCAB (shrunk: the presets here have vocab <= 1024). benchmarks/perf.py uses the same builds.

Default run (`pytest -m sim`): tiny (12 tokens) and small (8 tokens) bit-exact at both widths with random
AXI latency, out-of-order / interleaved returns, stalls on every channel, X gaps and logits backpressure; every
error test (codes 1..6) at both widths. `-m slow`: longer sequences (more context tiles).
Seed: LE_SIM_SEED (default SEED) drives the memory model and stream BFMs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eda import simbuild

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
FILE_LIST = REPO_ROOT / "rtl" / "layer_engine.f"
RUNS_DIR = REPO_ROOT / "build" / "sim" / "runs"
COCOTB_MODULE = HERE / "cocotb_layer_engine.py"
TOPLEVEL = "layer_engine"
SEED = 20250901                     # fixed cocotb seed (override: LE_SIM_SEED)
WIDTHS = (64, 128)
MAX_VOCAB = 4096
ERROR_TESTS = ("test_err1_illegal_config", "test_err2_start_while_busy", "test_err2_soft_reset_abandons_waiting_token",
               "test_err3_axi_read_error", "test_err4_axi_write_error", "test_err5_x_tlast_early",
               "test_err6_x_tlast_late")


def file_list(path: Path = FILE_LIST) -> tuple[list[Path], list[str]]:
    """(HDL sources in order, extra Verilator arguments) of rtl/layer_engine.f."""
    return simbuild.read_file_list(path, REPO_ROOT)


def parameters(data_w: int) -> dict[str, int]:
    return {"AXI_DATA_W": data_w, "MAX_VOCAB": MAX_VOCAB}


def seed() -> int:
    return int(os.environ.get("LE_SIM_SEED", SEED))


def run(data_w: int, run_name: str, plusargs: list[str]) -> None:
    sources, extra = file_list()
    simbuild.run_cocotb(sources, TOPLEVEL, COCOTB_MODULE, RUNS_DIR / f"layer_engine_w{data_w}_{run_name}",
                        parameters=parameters(data_w), extra_args=extra, seed=seed(), plusargs=plusargs)


@pytest.mark.sim
@pytest.mark.parametrize("bundle", ("tiny:12", "small:8"))
@pytest.mark.parametrize("data_w", WIDTHS)
def test_layer_engine_bitexact(data_w: int, bundle: str) -> None:
    run(data_w, f"bitexact_{bundle.split(':')[0]}", ["+le_tests=^test_bitexact$", f"+le_bundles={bundle}"])


@pytest.mark.sim
@pytest.mark.parametrize("test", ERROR_TESTS)
@pytest.mark.parametrize("data_w", WIDTHS)
def test_layer_engine_error(data_w: int, test: str) -> None:
    run(data_w, test.removeprefix("test_"), [f"+le_tests=^{test}$"])


@pytest.mark.sim
@pytest.mark.slow
@pytest.mark.parametrize("bundle", ("tiny:64", "small:40"))
@pytest.mark.parametrize("data_w", WIDTHS)
def test_layer_engine_long(data_w: int, bundle: str) -> None:
    run(data_w, f"long_{bundle.split(':')[0]}", ["+le_tests=^test_bitexact$", f"+le_bundles={bundle}"])
