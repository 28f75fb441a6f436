"""The cocotb module of the pyuvm tests: each uvm_test class is registered with pyuvm.test().

Select one with cocotb's test filter (COCOTB_TEST_FILTER / the launcher's `test` argument)."""
from __future__ import annotations

import pyuvm

from verif.tests.smoke import SmokeTest

pyuvm.test()(SmokeTest)
