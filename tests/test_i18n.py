"""Every language has every string, with the same placeholders; buttons are short; no phone numbers."""

from __future__ import annotations

import re
import string

import pytest

from bot.i18n import SUPPORTED, pick_language, strings, t
from bot.knowledge.advice import AUDIENCES, advice_steps, advice_title

EN = strings("en")


def _fields(s: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(s) if f}


@pytest.mark.parametrize("lang", [l for l in SUPPORTED if l != "en"])
def test_every_key_translated_with_same_placeholders(lang):
    own = strings(lang)
    missing = sorted(set(EN) - set(own))
    assert not missing, missing
    for key, en_text in EN.items():
        assert _fields(own[key]) == _fields(en_text), (lang, key)
        for cmd in re.findall(r"/[a-z]+\b", en_text):
            if cmd in ("/language", "/contacts", "/report", "/advice", "/privacy", "/forget", "/cancel"):
                assert cmd in own[key], (lang, key, cmd)
        if key.startswith("button.") and key != "button.expired":
            assert len(own[key]) <= 32, (lang, key, own[key])


@pytest.mark.parametrize("lang", SUPPORTED)
def test_advice_in_every_language(lang):
    for audience in AUDIENCES:
        assert advice_title(audience, lang)
        steps = advice_steps(audience, lang)
        assert steps
        if lang != "en":
            en_steps = advice_steps(audience, "en")
            assert all(s.text != e.text for s, e in zip(steps, en_steps)), (lang, audience)
        for s in steps:
            assert s.sources and all(src["url"].startswith("http") for src in s.sources)


def test_language_picking():
    assert pick_language("zh-hans") == "zh" and pick_language("fil") == "tl" and pick_language("pt-BR") == "en"
    assert pick_language(None) == "en"
    assert t("th", "no.such.key") == "no.such.key"
    assert "{lang}" not in t("en", "group.settings", state="on", threshold="high", lang="English")
