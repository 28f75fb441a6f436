"""smoke: the tiny model, 4 tokens from position 0, calm memory and streams."""
from __future__ import annotations

from verif.tests.base import BaseTest


class SmokeTest(BaseTest):
    bundle = "tiny"
    tokens = 4
