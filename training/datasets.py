"""Labelled rows from the curated corpus, the open real sets and admin labels, with fixed splits.

Splits are a pure function of a row's id (a hash), so every training run, every evaluation and every
session sees the same held-out rows, and a test row can never leak into training by a reshuffle.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

__all__ = ["FIT_SPLITS", "Row", "load_jsonl", "corpus_files", "real_files", "load_training_rows", "split_of",
           "fingerprint", "default_shared_data", "CORPUS_DIR", "is_scam"]

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
TEST_SHARE = 0.20
VALID_SHARE = 0.10
# What a shipped model is fitted on. "valid" was the split configurations were compared on (training/README.md);
# once they are fixed it is fitted on too, and calibration uses out-of-fold scores instead. "test" never is.
FIT_SPLITS = ("train", "valid")


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    text: str
    label: str  # scam | legit | spam
    lang: str
    domain: str
    origin: str  # "corpus", "admin", or the real set's file stem
    kind: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def y(self) -> int:
        return 1 if self.label == "scam" else 0

    @property
    def curated(self) -> bool:
        """Written or confirmed by the project (the corpus, admin labels), not a third-party set."""
        return self.origin in ("corpus", "admin")

    @property
    def split(self) -> str:
        return split_of(self.id)


def is_scam(label: str) -> bool:
    return label == "scam"


def split_of(row_id: str) -> str:
    """"test", "valid" or "train", fixed forever by the id."""
    h = int.from_bytes(hashlib.sha256(row_id.encode("utf-8")).digest()[:8], "big") / 2 ** 64
    if h < TEST_SHARE:
        return "test"
    if h < TEST_SHARE + VALID_SHARE:
        return "valid"
    return "train"


def default_shared_data() -> Path:
    """``../shared/data`` beside the project, or ``SAFEJOB_SHARED_DATA``."""
    env = os.environ.get("SAFEJOB_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def load_jsonl(path: Path, origin: str | None = None) -> Iterator[Row]:
    origin = origin or path.stem
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            d = json.loads(line)
            label = d.get("label", "")
            if label not in ("scam", "legit", "spam"):
                continue  # "unlabeled" rows carry no training signal
            text = d.get("text") or ""
            if not text.strip():
                continue
            yield Row(str(d.get("id") or f"{origin}-{n}"), text, label, d.get("lang", ""), d.get("domain", ""),
                      origin, d.get("kind", ""), {k: v for k, v in d.items() if k not in ("text",)})


def corpus_files(corpus_dir: Path = CORPUS_DIR) -> list[Path]:
    return sorted(p for p in corpus_dir.glob("*.jsonl"))


def real_files(shared_data: Path) -> list[Path]:
    return sorted(p for p in shared_data.glob("*.jsonl"))


def load_training_rows(shared_data: Path | None, corpus_dir: Path = CORPUS_DIR,
                       extra: Iterable[Path] = ()) -> list[Row]:
    """Corpus + every open real set + any extra labelled files (admin labels), de-duplicated by text."""
    rows: list[Row] = []
    for p in corpus_files(corpus_dir):
        rows.extend(load_jsonl(p, "corpus"))
    if shared_data is not None and shared_data.is_dir():
        for p in real_files(shared_data):
            rows.extend(load_jsonl(p))
    for p in extra:
        rows.extend(load_jsonl(Path(p), "admin"))
    seen: set[str] = set()
    out: list[Row] = []
    for r in rows:
        key = " ".join(r.text.split())
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out


def fingerprint(rows: Iterable[Row]) -> dict[str, object]:
    """What a model was trained on: a hash of (id, label, text) and counts, stored in the registry."""
    h = hashlib.sha256()
    counts: Counter[str] = Counter()
    n = 0
    for r in sorted(rows, key=lambda r: r.id):
        h.update(f"{r.id}\t{r.label}\t{r.text}\n".encode("utf-8"))
        counts[f"{r.origin}:{r.label}"] += 1
        n += 1
    return {"sha256": h.hexdigest(), "rows": n, "by_origin_label": dict(sorted(counts.items()))}
