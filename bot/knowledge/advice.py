"""Advice per audience (job seeker, person inside, family), in the user's language, with its sources.

The steps and their sources live in ``data/advice.json`` (English master, written from
reference/advisories.md); ``data/advice_<lang>.json`` holds each language's text for the same step ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["AUDIENCES", "Step", "advice_steps", "advice_title", "warnings", "advice_doc"]

AUDIENCES = ("job_seeker", "inside", "family")


@dataclass(frozen=True)
class Step:
    id: str
    text: str
    sources: tuple[dict[str, Any], ...]


@lru_cache(maxsize=1)
def advice_doc() -> dict[str, Any]:
    with resources.files("bot.knowledge").joinpath("data/advice.json").open(encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=None)
def _translations(lang: str) -> dict[str, str]:
    f = resources.files("bot.knowledge").joinpath(f"data/advice_{lang}.json")
    if lang == "en" or not f.is_file():
        return {}
    with f.open(encoding="utf-8") as fh:
        return json.load(fh)


def _text(step: dict[str, Any], lang: str) -> str:
    return _translations(lang).get(step["id"]) or step["text"].get(lang) or step["text"]["en"]


def advice_title(audience: str, lang: str) -> str:
    a = advice_doc()["audiences"][audience]
    return _translations(lang).get(f"title.{audience}") or a["title"].get(lang) or a["title"]["en"]


def advice_steps(audience: str, lang: str) -> list[Step]:
    return [Step(s["id"], _text(s, lang), tuple(s["sources"])) for s in advice_doc()["audiences"][audience]["steps"]]


def warnings(lang: str) -> list[Step]:
    return [Step(s["id"], _text(s, lang), tuple(s["sources"])) for s in advice_doc()["warnings"]]
