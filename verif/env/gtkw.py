"""A GTKWave save file (.gtkw) for a waves rerun (`regress debug --waves`, `regress run --rerun-failed`), written by
the env at the start of the run from the simulator's own view of the design (VPI), so that every name carries the
range the FST declares:

    +le_gtkw=<path.gtkw>            write it there (nothing happens without this plusarg)
    +le_gtkw_dump=<path>            the FST it opens (default dump.fst beside the .gtkw)
    +le_gtkw_scopes=<a,b,...>       instances under le_tb_top (e.g. u_dut.u_main_out.u_layernorm): each gets a group
                                    with its ports (the signals named *_i / *_o)
    +le_gtkw_cursor_ps=<T>          the marker (ps), e.g. the first divergence
    +le_gtkw_from_ps=<T>            where the view starts (ps), e.g. the dump window's start

The engine's phase signals (token control, scheduler, executor and phase tracker states, the token's start and
the irq) come first, in a group of their own.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

PLUSARG = "le_gtkw"
PHASE_SIGNALS = ("clk", "irq", "u_dut.tok_start", "u_dut.u_host_if.u_token_ctrl.state_q", "u_dut.u_sched.state_q",
                 "u_dut.u_exec.state_q", "u_dut.main_begin", "u_dut.main_phase", "u_dut.u_main_out.ph_q")
NAMED_MARKERS = 26                     # GTKWave's markers A..Z, unset (-1)


def resolve(top: Any, path: str) -> Any | None:
    """The handle of a dotted path below `top` (e.g. u_dut.u_exec.state_q), None when the build has none."""
    h = top
    for part in path.split("."):
        try:
            h = getattr(h, part)
        except AttributeError:
            return None
    return h


def _is_signal(h: Any) -> bool:
    return type(h).__name__ in ("LogicObject", "LogicArrayObject", "PackedObject", "EnumObject")


def wave_name(h: Any) -> str:
    """The name GTKWave gives the signal in a Verilator FST: TOP.<path>, vectors with their declared range."""
    name = f"TOP.{h._path}"
    rng = getattr(h, "range", None)
    if type(h).__name__ != "LogicObject" and rng is not None:     # a vector, [0:0] too, as Verilator declares it
        name += f"[{rng.left}:{rng.right}]"
    return name


def ports(scope: Any) -> list[Any]:
    """The scope's ports by the project's naming rule (`_i` / `_o`), in name order."""
    found = []
    for child in scope:
        n = child._name
        if _is_signal(child) and n.endswith(("_i", "_o", "_ni", "_no")):
            found.append(child)
    return sorted(found, key=lambda c: c._name)


def lines(top: Any, dump: str, scopes: list[str], cursor_ps: int, from_ps: int) -> list[str]:
    """The save file's lines (GTKWave 3.3 format)."""
    out = ["[*] regress debug: the engine's phases, then the ports of each scope; marker at the divergence",
           f'[dumpfile] "{dump}"', f"[timestart] {from_ps}",
           f"*-20.000000 {cursor_ps} " + " ".join(["-1"] * NAMED_MARKERS), "[sst_width] 240", "[signals_width] 320"]

    def group(title: str, handles: list[Any]) -> None:
        out.extend(["@200", f"-{title}"])
        for h in handles:
            name = wave_name(h)
            out.extend(["@22" if name.endswith("]") else "@28", name])      # vectors in hex, bits as lines
    phase = [h for h in (resolve(top, p) for p in PHASE_SIGNALS) if h is not None and _is_signal(h)]
    group("engine phases", phase)
    for s in scopes:
        scope = resolve(top, s)
        if scope is not None:
            group(s, ports(scope))
        else:
            out.extend(["@200", f"-{s}: not in this build"])
    return out


def write_if_asked(top: Any) -> Path | None:
    """Write the save file when +le_gtkw is given; returns its path."""
    import cocotb
    args = cocotb.plusargs
    target = args.get(PLUSARG)
    if not target:
        return None
    path = Path(str(target))
    dump = str(args.get("le_gtkw_dump") or path.with_name("dump.fst"))
    scopes = [s for s in str(args.get("le_gtkw_scopes") or "").split(",") if s]
    text = lines(top, dump, scopes, int(str(args.get("le_gtkw_cursor_ps") or 0)),
                 int(str(args.get("le_gtkw_from_ps") or 0)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(text) + "\n")
    return path


__all__ = ["PHASE_SIGNALS", "lines", "ports", "resolve", "wave_name", "write_if_asked"]
