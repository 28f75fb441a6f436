"""The assertions (docs/verification.md#assertions): every assertion and assumption fires on the violation it is
about, and names itself in a way regress buckets.

* ``le_assert_tb`` (verif/hdl/le_assert_tb.sv, one small Verilator --binary build, ~10 s): the three protocol
  checkers driven directly, le_stream_fifo and le_axis_x_in with their state forced; one run per case.
* ``le_assert_engine_tb`` (slow: a layer_engine build): the RTL assertions that need the engine around them, and
  each checker through the binds of verif/hdl/le_bind.sv on the engine's ports.
* Every ``LE_ASSERT`` / ``LE_ASSUME`` label in rtl/ and in the checkers has a case (``LE_ASSERT_KNOWN`` excepted:
  Verilator is 2-state, ``$isunknown`` is constant 0 there; those are for 4-state simulators).
* A failure's log gives regress a bucket named after the assertion (regress/buckets.py assert_site), and the
  macros compile to nothing without LE_ASSERT_ON.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from eda import simbuild, toolchain
from regress import runner
from regress.buckets import SVA_KIND, Signature, sva_failure
from regress.results import RunResult
from regress.testlist import BuildConfig, TestSpec

REPO = Path(__file__).resolve().parents[1]
RTL = REPO / "rtl"
HDL = REPO / "verif" / "hdl"
HEADER = RTL / "le_assert.svh"
CHECKERS = [HDL / "le_axi4_checker.sv", HDL / "le_axil_checker.sv", HDL / "le_axis_checker.sv"]
PERF_CHECKER = HDL / "le_perf_checker.sv"       # bound to the engine only: provoked in le_assert_engine_tb
BUILD_ARGS = ("--binary", "--assert", "+define+LE_ASSERT_ON", "-CFLAGS", "-fcoroutines", "-j", str(simbuild.BUILD_JOBS))

# case -> the instance (last hierarchy name before the label) whose assertion must fire; the label is the case
# name up to '@'.
TB_CASES: dict[str, str] = {
    **dict.fromkeys((
        "ArValidHeld_A", "ArStable_A", "ArBurstIncr_A", "ArSizeBus_A", "Ar4k_A", "AwValidHeld_A", "AwStable_A",
        "AwBurstIncr_A", "AwSizeBus_A", "Aw4k_A", "WValidHeld_A", "WStable_A", "WLast_A", "WLastEarly_A",
        "WNoAw_A", "RValidHeld_A", "RStable_A", "RNoAr_A", "RLast_A", "BValidHeld_A", "BStable_A", "BNoAw_A",
        "ArTrack_A", "AwTrack_A"), "u_axi4"),
    **dict.fromkeys((
        "BValidHeld_A@axil", "BStable_A@axil", "RValidHeld_A@axil", "RStable_A@axil", "BNoReq_A", "RNoReq_A",
        "AwValidHeld_M", "AwStable_M", "WValidHeld_M", "WStable_M", "ArValidHeld_M", "ArStable_M"), "u_axil"),
    **dict.fromkeys((
        "TValidHeld_A", "TPayloadStable_A", "TKeepNonZero_A", "TKeepFull_A", "TKeepContig_A"), "u_o_chk.gen_assert"),
    **dict.fromkeys(("TValidHeld_M", "TPayloadStable_M"), "u_x_chk.gen_assume"),
    "CntRange_A": "u_fifo", "OutValidHeld_A": "u_fifo", "OutDataStable_A": "u_fifo",
    "StateLegal_A": "u_x_in",
}
ENGINE_CASES: dict[str, str] = {
    "OutFifoCredit_A@u_axi_rd": "u_dut.u_axi_rd",
    "OutFifoCredit_A@u_gemv": "u_dut.u_logits.u_gemv",
    "StateLegal_A@u_sched": "u_dut.u_sched",
    "StateLegal_A@u_rowstat": "u_dut.u_main_out.u_layernorm.u_rowstat",
    "CntRange_A@u_op_fifo": "u_dut.u_op_fifo",
    "ArValidHeld_A@u_axi4_chk": "u_dut.u_axi4_chk",
    "Aw4k_A@u_axi4_chk": "u_dut.u_axi4_chk",
    "RNoReq_A@u_axil_chk": "u_dut.u_axil_chk",
    "PerfRdStallExact_A@u_perf_chk": "u_dut.u_perf_chk",
    "PerfBytesRdDma_A@u_perf_chk": "u_dut.u_perf_chk",
    "PerfBytesWrDma_A@u_perf_chk": "u_dut.u_perf_chk",
    "PerfRdStallDma_A@u_perf_chk": "u_dut.u_perf_chk",
    "IdleAtDone_A@u_perf_chk": "u_dut.u_perf_chk",
    "TKeepContig_A@u_logits_chk": "u_dut.u_logits_chk.gen_assert",
    "OcatWriteWhileFed_A@u_exec_bufs": "u_dut.u_exec.u_exec_bufs",
    "UactWriteWhileFed_A@u_exec_bufs": "u_dut.u_exec.u_exec_bufs",
    "QkvWriteWhileFed_A@u_exec_bufs": "u_dut.u_exec.u_exec_bufs",
    "BeginWhilePending_A@u_attn": "u_dut.u_attn",
    "SerWordsBound_A@u_attn": "u_dut.u_attn",
    "RqInIdleAfterReset_A@u_main_out": "u_dut.u_main_out",
    "TValidHeld_M@u_x_chk": "u_dut.u_x_chk.gen_assume",
}
# file -> the cases of each of its labels
_LABEL = re.compile(r"`LE_(ASSERT|ASSERT_NEVER|ASSUME)\((\w+)\s*,")


def _label(case: str) -> str:
    return case.split("@", 1)[0]


def build_bench(top: str, sources: list[Path], extra: list[str] | None = None) -> Path:
    """A Verilator --binary of `top` with assertions on, cached in build/sim/<top>-<hash> (the simbuild lock)."""
    env = toolchain.setup_env()
    args = [*BUILD_ARGS, *(extra or [])]
    digest = simbuild.build_hash(sources, {}, {}, args, None, False)
    out = simbuild.SIM_BUILD_ROOT / f"{top}-{digest}"
    binary = out / top
    if (out / simbuild.STAMP).is_file() and binary.is_file():
        return binary
    with simbuild._build_lock():
        if not ((out / simbuild.STAMP).is_file() and binary.is_file()):
            cmd = [str(toolchain.verilator()), *args, "--top-module", top, "--Mdir", str(out), "-o", top,
                   *map(str, sources)]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise AssertionError(f"{top}: Verilator build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
            (out / simbuild.STAMP).write_text("built by tests/test_assertions.py\n")
    return binary


def run_case(binary: Path, case: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary), f"+case={case}"], capture_output=True, text=True, check=False, timeout=30)


def check_fires(done: subprocess.CompletedProcess[str], case: str, where: str) -> None:
    label = _label(case)
    log = done.stdout + done.stderr
    assert done.returncode != 0, f"{case}: the run passed:\n{log[-2000:]}"
    assert "ended without an assertion failure" not in log, log[-2000:]
    fired = re.findall(r"LE_ASSERT (\w+) failed: .*? in (\S+)", log)
    assert fired, f"{case}: no LE_ASSERT failure in the log:\n{log[-2000:]}"
    name, scope = fired[0]
    assert name == label and scope.endswith(f"{where}.{label}"), f"{case}: the first failure is {name} in {scope}"
    sig = regress_signature(log, done.returncode)
    assert sig is not None and sig.kind == SVA_KIND, f"{case}: regress files it as {sig}"
    assert sig.site.endswith(f"{where}.{label}") and re.match(r"(rtl|verif)/\S+\.sv:\d+ in ", sig.site), sig.site
    assert sig.message.startswith(f"LE_ASSERT {label} failed in "), sig.message


def regress_signature(log: str, rc: int, results_xml: str | None = None) -> Signature | None:
    """The bucket signature regress gives a run whose log is `log` (regress.runner.finish_result, the path of every
    launcher): a fake job whose run directory holds that run.log (and results.xml when given)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp)
        (run_dir / "run.log").write_text(log)
        if results_xml is not None:
            (run_dir / "results.xml").write_text(results_xml)
        spec = TestSpec("t", "T", "verif.tests.t", ("w64",), 1)
        job = runner.Job(spec, BuildConfig("w64", "le_tb_top", (), {}, False), 1, run_dir)
        job.result = RunResult("t.w64.s1", "t", "T", "w64", 1, "", str(run_dir), [])
        return runner.finish_result(job, rc, "done", 1.0).signature


# What a failed assertion leaves in run.log under each engine (from real runs of the planted test below).
PYUVM_LOG = """\
   110.00ns INFO     ..-assert/verif/tests/base.py(120) [uvm_test_top]: SmokeTest: master 1: python 1179242037
[1030000] %Error: le_stream_fifo.sv:108: Assertion failed in le_tb_top.u_dut.u_op_fifo.PlantedNoItem_A: \
LE_ASSERT PlantedNoItem_A failed: File "/x/tree/rtl/le_stream_fifo.sv", line 108, in le_tb_top.u_dut.u_op_fifo.\
PlantedNoItem_A
%Error: /x/tree/rtl/le_stream_fifo.sv:108: Verilog $stop
Aborting...
  1030.00ns WARNING  cocotb.regression                  verif.tests.smoke.SmokeTest failed
"""
PYUVM_RESULTS = """<?xml version='1.0' encoding='utf-8'?>
<testsuites name="results"><testsuite name="all" package="all"><testcase name="T" classname="T" \
file="f.py" lineno="1" time="0.25" sim_time_ns="1030.0" ratio_time="4045.1">
<failure type="SimFailure" message="cocotb expected it would shut down the simulation, but the simulation ended \
prematurely.">Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/cocotb/_regression.py", line 10, in _sim_failure
cocotb.regression.SimFailure: cocotb expected it would shut down the simulation</failure></testcase>
</testsuite></testsuites>
"""
SYSTEMC_LOG = """\
regress.scrun: SystemC build /x/build/sc/le_sc_sim-9a44340c570309ae (36 s)
[0] %Error: le_stream_fifo.sv:108: Assertion failed in top.le_tb_top.u_dut.u_op_fifo.PlantedNoItem_A: LE_ASSERT \
PlantedNoItem_A failed: File "/x/tree/rtl/le_stream_fifo.sv", line 108, in top.le_tb_top.u_dut.u_op_fifo.\
PlantedNoItem_A
%Error: /x/tree/rtl/le_stream_fifo.sv:108: Verilog $stop
Aborting...
regress.scrun: FAIL: harness: no run.json; token 0 (pos 0): no result from the harness
"""


def test_an_assertion_names_the_bucket_under_both_engines() -> None:
    """regress files a run stopped by an assertion under the assertion, whatever else the run reported: cocotb's
    SimFailure (results.xml written) under pyuvm, a crash without results.xml (SystemC's abort), and the same
    signature for the same assertion in both engines (the simulators' top wrappers dropped from the scope)."""
    want = ("AssertionFailed at rtl/le_stream_fifo.sv:108 in u_dut.u_op_fifo.PlantedNoItem_A: "
            "LE_ASSERT PlantedNoItem_A failed in u_dut.u_op_fifo.PlantedNoItem_A")
    assert str(regress_signature(PYUVM_LOG, 0, PYUVM_RESULTS)) == want
    assert str(regress_signature(SYSTEMC_LOG, 1)) == want
    # without an assertion in the log, the usual signature (here cocotb's SimFailure from results.xml)
    plain = regress_signature(PYUVM_LOG.splitlines()[0], 0, PYUVM_RESULTS)
    assert plain is not None and plain.kind == "SimFailure" and plain.message.startswith("cocotb expected"), plain
    # a plain `assert property` (no project macro): Verilator's own line names it
    native = "[5] %Error: t.sv:12: Assertion failed in TOP.le_tb_top.u_dut.Mine: 'assert' failed.\n"
    sva = sva_failure(native)
    assert sva is not None and (sva.name, sva.scope) == ("Mine", "u_dut.Mine")


@pytest.fixture(scope="module")
def tb_binary() -> Path:
    sources = [HEADER, RTL / "le_stream_fifo.sv", RTL / "le_axis_x_in.sv", *CHECKERS, HDL / "le_assert_tb.sv"]
    return build_bench("le_assert_tb", sources)


def test_clean_traffic_passes(tb_binary: Path) -> None:
    done = run_case(tb_binary, "clean")
    assert done.returncode == 0 and "LE_ASSERT" not in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]


def test_every_case_fires_its_assertion(tb_binary: Path) -> None:
    wrong = []
    for case, where in TB_CASES.items():
        try:
            check_fires(run_case(tb_binary, case), case, where)
        except AssertionError as exc:
            wrong.append(str(exc).splitlines()[0])
    assert not wrong, "\n".join(wrong)


def _labels(path: Path) -> set[str]:
    return {m.group(2) for m in _LABEL.finditer(path.read_text())}


def test_every_assertion_has_a_case() -> None:
    """Each LE_ASSERT / LE_ASSUME label of rtl/*.sv and of the checkers is provoked by a case of one bench."""
    covered_tb = {_label(c) for c in TB_CASES}
    engine = {(_label(c), w.rsplit(".", 1)[-1]) for c, w in ENGINE_CASES.items()}
    missing = []
    for f in CHECKERS:
        missing += [f"{f.name}: {lb}" for lb in sorted(_labels(f) - covered_tb)]
    missing += [f"{PERF_CHECKER.name}: {lb}" for lb in sorted(_labels(PERF_CHECKER) - {lb for lb, _ in engine})]
    tb_modules = {"le_stream_fifo.sv": covered_tb, "le_axis_x_in.sv": covered_tb,
                  # provoked by planted bugs in tests/rtl/test_rtl_stall_gate.py (PLANTS)
                  "le_stall_gate.sv": {"GateValidHeld_A", "GateOneHandshake_A"}}
    for f in sorted(RTL.glob("*.sv")):
        labels = _labels(f)
        if not labels:
            continue
        have = tb_modules.get(f.name, set())
        inst = {lb for lb, _ in engine}
        missing += [f"{f.name}: {lb}" for lb in sorted(labels - have - inst)]
    assert not missing, "assertions no test provokes:\n" + "\n".join(missing)


def test_macros_compile_to_nothing_without_the_define(tmp_path: Path) -> None:
    """Without LE_ASSERT_ON the header expands every macro to nothing (the synthesizable RTL unchanged)."""
    env = toolchain.setup_env()
    src = tmp_path / "m.sv"
    src.write_text(f'`include "{HEADER}"\nmodule m (input logic clk_i, input logic rst_ni, output logic q_o);\n'
                   "  assign q_o = 1'b0;\n  `LE_ASSERT(Never_A, q_o)\n  `LE_ASSUME(Never_M, 1'b0)\n"
                   "endmodule\n")
    for defines, has_assert in (([], False), (["+define+LE_ASSERT_ON"], True)):
        done = subprocess.run([str(toolchain.verilator()), "-E", *defines, str(src)], env=env, capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert ("assert property" in done.stdout) == has_assert and ("assume property" in done.stdout) == has_assert
    done = subprocess.run([str(toolchain.verilator()), "-E", "+define+LE_ASSERT_ON", "+define+SYNTHESIS", str(src)],
                          env=env, capture_output=True, text=True, check=False)
    assert "assert property" not in done.stdout


@pytest.mark.slow
def test_engine_assertions_and_binds() -> None:
    rtl, extra = simbuild.read_file_list(RTL / "layer_engine.f")
    sources = [*rtl, *CHECKERS, PERF_CHECKER, HDL / "le_bind.sv", HDL / "le_assert_engine_tb.sv"]
    binary = build_bench("le_assert_engine_tb", sources, extra)
    done = run_case(binary, "clean")
    assert done.returncode == 0 and "LE_ASSERT" not in done.stdout, done.stdout[-3000:]
    wrong = []
    for case, where in ENGINE_CASES.items():
        try:
            check_fires(run_case(binary, case), case, where)
        except AssertionError as exc:
            wrong.append(str(exc).splitlines()[0])
    assert not wrong, "\n".join(wrong)


PLANTED = "  `LE_ASSERT(PlantedNoItem_A, !out_valid_o)\n"


def _planted_tree(tmp: Path) -> Path:
    """A scratch copy of rtl/ whose le_stream_fifo asserts that it never offers an item: the first item any FIFO
    of the engine offers trips PlantedNoItem_A (an assertion failure in a real run of each engine)."""
    import shutil
    shutil.copytree(RTL, tmp / "rtl")
    fifo = tmp / "rtl" / "le_stream_fifo.sv"
    text = fifo.read_text()
    fifo.write_text(text[: text.rindex("endmodule")] + PLANTED + "\nendmodule\n")
    return tmp


def _run_through_regress(spec: TestSpec, cfg: BuildConfig, run_dir: Path, build: Path | None,
                         extra: list[str]) -> RunResult:
    """The run as `regress run` executes and judges it (runner.sim_command, run.log, runner.finish_result)."""
    run_dir.mkdir(parents=True)
    job = runner.Job(spec, cfg, 1, run_dir)
    cmd, env = runner.sim_command(job, build)
    cmd += extra
    job.result = RunResult(f"{spec.name}.{cfg.name}.s1", spec.name, spec.cls, cfg.name, 1, "", str(run_dir), cmd, env,
                           engine=spec.engine)
    with open(run_dir / "run.log", "wb") as log:
        rc = subprocess.run(cmd, cwd=REPO, env={**os.environ, **env}, stdout=log,
                            stderr=subprocess.STDOUT, check=False, timeout=900).returncode
    return runner.finish_result(job, rc, "done", 1.0)


@pytest.mark.slow
@pytest.mark.sim
def test_engine_run_stopped_by_an_assertion_is_bucketed_by_it(tmp_path: Path) -> None:
    """A planted assertion failure in a real run of each engine (the smoke test, pyuvm and SystemC): the run
    fails, and its bucket signature is the assertion's (kind AssertionFailed, site <file>:<line> in <scope>.<Name>,
    message 'LE_ASSERT <Name> failed in <scope>')."""
    from regress.testlist import load
    tree = _planted_tree(tmp_path / "tree")
    tl = load()
    sigs = {}
    # SystemC: regress.scrun builds from the scratch rtl/ (--rtl-root)
    sc = tl.test("sc_smoke")
    res = _run_through_regress(sc, tl.configs["w128"], tmp_path / "sc", None, ["--rtl-root", str(tree)])
    sigs["systemc"] = res.signature
    # pyuvm: the w64 configuration built from the scratch rtl/ (its file list's sources swapped for the copies)
    cfg = tl.configs["w64"]
    from regress.mutate import tree_sources
    sources, extra = tree_sources(cfg, tree)
    build = simbuild.build(sources, cfg.toplevel, cfg.parameters, extra_args=extra).build_dir
    res = _run_through_regress(tl.test("smoke"), cfg, tmp_path / "uvm", build, [])
    sigs["pyuvm"] = res.signature
    for engine, sig in sigs.items():
        assert sig is not None and sig.kind == SVA_KIND, f"{engine}: {sig}"
        assert re.fullmatch(r"rtl/le_stream_fifo\.sv:\d+ in u_dut\.\S+\.PlantedNoItem_A", sig.site), f"{engine}: {sig}"
        assert sig.message.startswith("LE_ASSERT PlantedNoItem_A failed in u_dut."), f"{engine}: {sig}"
