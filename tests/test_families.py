"""Families: /report and /contacts through the fake Bot API, and the integrity of the contacts data."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from bot.i18n import t
from bot.knowledge.contacts import HOSTS, ORIGINS, RELIABILITY, directory
from bot.knowledge.places import gazetteer
from bot_harness import Harness
from fake_telegram import callback, message

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def bot(tmp_path, detector):
    h = await Harness(tmp_path / "var", detector).start()
    yield h
    await h.close()


def texts(calls) -> str:
    return "\n".join(html.unescape(c.params.get("text", "")) for c in calls)


def numbers_of(entries) -> list[str]:
    return [p.get("e164") or p["number"] for e in entries for p in e.get("phones", [])]


@pytest.mark.parametrize("lang,origin,host,place_text,place_id", [
    ("zh", "CN", "MM", "妙瓦底", "myawaddy"),
    ("th", "TH", "KH", "ปอยเปต", "poipet"),
    ("vi", "VN", "KH", "sihanoukville", "sihanoukville"),
])
async def test_whole_report_flow(bot, lang, origin, host, place_text, place_id):
    uid = {"zh": 10, "th": 11, "vi": 12}[lang]
    replies = await bot.send(message(uid, "/report", lang=lang), expect=2, chat_id=uid)
    assert replies[0].params["text"] == html.escape(t(lang, "report.intro"), quote=False)
    await bot.send(callback(uid, f"v1:report:nat:{origin}", lang=lang), chat_id=uid)
    [r] = await bot.send(callback(uid, f"v1:report:host:{host}", lang=lang), chat_id=uid)
    assert t(lang, "report.ask_place") in html.unescape(r.params["text"])
    # free text in the place's own script is matched against the gazetteer
    replies = await bot.send(message(uid, place_text, lang=lang), expect=4, chat_id=uid)
    shown = texts(replies)
    assert t(lang, "report.steps_title") in shown
    pc = directory().for_pair(origin, gazetteer().places[place_id].country)
    for number in numbers_of(pc.hotlines + pc.missions + pc.host_lines):
        assert number in shown, number  # every sourced number for the pair is shown
    from bot.telegram.render import _date, _source_host

    for e in pc.hotlines + pc.missions + pc.host_lines:  # "source, date" beside each entry
        assert t(lang, "contact.source", source=_source_host(e), date=_date(e, lang)) in shown, e["id"]
    assert t(lang, "report.offer_summary") in shown
    await bot.send(callback(uid, "v1:report:sum:yes", lang=lang), chat_id=uid)
    await bot.send(message(uid, "Li Wei", lang=lang), chat_id=uid)           # name
    await bot.send(callback(uid, "v1:report:skip:age", lang=lang), chat_id=uid)  # age skipped
    await bot.send(message(uid, "E12345678", lang=lang), chat_id=uid)       # passport
    await bot.send(message(uid, "2026-11-20, Mae Sot", lang=lang), chat_id=uid)
    await bot.send(message(uid, "Telegram @hr_fake, customer service job", lang=lang), chat_id=uid)
    [r] = await bot.send(message(uid, "50,000 yuan in a week", lang=lang), chat_id=uid)
    assert t(lang, "report.q.screenshots") in html.unescape(r.params["text"])
    photo = [{"file_id": "shot1", "file_unique_id": "s1", "width": 5, "height": 5}]
    [r] = await bot.send(message(uid, None, lang=lang, photo=photo), chat_id=uid)
    assert t(lang, "report.screenshot_saved", count=1) in html.unescape(r.params["text"])
    replies = await bot.send(callback(uid, "v1:report:shots:done", lang=lang), expect=2, chat_id=uid)
    await bot.fake.wait_for(lambda c: bot.fake.sent("sendDocument", uid))
    [doc] = bot.fake.sent("sendDocument", uid)
    body = doc.files["document"].decode("utf-8")
    ref = re.search(r"SJ-[0-9A-F]{8}", texts(replies)).group(0)
    assert ref in body and "Li Wei" in body and "E12345678" in body and "50,000 yuan" in body
    assert "— English —" in body and "Passport number: E12345678" in body and "Age: skipped" in body
    assert t(lang, "report.field.passport") in body
    assert bot.services.store.report(ref, uid)["answers"]["name"] == "Li Wei"
    assert bot.services.store.report(ref, uid + 1) is None  # only the family that made it can read it
    assert bot.services.store.conversation(uid, uid) is None


async def test_cancel_at_any_step(bot):
    await bot.send(message(20, "/report"), expect=2, chat_id=20)
    await bot.send(callback(20, "v1:report:nat:PH"), chat_id=20)
    [r] = await bot.send(message(20, "/cancel"), chat_id=20)
    assert r.params["text"] == t("en", "report.cancelled")
    assert bot.services.store.conversation(20, 20) is None
    [a] = await bot.send(callback(20, "v1:report:host:MM"), method="answerCallbackQuery")
    assert a.params["text"] == t("en", "report.expired")
    [r] = await bot.send(message(20, "Customer service in Cambodia, USD 1500, free flight, Telegram @x_y_z_w"), chat_id=20)
    assert "v1:why:" in json.dumps(r.params.get("reply_markup"))  # back to normal checks


async def test_restart_in_the_middle_of_questions(tmp_path, detector):
    h = await Harness(tmp_path / "var", detector).start()
    try:
        await h.send(message(30, "/report", lang="id"), expect=2, chat_id=30)
        await h.send(callback(30, "v1:report:nat:ID", lang="id"), chat_id=30)
        await h.send(callback(30, "v1:report:host:KH", lang="id"), chat_id=30)
        await h.send(callback(30, "v1:report:place:unknown", lang="id"), expect=4, chat_id=30)
        await h.send(callback(30, "v1:report:sum:yes", lang="id"), chat_id=30)
        await h.restart()
        replies = await h.send(message(30, "Budi Santoso", lang="id"), expect=2, chat_id=30)
        assert replies[0].params["text"] == html.escape(t("id", "report.resumed"), quote=False)
        assert t("id", "report.q.age") in html.unescape(replies[1].params["text"])
        assert h.services.store.conversation(30, 30)[2]["answers"]["name"] == "Budi Santoso"
    finally:
        await h.close()


@pytest.mark.parametrize("typed,expect_place", [("မြဝတီ", "myawaddy"), ("KK Park", "kk_park"), ("西港", "sihanoukville"),
                                                ("Somewhere unknown", None)])
async def test_free_text_places_in_several_scripts(bot, typed, expect_place):
    uid = 40 + len(typed)
    await bot.send(message(uid, "/report"), expect=2, chat_id=uid)
    await bot.send(callback(uid, "v1:report:nat:MM"), chat_id=uid)
    await bot.send(callback(uid, "v1:report:host:unknown"), chat_id=uid)
    await bot.send(message(uid, typed), expect=4 if expect_place else 5, chat_id=uid)
    state = bot.services.store.conversation(uid, uid)
    assert state[1] == "offer"
    assert state[2].get("place") == expect_place
    if expect_place:
        assert state[2]["host"] == gazetteer().places[expect_place].country


async def test_contacts_command_and_fallback(bot):
    await bot.send(message(50, "/contacts"), chat_id=50)
    await bot.send(callback(50, "v1:contacts:nat:PH"), chat_id=50)
    replies = await bot.send(callback(50, "v1:contacts:host:MM"), expect=2, chat_id=50)
    shown = texts(replies)
    pc = directory().for_pair("PH", "MM")
    for number in numbers_of(pc.hotlines + pc.missions + pc.host_lines):
        assert number in shown
    assert t("en", "contact.source", source="", date="").split(":")[0] in shown
    # a nationality with nothing sourced gets the explicit fallback, not a guess
    await bot.send(message(51, "/contacts"), chat_id=51)
    await bot.send(callback(51, "v1:contacts:nat:UG"), chat_id=51)
    replies = await bot.send(callback(51, "v1:contacts:host:LA"), expect=2, chat_id=51)
    assert directory().for_pair("UG", None).hotlines == []
    assert t("en", "report.no_verified") in texts(replies) or "Laos" in texts(replies) or numbers_of(
        directory().for_pair("UG", "LA").host_lines)


async def test_detention_message_never_low(detector):
    for lang_file in sorted((ROOT / "training" / "corpus" / "intents").glob("*.jsonl")):
        for line in lang_file.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["intent"] == "detention_report":
                v = detector.check(row["text"])
                assert v.intent == "detention_report" and v.level != "low"


async def test_forget_deletes_reports(bot):
    await bot.send(message(60, "/report"), expect=2, chat_id=60)
    await bot.send(callback(60, "v1:report:nat:KE"), chat_id=60)
    await bot.send(callback(60, "v1:report:host:TH"), chat_id=60)
    await bot.send(callback(60, "v1:report:place:unknown"), expect=4, chat_id=60)
    await bot.send(callback(60, "v1:report:sum:yes"), chat_id=60)
    for q in ("name", "age", "passport", "last_contact", "recruitment", "demands"):
        await bot.send(callback(60, f"v1:report:skip:{q}"), chat_id=60)
    await bot.send(callback(60, "v1:report:shots:skip"), expect=2, chat_id=60)
    assert len(bot.services.store.reports_of(60)) == 1
    await bot.send(message(60, "/forget"), chat_id=60)
    await bot.send(callback(60, "v1:forget:yes"), chat_id=60)
    assert bot.services.store.reports_of(60) == []


async def test_caseworker_only_by_explicit_choice(tmp_path, detector):
    h = await Harness(tmp_path / "var", detector, caseworker_chat_id=-999).start()
    try:
        for uid, choice in ((70, "no"), (71, "yes")):
            await h.send(message(uid, "/report"), expect=2, chat_id=uid)
            await h.send(callback(uid, "v1:report:nat:IN"), chat_id=uid)
            await h.send(callback(uid, "v1:report:host:KH"), chat_id=uid)
            await h.send(callback(uid, "v1:report:place:unknown"), expect=4, chat_id=uid)
            await h.send(callback(uid, "v1:report:sum:yes"), chat_id=uid)
            await h.send(message(uid, f"Person {uid}"), chat_id=uid)
            for q in ("age", "passport", "last_contact", "recruitment", "demands"):
                await h.send(callback(uid, f"v1:report:skip:{q}"), chat_id=uid)
            replies = await h.send(callback(uid, "v1:report:shots:skip"), expect=3, chat_id=uid)
            assert t("en", "report.caseworker_offer") in texts(replies)
            await h.send(callback(uid, f"v1:report:cw:{choice}"), chat_id=uid)
        sent = h.fake.sent("sendMessage", -999)
        assert len(sent) == 1 and "Person 71" in sent[0].params["text"] and "Person 70" not in sent[0].params["text"]
    finally:
        await h.close()


# --- data integrity ----------------------------------------------------------------------------------

def test_every_contact_entry_is_sourced_dated_and_marked() -> None:
    d = directory()
    entries = d.entries()
    assert len(entries) > 50
    for e in entries:
        assert e["sources"], e["id"]
        for s in e["sources"]:
            assert s["url"].startswith("http"), e["id"]
            assert "date" in s, e["id"]
        assert e["reliability"] in RELIABILITY, e["id"]
    assert set(ORIGINS) <= set(d.doc["origins"]) and set(HOSTS) <= set(d.doc["hosts"])


def test_every_directory_number_comes_from_the_reference() -> None:
    """No number is typed from memory: each one's digits appear in reference/contacts.md."""
    ref = ROOT.parent / "shared" / "reference" / "contacts.md"
    if not ref.is_file():
        pytest.skip("shared/reference not beside the project")
    ref_digits = re.sub(r"\D", "", ref.read_text(encoding="utf-8"))
    for e in directory().entries():
        for p in e.get("phones", []):
            digits = re.sub(r"\D", "", p["number"])
            assert digits in ref_digits, (e["id"], p["number"])


def _texts_for_people() -> list[tuple[str, str]]:
    """Every text the bot can show that is not contacts data: i18n strings and advice, all languages."""
    out: list[tuple[str, str]] = []
    data = ROOT / "bot" / "knowledge" / "data"
    for f in sorted((ROOT / "bot" / "i18n").glob("*.json")) + sorted(data.glob("advice_*.json")):
        out += [(f"{f.name}:{k}", v) for k, v in json.loads(f.read_text(encoding="utf-8")).items()]
    advice = json.loads((data / "advice.json").read_text(encoding="utf-8"))
    steps = [s for a in advice["audiences"].values() for s in a["steps"]] + advice["warnings"]
    out += [(f"advice.json:{s['id']}", text) for s in steps for text in s["text"].values()]
    return out


def _python_strings() -> list[tuple[str, str]]:
    import ast

    out: list[tuple[str, str]] = []
    for f in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.append((f"{f.name}:{node.lineno}", node.value))
    return out


def test_no_phone_number_outside_the_directory() -> None:
    """Only contacts.json (with its sources) may hold a phone number; texts hold no run of 3+ digits at all,
    and no string in the code is a directory number or looks like a phone number."""
    for where, text in _texts_for_people():
        assert not re.search(r"\d{3}", re.sub(r"\{\w+\}", "", text)), where
    directory_numbers = {re.sub(r"\D", "", p["number"]) for e in directory().entries() for p in e.get("phones", [])}
    phone_like = re.compile(r"(?<![\w/])(?:\+\d{1,3}[ \-]?)?\(?\d{2,4}\)?[ \-]\d{3,4}[ \-]\d{3,4}(?!\w)")
    for where, text in _python_strings():
        for m in re.finditer(r"\+?\d[\d \-()]{2,}\d", text):
            assert re.sub(r"\D", "", m.group(0)) not in directory_numbers, (where, m.group(0))
        assert not phone_like.search(text), (where, text[:80])
