"""One master seed per run, and every seed derived from it.

    seeds = Seeds(master)          # e.g. from the regression runner or LE_SEED
    random.Random(seeds.python)    # bulk stimulus (X vectors, weights, knob draws)
    np.random.default_rng(seeds.numpy)
    seeds.vsc                      # pyvsc randomization of config items
    seeds.verilator                # +verilator+seed+N: $urandom in the BFMs and the X-initialisation values

Derivation: sha256("<master>:<name>") -> a 31-bit value in [1, 2^31 - 1] (0 is avoided: Verilator treats
seed 0 as "pick one"), so the streams are independent and any one of them can be re-derived from the master
alone. `plusargs()` is what a run passes to the simulator: the Verilator seed and `+verilator+rand+reset+2`,
which together with a build made with X_RANDOM_BUILD_ARGS randomises every X-initialised flop and memory from
the seed (a design that depends on an unreset value fails on some seed, reproducibly).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from verif.settings import setting

X_RANDOM_BUILD_ARGS = ("--x-assign", "unique", "--x-initial", "unique")
SEED_ENV = "LE_SEED"
DEFAULT_MASTER = 1
MAX_MASTER = 2**63 - 1          # the range of `python -m models export --seed`


def parse_master(text: str) -> int:
    """A master seed as a user writes it (command line, plusarg, $LE_SEED): decimal or 0x hex, 0 <= S < 2^63.
    ValueError names the rule."""
    try:
        value = int(str(text).strip(), 0)
    except ValueError:
        raise ValueError(f"seed {text!r}: not an integer (decimal, or hex as 0x...)") from None
    if not 0 <= value <= MAX_MASTER:
        raise ValueError(f"seed {text!r}: must be in [0, 2^63)")
    return value


def derive(master: int, name: str) -> int:
    """The seed of stream `name` under `master`: 31 bits, never 0."""
    digest = hashlib.sha256(f"{master}:{name}".encode()).digest()
    return int.from_bytes(digest[:4], "little") % 0x7FFF_FFFF + 1


@dataclass(frozen=True)
class Seeds:
    master: int

    def __post_init__(self) -> None:
        if not isinstance(self.master, int) or self.master < 0:
            raise ValueError(f"master seed {self.master!r}: must be an integer >= 0")

    @classmethod
    def from_settings(cls, default: int = DEFAULT_MASTER) -> Seeds:
        """The master seed of this run: +le_seed=N in a simulation, else $LE_SEED (verif/settings.py), else
        `default`. The one place every launcher and test reads it."""
        raw = setting("seed", str(default))
        try:
            return cls(parse_master(str(raw)))
        except ValueError as exc:
            raise ValueError(f"{SEED_ENV} / +le_seed: {exc}") from None

    def derive(self, name: str) -> int:
        return derive(self.master, name)

    @property
    def python(self) -> int:
        return self.derive("python")

    @property
    def numpy(self) -> int:
        return self.derive("numpy")

    @property
    def vsc(self) -> int:
        return self.derive("vsc")

    @property
    def verilator(self) -> int:
        return self.derive("verilator")

    @property
    def cocotb(self) -> int:
        """cocotb's own RANDOM_SEED (its Python `random` module seed)."""
        return self.derive("cocotb")

    def plusargs(self) -> list[str]:
        return [f"+verilator+seed+{self.verilator}", "+verilator+rand+reset+2"]

    def test_plusargs(self) -> list[str]:
        """Everything a uvm test run needs: plusargs() and +le_seed (the master, which the test derives from)."""
        return [*self.plusargs(), f"+le_seed={self.master}"]

    def describe(self) -> str:
        return (f"master {self.master}: python {self.python}, numpy {self.numpy}, vsc {self.vsc}, "
                f"verilator {self.verilator}, cocotb {self.cocotb}")
