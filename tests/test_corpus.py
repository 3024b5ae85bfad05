"""The curated corpus keeps to its SPEC: valid fields and kinds, no duplicate rows, real provenance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from training.datasets import CORPUS_DIR, corpus_files

ROOT = Path(__file__).resolve().parent.parent
SCAM_KINDS = {"compound_lure", "it_company_cambodia", "cs_chinese_speaking", "game_tester", "crypto_support",
              "marketing_assistant", "task_scam", "advance_fee", "money_mule", "grey_open"}
LEGIT_KINDS = {"licensed_overseas", "bpo_local", "hotel_garment", "zh_benefits", "remote_job", "skilled_abroad",
               "legit_telegram_contact", "local_job"}


def _rows() -> list[dict]:
    rows = []
    for f in corpus_files(CORPUS_DIR):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rows.append(json.loads(line) | {"_where": f"{f.name}:{n}"})
    return rows


def test_rows_follow_the_spec() -> None:
    rows = _rows()
    assert len(rows) > 3000
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows)
    for r in rows:
        where = r["_where"]
        assert r["id"].startswith(f"corpus-{r['lang']}-") and where.startswith(f"{r['lang']}.jsonl"), where
        assert r["domain"] in ("job_ad", "chat") and r["text"].strip(), where
        if r["label"] == "scam":
            assert r["source_label"] == "lure" and r["kind"] in SCAM_KINDS, where
        else:
            assert r["label"] == "legit" and r["source_label"] == "legit" and r["kind"] in LEGIT_KINDS, where
        assert r["kind"] != "zh_benefits" or r["lang"] == "zh", where


def test_provenance_cites_sections_that_exist() -> None:
    """A row that says it follows "red_flags.md §N" must point at a section the reference really has."""
    ref = ROOT.parent / "shared" / "reference" / "red_flags.md"
    if not ref.is_file():
        pytest.skip("shared/reference not beside the project")
    sections = {int(n) for n in re.findall(r"^## (\d+)\.", ref.read_text(encoding="utf-8"), re.M)}
    assert sections
    for r in _rows():
        m = re.search(r"§([\d,]+)", r["provenance"])
        cited = {int(n) for n in m.group(1).split(",") if n} if m else set()
        assert cited <= sections, (r["_where"], sorted(cited - sections))
