"""Docs generated from code must not go stale."""
from __future__ import annotations

import re
from pathlib import Path

from models import ops
from models.config import preset
from models.layout_doc import layout_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_ddr_layout_doc_is_current():
    want = layout_markdown([preset(p) for p in ("tiny", "small", "minilm")]) + "\n"
    assert (DOCS / "ddr_layout.md").read_text() == want, "docs/ddr_layout.md is stale: run `make docs`"


def test_numerics_doc_exp_lut_table_matches_code():
    text = (DOCS / "numerics.md").read_text()
    rows = re.findall(r"^\|\s*(\d+) \|((?: +\d+){16}) \|$", text, flags=re.M)
    table = {int(r): [int(v) for v in vals.split()] for r, vals in rows}
    assert sorted(table) == list(range(0, 256, 16))
    assert [v for r in sorted(table) for v in table[r]] == ops.EXP_LUT.tolist()


def test_numerics_doc_names_every_constant():
    text = (DOCS / "numerics.md").read_text()
    for phrase in ("2^46", "Q1.15", "8 fractional bits", "49 - m", "4 banks x 256", "31 - shift", ", 16)", ", 22)"):
        assert phrase in text, phrase
    assert ops.RECIP_BITS == 46 and ops.PROB_FB == 15 and ops.SCORE_FB == 8 and ops.ACT_BANKS == 4
    assert ops.RES_SHIFT == 16 and ops.LN_OUT_SHIFT == 22 and 61 - ops.NORM_FB == 49


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_relative_links_and_anchors_resolve():
    """Every relative link of README.md and docs/*.md names an existing file, and its #anchor a heading there."""
    repo = DOCS.parent
    bad = []
    for md in [repo / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", md.read_text()):
            if re.match(r"[a-z]+://", target):
                continue
            path, _, anchor = target.partition("#")
            dest = (md.parent / path).resolve() if path else md
            if not dest.exists():
                bad.append(f"{md.name}: {target} (no such file)")
            elif anchor and dest.suffix == ".md":
                slugs = {_slug(h) for h in re.findall(r"^#+ (.+)$", dest.read_text(), flags=re.M)}
                if anchor not in slugs:
                    bad.append(f"{md.name}: {target} (no such heading)")
    assert not bad, bad
