"""The one reader of run-time settings, in simulation and out of it.

    setting("bundle", "tiny")     # +le_bundle=... (cocotb plusarg), else $LE_BUNDLE, else the default
    plusarg("lanes")              # a launcher's raw +lanes=... plusarg (operator tests), None if absent

Plusargs win over the environment, so a regression's recorded command (cmd.sh, repro.sh) carries everything a
run depends on. Outside a simulation (pytest launchers, benchmarks) only the environment is there. The master
seed is read the same way (`setting("seed")`, verif/seeds.py Seeds.from_settings).
"""
from __future__ import annotations

import os
from typing import Any

PREFIX = "le_"


def _plusargs() -> dict[str, Any]:
    try:
        import cocotb
    except ImportError:                       # pragma: no cover - cocotb is a dev dependency
        return {}
    return getattr(cocotb, "plusargs", None) or {}


def plusarg(name: str) -> str | None:
    """The value of plusarg +<name>=..., or None (also outside a simulation)."""
    args = _plusargs()
    return str(args[name]) if name in args else None


def setting(name: str, default: str | None = None) -> str | None:
    """+le_<name>=... , else the environment variable LE_<NAME>, else `default`."""
    key = PREFIX + name
    value = plusarg(key)
    return value if value is not None else os.environ.get(key.upper(), default)
