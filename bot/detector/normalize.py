"""Text normalisation that undoes the tricks spammers use, while remembering where each character came from.

Recruiters dodge keyword filters with full-width letters, zero-width characters, Cyrillic look-alikes,
``T e l e g r a m``, ``W.h.a.t.s.A.p.p``, ``t3l3gr4m`` and words broken across lines. Every matcher
(lexicons, gazetteer, model) works on the normalised view so one rule covers all spellings, and every
character of that view keeps the index of the original character it came from, so the evidence shown to
the user is the text they actually received.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from bot.literals import LiteralSet

__all__ = ["Normalised", "normalise", "light_normalise", "KEY_TERMS"]

# Characters that render as nothing; Khmer, Burmese and Lao writers also use U+200B between words,
# where deleting it is harmless because those scripts do not separate words with spaces.
_INVISIBLE = {
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, 0x200B, 0x200C,
    0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
    0x2066, 0x2067, 0x2068, 0x2069, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0x3164, 0xFEFF, 0xFFA0,
}
_INVISIBLE.update(range(0xFE00, 0xFE10))  # variation selectors
_INVISIBLE.update(range(0xE0100, 0xE01F0))
_INVISIBLE.update(range(0xE0000, 0xE0080))  # tag characters

# Cyrillic and Greek letters that look like Latin ones. None of SafeJob's ten languages is written in
# these scripts, so in practice they only appear as disguise.
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ɡ": "g", "ɑ": "a", "ʟ": "l", "ɪ": "i", "ո": "n", "ս": "u", "ց": "g", "օ": "o", "ⅼ": "l",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w", "μ": "u", "γ": "y", "ς": "s", "σ": "o", "ϲ": "c",
}

# Latin letters whose accent NFD does not split off.
_LATIN_EXTRA = {"đ": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i", "ŧ": "t", "ß": "ss", "æ": "ae", "œ": "oe"}

# Words spammers disguise most. Each may be written with separators or leetspeak between its letters;
# the normalised view gets the plain word back.
KEY_TERMS = (
    "telegram", "whatsapp", "wechat", "weixin", "signal", "viber", "zalo", "messenger", "facebook",
    "tiktok", "instagram", "kakaotalk", "inbox", "visa", "passport", "salary", "customer service",
    "cambodia", "myanmar", "thailand", "myawaddy", "sihanoukville", "shwe kokko", "kk park", "tachileik",
    "poipet", "bavet", "golden triangle", "crypto", "usdt", "bitcoin", "binance", "casino", "gambling",
    "typing", "data entry", "high salary", "free ticket", "no experience",
)

_LEET_CLASSES = {
    "a": "a4@", "b": "b8", "e": "e3", "g": "g9", "i": "i1!|l", "l": "l1|i", "o": "o0", "s": "s5$",
    "t": "t7+", "z": "z2",
}
_LEET_SINGLE = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}

_SEP = r"[\s.\-_*·•|/,:;~'\"`^=+]{0,3}"


def _term_regex(term: str) -> str:
    parts = []
    for ch in term:
        if ch == " ":
            parts.append(r"\s?")
            continue
        cls = _LEET_CLASSES.get(ch, ch)
        parts.append("[" + re.escape(cls) + "]" if len(cls) > 1 else re.escape(cls))
    return _SEP.join(parts)


_KEY_TERM_RE = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(f"(?P<t{i}>{_term_regex(t)})" for i, t in enumerate(KEY_TERMS)) + r")(?![a-z0-9])"
)
# Single letters or digits standing between separators ("t e l", "w.h.a"), or a symbol inside a word.
_DISGUISE_HINT = re.compile(r"(?<![a-z0-9])[a-z0-9][\s.\-_*·•|/]{1,3}[a-z0-9](?![a-z0-9])|[a-z][013457@$!][a-z]")
_COMPACT_DROP = re.compile(r"[^a-z]+")
_LEET_TABLE = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
                             "|": "l", "+": "t", "8": "b", "9": "g", "2": "z"})
_PLAIN_TERMS = tuple(t.replace(" ", "") for t in KEY_TERMS)
_PLAIN_FINDER = LiteralSet(_PLAIN_TERMS)  # which key terms occur, in one pass over the text
_TERM_OF_PLAIN = dict(zip(_PLAIN_TERMS, KEY_TERMS))


def _hides_key_term(s: str) -> bool:
    """Whether a key term occurs more often once separators and leetspeak are stripped than as written
    (only then is the expensive fuzzy key-term pass worth running)."""
    mapped = s.translate(_LEET_TABLE)
    compact = _COMPACT_DROP.sub("", mapped)
    if not compact:
        return False
    compact_l = _COMPACT_DROP.sub("", mapped.replace("i", "l")) if ("1" in s or "|" in s) else compact
    found = _PLAIN_FINDER.found(compact)
    if compact_l is not compact:
        found |= _PLAIN_FINDER.found(compact_l)
    for plain in found:
        hidden = max(compact.count(plain), compact_l.count(plain))
        if hidden > s.count(_TERM_OF_PLAIN[plain]):
            return True
    return False


_SPACED_LETTERS = re.compile(r"(?<![a-z0-9])[a-z0-9](?:[\s.\-_*·•|/]{1,3}[a-z0-9](?![a-z0-9])){3,}")
_LEET_IN_WORD = re.compile(r"(?<=[a-z])[013457@$!](?=[a-z])")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])- (?=[a-z])")
_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True, slots=True)
class Normalised:
    """The normalised view of a text plus, for each of its characters, the index in the original."""

    original: str
    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering the normalised [start, end)."""
        if end <= start or not self.offsets:
            return (0, 0)
        o_start = self.offsets[start]
        o_end = self.offsets[end - 1] + 1
        # A disguised word maps back to every character that was part of it, accents and marks included.
        while o_end < len(self.original) and unicodedata.category(self.original[o_end]) in ("Mn", "Mc"):
            o_end += 1
        return (o_start, o_end)

    def evidence(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.original[s:e]


# NFKC splits Thai SARA AM and Lao AM into NIKHAHIT/NIGGAHITA + AA; people type (and lexicons are
# written with) the single character, so it is kept whole, and the split form is joined back.
_KEEP_WHOLE = {"\u0e33": "\u0e33", "\u0eb3": "\u0eb3"}
SPLIT_AM = (("\u0e4d\u0e32", "\u0e33"), ("\u0ecd\u0eb2", "\u0eb3"))
_WHOLE_AM = dict(SPLIT_AM)
_SPLIT_AM_RE = re.compile("|".join(_WHOLE_AM))


def join_split_am(text: str) -> str:
    for split, whole in SPLIT_AM:
        text = text.replace(split, whole)
    return text


@lru_cache(maxsize=65536)
def _map_char(ch: str) -> str:
    """What one character becomes in the normalised view ('' to drop it)."""
    cp = ord(ch)
    if cp in _INVISIBLE:
        return ""
    if ch in _KEEP_WHOLE:
        return ch
    cat = unicodedata.category(ch)
    if cat == "Nd" and not ("0" <= ch <= "9"):
        return str(unicodedata.digit(ch, 0)) if unicodedata.digit(ch, None) is not None else ch
    out = unicodedata.normalize("NFKC", ch).casefold()
    res = []
    for c in out:
        c = _CONFUSABLES.get(c, c)
        if c in _LATIN_EXTRA:
            res.append(_LATIN_EXTRA[c])
            continue
        ccat = unicodedata.category(c)
        if ccat.startswith("L") and c.isascii() is False and "LATIN" in unicodedata.name(c, ""):
            base = unicodedata.normalize("NFD", c)
            res.append("".join(b for b in base if not unicodedata.combining(b)))
        elif ccat in ("So", "Sk", "Cs", "Co", "Cn", "Cc", "Zs", "Zl", "Zp") or c.isspace():
            res.append(" ")
        else:
            res.append(c)
    return "".join(res)


@lru_cache(maxsize=65536)
def _light_char(ch: str) -> str:
    """Light view: NFKC and native digits to ASCII, invisible characters dropped, case and accents kept."""
    cp = ord(ch)
    if cp in _INVISIBLE:
        return ""
    if unicodedata.category(ch) == "Nd" and not ("0" <= ch <= "9"):
        d = unicodedata.digit(ch, None)
        return str(d) if d is not None else ch
    return unicodedata.normalize("NFKC", ch)


class _CharTable:
    """A ``str.translate`` table that learns each character the first time it is seen.

    Building the table per message cost more than the rest of normalisation; distinct characters are
    few (thousands, even across all ten scripts), so they are mapped once per process.
    """

    def __init__(self, mapper: Callable[[str], str], drops_marks_after_latin: bool) -> None:
        self.mapper = mapper
        self.drops_marks_after_latin = drops_marks_after_latin
        self.table: dict[int, str] = {}
        self._seen: set[str] = set()
        # Characters only the slow path handles: those that map to several characters ("ß" -> "ss")
        self.expanding: set[str] = set()
        self.dropped: set[str] = set()  # map to nothing (zero-width characters)
        self.marks: set[str] = set()  # combining marks, dropped by the normaliser after a Latin letter

    def learn(self, chars: set[str]) -> None:
        for ch in chars - self._seen:
            r = self.mapper(ch)
            if len(r) > 1:
                self.expanding.add(ch)
            elif not r:
                self.dropped.add(ch)
            elif self.drops_marks_after_latin and unicodedata.combining(ch):
                if unicodedata.combining(r):
                    self.marks.add(r)
                else:  # a mark that becomes a letter (U+0345 -> "i"): only the slow path knows to drop it
                    self.expanding.add(ch)
            self.table[ord(ch)] = r
            self._seen.add(ch)


@lru_cache(maxsize=1024)
def _latin_then_mark(marks: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[a-z][" + re.escape("".join(sorted(marks))) + "]")


def _char_pass(text: str, tables: _CharTable) -> tuple[str, list[int]]:
    chars_in = set(text)
    tables.learn(chars_in)
    if chars_in.isdisjoint(tables.expanding):
        # Most messages: every character becomes one character or none, so str.translate does the work
        # in C and the offsets are those of the characters kept.
        out = text.translate(tables.table)
        dropped = chars_in & tables.dropped
        marks = frozenset(set(out) & tables.marks)
        if not marks or not _latin_then_mark(marks).search(out):
            offs = [i for i, c in enumerate(text) if c not in dropped] if dropped else list(range(len(text)))
            return out, offs
    return _char_pass_slow(text, tables)


def _char_pass_slow(text: str, tables: _CharTable) -> tuple[str, list[int]]:
    """Character by character, for texts with characters that expand or accents to drop."""
    chars: list[str] = []
    offs: list[int] = []
    last_latin = False
    for i, ch in enumerate(text):
        if last_latin and tables.drops_marks_after_latin and unicodedata.combining(ch):
            continue  # a combining accent on a Latin letter: the accent goes, the letter stays
        r = tables.mapper(ch)
        for c in r:
            chars.append(c)
            offs.append(i)
        if r:
            last_latin = "a" <= r[-1] <= "z"
    return "".join(chars), offs


def _rewrite(text: str, offs: list[int], pattern: re.Pattern[str], repl) -> tuple[str, list[int]]:
    """Apply a substitution and carry the offsets along.

    ``repl(match)`` returns either a string (spread over the match's offsets) or a list of indices into
    the match to keep (a pure deletion, which keeps exact offsets).
    """
    out: list[str] = []
    new_offs: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        s, e = m.span()
        out.append(text[pos:s])
        new_offs.extend(offs[pos:s])
        r = repl(m)
        if isinstance(r, list):
            for k in r:
                out.append(text[s + k])
                new_offs.append(offs[s + k])
        else:
            n = len(r)
            width = e - s
            for k in range(n):
                src = s + (k * width // n if n else 0)
                if k == n - 1:
                    src = e - 1
                new_offs.append(offs[min(src, e - 1)])
            out.append(r)
        pos = e
    if pos == 0:
        return text, offs
    out.append(text[pos:])
    new_offs.extend(offs[pos:])
    return "".join(out), new_offs


def _keep_alnum(m: re.Match[str]) -> list[int]:
    return [k for k, c in enumerate(m.group(0)) if c.isalnum()]


def _key_term(m: re.Match[str]) -> str:
    return KEY_TERMS[int(m.lastgroup[1:])]  # type: ignore[index]


def _leet_token_ok(text: str, s: int) -> bool:
    """Only undo leetspeak inside real words (so ``rm5k`` and ``usd2000`` keep their digits)."""
    a = s
    while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "@$!"):
        a -= 1
    b = s
    while b < len(text) and (text[b].isalnum() or text[b] in "@$!"):
        b += 1
    token = text[a:b]
    letters = sum(c.isalpha() for c in token)
    return len(token) >= 5 and letters >= 3 and letters >= len(token) - 2


_NORMALISE_TABLE = _CharTable(_map_char, drops_marks_after_latin=True)
_LIGHT_TABLE = _CharTable(_light_char, drops_marks_after_latin=False)


def normalise(text: str) -> Normalised:
    """The normalised view used by every matcher; see the module docstring for what it undoes."""
    s, offs = _char_pass(text, _NORMALISE_TABLE)
    # Collapse whitespace first so that later patterns only ever see single spaces.
    s, offs = _rewrite(s, offs, _SPACES, lambda m: [0])
    if s.startswith(" "):
        s, offs = s[1:], offs[1:]
    if s.endswith(" "):
        s, offs = s[:-1], offs[:-1]
    s, offs = _rewrite(s, offs, _HYPHEN_BREAK, lambda m: [])
    if _hides_key_term(s):
        s, offs = _rewrite(s, offs, _KEY_TERM_RE, _key_term)
    if _DISGUISE_HINT.search(s):
        s, offs = _rewrite(s, offs, _SPACED_LETTERS, _keep_alnum)
        s, offs = _rewrite(
            s, offs, _LEET_IN_WORD, lambda m: _LEET_SINGLE[m.group(0)] if _leet_token_ok(s, m.start()) else m.group(0)
        )
    s, offs = _rewrite(s, offs, _CJK_GAP, lambda m: [])
    if "\u0e4d" in s or "\u0ecd" in s:
        s, offs = _rewrite(s, offs, _SPLIT_AM_RE, lambda m: _WHOLE_AM[m.group(0)])
    return Normalised(text, s, tuple(offs))


def light_normalise(text: str) -> str:
    """NFKC, ASCII digits and no invisible characters, but case, accents and layout kept.

    Entities (phones, handles, amounts) are read from this view: full-width or Thai digits must still be a
    phone number, but a handle's case and a URL's path must survive.
    """
    _LIGHT_TABLE.learn(set(text))
    return text.translate(_LIGHT_TABLE.table)
