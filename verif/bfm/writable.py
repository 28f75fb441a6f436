"""The guard against VPI writes that do nothing.

The engine's plain regression builds make the testbench readable through VPI and only the registers the env
writes writable (verif/hdl/le_tb_public.vlt, eda/listed_public.py). Verilator ignores a VPI write to a signal
that is readable but not writable, and cocotb reports nothing: a knob the proxy sets would silently keep its old
value and the test would run with other stimulus than it says. So each proxy names the signals it writes and
checks them once, when it is made: each is written with one bit flipped, read back and restored, all at the same
simulation instant (no evaluation of the design in between, so the design never sees the probe).

    require_writable(handle, ("k_lat_min", "k_lat_max"))     # RuntimeError naming the first one that is not
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cocotb.handle import ArrayObject, Immediate

from verif.bfm.raw import NO_DELAY


def _probe(h: Any) -> bool:
    """Flip the lowest bit of `h` at once, read it back, restore it: True when the flip was seen."""
    raw = getattr(h, "_handle", None)
    if raw is not None and hasattr(raw, "get_signal_val_binstr") and hasattr(raw, "set_signal_val_binstr"):
        before = raw.get_signal_val_binstr()
        flipped = before[:-1] + ("0" if before[-1] == "1" else "1")
        raw.set_signal_val_binstr(NO_DELAY, flipped)
        seen = raw.get_signal_val_binstr()
        raw.set_signal_val_binstr(NO_DELAY, before)
        return bool(seen == flipped)
    before_int = int(h.value)                                 # cocotb's public API (slower, same check)
    h.value = Immediate(before_int ^ 1)
    seen_int = int(h.value)
    h.value = Immediate(before_int)
    return seen_int == before_int ^ 1


def require_writable(handle: Any, names: Iterable[str]) -> None:
    """Raise RuntimeError unless every signal `names` of `handle` (an array: its element 0) takes a VPI write."""
    for name in names:
        h = getattr(handle, name)
        element = h[0] if isinstance(h, ArrayObject) else h
        if not _probe(element):
            raise RuntimeError(f"{h._path} is not writable through VPI, so the env's writes to it would be ignored: "
                               f"declare it /*verilator public_flat_rw*/ or list it in verif/hdl/le_tb_public.vlt")


__all__ = ["require_writable"]
