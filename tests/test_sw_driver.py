"""The bare-metal C driver (sw/): its unit tests against the fake HAL (sw/test/), compiled with gcc into a temp dir
under the strict flags of sw/Makefile and run; plus the driver's own rules (C99, no libc beyond the four headers,
no allocation, the register map only from the generated rtl/csr/le_csr.h)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SW = ROOT / "sw"
WARN = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-Wconversion", "-Wsign-conversion", "-Wshadow",
        "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wcast-qual"]
DRIVER_FILES = ("le_driver.c", "le_driver.h", "le_hal.h", "le_csr_c99.h")
ALLOWED_LIBC = {"stdint.h", "stddef.h", "stdbool.h", "string.h"}
GCC = shutil.which("gcc")

pytestmark = pytest.mark.skipif(GCC is None, reason="gcc not on PATH")


def compile_and_run(out: Path, extra: list[str]) -> subprocess.CompletedProcess[str]:
    exe = out / "le_driver_tests"
    sources = [str(SW / "le_driver.c"), *sorted(str(p) for p in (SW / "test").glob("*.c"))]
    build = subprocess.run([GCC or "gcc", *WARN, *extra, "-o", str(exe), *sources],
                           capture_output=True, text=True, timeout=60)
    assert build.returncode == 0, f"gcc failed:\n{build.stderr}"
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)


def summary(run: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    m = re.search(r"le_driver unit tests: (\d+) checks, (\d+) failed", run.stdout)
    assert m, f"no summary line in the test binary's output:\n{run.stdout}\n{run.stderr}"
    return int(m.group(1)), int(m.group(2))


def test_unit_tests_pass(tmp_path: Path) -> None:
    run = compile_and_run(tmp_path, ["-O2"])
    checks, failed = summary(run)
    assert run.returncode == 0 and failed == 0, run.stderr
    assert checks >= 250, f"only {checks} checks ran: a test group is no longer called"


def test_unit_tests_pass_under_sanitizers(tmp_path: Path) -> None:
    probe = subprocess.run([GCC or "gcc", "-fsanitize=address,undefined", "-x", "c", "-", "-o", str(tmp_path / "p")],
                           input="int main(void){return 0;}", capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("gcc here cannot link ASan/UBSan")
    run = compile_and_run(tmp_path, ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"])
    assert run.returncode == 0 and summary(run)[1] == 0, run.stderr


def test_a_planted_bug_fails_the_unit_tests(tmp_path: Path) -> None:
    """The unit tests see a driver that skips the W1C of IRQ_STATUS.DONE after a completed token."""
    src = (SW / "le_driver.c").read_text()
    good = "    return wr(dev, REG(IRQ_STATUS), IRQ_DONE);\n"
    assert src.count(good) == 1
    mutant = tmp_path / "sw"
    shutil.copytree(SW, mutant)
    (mutant / "le_driver.c").write_text(src.replace(good, "    return LE_OK;\n"))
    (tmp_path / "rtl").symlink_to(ROOT / "rtl")          # le_csr_c99.h includes ../rtl/csr/le_csr.h
    exe = tmp_path / "mutant_tests"
    sources = [str(mutant / "le_driver.c"), *sorted(str(p) for p in (mutant / "test").glob("*.c"))]
    build = subprocess.run([GCC or "gcc", "-std=c99", "-o", str(exe), *sources], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and summary(run)[1] > 0
    assert "access sequence of a completed token differs" in run.stderr


def test_driver_uses_only_the_allowed_libc_and_no_allocation() -> None:
    for name in DRIVER_FILES:
        text = (SW / name).read_text()
        system = set(re.findall(r"#include\s*<([^>]+)>", text))
        assert system <= ALLOWED_LIBC, f"sw/{name} includes {sorted(system - ALLOWED_LIBC)}"
        assert not re.search(r"\b(malloc|calloc|realloc|free|printf|abort|exit)\s*\(", text), f"sw/{name}"


def test_register_map_comes_from_the_generated_header() -> None:
    """No register offset literal in the driver: every offset is offsetof(le_csr_t, ...) of rtl/csr/le_csr.h."""
    c99 = (SW / "le_csr_c99.h").read_text()
    assert '#include "../rtl/csr/le_csr.h"' in c99
    driver = (SW / "le_driver.c").read_text()
    assert '#include "le_csr_c99.h"' in driver
    assert "offsetof(le_csr_t" in driver
    calls = re.findall(r"\b(?:rd|wr|rd_u64|wr_u64|read_status)\(dev,\s*([^,)]+)", driver)
    assert calls and all(arg.startswith("REG(") or arg in ("lo", "hi", "&status") for arg in calls), calls


def test_makefile_builds_outside_sw(tmp_path: Path) -> None:
    """`make -C sw` writes only to BUILD (default ../build/sw): nothing uncommitted lands in sw/."""
    if shutil.which("make") is None:
        pytest.skip("make not on PATH")
    before = sorted(p.relative_to(SW) for p in SW.rglob("*"))
    run = subprocess.run(["make", "-s", "-C", str(SW), f"BUILD={tmp_path}", "test", "lib"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "libledriver.so").is_file()
    assert sorted(p.relative_to(SW) for p in SW.rglob("*")) == before
