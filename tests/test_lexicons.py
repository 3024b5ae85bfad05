"""Every flag and intent in every language's lexicon fires on its examples and not on its counter-examples.

The examples live in the lexicon files beside the patterns, so a pattern cannot be added or changed
without the sentences it is meant to catch; this test runs them through the real normaliser and matcher.
"""

from __future__ import annotations

import json

import pytest

from bot.detector.lexicon import FLAG_CODES, INTENT_CODES, LANGUAGES, DIGIT, Lexicon, load_docs, required_clauses
from bot.detector.normalize import normalise

DOCS = load_docs()


def _cases(kind: str):
    for lang, doc in sorted(DOCS.items()):
        for section in ("flags", "intents"):
            for code, spec in doc.get(section, {}).items():
                for i, text in enumerate(spec.get(kind, [])):
                    yield pytest.param(lang, code, text, id=f"{lang}-{code}-{i}")


_SINGLE = {lang: Lexicon({lang: doc}, gate_by_script=False) for lang, doc in DOCS.items()}


def _codes(lang: str, text: str) -> set[str]:
    return {hit.code for hit in _SINGLE[lang].scan(normalise(text).text)}


def test_all_ten_languages_present() -> None:
    assert sorted(DOCS) == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", sorted(DOCS))
def test_every_flag_and_intent_defined_with_examples(lang: str) -> None:
    doc = DOCS[lang]
    assert doc["lang"] == lang
    assert set(doc["flags"]) >= set(FLAG_CODES), set(FLAG_CODES) - set(doc["flags"])
    assert set(doc["intents"]) >= set(INTENT_CODES), set(INTENT_CODES) - set(doc["intents"])
    for section in ("flags", "intents"):
        for code, spec in doc[section].items():
            assert spec["patterns"], f"{lang} {code}: no patterns"
            assert len(spec.get("examples", [])) >= (3 if section == "flags" else 1), f"{lang} {code}: too few examples"


@pytest.mark.parametrize("lang,code,text", list(_cases("examples")))
def test_example_fires(lang: str, code: str, text: str) -> None:
    assert code in _codes(lang, text), f"{code} did not fire on {text!r} (normalised: {normalise(text).text!r})"


@pytest.mark.parametrize("lang,code,text", list(_cases("counter_examples")))
def test_counter_example_does_not_fire(lang: str, code: str, text: str) -> None:
    assert code not in _codes(lang, text), f"{code} fired on legitimate {text!r}"


def test_trigger_index_never_hides_a_match() -> None:
    """The literal pre-filter must be exact: scanning with it equals running every regex."""
    full = Lexicon(DOCS)
    for lang, doc in DOCS.items():
        for section in ("flags", "intents"):
            for code, spec in doc[section].items():
                for text in spec.get("examples", []):
                    norm = normalise(text).text
                    brute = {e.code for e in full.applicable_entries(norm) if e.regex.search(norm)}
                    fast = {h.code for h in full.scan(norm)}
                    assert brute == fast, (lang, code, text, brute ^ fast)


def test_required_clauses() -> None:
    # Both words of a phrase must be there; the rarer (longer) one anchors the search.
    assert required_clauses(r"\bhigh\s?salary\b") == (frozenset({"salary"}), frozenset({"high"}))
    assert required_clauses(r"(visa|签证)") == (frozenset({"visa", "签证"}),)
    # A number is all "\d+k" can wait for; a shared prefix the parser moved out of a group is glued back.
    assert required_clauses(r"\d+k") == (frozenset({DIGIT}),)
    assert frozenset({"tinggi badan", "tb"}) in required_clauses(r"\b(tinggi badan|tb) min")
    # Spaces and single letters are everywhere: never worth waiting for.
    assert all(" " not in c and "a" not in c for c in required_clauses(r"a b"))


def test_trigger_index_never_hides_a_match_in_real_messages() -> None:
    """Same check as above on whole ads of every language in the corpus (numbers, contacts, mixed scripts)."""
    from training.datasets import CORPUS_DIR

    full = Lexicon(DOCS)
    texts = []
    for f in sorted(CORPUS_DIR.glob("*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()][::4]
    assert len(texts) > 400
    for text in texts:
        norm = normalise(text).text
        brute = {(e.lang, e.code) for e in full.applicable_entries(norm) if e.regex.search(norm)}
        fast = {(h.lang, h.code) for h in full.scan(norm)}
        assert brute == fast, (text[:80], brute ^ fast)


def test_anchor_that_may_be_any_digit_searches_the_whole_text() -> None:
    """An alternative satisfied by a digit can match far from the other alternatives' words."""
    doc = {"en": {"flags": {"high_pay": {"patterns": [r"(?:salary \w{1,10} high|\d{1,3}k\b)"]}}}}
    lex = Lexicon(doc)
    text = "we pay a good salary to all staff " + "and more words " * 20 + "about 5k a week"
    assert [h.code for h in lex.scan(text)] == ["high_pay"]
