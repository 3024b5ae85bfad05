"""Contacts and money amounts found in a message.

The contacts are what a job seeker should look up before answering (and what a case summary hands to
the police); the amounts, turned into US dollars a month, are what lets the detector say "this pay is
several times the normal wage for such work" in any currency.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Amount", "Entities", "extract_entities", "currency_table"]

SHORTENERS = frozenset(
    "bit.ly tinyurl.com t.co goo.gl ow.ly is.gd cutt.ly s.id shorturl.at rb.gy tiny.cc bit.do lnkd.in "
    "rebrand.ly t.ly v.gd buff.ly shorte.st adf.ly soo.gd qr.net 0rz.tw reurl.cc pse.is lihi.cc "
    "url.cn dwz.cn suo.im mrkr.io linktr.ee lin.ee".split()
)

_TLDS = (
    "com|net|org|io|me|ly|cc|co|info|xyz|top|vip|shop|site|online|link|app|gd|to|id|ph|th|vn|my|kh|la|mm|"
    "cn|tk|ml|ga|cf|ee|at|in|lk|pk|ke|ug|sg|hk|tw|asia|work|jobs|club|live|pro|biz|us|uk"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'，。）)】」]+"
    rf"|(?<![\w@./-])[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:{_TLDS})(?![a-z0-9\-])(?:/[^\s<>\"'，。）)】」]*)?",
    re.IGNORECASE,
)
# Words or characters without which a pattern below cannot match: most messages skip most patterns.
_URL_HINT = re.compile(rf"://|www\.|\.(?:{_TLDS})(?![a-z0-9\-])", re.IGNORECASE)
_WECHAT_WORDS = ("wechat", "weixin", "微信", "威信", "薇信", "v信", "vx", "wx")
_WA_WORDS = ("wa", "whats", "วอทส์แอพ", "واتساب")
_HAS_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE)
_TG_LINK = re.compile(r"(?:https?://)?(?:t\.me|telegram\.me|telegram\.dog)/(?:s/)?(\+?[\w+]{3,64})", re.IGNORECASE)
_TG_HANDLE = re.compile(r"(?<![\w.@/])@([a-z][a-z0-9_]{3,31})(?![\w@.]*\.[a-z]{2,})", re.IGNORECASE)
_TG_LABELLED = re.compile(
    r"(?:telegram|tele|tg|电报|電報|飞机|飛機|纸飞机|紙飛機)\s*(?:id|号|號)?\s*[:：]\s*@?([a-z][a-z0-9_]{4,31})",
    re.IGNORECASE,
)
_WA_LINK = re.compile(r"(?:https?://)?(?:wa\.me|api\.whatsapp\.com/send\?phone=)/?\+?(\d{7,15})", re.IGNORECASE)
_WA_LABELLED = re.compile(r"(?:whats\s?app|\bwa\b|วอทส์แอพ|واتساب)\s*(?:no\.?|number)?\s*[:：]?\s*(\+?\d[\d\s\-().]{6,18}\d)", re.IGNORECASE)
_WECHAT = re.compile(
    r"(?:wechat|weixin|微信|威信|薇信|v信|\bvx|\bwx)\s*(?:id|号|號)?\s*[:：]?\s*([a-z][\w\-]{5,19}|\d{6,12})",
    re.IGNORECASE,
)
_LINE_LINK = re.compile(r"(?:https?://)?(?:line\.me/(?:r/)?(?:ti/p/)?|lin\.ee/)(~?@?[\w%\-]{3,40})", re.IGNORECASE)
_LINE_LABELLED = re.compile(r"(?:line\s*id|\bline|ไลน์|ไอดีไลน์|id\s*line)\s*[:：]\s*(@?[\w.\-]{3,20})", re.IGNORECASE)
_ZALO = re.compile(r"zalo\s*[:：]?\s*(\+?\d[\d\s.\-]{7,14}\d)", re.IGNORECASE)

# Each alternative starts with its first character and checks what precedes it afterwards ("+" not after a
# letter): starting with a plain character lets the regex engine skip every other position at once.
_PHONE = re.compile(
    r"\+(?<![\w+]\+)\d{1,3}[\s\-.]?\(?\d{1,4}\)?(?:[\s\-.]?\d{2,5}){1,4}(?![\d,])"
    r"|0(?<!\w0)0\d{1,3}[\s\-]?\(?\d{1,4}\)?(?:[\s\-]?\d{2,5}){1,4}(?![\d,])"
    r"|0(?<![\w.,]0)\d{1,4}[\s\-.]?\d{3,4}[\s\-.]?\d{3,5}(?![\d,])"
    r"|1(?<![\d\w]1)[3-9]\d{9}(?!\d)"
)

# --- money -----------------------------------------------------------------------------------------

_CURRENCY_WORDS: list[tuple[str, str]] = [
    ("USD", r"usdt|usd|us\$|u\.s\.\s?dollars?|dollars?|美元|美金|美刀|ดอลลาร์|đô la|đô|dolar|ដុល្លារ|ໂດລາ|ဒေါ်လာ|\$"),
    ("CNY", r"rmb|cny|人民币|人民幣|元|块|塊|¥"),
    ("THB", r"฿|บาท|baht|thb|บ\."),
    ("VND", r"vnđ|vnd|₫|đồng|dong|đ(?<=\dđ)"),
    ("IDR", r"idr|rupiah|rp\.?"),
    ("MYR", r"myr|ringgit|rm"),
    ("PHP", r"₱|php|pesos?|piso|p(?<![a-z]p)(?=\s?\d)"),
    ("MMK", r"mmk|kyats?|ကျပ်|ks\.?"),
    ("KHR", r"khr|riels?|៛|រៀល"),
    ("LAK", r"lak|kip|ກີບ"),
    ("INR", r"₹|inr|rupees?|rs\.?"),
    ("KES", r"kshs?\.?|kes"),
    ("SGD", r"sgd|s\$"),
    ("HKD", r"hkd|hk\$|港币|港幣"),
    ("TWD", r"twd|nt\$|新台币|新臺幣|台币|臺幣"),
    ("KRW", r"krw|원"),
    ("JPY", r"jpy|円"),
    ("EUR", r"eur|euros?|€"),
    ("GBP", r"gbp|£|pounds?"),
    ("AED", r"aed|dirhams?"),
    ("SAR", r"sar|riyals?"),
    ("AUD", r"aud|a\$"),
    ("PKR", r"pkr"),
    ("LKR", r"lkr"),
    ("NPR", r"npr"),
    ("BDT", r"bdt|taka|৳"),
    ("UGX", r"ugx|ush"),
    ("ETB", r"etb|birr"),
]
# Multipliers, and the currency they imply when none is written ("15 triệu", "8 juta", "5 သိန်း").
_MULTIPLIERS: list[tuple[str, float, str | None]] = [
    (r"triệu|trieu|tr\b|củ|cu\b", 1e6, "VND"),
    (r"juta|jt\b", 1e6, "IDR"),
    (r"ribu|rb\b", 1e3, "IDR"),
    (r"သိန်း", 1e5, "MMK"),
    (r"万|萬|w\b", 1e4, "CNY"),
    (r"千", 1e3, None),
    (r"ล้าน", 1e6, "THB"),
    (r"แสน", 1e5, "THB"),
    (r"หมื่น", 1e4, "THB"),
    (r"lakhs?|lacs?", 1e5, "INR"),
    (r"만", 1e4, "KRW"),
    (r"million|mil\b|m\b", 1e6, None),
    (r"k\b|k(?=/)", 1e3, None),
]
_NUM = r"\d{1,3}(?:[,.\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_MULT_RE = "|".join(f"(?:{m})" for m, _, _ in _MULTIPLIERS)
_AMOUNT_CORE = re.compile(
    rf"(?P<a>{_NUM})\s?(?P<am>{_MULT_RE})?"
    rf"(?:\s?(?:-|–|~|to|đến|den|hingga|sampai|ถึง|至|到)\s?(?P<b>{_NUM})\s?(?P<bm>{_MULT_RE})?)?"
)
# Applied to lower-cased text only, so without IGNORECASE (several times faster).
_CURRENCY_RE = re.compile("|".join(f"(?P<{code}>{pat})" for code, pat in _CURRENCY_WORDS))
# The same alternatives in the same order without the groups: it matches exactly where _CURRENCY_RE does,
# but as every alternative starts with a plain character the regex engine skips most positions at once
# (searching with the grouped form cost more than all other entities together).
_CURRENCY_ANY = re.compile("|".join(pat for _code, pat in _CURRENCY_WORDS))

_PERIODS: list[tuple[str, str]] = [
    ("month", r"/\s?(?:month|mo|mth|m|tháng|thang|bulan|bln|buwan|เดือน|ด\.|月|月份|ខែ|ເດືອນ|လ)(?![a-z])|per\s?month|a\s?month|monthly|"
              r"sebulan|per\s?bulan|bulanan|mỗi tháng|moi thang|1 tháng|hàng tháng|kada buwan|bawat buwan|buwanang|"
              r"ต่อเดือน|เดือนละ|月薪|每月|每個月|每个月|月入|月收入|tháng|ក្នុងមួយខែ|ຕໍ່ເດືອນ|လစဉ်|တစ်လ|လစာ"),
    ("week", r"/\s?(?:week|wk|tuần|tuan|minggu|linggo|สัปดาห์|周|週)|per\s?week|a\s?week|weekly|mỗi tuần|ต่อสัปดาห์|每周|每週|周薪"),
    ("day", r"/\s?(?:day|d|ngày|ngay|hari|araw|วัน|天|日)(?![a-z])|per\s?day|a\s?day|daily|sehari|mỗi ngày|วันละ|ต่อวัน|日薪|每天|日结|日結|kada araw"),
    ("hour", r"/\s?(?:hour|hr|h|giờ|gio|jam|oras|ชั่วโมง|小时|小時|時)(?![a-z])|per\s?hour|an\s?hour|hourly|时薪|時薪|ชม\.|per jam"),
    ("year", r"/\s?(?:year|yr|năm|nam|tahun|taon|ปี|年)|per\s?(?:year|annum)|a\s?year|annual(?:ly)?|yearly|年薪|mỗi năm|ต่อปี|setahun"),
]
_PERIOD_RE = re.compile("|".join(f"(?P<{p}>{pat})" for p, pat in _PERIODS))
_PER_MONTH = {"month": 1.0, "week": 4.33, "day": 26.0, "hour": 208.0, "year": 1 / 12}
_SALARY_CONTEXT = re.compile(
    r"salary|wage|pay|income|earn|gaji|upah|pendapatan|penghasilan|lương|luong|thu nhập|thu nhap|sahod|suweldo|"
    r"sweldo|kita|kumita|薪|工资|工資|收入|待遇|底薪|เงินเดือน|ค่าจ้าง|รายได้|ค่าตอบแทน|လစာ|ဝင်ငွေ|ប្រាក់ខែ|"
    r"ប្រាក់ចំណូល|ເງິນເດືອນ|ລາຍໄດ້|commission",
)


@dataclass(frozen=True, slots=True)
class Amount:
    value: float
    currency: str
    period: str | None
    usd_month: int | None
    text: str

    @property
    def wage_multiple(self) -> float | None:
        """How many times the normal entry-level monthly wage of the currency's country this amount is."""
        if self.usd_month is None:
            return None
        info = currency_table()["currencies"][self.currency]
        return self.usd_month / (info["typical_wage"] / info["per_usd"])

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "currency": self.currency, "period": self.period,
                "usd_month": self.usd_month, "text": self.text}


@dataclass(slots=True)
class Entities:
    telegram_handles: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    shortened_urls: list[str] = field(default_factory=list)
    whatsapp: list[str] = field(default_factory=list)
    wechat_ids: list[str] = field(default_factory=list)
    line_ids: list[str] = field(default_factory=list)
    zalo: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)

    @property
    def amounts_usd_month(self) -> list[int]:
        return [a.usd_month for a in self.amounts if a.usd_month is not None]

    def contacts(self) -> list[str]:
        """Every contact detail, for callers that must hide or quote them (group warnings, summaries)."""
        return [*self.telegram_handles, *self.phones, *self.urls, *self.whatsapp, *self.wechat_ids,
                *self.line_ids, *self.zalo, *self.emails]

    def to_json(self) -> dict[str, Any]:
        return {
            "telegram_handles": self.telegram_handles, "phones": self.phones, "urls": self.urls,
            "shortened_urls": self.shortened_urls, "whatsapp": self.whatsapp, "wechat_ids": self.wechat_ids,
            "line_ids": self.line_ids, "zalo": self.zalo, "emails": self.emails,
            "amounts_usd_month": self.amounts_usd_month, "amounts": [a.to_json() for a in self.amounts],
        }


@lru_cache(maxsize=1)
def currency_table() -> dict[str, Any]:
    with resources.files("bot.detector").joinpath("data/currency.json").open(encoding="utf-8") as f:
        return json.load(f)


def _add(seq: list[str], item: str) -> None:
    if item and item not in seq:
        seq.append(item)


def _digits(s: str) -> str:
    lead = "+" if s.strip().startswith("+") else ""
    d = re.sub(r"\D", "", s)
    if s.strip().startswith("00"):
        return "+" + d[2:]
    return lead + d


def _parse_number(s: str) -> float | None:
    s = s.strip()
    groups = re.split(r"[,.\s]", s)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))
    if len(groups) > 2 and all(len(g) == 3 for g in groups[1:-1]) and len(groups[-1]) <= 2:
        return float("".join(groups[:-1]) + "." + groups[-1])
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return None


@lru_cache(maxsize=256)
def _multiplier(token: str | None) -> tuple[float, str | None]:
    if not token:
        return 1.0, None
    for pat, factor, implied in _MULTIPLIERS:
        if re.fullmatch(pat, token, re.IGNORECASE) or re.fullmatch(pat.replace(r"\b", ""), token, re.IGNORECASE):
            return factor, implied
    return 1.0, None


def _nearest_currency(before: str, after: str) -> str | None:
    """The currency whose token sits closest to the number: right after it first, else the last one before it."""
    m = _CURRENCY_RE.match(after.lstrip(" /:："))
    if m:
        return m.lastgroup
    last = None
    for last in _CURRENCY_ANY.finditer(before):
        pass
    if last is None:
        return None
    return _CURRENCY_RE.match(before, last.start()).lastgroup  # type: ignore[union-attr]


def _amounts(text: str) -> list[Amount]:
    rates = currency_table()["currencies"]
    out: list[Amount] = []
    low = text.lower()
    for m in _AMOUNT_CORE.finditer(low):
        a = _parse_number(m.group("a"))
        if a is None:
            continue
        b = _parse_number(m.group("b")) if m.group("b") else None
        am, implied_a = _multiplier(m.group("am"))
        bm, implied_b = _multiplier(m.group("bm"))
        if b is not None and m.group("bm") and not m.group("am"):
            am = bm  # "15-20 triệu": the unit belongs to both ends
        value = max(a * am, (b * bm) if b is not None else 0.0)
        before = low[max(0, m.start() - 14): m.start()]
        after = low[m.end(): m.end() + 16]
        currency = _nearest_currency(before, after) or implied_a or implied_b
        if currency is None or currency not in rates:
            continue
        if value <= 0 or (value < 10 and currency not in ("USD", "EUR", "GBP")):
            continue
        # A phone number or a year is not an amount unless a currency sits right against it.
        raw_digits = re.sub(r"\D", "", m.group("a"))
        if len(raw_digits) >= 9 and not m.group("am"):
            continue
        ctx_after = low[m.end(): m.end() + 24]
        ctx_before = low[max(0, m.start() - 24): m.start()]
        pm = _PERIOD_RE.search(ctx_after[:18]) or _PERIOD_RE.search(ctx_before[-12:])
        period = pm.lastgroup if pm else None
        if period is None and _SALARY_CONTEXT.search(low[max(0, m.start() - 40): m.end() + 20]):
            period = "month"
        usd_month = None
        if period is not None:
            usd_month = int(round(value / rates[currency]["per_usd"] * _PER_MONTH[period]))
        out.append(Amount(value=value, currency=currency, period=period, usd_month=usd_month,
                          text=text[max(0, m.start()): m.end()].strip()))
    return out


def extract_entities(light: str) -> Entities:
    """Entities of a text already passed through ``light_normalise``."""
    ent = Entities()
    low = light.lower()  # only to decide which patterns can match (they ignore case themselves)
    has_at = "@" in light
    has_colon = ":" in light or "：" in light
    has_digit = _HAS_DIGIT.search(light) is not None
    if has_at:
        for m in _EMAIL.finditer(light):
            _add(ent.emails, m.group(0))
    if ".me/" in low or ".dog/" in low:
        for m in _TG_LINK.finditer(light):
            name = m.group(1)
            _add(ent.telegram_handles, name if name.startswith("+") else "@" + name)
    if ".me/" in low or "lin.ee/" in low:
        for m in _LINE_LINK.finditer(light):
            _add(ent.line_ids, m.group(1))
    if has_colon:
        for m in _LINE_LABELLED.finditer(light):
            _add(ent.line_ids, m.group(1))
    for rx, needed in ((_TG_HANDLE, has_at), (_TG_LABELLED, has_colon)):
        if not needed:
            continue
        for m in rx.finditer(light):
            handle = "@" + m.group(1)
            if any(m.group(1) in e for e in ent.emails) or handle in ent.line_ids:
                continue
            _add(ent.telegram_handles, handle)
    if has_digit and ("wa.me" in low or "whatsapp.com/send" in low):
        for m in _WA_LINK.finditer(light):
            _add(ent.whatsapp, "+" + m.group(1))
    if has_digit and any(w in low for w in _WA_WORDS):
        for m in _WA_LABELLED.finditer(light):
            _add(ent.whatsapp, _digits(m.group(1)))
    if any(w in low for w in _WECHAT_WORDS):
        for m in _WECHAT.finditer(light):
            _add(ent.wechat_ids, m.group(1))
    if has_digit and "zalo" in low:
        for m in _ZALO.finditer(light):
            _add(ent.zalo, _digits(m.group(1)))
    if _URL_HINT.search(light):
        for m in _URL.finditer(light):
            url = m.group(0).rstrip(".,;:!?")
            if any(url in e for e in ent.emails):
                continue
            _add(ent.urls, url)
            host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE).split("/")[0].lower()
            if host in SHORTENERS:
                _add(ent.shortened_urls, url)
    if not has_digit:
        return ent
    for m in _PHONE.finditer(light):
        raw = m.group(0)
        digits = _digits(raw)
        n = len(digits.lstrip("+"))
        if not 8 <= n <= 15:
            continue
        tail = light[m.end(): m.end() + 6].lower()
        if re.match(r"\s?(?:บาท|baht|usd|\$|元|rm|rp|triệu|k\b|/)", tail):
            continue  # "0 - 20,000 baht" is money, not a phone
        _add(ent.phones, digits)
    ent.amounts = _amounts(light)
    return ent
