"""Which of a fixed set of strings occur in a text, found in one pass over it (Aho-Corasick).

The lexicons, the hidden-key-term check and the gazetteer all start by asking which of their words a
message contains; one automaton answers in C what a loop of substring tests answered word by word.
Kept outside ``bot.detector`` so that ``bot.knowledge`` (which the detector imports) can use it too.
"""

from __future__ import annotations

from typing import Iterable

import ahocorasick

__all__ = ["LiteralSet"]


class LiteralSet:
    def __init__(self, words: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for word in set(words):
            if word:
                self._automaton.add_word(word, word)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def found(self, text: str) -> set[str]:
        """The words that occur in ``text`` (overlapping occurrences included)."""
        if self._empty:
            return set()
        return {word for _, word in self._automaton.iter(text)}
