"""smoke: the tiny model, 4 tokens from position 0, calm memory and streams."""
from __future__ import annotations

import pyuvm

from verif.tests.base import BaseTest


@pyuvm.test()
class SmokeTest(BaseTest):
    bundle = "tiny"
    tokens = 4
