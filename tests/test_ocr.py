"""Images through the fake Bot API: posters and screenshots are read (Tesseract) and get verdicts."""

from __future__ import annotations

import html
import itertools

import pytest

from bot.i18n import t
from bot.ocr import languages_for, ocr_available
from bot_harness import Harness
from fake_telegram import message
from render_ads import render

pytestmark = pytest.mark.skipif(not ocr_available(), reason="tesseract not installed (.ci/run installs it)")

LURES = {
    "zh": "泰国高薪招聘客服\n月薪20000元，机票签证全包，包吃包住，无需经验，名额有限，有意者联系飞机 @hr_thai888",
    "th": "รับสมัครด่วน\nแอดมินตอบแชท ทำงานที่กัมพูชา เงินเดือน 45,000 บาท ไม่ต้องมีประสบการณ์ ออกตั๋วเครื่องบินให้ฟรี มีที่พักให้ ทักไลน์",
    "en": "URGENT HIRING\nCustomer service job in Thailand, USD 2,000 a month, flight and visa paid, free food and housing, no experience needed. Telegram @hr_bkk99",
    "vi": "TUYỂN GẤP\nNhân viên CSKH làm việc tại Campuchia, lương 1.500 USD/tháng, bao vé máy bay, bao ăn ở, không cần kinh nghiệm. Liên hệ Telegram @tuyendung_kh",
    "id": "LOWONGAN KERJA\nAdmin customer service di Kamboja, gaji Rp 20 juta per bulan, tiket pesawat dan visa gratis, tanpa pengalaman. Hubungi Telegram @hrd_kamboja",
}
LEGIT = {
    "zh": "招聘超市收银员\n北京朝阳区，月薪4500-5500元，五险一金，双休，有意者请到店面试",
    "en": "WE ARE HIRING\nBarista for our cafe in Makati. PHP 18,000 per month plus SSS and PhilHealth. Apply at the counter.",
    "th": "รับสมัครพนักงาน\nพนักงานขายหน้าร้าน สาขาเชียงใหม่ เงินเดือน 12,000 บาท มีประกันสังคม สมัครได้ที่ร้าน",
}
_ids = itertools.count(1)


@pytest.fixture
async def bot(tmp_path, detector):
    h = await Harness(tmp_path / "var", detector).start()
    yield h
    await h.close()


def photo_update(h: Harness, uid: int, png: bytes, lang: str, caption: str | None = None) -> dict:
    fid = f"img{next(_ids)}"
    h.fake.files[fid] = png
    extra = {"photo": [{"file_id": fid, "file_unique_id": f"u{fid}", "width": 1080, "height": 900, "file_size": len(png)}]}
    if caption:
        extra["caption"] = caption
    return message(uid, None, lang=lang, **extra)


@pytest.mark.parametrize("lang,style,noise", [("zh", "poster", 0.01), ("th", "screenshot", 0.0), ("en", "poster", 0.02),
                                              ("vi", "screenshot", 0.01), ("id", "poster", 0.0)])
async def test_lure_images_get_a_high_verdict(bot, lang, style, noise):
    uid = 100 + list(LURES).index(lang)
    png = render(LURES[lang], lang, width=1080, style=style, noise=noise, seed=uid)
    [r] = await bot.send(photo_update(bot, uid, png, lang), chat_id=uid, timeout=60)
    text = html.unescape(r.params["text"])
    assert t(lang, "level.high") in text, text
    assert t(lang, "verdict.read_from_image") in text
    why = [b["callback_data"] for row in r.params["reply_markup"]["inline_keyboard"] for b in row][0]
    from fake_telegram import callback

    [w] = await bot.send(callback(uid, why, lang=lang), chat_id=uid)
    assert t(lang, "why.ocr_text") in html.unescape(w.params["text"])
    assert not list((bot.data_dir).rglob("*.png"))  # the image is never stored


@pytest.mark.parametrize("lang", sorted(LEGIT))
async def test_legit_images_are_low(bot, lang):
    uid = 200 + sorted(LEGIT).index(lang)
    png = render(LEGIT[lang], lang, width=900, style="poster", noise=0.01, seed=uid)
    [r] = await bot.send(photo_update(bot, uid, png, lang), chat_id=uid, timeout=60)
    assert t(lang, "level.low") in html.unescape(r.params["text"])


async def test_caption_and_image_are_checked_together(bot):
    png = render("Free flight and visa, food and housing included. No experience needed.", "en", seed=3)
    [r] = await bot.send(photo_update(bot, 300, png, "en", caption="Customer service in Cambodia, USD 1,800/month, Telegram @cs_kh_hr"),
                         chat_id=300, timeout=60)
    sub = bot.services.store.submissions_of(300)[-1]
    assert "Cambodia" in sub.text and "visa" in sub.text.lower()
    assert {"free_travel", "desk_job"} <= {f["code"] for f in sub.verdict["flags"]}


async def test_unreadable_image_asks_for_text(bot):
    from PIL import Image
    import io

    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (255, 255, 255)).save(buf, format="PNG")
    [r] = await bot.send(photo_update(bot, 301, buf.getvalue(), "en"), chat_id=301, timeout=60)
    assert r.params["text"] == t("en", "ocr.failed")


async def test_without_ocr_the_bot_says_it_cannot_read_images(bot, monkeypatch):
    import bot.telegram.private as private

    monkeypatch.setattr(private, "ocr_available", lambda: False)
    png = render(LURES["en"], "en")
    [r] = await bot.send(photo_update(bot, 302, png, "en"), chat_id=302)
    assert r.params["text"] == t("en", "hint.photo_no_caption")


def test_ocr_languages_follow_script_and_user():
    assert languages_for("en", "Thai") == "tha+eng"
    assert languages_for("lo", "Thai") == "lao+eng"  # OSD calls Lao "Thai"
    assert languages_for("th", "Latin") == "tha+eng"  # and a Thai screenshot sometimes "Latin"
    assert languages_for("vi", "Latin") == "vie+eng"
    assert languages_for("km", None) == "khm+eng"
    assert languages_for("zh", "Han") == "chi_sim"
    assert languages_for("th", "Han") == "chi_sim+tha"
