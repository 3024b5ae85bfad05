"""Gazetteer of scam-compound hotspots and transit places, in every script we have a source for.

One list serves the detector (a hotspot named in a job ad is a warning sign) and the families' report
flow (free text such as "妙瓦底" or "เมียวดี" must resolve to Myawaddy, Myanmar).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

from bot.literals import LiteralSet

__all__ = ["Place", "PlaceMatch", "Gazetteer", "gazetteer"]


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    kind: str  # hotspot | transit | city
    country: str  # ISO 3166-1 alpha-2
    region: str
    names: tuple[str, ...]
    sources: tuple[dict[str, Any], ...]

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    place: Place
    start: int
    end: int


def _latin_fold(name: str) -> str:
    """A place name folded the way the detector's normaliser folds text, so names match the normalised view."""
    from bot.detector.normalize import join_split_am  # the detector imports this module: import when used

    s = join_split_am(unicodedata.normalize("NFKC", name).casefold().replace("đ", "d"))
    if all(ord(c) < 0x250 or c.isspace() for c in s):
        s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", s).strip()


def _pattern(name: str) -> str:
    folded = _latin_fold(name)
    if folded.isascii():
        body = r"[\s'\-]?".join(re.escape(part) for part in re.split(r"[\s'\-]+", folded))
        return rf"(?<![a-z]){body}(?![a-z])"
    return re.escape(folded)


class Gazetteer:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.as_of: str = doc.get("as_of", "")
        self.places: dict[str, Place] = {}
        # (a literal every match contains, the name's pattern, its place): the literal is tested first, so
        # a text that names no place costs one substring test per name.
        self._names: list[tuple[str, re.Pattern[str], Place]] = []
        for p in doc["places"]:
            place = Place(p["id"], p["kind"], p["country"], p.get("region", ""), tuple(p["names"]),
                          tuple(p.get("sources", ())))
            self.places[place.id] = place
            for name in place.names:
                folded = _latin_fold(name)
                literal = max(re.split(r"[\s'\-]+", folded), key=len) if folded.isascii() else folded
                self._names.append((literal, re.compile(_pattern(name)), place))
        # Longest names first, so "Shwe Kokko Myaing" wins over "Shwe Kokko".
        self._names.sort(key=lambda item: -len(item[1].pattern))
        # One pass over the text names the literals it holds; only their names' patterns run.
        self._by_literal: dict[str, list[int]] = {}
        for i, (literal, _rx, _place) in enumerate(self._names):
            self._by_literal.setdefault(literal, []).append(i)
        self._literals = LiteralSet(self._by_literal)

    def find(self, normalised_text: str) -> Iterator[PlaceMatch]:
        """Places named in a text that went through ``bot.detector.normalize.normalise``."""
        taken: list[tuple[int, int]] = []
        found: list[PlaceMatch] = []
        present = self._literals.found(normalised_text)
        for i in sorted(i for literal in present for i in self._by_literal[literal]):
            _literal, rx, place = self._names[i]
            for m in rx.finditer(normalised_text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append(m.span())
                found.append(PlaceMatch(place, m.start(), m.end()))
        found.sort(key=lambda pm: pm.start)
        return iter(found)

    def resolve(self, free_text: str) -> Place | None:
        """The place a person typed, in any script ("妙瓦底", "mae sot", "เมียวดี"), or None."""
        from bot.detector.normalize import normalise  # normalisation lives with the detector

        for match in self.find(normalise(free_text).text):
            return match.place
        return None

    def hotspots(self, country: str | None = None) -> list[Place]:
        return [p for p in self.places.values() if p.kind == "hotspot" and (country is None or p.country == country)]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    with resources.files("bot.knowledge").joinpath("data/places.json").open(encoding="utf-8") as f:
        return Gazetteer(json.load(f))
