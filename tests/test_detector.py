"""The detector end to end with the shipped, trained model: verdicts, intents, integrity, hot swap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.detector import Detector, EmptyText, MAX_CHARS, ModelError
from bot.detector.analysis import analyse
from bot.detector.model import Registry, shipped_models_dir
from obfuscate import TRANSFORMS

ZH_LURE = "泰国高薪招聘客服，月薪20000元，机票签证全包，包吃包住，无需经验，有意者联系 Telegram @hr_thai888"
EN_LURE = ("Customer service job in Thailand, USD 2,000 a month, flight and visa paid, no experience needed. "
           "Contact on Telegram @hr_bkk99")
LOCAL_ADS = [
    "招聘超市收银员，北京朝阳区，月薪4500-5500元，五险一金，双休，有意者请到店面试",
    "We are hiring a barista for our cafe in Makati. PHP 18,000 per month plus SSS and PhilHealth. Apply at the counter.",
    "รับสมัครพนักงานขายหน้าร้าน สาขาเชียงใหม่ เงินเดือน 12,000 บาท มีประกันสังคม สมัครได้ที่ร้าน",
]


def test_obvious_lure_is_high_with_flags(detector: Detector) -> None:
    for text in (ZH_LURE, EN_LURE):
        v = detector.check(text)
        assert v.level == "high", (text, v.risk)
        assert len(v.flags) >= 3
        assert v.intent == "job_offer"
        for f in v.flags:
            assert text[f.start:f.end] == f.evidence and f.evidence


def test_ordinary_local_ads_are_low(detector: Detector) -> None:
    for text in LOCAL_ADS:
        v = detector.check(text)
        assert v.level == "low", (text, v.risk, v.flag_codes)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_lure_stays_high_under_every_obfuscation(detector: Detector, name: str) -> None:
    for text in (ZH_LURE, EN_LURE):
        disguised = TRANSFORMS[name](text)
        v = detector.check(disguised)
        assert v.level == "high", (name, disguised, v.risk, v.flag_codes)


def test_detention_reports_in_every_language(detector: Detector) -> None:
    root = Path(__file__).resolve().parent.parent / "training" / "corpus" / "intents"
    langs = set()
    for f in sorted(root.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["intent"] != "detention_report":
                continue
            v = detector.check(row["text"])
            assert v.intent == "detention_report", (row["lang"], row["text"])
            assert v.level != "low"
            langs.add(row["lang"])
    assert langs == {"en", "zh", "th", "vi", "id", "my", "km", "lo", "tl", "ms"}


def test_issue_example_family_message(detector: Detector) -> None:
    v = detector.check("My daughter went to Bangkok for a job and now they hold her in Myawaddy and want money")
    assert v.intent == "detention_report"
    assert "hotspot_location" in v.flag_codes


def test_other_intents_are_not_detention(detector: Detector) -> None:
    root = Path(__file__).resolve().parent.parent / "training" / "corpus" / "intents"
    for f in sorted(root.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["intent"] == "other":
                assert detector.check(row["text"]).intent == "other", row


@pytest.mark.parametrize("text", ["", "   \n\t", "\u200b\u200c\ufeff", "😀😀😀", "?!"])
def test_empty_text_is_refused(detector: Detector, text: str) -> None:
    with pytest.raises(EmptyText):
        detector.check(text)


def test_very_long_text_is_truncated(detector: Detector) -> None:
    v = detector.check(EN_LURE + " " + "x" * (MAX_CHARS + 10))
    assert v.truncated
    assert v.level == "high"


@pytest.mark.parametrize("version", sorted(Registry(shipped_models_dir()).read()["versions"]))
def test_fast_scorer_equals_pipeline(version: str) -> None:
    """Every shipped version (the current one and those a rollback may return to) scores as its pipeline does."""
    model = Registry(shipped_models_dir()).load(version)
    texts = [ZH_LURE, EN_LURE, *LOCAL_ADS, "hello", "ฝากเร็ว-ถอนไว ไม่มีขั้นต่ำ https://bit.ly/xyz"]
    analyses = [analyse(t) for t in texts]
    want = model.pipeline.predict_proba(analyses)[:, 1]
    got = [model.score(*model.features.row_columns(a)) for a in analyses]
    assert np.allclose(want, got, atol=1e-9)


def test_tampered_artifact_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "models"
    shutil.copytree(shipped_models_dir(), d)
    reg = Registry(d)
    artifact = d / reg.entry(reg.current())["file"]
    with artifact.open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelError, match="sha256"):
        Detector.load(d)


def test_missing_registry_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="safejob train"):
        Detector.load(tmp_path)


def test_swap_model_takes_effect_at_once(detector: Detector) -> None:
    model = detector.model
    fresh = Detector(model)
    clone = Registry(shipped_models_dir()).load()
    clone.version = "swapped-test"
    old = fresh.swap_model(clone)
    assert old is model
    assert fresh.check(EN_LURE).model_version == "swapped-test"


def test_known_scam_copy_is_matched(detector: Detector) -> None:
    lib = detector.library
    assert len(lib) > 100
    from training.datasets import load_training_rows

    rows = [r for r in load_training_rows(None) if r.split == "train" and r.y == 1 and len(r.text) > 300]
    text = rows[0].text
    reworded = text.replace("\n", " ").replace(",", " ,")[: int(len(text) * 0.9)] + " 🔥 DM now"
    v = detector.check(reworded)
    assert v.matches and v.matches[0].id == rows[0].id
    assert v.level == "high"


def test_confirmed_scam_joins_library_immediately(detector: Detector) -> None:
    text = ("Trabaho sa Hpa Lu bilang chat support, 95,000 piso kada buwan, sagot ang pamasahe at bahay, "
            "dalhin ang pasaporte, kontakin si Ate Joy sa Telegram @joy_recruits_777 bago Biyernes")
    fresh = Detector(detector.model)
    assert not fresh.check(text).matches
    assert fresh.library.add("admin-1", text)
    v = fresh.check(text.replace("Biyernes", "Sabado"))
    assert v.matches and v.matches[0].source == "admin"


def test_single_size_ngram_hash_equals_the_rolling_one() -> None:
    from bot.detector.hashing import ngram_hash, ngram_hashes

    for text in ("", "abcd", "月薪三万包吃住 telegram @hr_lina", "ທ່ານ ສະບາຍດີ ບໍ່"):
        for n in (1, 3, 5):
            rolled = {k: h for k, h in ngram_hashes(text, n)}
            expected = rolled.get(n, np.zeros(0, dtype=np.uint64))
            assert ngram_hash(text, n).tolist() == expected.tolist()


def test_all_sizes_in_one_pass_equal_the_rolling_hashes() -> None:
    from bot.detector.hashing import all_ngram_hashes, ngram_hashes

    for text in ("", "a", "ab", "月薪三万 telegram @hr_lina 💰", "ທ່ານ ສະບາຍດີ"):
        parts = [h for _, h in ngram_hashes(text, 4)]
        expected = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        assert all_ngram_hashes(text, 4).tolist() == expected.tolist()
