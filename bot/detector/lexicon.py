"""Warning-sign and intent lexicons: data files in ``lexicons/``, matched fast on the normalised text.

Ten languages of a few hundred patterns each would cost milliseconds a message if every regex ran on
every text. Each pattern instead names the literal words it cannot match without (read from the regex
itself), and only patterns whose words occur in the text are run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, Iterable, Iterator

__all__ = ["LANGUAGES", "FLAG_CODES", "INTENT_CODES", "Lexicon", "LexiconHit", "lexicon", "required_literals",
           "all_required_literal_sets"]

LANGUAGES = ("en", "zh", "th", "vi", "id", "my", "km", "lo", "tl", "ms")
FLAG_CODES = (
    "high_pay", "no_experience", "free_travel", "overseas_job", "desk_job", "chat_app_contact", "urgency",
    "tourist_visa", "border_crossing", "passport_handover", "upfront_fee", "age_looks", "friend_referral",
    "no_contract", "odd_requirements", "grey_work", "task_scam", "money_mule",
)
INTENT_CODES = ("detention_report", "contacts_request", "question", "job_offer")

_MIN_ASCII_TRIGGER = 2
_MIN_OTHER_TRIGGER = 1


def _literal_sets(seq: Iterable[Any], every: list[set[str]] | None = None) -> set[str] | None:
    """Literal strings of which every match must contain at least one; None if none can be named.

    With ``every``, all the independent requirements of the top-level sequence are appended to it (a match
    of ``high (salary|pay)`` needs "high" *and* one of "salary", "pay").
    """
    candidates: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, av in seq:
        if op is sre_c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is sre_c.SUBPATTERN:
            sub = _literal_sets(av[3])
            if sub:
                candidates.append(sub)
        elif op is sre_c.BRANCH:
            alts = [_literal_sets(b) for b in av[1]]
            if all(alts):
                candidates.append(set().union(*alts))  # type: ignore[arg-type]
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, item = av
            if lo >= 1:
                sub = _literal_sets(item)
                if sub:
                    candidates.append(sub)
        elif op is getattr(sre_c, "ATOMIC_GROUP", None):
            sub = _literal_sets(av)
            if sub:
                candidates.append(sub)
    flush()
    if every is not None:
        every.extend(candidates)
    if not candidates:
        return None

    def strength(s: set[str]) -> tuple[int, int]:
        shortest = min(len(x) for x in s)
        return (shortest, -len(s))

    return max(candidates, key=strength)


def _usable(lits: Iterable[str]) -> bool:
    return all(len(lit) >= (_MIN_ASCII_TRIGGER if lit.isascii() else _MIN_OTHER_TRIGGER) for lit in lits)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Words one of which any match of ``pattern`` contains; None when too short to be worth indexing."""
    lits = _literal_sets(sre_parse.parse(pattern))
    if not lits or not _usable(lits):
        return None
    return frozenset(lits)


def all_required_literal_sets(pattern: str) -> list[frozenset[str]]:
    """Every independent requirement of the pattern's top level, each a set of alternatives."""
    every: list[set[str]] = []
    _literal_sets(sre_parse.parse(pattern), every)
    return [frozenset(s) for s in every if s and _usable(s)]


@dataclass(frozen=True, slots=True)
class LexiconHit:
    code: str
    lang: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    lang: str
    regex: re.Pattern[str]
    reach: int  # how far a match can extend either side of its required literal; -1 if unbounded
    also: tuple[frozenset[str], ...]  # further literal requirements, checked before running the regex


_LOOKAROUND_MARGIN = 32
_WINDOW_LIMIT = 400
_MAX_WINDOWS = 6


class Lexicon:
    """All languages' flag and intent patterns, indexed by the literals they require."""

    def __init__(self, docs: dict[str, dict[str, Any]]) -> None:
        self.docs = docs
        self.entries: list[_Entry] = []
        self._always: list[int] = []  # entries with no usable literal: always run
        self._by_gram: dict[str, list[tuple[str, int]]] = {}  # first 3 chars of a literal -> (literal, entry)
        self._short: dict[str, list[tuple[str, int]]] = {}  # literals under 3 characters, by first character
        for lang, doc in docs.items():
            for section in ("flags", "intents"):
                for code, spec in doc.get(section, {}).items():
                    for pat in spec.get("patterns", []):
                        try:
                            rx = re.compile(pat)
                        except re.error as exc:
                            raise ValueError(f"lexicon {lang}: {section}.{code}: bad pattern {pat!r}: {exc}") from exc
                        idx = len(self.entries)
                        hi = sre_parse.parse(pat).getwidth()[1]
                        reach = hi + _LOOKAROUND_MARGIN if hi < _WINDOW_LIMIT else -1
                        lits = required_literals(pat)
                        also = tuple(x for x in all_required_literal_sets(pat) if x != lits)
                        self.entries.append(_Entry(code, lang, rx, reach, also))
                        if lits is None:
                            self._always.append(idx)
                            continue
                        for lit in lits:
                            if len(lit) >= 3:
                                self._by_gram.setdefault(lit[:3], []).append((lit, idx))
                            else:
                                self._short.setdefault(lit[0], []).append((lit, idx))
        self._gram_keys = frozenset(self._by_gram)
        self._always_set = frozenset(self._always)
        self._short_keys = frozenset(self._short)

    def _candidates(self, text: str) -> dict[int, list[str]]:
        """Entries worth running, each with the literals that made it a candidate ([] = run everywhere)."""
        found: dict[int, list[str]] = {idx: [] for idx in self._always}
        grams = {text[i:i + 3] for i in range(len(text) - 2)}
        for key in grams & self._gram_keys:
            for lit, idx in self._by_gram[key]:
                if len(lit) == 3 or lit in text:
                    lits = found.setdefault(idx, [])
                    if idx not in self._always_set:
                        lits.append(lit)
        for ch in set(text) & self._short_keys:
            for lit, idx in self._short[ch]:
                if len(lit) == 1 or lit in text:
                    lits = found.setdefault(idx, [])
                    if idx not in self._always_set:
                        lits.append(lit)
        return found

    def _search(self, entry: _Entry, text: str, lits: list[str]) -> re.Match[str] | None:
        if not lits or entry.reach < 0:
            return entry.regex.search(text)
        n = len(text)
        windows = 0
        best: re.Match[str] | None = None
        for lit in lits:
            pos = text.find(lit)
            while pos >= 0:
                windows += 1
                if windows > _MAX_WINDOWS:  # a common word: one pass over the text is cheaper
                    return entry.regex.search(text)
                lo = max(0, pos - entry.reach)
                m = entry.regex.search(text, lo, min(n, pos + len(lit) + entry.reach))
                if m and (best is None or m.start() < best.start()):
                    best = m
                    break
                pos = text.find(lit, pos + 1)
        return best

    def scan(self, text: str, codes: frozenset[str] | None = None) -> Iterator[LexiconHit]:
        """Every (code, span) that fires on normalised ``text``; at most one hit per pattern."""
        for idx, lits in sorted(self._candidates(text).items()):
            e = self.entries[idx]
            if codes is not None and e.code not in codes:
                continue
            if e.also and not all(any(lit in text for lit in req) for req in e.also):
                continue
            m = self._search(e, text, lits)
            if m and m.end() > m.start():
                yield LexiconHit(e.code, e.lang, m.start(), m.end())

    def languages(self) -> list[str]:
        return sorted(self.docs)


def load_docs() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    folder = resources.files("bot.detector").joinpath("lexicons")
    for lang in LANGUAGES:
        f = folder.joinpath(f"{lang}.json")
        if f.is_file():
            with f.open(encoding="utf-8") as fh:
                docs[lang] = json.load(fh)
    return docs


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(load_docs())
