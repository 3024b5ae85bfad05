"""Every obfuscation of the risk-engine issue, undone, with evidence still pointing at the original."""

import pytest

from bot.detector.normalize import light_normalise, normalise

CASES = [
    ("full-width", "Ｔｅｌｅｇｒａｍ", "telegram"),
    ("zero-width", "Tel\u200beg\u200cr\u200dam\ufeff", "telegram"),
    ("cyrillic look-alikes", "Теlеgrаm", "telegram"),
    ("greek look-alikes", "Τelegrαm", "telegram"),
    ("spaced letters", "T e l e g r a m", "telegram"),
    ("dotted letters", "W.h.a.t.s.A.p.p", "whatsapp"),
    ("emoji between letters", "T🔥e🔥l🔥e🔥g🔥r🔥a🔥m", "telegram"),
    ("case mixing", "tElEgRaM", "telegram"),
    ("leetspeak", "t3l3gr4m", "telegram"),
    ("leetspeak passport", "p455port", "passport"),
    ("line break inside a word", "Tele\ngram", "telegram"),
    ("hyphenated line break", "sala-\nry", "salary"),
    ("math bold letters", "𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦", "telegram"),
    ("vietnamese accents", "Việc nhẹ lương cao", "viec nhe luong cao"),
    ("chinese spaced", "高 薪 招 聘", "高薪招聘"),
]


@pytest.mark.parametrize("name,raw,expected", CASES, ids=[c[0] for c in CASES])
def test_obfuscation_undone(name: str, raw: str, expected: str) -> None:
    n = normalise(f"contact {raw} now")
    assert expected in n.text
    start = n.text.index(expected)
    # The evidence is the user's own text, not the normalised form.
    assert n.evidence(start, start + len(expected)).strip() == raw.strip().replace("\ufeff", "")


def test_numbers_and_amounts_survive() -> None:
    assert "rm5k" in normalise("RM5k sebulan").text
    assert "usd2000" in normalise("USD2000").text
    assert "15,000" in normalise("１５，０００").text


def test_thai_and_khmer_marks_kept() -> None:
    assert normalise("เงินเดือนสูง").text == "เงินเดือนสูง"
    assert normalise("ប្រាក់ខែខ្ពស់").text == "ប្រាក់ខែខ្ពស់"


def test_whitespace_and_empty() -> None:
    assert normalise("  \n\t ").text == ""
    assert normalise("\u200b\u200c").text == ""
    assert normalise("a   b\n\nc").text == "a b c"


def test_light_view_keeps_case_and_converts_native_digits() -> None:
    assert light_normalise("โทร ๐๘๑") == "โทร 081"
    assert light_normalise("@HR_Lina") == "@HR_Lina"
    assert light_normalise("ဖုန်း ၀၉၁၂") == "ဖုန်း 0912"


def test_long_text_offsets_consistent() -> None:
    text = "Ｈｉｇｈ salary 💰 " * 500
    n = normalise(text)
    assert len(n.offsets) == len(n.text)
    assert all(0 <= o < len(text) for o in n.offsets)


def test_translate_fast_path_equals_character_by_character() -> None:
    """The per-process translation table must give exactly what mapping each character does, offsets included."""
    import json

    from bot.detector.normalize import _NORMALISE_TABLE, _char_pass, _char_pass_slow
    from training.datasets import CORPUS_DIR

    texts = [
        "caf\u00e9 e\u0301cole na\u0308ive", "Te\u200ble\u200dgram ok", "ทำงาน่ต่างประเทศ ✈️ ๑๒๓", "Straße … ™ ﬁne",
        "ສະບາຍດີ\u200b ເຮັດວຽກ", "ក្រុមហ៊ុន\u200bការងារ", "အလုပ်\u200cရှင်", "ｆｕｌｌ ｗｉｄｔｈ １２３", "a\u0301\u0301b", "",
        "Te\u0345legram \u0345x", "x \u0340y \u0340",
    ]
    for f in sorted(CORPUS_DIR.glob("*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()][::7]
    for text in texts:
        assert _char_pass(text, _NORMALISE_TABLE) == _char_pass_slow(text, _NORMALISE_TABLE), text[:60]
