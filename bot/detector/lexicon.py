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
from bot.literals import LiteralSet

__all__ = ["LANGUAGES", "FLAG_CODES", "INTENT_CODES", "Lexicon", "LexiconHit", "lexicon", "required_clauses", "DIGIT"]

LANGUAGES = ("en", "zh", "th", "vi", "id", "my", "km", "lo", "tl", "ms")
FLAG_CODES = (
    "high_pay", "no_experience", "free_travel", "overseas_job", "desk_job", "chat_app_contact", "urgency",
    "tourist_visa", "border_crossing", "passport_handover", "upfront_fee", "age_looks", "friend_referral",
    "no_contract", "odd_requirements", "grey_work", "task_scam", "money_mule",
)
INTENT_CODES = ("detention_report", "contacts_request", "question", "job_offer")

_MIN_ASCII_TRIGGER = 2
_MIN_OTHER_TRIGGER = 1
# A clause no text can satisfy except by containing a digit (``\d``, ``[0-9]``): the numeric patterns
# (wages, ages) have no word to wait for, but most messages without a digit can skip them.
DIGIT = "\x00digit"
_HAS_DIGIT = re.compile(r"\d")
_DIGIT_IN = {(sre_c.CATEGORY, sre_c.CATEGORY_DIGIT)}


def _is_digit_class(op: Any, av: Any) -> bool:
    if op is sre_c.LITERAL:
        return chr(av).isdigit()
    if op is not sre_c.IN or not av:
        return False
    for item in av:
        if item in _DIGIT_IN:
            continue
        kind, val = item
        if kind is sre_c.RANGE and "0" <= chr(val[0]) and chr(val[1]) <= "9":
            continue
        if kind is sre_c.LITERAL and chr(val).isdigit():
            continue
        return False
    return True


def _strength(clause: frozenset[str]) -> tuple[int, int]:
    """Rarer clauses first: long literals, few of them; the digit clause is the weakest."""
    if DIGIT in clause:
        return (0, 0)
    return (min(len(x) for x in clause), -len(clause))


def _clauses(seq: Iterable[Any]) -> list[frozenset[str]]:
    """Sets of literal strings of which every match must contain at least one member each."""
    out: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in seq:
        if op is sre_c.LITERAL:
            run.append(chr(av))
            if chr(av).isdigit():
                out.append(frozenset({DIGIT}))
            continue
        prefix = "".join(run)
        flush()
        if _is_digit_class(op, av):
            out.append(frozenset({DIGIT}))
        elif op is sre_c.SUBPATTERN:
            out.extend(_clauses(av[3]))
        elif op is sre_c.BRANCH:
            alts = [[c for c in _clauses(b) if _usable(c)] for b in av[1]]
            if all(alts):
                out.append(frozenset().union(*(max(a, key=_strength) for a in alts)))
            if prefix:
                # The parser moves a prefix the alternatives share out of them ("tinggi badan|tb" becomes
                # "t" + "inggi badan|b"): glue it back on to get words worth waiting for.
                out.append(frozenset(prefix + _leading_literal(b) for b in av[1]))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, item = av
            if lo >= 1:
                out.extend(_clauses(item))
        elif op is getattr(sre_c, "ATOMIC_GROUP", None):
            out.extend(_clauses(av))
    flush()
    return out


def _leading_literal(seq: Iterable[Any]) -> str:
    lead: list[str] = []
    for op, av in seq:
        if op is not sre_c.LITERAL:
            break
        lead.append(chr(av))
    return "".join(lead)


def _usable(lits: Iterable[str]) -> bool:
    """Too short a literal ("a", "k") is in nearly every text: waiting for it saves nothing."""
    for lit in lits:
        if lit == DIGIT:
            continue
        if lit.isascii() and len(lit) < _MIN_ASCII_TRIGGER and (lit.isalnum() or lit.isspace()):
            return False
        if len(lit) < _MIN_OTHER_TRIGGER:
            return False
    return True


def required_clauses(pattern: str | Any) -> tuple[frozenset[str], ...]:
    """What any match of ``pattern`` (a regex, or one already parsed) must contain: one member of every
    clause (``DIGIT`` stands for any digit), strongest clause first. Empty when nothing can be named."""
    parsed = sre_parse.parse(pattern) if isinstance(pattern, str) else pattern
    found = {c for c in _clauses(parsed) if _usable(c)}
    return tuple(sorted(found, key=lambda c: (_strength(c), sorted(c)), reverse=True))


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
    clauses: tuple[frozenset[str], ...]  # see required_clauses; the first one anchors the search windows


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
    """One group of languages' patterns, indexed by the literals they require.

    One Aho-Corasick pass names every literal of two or more characters in the text (single characters
    come from the text's set of characters); a pattern runs only when every one of its clauses is met,
    and then only in windows around its anchor literal.
    """

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self._always: list[int] = []  # entries with no usable literal: always run
        self._by_lit: dict[str, list[int]] = {}  # anchor literal -> entries

    def add(self, entry: _Entry) -> None:
        idx = len(self.entries)
        self.entries.append(entry)
        if not entry.clauses:
            self._always.append(idx)
            return
        for lit in entry.clauses[0]:
            self._by_lit.setdefault(lit, []).append(idx)

    def freeze(self) -> None:
        literals = {lit for e in self.entries for c in e.clauses for lit in c if lit != DIGIT}
        self._multi = LiteralSet(lit for lit in literals if len(lit) > 1)
        self._single = frozenset(lit for lit in literals if len(lit) == 1)
        self._anchors = frozenset(self._by_lit)
        # Per entry: the words of its anchor clause (met by construction when the entry is reached through
        # one of them) and the other clauses, still to check.
        self._anchor_clause = [e.clauses[0] if e.clauses else frozenset() for e in self.entries]
        self._anchor_words = [c - {DIGIT} for c in self._anchor_clause]
        self._rest = [e.clauses[1:] for e in self.entries]

    def present(self, text: str, chars: set[str], has_digit: bool) -> set[str]:
        """The index's literals that occur in ``text`` (and DIGIT when it has a digit)."""
        found = self._multi.found(text)
        found.update(chars & self._single)
        if has_digit:
            found.add(DIGIT)
        return found

    def candidates(self, found: set[str]) -> list[tuple[int, list[str]]]:
        """Entries whose every clause is met, in index order, each with its anchor literals found
        ([] = search the whole text)."""
        idxs = set(self._always)
        by_lit = self._by_lit
        for lit in found & self._anchors:
            idxs.update(by_lit[lit])
        out: list[tuple[int, list[str]]] = []
        rest_of = self._rest
        for idx in sorted(idxs):
            rest = rest_of[idx]
            if rest:
                if len(rest) == 1:
                    if rest[0].isdisjoint(found):
                        continue
                elif not all(not c.isdisjoint(found) for c in rest):
                    continue
            # Windows around the anchor words found; the whole text when the anchor may be any digit.
            digit_anchor = DIGIT in found and DIGIT in self._anchor_clause[idx]
            out.append((idx, [] if digit_anchor else list(self._anchor_words[idx] & found)))
        return out


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
            hi = min(n, pos + len(lit) + entry.reach)
            m = entry.regex.search(text, lo, hi)
            if m and hi < n:
                # The window's end looks like the text's end to \b, $ and lookaheads ("wa" in "wawancara"
                # cut after "wa"): confirm the match where it starts, on the whole text.
                m = entry.regex.match(text, m.start()) or entry.regex.search(text, m.start() + 1)
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
                        index.add(_Entry(code, lang, rx, reach, required_clauses(parsed)))
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
        chars = set(text)
        has_digit = _HAS_DIGIT.search(text) is not None
        for group in self.groups_for(text):
            index = self._indexes[group]
            for idx, lits in index.candidates(index.present(text, chars, has_digit)):
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
