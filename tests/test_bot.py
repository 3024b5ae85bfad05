"""The bot end to end: the real Application talks HTTP to the fake Bot API, with a real SQLite store."""

from __future__ import annotations

import asyncio
import html
import logging
from html.parser import HTMLParser

import pytest

from bot.i18n import SUPPORTED, strings, t
from bot_harness import TOKEN, Harness
from fake_telegram import callback, inline, message

LURES = {
    "en": "Customer service job in Thailand, USD 2,000 a month, flight and visa paid, no experience needed. Contact on Telegram @hr_bkk99 today!",
    "zh": "泰国高薪招聘客服，月薪20000元，机票签证全包，包吃包住，无需经验，有意者联系飞机 @hr_thai888",
    "th": "รับสมัครแอดมินตอบแชท ทำงานที่กัมพูชา เงินเดือน 45,000 บาท ไม่ต้องมีประสบการณ์ ออกตั๋วเครื่องบินให้ฟรี ทักไลน์ด่วน",
    "vi": "Tuyển gấp nhân viên CSKH làm việc tại Campuchia, lương 1.500 USD/tháng, bao vé máy bay, bao ăn ở, không cần kinh nghiệm. Liên hệ Telegram @tuyendung_kh",
    "id": "Lowongan admin customer service di Kamboja, gaji Rp 20 juta per bulan, tiket pesawat dan visa gratis, tanpa pengalaman. Hubungi Telegram @hrd_kamboja",
}
LOCAL_AD = "We are hiring a barista for our cafe in Makati. PHP 18,000 per month plus SSS and PhilHealth. Apply at the counter."


class _TagChecker(HTMLParser):
    ALLOWED = {"b", "i", "u", "s", "code", "pre", "a", "blockquote"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag, attrs):
        self.ok &= tag in self.ALLOWED
        self.stack.append(tag)

    def handle_endtag(self, tag):
        self.ok &= bool(self.stack) and self.stack.pop() == tag


def valid_telegram_html(text: str) -> bool:
    p = _TagChecker()
    p.feed(text)
    p.close()
    return p.ok and not p.stack and len(text) <= 4096


def leaked_english(text: str, lang: str) -> list[str]:
    """English UI sentences found in a reply meant for another language."""
    if lang == "en":
        return []
    own = set(strings(lang).values())
    plain = html.unescape(text)
    return [v for k, v in strings("en").items()
            if len(v) > 12 and v not in own and "{" not in v and v in plain]


@pytest.fixture
async def bot(tmp_path, detector):
    h = await Harness(tmp_path / "var", detector, admin_ids=frozenset({42})).start()
    yield h
    await h.close()


def keyboard_data(call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


@pytest.mark.parametrize("lang", ["en", "zh", "th"])
async def test_start_greets_in_users_language(bot, lang):
    [reply] = await bot.send(message(100, "/start", lang=lang), chat_id=100)
    assert html.escape(t(lang, "start.greeting"), quote=False) in reply.params["text"]
    assert leaked_english(reply.params["text"], lang) == []


@pytest.mark.parametrize("lang", sorted(SUPPORTED))
async def test_verdict_in_every_language_without_english(bot, lang):
    uid = 200 + SUPPORTED.index(lang)
    [reply] = await bot.send(message(uid, LURES["zh"], lang=lang), chat_id=uid)
    text = reply.params["text"]
    assert html.escape(t(lang, "level.high"), quote=False) in text
    assert html.escape(t(lang, "flag.free_travel"), quote=False) in text
    assert leaked_english(text, lang) == []
    assert valid_telegram_html(text)
    assert keyboard_data(reply) == ["v1:why:" + keyboard_data(reply)[0].split(":")[2], "v1:wrong:" + keyboard_data(reply)[0].split(":")[2],
                                    "v1:adv:job_seeker", "v1:ctc"]


@pytest.mark.parametrize("lang", ["en", "vi", "id"])
async def test_lures_high_local_ad_low(bot, lang):
    [reply] = await bot.send(message(300, LURES[lang], lang=lang), chat_id=300)
    assert html.escape(t(lang, "level.high"), quote=False) in reply.params["text"]
    [reply] = await bot.send(message(300, LOCAL_AD, lang=lang), chat_id=300)
    assert html.escape(t(lang, "level.low"), quote=False) in reply.params["text"]


async def test_buttons_why_wrong_advice_contacts(bot):
    [verdict] = await bot.send(message(400, LURES["en"]), chat_id=400)
    why, wrong, advice, contacts = keyboard_data(verdict)
    [r] = await bot.send(callback(400, why), chat_id=400)
    assert t("en", "why.title") in r.params["text"] and "@hr_bkk99" in r.params["text"]
    answers = await bot.send(callback(400, wrong), method="answerCallbackQuery")
    assert answers[0].params["text"] == t("en", "feedback.thanks")
    sid = int(wrong.split(":")[2])
    assert bot.services.store.feedback_for(sid) == ["wrong"]
    answers = await bot.send(callback(400, wrong), method="answerCallbackQuery")
    assert answers[0].params["text"] == t("en", "feedback.already")
    [r] = await bot.send(callback(400, advice), chat_id=400)
    assert "1." in r.params["text"]
    [r] = await bot.send(callback(400, contacts), chat_id=400)
    assert t("en", "contacts.ask_nationality") in r.params["text"]


@pytest.mark.parametrize("data", ["v1:why:999999", "v1:nonsense", "garbage", "v2:why:1", "v1:why:m_unknown", "v1:lang:xx"])
async def test_old_or_forged_buttons_get_polite_answer(bot, data):
    [answer] = await bot.send(callback(500, data), method="answerCallbackQuery")
    assert answer.params["text"] == t("en", "button.expired")


async def test_someone_elses_button_is_refused(bot):
    [verdict] = await bot.send(message(510, LURES["en"]), chat_id=510)
    why = keyboard_data(verdict)[0]
    [answer] = await bot.send(callback(511, why), method="answerCallbackQuery")
    assert answer.params["text"] == t("en", "button.expired")


@pytest.mark.parametrize("extra,key", [
    ({"photo": [{"file_id": "ph1", "file_unique_id": "u1", "width": 10, "height": 10}]}, "hint.photo_no_caption"),
    ({"sticker": {"file_id": "st", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
                  "is_video": False, "type": "regular"}}, "hint.sticker"),
    ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}, "hint.voice"),
    ({"location": {"latitude": 16.7, "longitude": 98.5}}, "hint.location"),
])
async def test_non_text_gets_a_hint(bot, extra, key):
    from bot.ocr import ocr_available

    if "photo" in extra and ocr_available():
        key = "ocr.failed"  # with OCR the picture is read; this one cannot be downloaded
    [r] = await bot.send(message(600, None, **extra), chat_id=600)
    assert r.params["text"] == t("en", key)


async def test_photo_with_caption_is_checked(bot):
    photo = [{"file_id": "ph2", "file_unique_id": "u2", "width": 10, "height": 10}]
    [r] = await bot.send(message(601, None, photo=photo, caption=LURES["en"]), chat_id=601)
    assert t("en", "level.high") in r.params["text"]


async def test_forwarded_post_and_quoted_reply(bot):
    fwd = {"forward_origin": {"type": "channel", "date": 1, "message_id": 5,
                              "chat": {"id": -1001, "type": "channel", "title": "Thailand High Salary Jobs"}}}
    [r] = await bot.send(message(602, LURES["en"], **fwd), chat_id=602)
    assert t("en", "level.high") in r.params["text"]
    sub = bot.services.store.submissions_of(602)[-1]
    assert sub.verdict["context"]["forward_origin"] == "Thailand High Salary Jobs"  # part of the evidence
    replied = {"reply_to_message": {"message_id": 1, "date": 1, "chat": {"id": 603, "type": "private"}, "text": LURES["zh"]}}
    [r] = await bot.send(message(603, "is this real?", **replied), chat_id=603)
    assert t("en", "level.high") in r.params["text"]


async def test_empty_and_whitespace_and_zero_width(bot):
    for text in ["   ", "\u200b\u200c", "😀😀"]:
        [r] = await bot.send(message(604, text), chat_id=604)
        assert r.params["text"] == t("en", "hint.empty")


async def test_long_post_reply_fits_and_is_valid_html(bot):
    long_text = (LURES["en"] + " <b>&amp; " + "x" * 50 + "\n") * 25
    [r] = await bot.send(message(605, long_text[:4096]), chat_id=605)
    assert valid_telegram_html(r.params["text"])


async def test_edited_message_is_ignored_without_crash(bot):
    edited = message(606, LURES["en"])["message"]
    edited["edit_date"] = 2
    await bot.send({"edited_message": edited}, expect=0)
    [r] = await bot.send(message(606, "/help"), chat_id=606)
    assert "/language" in r.params["text"]


async def test_detention_report_goes_to_guidance_not_verdict(bot):
    replies = await bot.send(message(700, "My daughter went to Bangkok for a job and now they hold her in Myawaddy and want money"),
                             expect=2, chat_id=700)
    assert replies[0].params["text"] == t("en", "report.intro")
    assert t("en", "report.ask_nationality") in replies[1].params["text"]
    assert not any(t("en", "level.low") in r.params["text"] for r in replies)


async def test_group_warns_only_on_high_and_never_repeats_contacts(bot):
    gid = -100500
    replies = await bot.send(message(800, LURES["zh"], chat_id=gid, chat_type="supergroup"), chat_id=gid)
    text = replies[0].params["text"]
    assert "@hr_thai888" not in text and "hr_thai888" not in text
    assert replies[0].params.get("reply_parameters", {}).get("message_id")
    await bot.send(message(800, LOCAL_AD, chat_id=gid, chat_type="supergroup"), expect=0, chat_id=gid)
    assert len(bot.fake.sent("sendMessage", gid)) == 1
    stored = [s for s in bot.services.store.submissions_of(800)]
    assert stored == []  # group posts are kept without their author


async def test_groupsettings_admins_only_and_checked_on_every_press(bot):
    gid = -100600
    bot.fake.chat_admins[gid] = {42}
    [r] = await bot.send(message(801, "/groupsettings", chat_id=gid, chat_type="supergroup"), chat_id=gid)
    assert r.params["text"] == t("en", "group.admins_only")
    [r] = await bot.send(message(42, "/groupsettings", chat_id=gid, chat_type="supergroup"), chat_id=gid)
    assert "v1:grp:toggle" in keyboard_data(r)
    [a] = await bot.send(callback(801, "v1:grp:toggle", chat_id=gid, chat_type="supergroup"), method="answerCallbackQuery")
    assert a.params["text"] == t("en", "group.admins_only")
    assert bot.services.store.group(gid)["enabled"] is True
    await bot.send(callback(42, "v1:grp:toggle", chat_id=gid, chat_type="supergroup"), method="editMessageText")
    assert bot.services.store.group(gid)["enabled"] is False
    await bot.send(message(800, LURES["zh"], chat_id=gid, chat_type="supergroup"), expect=0, chat_id=gid)
    assert len([c for c in bot.fake.sent("sendMessage", gid)]) == 2  # the two settings replies only


async def test_inline_mode_returns_verdict(bot):
    [ans] = await bot.send(inline(900, LURES["en"], lang="vi"), method="answerInlineQuery")
    [result] = ans.params["results"]
    assert result["title"] == t("vi", "level.high")
    assert valid_telegram_html(result["input_message_content"]["message_text"])
    [ans] = await bot.send(inline(900, ""), method="answerInlineQuery")
    assert ans.params["results"] == []


async def test_privacy_opt_out_and_forget(bot):
    await bot.send(message(1000, LURES["en"]), chat_id=1000)
    assert len(bot.services.store.submissions_of(1000)) == 1
    [r] = await bot.send(message(1000, "/privacy"), chat_id=1000)
    assert keyboard_data(r) == ["v1:privacy:off"]
    await bot.send(callback(1000, "v1:privacy:off"), chat_id=1000)
    [verdict] = await bot.send(message(1000, LURES["zh"]), chat_id=1000)
    assert len(bot.services.store.submissions_of(1000)) == 1  # not stored
    why = keyboard_data(verdict)[0]
    assert why.startswith("v1:why:m")
    [r] = await bot.send(callback(1000, why), chat_id=1000)  # buttons still work from memory
    assert t("en", "why.title") in r.params["text"]
    [r] = await bot.send(message(1000, "/forget"), chat_id=1000)
    assert keyboard_data(r) == ["v1:forget:yes", "v1:forget:no"]
    [r] = await bot.send(callback(1000, "v1:forget:yes"), chat_id=1000)
    assert r.params["text"] == t("en", "forget.done")
    assert bot.services.store.submissions_of(1000) == []
    assert bot.services.store.user(1000).store_submissions is True  # back to defaults


async def test_rate_limit_is_friendly_and_per_user(bot):
    for i in range(25):
        bot.fake.push(message(1100, f"{LURES['en']} #{i}"))
    await bot.fake.wait_for(lambda c: len(bot.fake.sent("sendMessage", 1100)) >= 21, timeout=20)
    await asyncio.sleep(0.5)
    texts = [c.params["text"] for c in bot.fake.sent("sendMessage", 1100)]
    assert sum(t("en", "level.high") in x for x in texts) == 20
    assert texts.count(t("en", "rate_limited")) == 1
    [r] = await bot.send(message(1101, LURES["en"]), chat_id=1101)  # another user is not delayed
    assert t("en", "level.high") in r.params["text"]


@pytest.mark.parametrize("kind", ["429", "500", "slow", "drop"])
async def test_sends_survive_telegram_faults(bot, kind):
    bot.fake.fail("sendMessage", kind, times=1, value=1.0)
    [r] = await bot.send(message(1200, LURES["en"]), chat_id=1200, timeout=20)
    assert t("en", "level.high") in r.params["text"]
    assert any(c.method == f"sendMessage!{kind}" for c in bot.fake.calls)


async def test_startup_survives_failed_getme(tmp_path, detector):
    h = Harness(tmp_path / "var", detector)
    await h.fake.start()
    h.fake.fail("getMe", "500", times=3)
    await h.start()
    try:
        [r] = await h.send(message(1300, "/start"), chat_id=1300)
        assert t("en", "start.greeting") in r.params["text"]
    finally:
        await h.close()


async def test_restart_mid_conversation_resumes(tmp_path, detector):
    h = await Harness(tmp_path / "var", detector).start()
    try:
        await h.send(message(1400, "/report", lang="zh"), expect=2, chat_id=1400)
        [r] = await h.send(callback(1400, "v1:report:nat:CN", lang="zh"), chat_id=1400)
        assert t("zh", "report.ask_country") in r.params["text"]
        await h.restart()
        [r] = await h.send(callback(1400, "v1:report:host:MM", lang="zh"), chat_id=1400)
        assert t("zh", "report.ask_place") in r.params["text"]
        # an old button from an earlier step is answered politely and the current question is asked again
        await h.send(callback(1400, "v1:report:nat:VN", lang="zh"), method="answerCallbackQuery")
    finally:
        await h.close()


async def test_token_never_logged(tmp_path, detector, caplog):
    from bot.logging_setup import RedactTokens

    caplog.set_level(logging.DEBUG)
    for h_ in logging.getLogger().handlers:
        h_.addFilter(RedactTokens())
    caplog.handler.addFilter(RedactTokens())
    h = await Harness(tmp_path / "var", detector).start()
    try:
        h.fake.fail("sendMessage", "500")
        await h.send(message(1500, LURES["en"]), chat_id=1500)
    finally:
        await h.close()
    assert caplog.records
    assert not any(TOKEN in r.getMessage() for r in caplog.records)
    assert not any(TOKEN.split(":")[1] in caplog.text for _ in [0])


async def test_webhook_mode_checks_secret(tmp_path, detector):
    import aiohttp

    from bot_harness import free_port

    port = free_port()
    h = Harness(tmp_path / "var", detector)
    await h.fake.start()
    await h.start(http_port=port, webhook_url="https://bot.example.org/tg/hook", webhook_secret="s3cret")
    try:
        assert h.fake.webhook_url == "https://bot.example.org/tg/hook" and h.fake.webhook_secret == "s3cret"
        update = {"update_id": 1, **message(1600, LURES["en"])}
        async with aiohttp.ClientSession() as s:
            r = await s.post(f"http://127.0.0.1:{port}/tg/hook", json=update)
            assert r.status == 403
            r = await s.post(f"http://127.0.0.1:{port}/tg/hook", json=update,
                             headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            assert r.status == 403
            r = await s.post(f"http://127.0.0.1:{port}/tg/hook", json=update,
                             headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert r.status == 200
        await h.fake.wait_for(lambda c: len(h.fake.sent("sendMessage", 1600)) >= 1)
        assert t("en", "level.high") in h.fake.sent("sendMessage", 1600)[0].params["text"]
    finally:
        await h.close()


def test_run_without_token_explains(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    p = subprocess.run([sys.executable, "-m", "bot.cli", "run"], capture_output=True, env=env, cwd=tmp_path, timeout=60)
    assert p.returncode == 2
    assert b"@BotFather" in p.stderr and b"TELEGRAM_BOT_TOKEN" in p.stderr
