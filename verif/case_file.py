"""An EngineCase (verif/cfg_item.py) as a JSON file.

Every random-case run records the case it ran in its run directory (``RUN_DIR/case.json``: RandTest, LongSeqTest,
the systemc engine's ``case=random``), and ``+le_case_file=PATH`` makes such a run replay that case instead of
drawing one from the master seed (the seed still drives the BFMs' timing randomness). `regress shrink` writes
smaller cases and runs them this way.

    {"seed": 17, "cfg": {"d_model": 64, ...}, "t0": 3, "n_tokens": 4, "weight_dist": "uniform",
     "latency": "fixed", "backpressure": "none", "axi_mem": {...}, "bus_knobs": {...}, "data_seed": 9, "intent": {}}
"""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from models.config import ConfigError, EngineConfig
from verif.cfg_item import EngineCase

CASE_FILE = "case.json"
CASE_FILE_SETTING = "case_file"          # +le_case_file=PATH (verif/settings.py)


class CaseFileError(ValueError):
    """A case file that cannot be replayed: the message is one line naming the file and the problem."""


def case_to_json(case: EngineCase) -> dict[str, Any]:
    doc = {f.name: getattr(case, f.name) for f in fields(case)}
    doc["cfg"] = case.cfg.to_dict()
    return doc


def case_from_json(doc: Any, where: str = "case") -> EngineCase:
    if not isinstance(doc, dict):
        raise CaseFileError(f"{where}: expected a JSON object")
    names = {f.name for f in fields(EngineCase)}
    required = names - {"intent"}
    unknown, missing = sorted(set(doc) - names), sorted(required - set(doc))
    if unknown or missing:
        raise CaseFileError(f"{where}: unknown field(s) {unknown}, missing {missing} "
                            f"(fields: {', '.join(sorted(names))})")
    try:
        cfg = EngineConfig.from_dict(dict(doc["cfg"]))
    except (ConfigError, TypeError, ValueError) as exc:
        raise CaseFileError(f"{where}: cfg: {exc}") from None
    for key in ("seed", "t0", "n_tokens", "data_seed"):
        v = doc[key]
        if not isinstance(v, int) or isinstance(v, bool) or v < (1 if key == "n_tokens" else 0):
            raise CaseFileError(f"{where}: {key} = {v!r}: expected an integer >= {1 if key == 'n_tokens' else 0}")
    if doc["t0"] + doc["n_tokens"] > cfg.max_seq:
        raise CaseFileError(f"{where}: positions {doc['t0']}..{doc['t0'] + doc['n_tokens'] - 1} exceed max_seq "
                            f"{cfg.max_seq}")
    for key in ("axi_mem", "bus_knobs", "intent"):
        if not isinstance(doc.get(key, {}), dict):
            raise CaseFileError(f"{where}: {key}: expected an object")
    return EngineCase(**{**doc, "cfg": cfg})


def write_case_file(case: EngineCase, path: Path) -> Path:
    path.write_text(json.dumps(case_to_json(case), indent=1, sort_keys=True) + "\n")
    return path


def read_case_file(path: Path, bus_bits: int | None = None) -> EngineCase:
    """The case in `path`; with `bus_bits`, it must be for that bus width (a case is drawn per configuration)."""
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise CaseFileError(f"+le_{CASE_FILE_SETTING}={path}: cannot read it ({exc})") from None
    case = case_from_json(doc, str(path))
    if bus_bits is not None and case.cfg.axi_data_w != bus_bits:
        raise CaseFileError(f"{path}: a case for a {case.cfg.axi_data_w}-bit bus; this build has {bus_bits} bits")
    return case
