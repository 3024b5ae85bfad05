"""The spammers' disguises of the risk-engine issue, as functions, for tests and the robustness benchmark."""

from __future__ import annotations

import random
import re

_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}
_CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "A": "А", "E": "Е",
             "O": "О", "P": "Р", "C": "С", "T": "Т", "H": "Н", "K": "К", "M": "М", "B": "В"}
_LEET = {"a": "4", "e": "3", "o": "0", "s": "5", "i": "1", "t": "7"}
KEY_WORDS = re.compile(
    r"telegram|whatsapp|wechat|line|salary|visa|passport|customer service|thailand|cambodia|myanmar|"
    r"myawaddy|crypto|usdt|typing|casino|free ticket|high salary|no experience",
    re.IGNORECASE,
)


def _on_key_words(text: str, fn) -> str:
    return KEY_WORDS.sub(lambda m: fn(m.group(0)), text)


def fullwidth(text: str) -> str:
    return "".join(_FULLWIDTH.get(c, c) for c in text)


def zero_width(text: str) -> str:
    return "\u200b".join(text[i:i + 2] for i in range(0, len(text), 2))


def lookalikes(text: str) -> str:
    return "".join(_CYRILLIC.get(c, c) for c in text)


def spaced(text: str) -> str:
    return _on_key_words(text, lambda w: " ".join(w.replace(" ", "")))


def dotted(text: str) -> str:
    return _on_key_words(text, lambda w: ".".join(w.replace(" ", "")))


def emoji_split(text: str) -> str:
    return _on_key_words(text, lambda w: "🔥".join(w.replace(" ", "")))


def case_mix(text: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


def leet(text: str) -> str:
    return _on_key_words(text, lambda w: "".join(_LEET.get(c, c) if i % 2 else c for i, c in enumerate(w)))


def line_breaks(text: str) -> str:
    return _on_key_words(text, lambda w: w[: max(1, len(w) // 2)] + "\n" + w[max(1, len(w) // 2):] if " " not in w else w)


TRANSFORMS = {
    "fullwidth": fullwidth, "zero_width": zero_width, "lookalikes": lookalikes, "spaced": spaced,
    "dotted": dotted, "emoji_split": emoji_split, "case_mix": case_mix, "leet": leet, "line_breaks": line_breaks,
}


def random_mix(text: str, seed: int) -> str:
    """Two or three disguises at once, as real posts combine them."""
    rng = random.Random(seed)
    names = rng.sample(sorted(TRANSFORMS), k=rng.choice([2, 3]))
    for n in names:
        text = TRANSFORMS[n](text)
    return text
