"""pytest launchers of the pyuvm environment's tests (the uvm_test classes in the TEST_MODULES of verif/tests/) on
verif/hdl/le_tb_top.sv: layer_engine (rtl/layer_engine.f) with the split-transactor BFMs (verif/hdl/le_tb.f).

One cached Verilator build per bus width, made with X_RANDOM_BUILD_ARGS: every run randomises the unreset state
from its seed (+verilator+seed, +verilator+rand+reset+2, verif/seeds.py). Seed: LE_SEED (default 1).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from eda import simbuild
from verif.seeds import X_RANDOM_BUILD_ARGS, Seeds

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "build" / "sim" / "runs"
MAX_VOCAB = 4096
TEST_MODULES = ["verif.tests.smoke", "verif.tests.stimulus"]     # each registers its uvm_test classes with @pyuvm.test()


def run_uvm_test(test: str, data_w: int, seeds: Seeds, plusargs: list[str] | None = None,
                 modules: list[str] | None = None) -> Path:
    """Run uvm_test class `test` (found in `modules`, default TEST_MODULES) on a `data_w`-bit bus with `seeds`."""
    rtl, rtl_extra = simbuild.read_file_list(REPO / "rtl" / "layer_engine.f", REPO)
    tb, tb_extra = simbuild.read_file_list(REPO / "verif" / "hdl" / "le_tb.f", REPO)
    return simbuild.run_cocotb(
        [*rtl, *tb], "le_tb_top", modules or TEST_MODULES, RUNS / f"uvm_{test}_w{data_w}_s{seeds.master}",
        parameters={"AXI_DATA_W": data_w, "MAX_VOCAB": MAX_VOCAB}, extra_args=[*rtl_extra, *tb_extra, *X_RANDOM_BUILD_ARGS],
        seed=seeds.cocotb, plusargs=[*seeds.test_plusargs(), *(plusargs or [])],
        test_filter=rf"(^|\.){test}$")


@pytest.mark.sim
@pytest.mark.parametrize("data_w", (64, 128))
def test_uvm_smoke(data_w: int) -> None:
    run_uvm_test("SmokeTest", data_w, Seeds.from_env())


@pytest.mark.sim
@pytest.mark.parametrize("test", ("RandTest", "LongSeqTest", "BackpressureTest", "OutOfOrderTest", "CornerTest"))
@pytest.mark.parametrize("data_w", (64, 128))
def test_uvm_stimulus(test: str, data_w: int) -> None:
    run_uvm_test(test, data_w, Seeds.from_env())
