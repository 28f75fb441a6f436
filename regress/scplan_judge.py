"""The judge of a systemc run with an error plan (regress/scplan.py): the pyuvm env's error checks, written once.

Every step goes through verif/env/error_checker.py ErrorTokenChecker with the reference model's prediction
(verif/env/refmodel.py GoldenPredictor): a good token bit-exact (logits, every K/V write, the KV region, STATUS,
perf bytes, PERF_CYCLES = START->irq), a failed one with its code, a frame of zeros or a correct prefix, writes only
in its own K/V rows; a rejected START with no stream and no write; an aborted token STATUS 0 after the reset, no
frame; a token that saw a second START complete bit-exact with DONE + ERROR. Then what verif/env/error_seqs.py checks
around an error, here from the transaction records (txn.jsonl): ERROR raised with no AXI burst outstanding, nothing
issued after it, the error range hit, an AUTO step's code from the bursts the memory failed, STATUS 0 after a soft
reset with the bus idle, and the C driver's return code equal to the engine's verdict.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.driver import ErrorCode
from regress.sccase import ScCase
from regress.scoutputs import read_outputs
from regress.scplan import Step
from regress.sctxn import ScTxns
from verif.env.txn import ABORTED, AUTO, IN_FLIGHT, REJECTED

RC_NAME = {0: "LE_OK", 1: "LE_ERR_ILLEGAL_CONFIG", 2: "LE_ERR_START_WHILE_BUSY", 3: "LE_ERR_AXI_READ",
           4: "LE_ERR_AXI_WRITE", 5: "LE_ERR_X_TLAST_EARLY", 6: "LE_ERR_X_TLAST_LATE"}   # sw/le_driver.h le_status_t


def auto_expect(txns: ScTxns, i: int) -> tuple[int, str | None]:
    """The code an AUTO step must end with: AXI_READ_ERROR when the memory failed a read burst, AXI_WRITE_ERROR a
    write burst, 0 neither (a problem line when both: the plan enables one kind at a time)."""
    failed = [b for b in txns.bursts.get(i, []) if b.resp]
    rd, wr = any(not b.write for b in failed), any(b.write for b in failed)
    if rd and wr:
        return int(ErrorCode.AXI_READ_ERROR), "AUTO step with both read and write errors (enable one at a time)"
    return int(ErrorCode.AXI_READ_ERROR if rd else ErrorCode.AXI_WRITE_ERROR if wr else 0), None


def bus_checks(tok: str, st: Step, expect: int, rec: dict[str, Any], txns: ScTxns, i: int) -> list[str]:
    """The checks of verif/env/error_seqs.py around an error, on this step's transaction records."""
    bad: list[str] = []
    bursts, rises = txns.bursts.get(i, []), txns.irq_rises.get(i, [])
    if st.kind in ("", REJECTED):
        want = RC_NAME.get(expect, "LE_ERR_UNKNOWN_CODE")
        if rec.get("rc") != want:
            bad.append(f"{tok}: the C driver returned {rec.get('rc')}, {want} expected")
        if bool(rec.get("rejected")) != (st.kind == REJECTED):
            bad.append(f"{tok}: the C driver says rejected={rec.get('rejected')}")
    if st.kind == REJECTED and bursts:
        bad.append(f"{tok}: {len(bursts)} AXI burst(s) for a rejected START")
    if expect and st.kind in ("", REJECTED):
        if not rises:
            bad.append(f"{tok}: ERROR without an irq rise")
        else:
            c = rises[0]
            out = [b for b in bursts if b.issued < c <= b.done]
            late = [b for b in bursts if b.issued >= c]
            if out:
                bad.append(f"{tok}: irq (ERROR) raised at cycle {c} with {len(out)} burst(s) outstanding, first at "
                           f"{out[0].addr:#x}")
            if late:
                bad.append(f"{tok}: {len(late)} AXI burst(s) issued after ERROR (irq at cycle {c}), first at "
                           f"{late[0].addr:#x} cycle {late[0].issued}")
    if st.erange and not any(b.resp for b in bursts):
        bad.append(f"{tok}: the memory answered no error (the range was not hit)")
    if st.kind == IN_FLIGHT and not rises:
        bad.append(f"{tok}: the rejected second START raised no irq")
    after = rec.get("outstanding_after_reset", [-1, -1])
    if after != [-1, -1] and after != [0, 0]:
        bad.append(f"{tok}: STATUS read 0 after the soft reset with {after[0]} read / {after[1]} write bursts "
                   f"outstanding")
    return bad


def judge_plan(out: Path, case: ScCase, steps: list[Step], image_base: int, say: Callable[[str], None] = print,
               trace_dir: Path | None = None, txn_records: tuple[ScTxns | None, list[str]] | None = None) -> list[str]:
    """Check the outputs of a plan run; the failures as lines (empty: pass). Expected values come from the
    reference model and the plan only."""
    from regress.scoutputs import run_txns
    from verif.agents.axi4 import as_env_write
    from verif.agents.axis import LogitsFrame
    from verif.env.error_checker import ErrorTokenChecker, ErrTokenStart
    from verif.env.refmodel import GoldenPredictor
    from verif.env.txn import TokenReadback

    predictor = GoldenPredictor(case.qm, image_base, case.kv, trace_dir=trace_dir)
    checker = ErrorTokenChecker(predictor.layout, image_base)
    vocab, kv_size, bus_bytes = predictor.cfg.vocab, predictor.layout.kv_size, predictor.cfg.bus_bytes
    txns, txn_problems = txn_records if txn_records is not None else run_txns(out)
    ho = read_outputs(out)
    problems = list(txn_problems) + ho.problems
    if txns is None:
        return [*problems, "harness: an error plan needs txn.jsonl (the bursts around every error)"]
    pred = None
    codes: dict[str, int] = {}
    for i, st in enumerate(steps):
        tok = f"step {i} (pos {st.pos}{': ' + st.label if st.label else ''})"
        if i >= len(ho.records):
            problems.append(f"{tok}: no result from the harness")
            continue
        rec = ho.records[i]
        expect = st.expect
        if expect == AUTO:
            expect, both = auto_expect(txns, i)
            if both:
                problems.append(f"{tok}: {both}")
        start = ErrTokenStart(i, st.pos, np.asarray(case.x[st.row]), expect, kind=st.kind, csr_pos=st.csr_pos)
        pred = predictor.predict(start)
        row = ho.logits[4 * vocab * i: 4 * vocab * (i + 1)]
        frame = LogitsFrame(row) if rec.get("frame") and len(row) == 4 * vocab else None
        writes = [as_env_write(w, bus_bytes) for w in txns.writes.get(i, [])]
        span = txns.start_to_irq.get(i) if st.kind == "" and not expect else None
        perf = {k: int(v) for k, v in rec.get("perf", {}).items()}
        checker.check(pred, frame, writes, TokenReadback(i, int(rec.get("status", 0)), int(rec.get("err_code", 0)),
                                                         perf, ho.kv_tokens[kv_size * i: kv_size * (i + 1)], span))
        problems += bus_checks(tok, st, expect, rec, txns, i)
        if st.kind in (ABORTED, IN_FLIGHT) or expect:
            codes[st.kind or str(ErrorCode(expect).name)] = codes.get(st.kind or str(ErrorCode(expect).name), 0) + 1
        say(f"regress.scrun: {tok}: {rec.get('rc')}, STATUS {int(rec.get('status', 0)):#x}"
            f"{', ' + rec['note'] if rec.get('note') else ''}")
    if len(ho.records) > len(steps):
        problems.append(f"the harness ran {len(ho.records)} steps, {len(steps)} expected")
    if pred is not None:
        checker.check_kv("after the last step (kv_region.bin)", pred.kv_region, ho.kv_region)
    say(f"regress.scrun: {checker.tokens_checked} plan step(s) checked (ErrorTokenChecker and the bus around every "
        f"error); outcomes {dict(sorted(codes.items()))}")
    return problems + [str(e) for e in checker.errors()]
