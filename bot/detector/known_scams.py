"""Near-duplicate search against confirmed scams.

Scam ads are copied and lightly reworded across groups and languages' channels. A message that shares most
of its character shingles with a confirmed scam is flagged as a copy at once, before any retraining:
admins' confirmations join the library the moment they are made.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from bot.detector.hashing import ngram_hash
from bot.detector.normalize import normalise
from bot.detector.verdict import Match

__all__ = ["ScamLibrary", "MATCH_THRESHOLD", "shingles"]

SHINGLE = 5
MATCH_THRESHOLD = 0.6  # similarity at which a message counts as a copy of a known scam
_SAMPLE = 4
_MIN_SHINGLES = 10  # sampled shingles; shorter messages (about 60 characters) are too generic to call a copy
_MAX_POSTING = 200  # shingles shared by more documents than this say nothing about identity
_STRIP = re.compile(r"[\s\W_]+")


def shingles(normalised_text: str) -> frozenset[int]:
    """A fixed sample (one in ``_SAMPLE``) of the hashed character 5-grams of the text without spaces.

    Digits are kept (a recruiter's phone number identifies a copy). Sampling by hash value keeps the same
    shingles in every text, so overlaps between two texts are estimated without bias at a quarter of the cost.
    """
    h = ngram_hash(_STRIP.sub("", normalised_text), SHINGLE)
    return frozenset(h[(h >> np.uint64(40)) % np.uint64(_SAMPLE) == 0].tolist())


@dataclass(frozen=True, slots=True)
class _Doc:
    id: str
    source: str
    snippet: str
    grams: frozenset[int]


class ScamLibrary:
    def __init__(self) -> None:
        self._docs: list[_Doc] = []
        self._ids: set[str] = set()
        self._index: dict[int, list[int]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, doc_id: str, text: str, source: str = "admin") -> bool:
        """Add a confirmed scam; returns False if it was already there or is too short to match on."""
        grams = shingles(normalise(text).text)
        if len(grams) < _MIN_SHINGLES:
            return False
        with self._lock:
            if doc_id in self._ids:
                return False
            pos = len(self._docs)
            snippet = " ".join(text.split())[:120]
            self._docs.append(_Doc(doc_id, source, snippet, grams))
            self._ids.add(doc_id)
            for g in grams:
                self._index.setdefault(g, []).append(pos)
        return True

    def add_many(self, items: Iterable[tuple[str, str, str]]) -> int:
        return sum(self.add(i, t, s) for i, t, s in items)

    def find(self, normalised_text: str, limit: int = 3) -> list[Match]:
        grams = shingles(normalised_text)
        if len(grams) < _MIN_SHINGLES or not self._docs:
            return []
        shared: Counter[int] = Counter()
        for g in grams:
            posting = self._index.get(g)
            if posting and len(posting) <= _MAX_POSTING:
                shared.update(posting)
        out: list[Match] = []
        for pos, n in shared.most_common(limit * 4):
            doc = self._docs[pos]
            jaccard = n / (len(grams) + len(doc.grams) - n)
            # A copy that was cut down (or padded) is still a copy: containment of the smaller in the larger.
            containment = n / min(len(grams), len(doc.grams))
            sim = max(jaccard, 0.9 * containment if min(len(grams), len(doc.grams)) >= 25 else 0.0)
            if sim >= MATCH_THRESHOLD:
                out.append(Match(doc.id, sim, doc.source, doc.snippet))
        out.sort(key=lambda m: -m.similarity)
        return out[:limit]

    @classmethod
    def from_jsonl(cls, path: Path) -> "ScamLibrary":
        lib = cls()
        if path.is_file():
            with path.open(encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        row = json.loads(line)
                        lib.add(row["id"], row["text"], row.get("source", "corpus"))
        return lib
