"""Signal and array access without cocotb's value objects, for the proxies' per-access and per-token traffic.

cocotb's public read (`int(handle.value)`) builds a LogicArray and a Range per access (~3 us); the simulator object
underneath (cocotb 2.x `handle._handle.get_signal_val_binstr`) returns the bits as a string that int() parses
(~0.5 us). Both read the value now. Writes to signals keep cocotb's scheduled path (`handle.value = v`): when a
write lands is part of a proxy's timing; RawArray writes store elements at once.
"""
from __future__ import annotations

from typing import Any

from cocotb.handle import Immediate

NO_DELAY = 3                      # cocotb.handle._GPISetAction.NO_DELAY (what Immediate uses): applied at once
DEPOSIT = 0                       # cocotb.handle._GPISetAction.DEPOSIT: the stream BFMs' beat stores


def read_uint(h: Any) -> int:
    """The unsigned value of a signal handle (one VPI read); cocotb's public API where `_handle` is missing.
    An X/Z bit raises ValueError, as int(handle.value) does."""
    raw = getattr(h, "_handle", None)
    if raw is None or not hasattr(raw, "get_signal_val_binstr"):
        return int(h.value.to_unsigned())
    return int(raw.get_signal_val_binstr(), 2)


class RawArray:
    """Element access to a big HDL array through the raw GPI handles cocotb wraps (cocotb 2.1 `_handle`):
    no cocotb object per element, which makes the first touch of a word ~5x cheaper; each element's handle is
    looked up once. Writes take effect at once (`write_action` NO_DELAY, as `Immediate`, or DEPOSIT): the HDL
    reads these stores only after a later command. Falls back to the public handle API if the private one is
    missing."""

    def __init__(self, arr: Any, width: int, write_action: int = NO_DELAY) -> None:
        self.arr, self.width, self.write_action = arr, width, write_action
        self.raw: dict[int, Any] = {}
        self.fast = hasattr(arr, "_handle") and hasattr(arr._handle, "get_handle_by_index")

    def _h(self, i: int) -> Any:
        h = self.raw.get(i)
        if h is None:
            h = self.raw[i] = self.arr._handle.get_handle_by_index(i)
        return h

    def get(self, i: int) -> int:
        if self.fast:
            h = self.raw.get(i)                   # (inlined _h: the drain's hot path)
            if h is None:
                h = self._h(i)
            return int(h.get_signal_val_binstr(), 2)
        return int(self.arr[i].value.to_unsigned())

    def set(self, i: int, v: int) -> None:
        if self.fast:
            h = self._h(i)
            if self.width <= 32:
                h.set_signal_val_int(self.write_action, v)
            else:
                h.set_signal_val_binstr(self.write_action, f"{v:0{self.width}b}")
        else:
            self.arr[i].value = Immediate(v)


__all__ = ["DEPOSIT", "NO_DELAY", "RawArray", "read_uint"]
