"""User-facing strings, one JSON file per language; English is the fallback for a missing key only.

Tests check that every language has every key, so the fallback is a safety net, not a way to ship
English inside a Thai reply.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

__all__ = ["SUPPORTED", "DEFAULT_LANG", "t", "strings", "pick_language"]

SUPPORTED = ("en", "zh", "th", "vi", "id", "my", "km", "lo", "tl", "ms")
DEFAULT_LANG = "en"
_ALIASES = {"fil": "tl", "zh-hans": "zh", "zh-hant": "zh", "zh-cn": "zh", "zh-tw": "zh", "zh-hk": "zh",
            "in": "id", "bur": "my", "mya": "my", "khm": "km", "lao": "lo", "msa": "ms", "may": "ms"}


@lru_cache(maxsize=None)
def strings(lang: str) -> dict[str, str]:
    f = resources.files("bot.i18n").joinpath(f"{lang}.json")
    if not f.is_file():
        return {}
    with f.open(encoding="utf-8") as fh:
        return json.load(fh)


def pick_language(code: str | None) -> str:
    """One of SUPPORTED for a Telegram ``language_code`` or a detected language ("zh-hans" -> "zh")."""
    if not code:
        return DEFAULT_LANG
    code = code.lower().replace("_", "-")
    if code in _ALIASES:
        return _ALIASES[code]
    base = code.split("-", 1)[0]
    base = _ALIASES.get(base, base)
    return base if base in SUPPORTED else DEFAULT_LANG


def t(lang: str, key: str, /, **kwargs: object) -> str:
    text = strings(lang).get(key)
    if text is None:
        text = strings(DEFAULT_LANG).get(key, key)
    return text.format(**kwargs) if kwargs else text
