"""Every entity kind, in the forms recruiters write them."""

import pytest

from bot.detector.entities import extract_entities
from bot.detector.normalize import light_normalise


def ents(text: str):
    return extract_entities(light_normalise(text))


@pytest.mark.parametrize("text,phone", [
    ("Call +66 81 234 5678 now", "+66812345678"),
    ("โทร 081-234-5678", "0812345678"),
    ("Liên hệ 0912 345 678", "0912345678"),
    ("WA 0812-3456-7890", "081234567890"),
    ("call 0917 123 4567", "09171234567"),
    ("电话 13812345678", "13812345678"),
    ("ph: 0095-943209657", "+95943209657"),
    ("โทร ๐๘๑-๒๓๔-๕๖๗๘", "0812345678"),
])
def test_phones(text: str, phone: str) -> None:
    assert phone in ents(text).phones


def test_money_is_not_a_phone() -> None:
    e = ents("Salary 20,000-35,000 baht, start 2026-12-01")
    assert e.phones == []


@pytest.mark.parametrize("text,handle", [
    ("contact @hr_lina88 today", "@hr_lina88"),
    ("t.me/jobs_bkk", "@jobs_bkk"),
    ("https://telegram.me/recruit_team", "@recruit_team"),
    ("飞机: hrwang777", "@hrwang777"),
    ("Ｔｅｌｅｇｒａｍ： @Ａｂｃ_ｄｅｆ", "@Abc_def"),
])
def test_telegram(text: str, handle: str) -> None:
    assert handle in ents(text).telegram_handles


def test_email_is_not_a_handle() -> None:
    e = ents("mail hr@company.com")
    assert e.emails == ["hr@company.com"]
    assert e.telegram_handles == []


def test_whatsapp_wechat_line_zalo_urls() -> None:
    e = ents("wa.me/66812345678 微信: lina_job88 LINE ID: @thaijob99 Zalo 0912345678 bit.ly/abc123 www.example.com/jobs")
    assert "+66812345678" in e.whatsapp
    assert "lina_job88" in e.wechat_ids
    assert "@thaijob99" in e.line_ids
    assert "@thaijob99" not in e.telegram_handles
    assert "0912345678" in e.zalo
    assert "bit.ly/abc123" in e.shortened_urls
    assert "www.example.com/jobs" in e.urls


@pytest.mark.parametrize("text,usd", [
    ("月薪2万", 2778),
    ("月薪２万＋", 2778),
    ("Salary USD 1,500/month", 1500),
    ("Lương 15-20 triệu/tháng", 769),
    ("Gaji Rp 12 jt per bulan", 736),
    ("RM5k sebulan", 1163),
    ("เงินเดือน 35,000 บาท", 1029),
    ("₱45,000 monthly", 776),
    ("Earn $200/day", 5200),
    ("လစာ ၅ သိန်း", 143),
    ("ប្រាក់ខែ 1200 ដុល្លារ", 1200),
    ("salary 50,000 baht per month", 1471),
    ("Rs 1 lakh per month", 1149),
])
def test_amounts_to_usd_month(text: str, usd: int) -> None:
    assert usd in ents(text).amounts_usd_month


def test_amount_without_period_or_salary_context_not_converted() -> None:
    e = ents("deposit 5,000 baht")
    assert e.amounts and e.amounts[0].usd_month is None
    assert e.amounts_usd_month == []


@pytest.mark.parametrize("text,kind,value", [
    # Upper case and full-width forms must still reach the patterns (they are only run when a cue is there).
    ("APPLY: HTTPS://T.ME/Jobs_BKK", "telegram_handles", "@Jobs_BKK"),
    ("WA.ME/66812345678", "whatsapp", "+66812345678"),
    ("WHATSAPP： +66 81 234 5678", "whatsapp", "+66812345678"),
    ("WeChat号：LinaJob88", "wechat_ids", "LinaJob88"),
    ("ZALO: 0912 345 678", "zalo", "0912345678"),
    ("LINE.ME/ti/p/~thaijob", "line_ids", "~thaijob"),
    ("HR@COMPANY.COM", "emails", "HR@COMPANY.COM"),
    ("HTTP://EXAMPLE.ORG", "urls", "HTTP://EXAMPLE.ORG"),
    ("+66812345678", "phones", "+66812345678"),
])
def test_cues_ignore_case_and_width(text: str, kind: str, value: str) -> None:
    assert value in getattr(ents(text), kind)
