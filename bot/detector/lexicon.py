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

from bot.detector.normalize import join_split_am

__all__ = ["LANGUAGES", "FLAG_CODES", "INTENT_CODES", "Lexicon", "LexiconHit", "lexicon", "required_literals"]

LANGUAGES = ("en", "zh", "th", "vi", "id", "my", "km", "lo", "tl", "ms")
FLAG_CODES = (
    "high_pay", "no_experience", "free_travel", "overseas_job", "desk_job", "chat_app_contact", "urgency",
    "tourist_visa", "border_crossing", "passport_handover", "upfront_fee", "age_looks", "friend_referral",
    "no_contract", "odd_requirements", "grey_work", "task_scam", "money_mule",
)
INTENT_CODES = ("detention_report", "contacts_request", "question", "job_offer")

_MIN_ASCII_TRIGGER = 2
_MIN_OTHER_TRIGGER = 1


def _literal_sets(seq: Iterable[Any]) -> set[str] | None:
    """Literal strings of which every match must contain at least one; None if none can be named."""
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
    if not candidates:
        return None

    def strength(s: set[str]) -> tuple[int, int]:
        shortest = min(len(x) for x in s)
        return (shortest, -len(s))

    return max(candidates, key=strength)


def _usable(lits: Iterable[str]) -> bool:
    return all(len(lit) >= (_MIN_ASCII_TRIGGER if lit.isascii() else _MIN_OTHER_TRIGGER) for lit in lits)


def required_literals(pattern: str | Any) -> frozenset[str] | None:
    """Words one of which any match of ``pattern`` (a regex, or one already parsed) contains; None when too
    short to be worth indexing."""
    lits = _literal_sets(sre_parse.parse(pattern) if isinstance(pattern, str) else pattern)
    if not lits or not _usable(lits):
        return None
    return frozenset(lits)


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


_LOOKAROUND_MARGIN = 32
_WINDOW_LIMIT = 400
_MAX_WINDOWS = 6


# Languages written in their own script: their lexicons only run on texts that contain that script (their
# patterns for mixed-in English are covered by the Latin-script lexicons, which always run).
_OWN_SCRIPT = {
    "th": re.compile(r"[\u0e00-\u0e7f]"),
    "lo": re.compile(r"[\u0e80-\u0eff]"),
    "km": re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]"),
    "my": re.compile(r"[\u1000-\u109f\uaa60-\uaa7f]"),
    "zh": re.compile(r"[\u3400-\u9fff\uf900-\ufaff]"),
}


class _Index:
    """One group of languages' patterns, indexed by the literals they require."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self._always: list[int] = []  # entries with no usable literal: always run
        self._by_gram: dict[str, list[tuple[str, int]]] = {}  # first 3 chars of a literal -> (literal, entry)
        self._short: dict[str, list[tuple[str, int]]] = {}  # literals under 3 characters, by first character

    def add(self, entry: _Entry, parsed: Any) -> None:
        idx = len(self.entries)
        self.entries.append(entry)
        lits = required_literals(parsed)
        if lits is None:
            self._always.append(idx)
            return
        for lit in lits:
            if len(lit) >= 3:
                self._by_gram.setdefault(lit[:3], []).append((lit, idx))
            else:
                self._short.setdefault(lit[0], []).append((lit, idx))

    def freeze(self) -> None:
        self._gram_keys = frozenset(self._by_gram)
        self._always_set = frozenset(self._always)
        self._short_keys = frozenset(self._short)

    def candidates(self, text: str, grams: set[str], chars: set[str]) -> dict[int, list[str]]:
        """Entries worth running, each with the literals that made it a candidate ([] = run everywhere)."""
        found: dict[int, list[str]] = {idx: [] for idx in self._always}
        always = self._always_set
        for key in grams & self._gram_keys:
            for lit, idx in self._by_gram[key]:
                if len(lit) == 3 or lit in text:
                    lits = found.setdefault(idx, [])
                    if idx not in always:
                        lits.append(lit)
        for ch in chars & self._short_keys:
            for lit, idx in self._short[ch]:
                if len(lit) == 1 or lit in text:
                    lits = found.setdefault(idx, [])
                    if idx not in always:
                        lits.append(lit)
        return found


def _search(entry: _Entry, text: str, lits: list[str]) -> re.Match[str] | None:
    """Run the entry's regex only in windows around its literals (the whole text when that is cheaper)."""
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


class Lexicon:
    """All languages' flag and intent patterns."""

    def __init__(self, docs: dict[str, dict[str, Any]], gate_by_script: bool = True) -> None:
        """``gate_by_script=False`` runs every language's patterns on every text (tests of one lexicon)."""
        self.docs = docs
        self._indexes: dict[str, _Index] = {}
        for lang, doc in docs.items():
            group = lang if gate_by_script and lang in _OWN_SCRIPT else "latin"
            index = self._indexes.setdefault(group, _Index())
            for section in ("flags", "intents"):
                for code, spec in doc.get(section, {}).items():
                    for pat in spec.get("patterns", []):
                        pat = join_split_am(pat)  # the normaliser keeps Thai/Lao AM whole
                        try:
                            rx = re.compile(pat)
                        except re.error as exc:
                            raise ValueError(f"lexicon {lang}: {section}.{code}: bad pattern {pat!r}: {exc}") from exc
                        parsed = sre_parse.parse(pat)
                        hi = parsed.getwidth()[1]
                        reach = hi + _LOOKAROUND_MARGIN if hi < _WINDOW_LIMIT else -1
                        index.add(_Entry(code, lang, rx, reach), parsed)
        for index in self._indexes.values():
            index.freeze()

    @property
    def entries(self) -> list[_Entry]:
        return [e for index in self._indexes.values() for e in index.entries]

    def groups_for(self, text: str) -> list[str]:
        """The pattern groups that apply to a text: Latin-script languages always, others if their script is there."""
        groups = ["latin"] if "latin" in self._indexes else []
        groups += [g for g in self._indexes if g != "latin" and _OWN_SCRIPT[g].search(text)]
        return groups

    def applicable_entries(self, text: str) -> list[_Entry]:
        return [e for g in self.groups_for(text) for e in self._indexes[g].entries]

    def scan(self, text: str, codes: frozenset[str] | None = None) -> Iterator[LexiconHit]:
        """Every (code, span) that fires on normalised ``text``; at most one hit per pattern."""
        grams = {text[i:i + 3] for i in range(len(text) - 2)}
        chars = set(text)
        for group in self.groups_for(text):
            index = self._indexes[group]
            for idx, lits in sorted(index.candidates(text, grams, chars).items()):
                e = index.entries[idx]
                if codes is not None and e.code not in codes:
                    continue
                m = _search(e, text, lits)
                if m and m.end() > m.start():
                    yield LexiconHit(e.code, e.lang, m.start(), m.end())


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
