"""Which language a message is written in, when recruiters mix scripts freely.

A Chinese ad carries an English Telegram handle and "USD"; a Thai post quotes an English job title; a
Vietnamese message is often typed without accents. Scripts decide first (Thai, Lao, Khmer, Burmese and
Han each belong to one of our languages), counted after contact details and brand names are removed;
among the Latin-script languages, function words decide.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

__all__ = ["detect_language"]

_SCRIPT_LANG = {"THAI": "th", "LAO": "lo", "KHMER": "km", "MYANMAR": "my", "CJK": "zh", "HANGUL": "ko",
                "HIRAGANA": "ja", "KATAKANA": "ja", "DEVANAGARI": "hi", "BENGALI": "bn", "TAMIL": "ta",
                "SINHALA": "si", "ARABIC": "ar", "CYRILLIC": "ru", "ETHIOPIC": "am", "HAN": "zh"}
# Han characters carry a word's worth of meaning each; other scripts are counted by letters.
_WEIGHT = {"zh": 2.5, "ja": 2.5, "ko": 1.5}

# Contact details and brand names are Latin letters in any language's message: left out of the counts.
_NOISE_PARTS = (
    ("://", re.compile(r"https?://\S+")), ("www.", re.compile(r"www\.\S+")), ("t.me", re.compile(r"t\.me/\S+")),
    ("@", re.compile(r"[\w.+-]+@[\w-]+\.\w[\w.]*|@\w+")),
)
_BRANDS = re.compile(r"\b(?:telegram|whatsapp|wechat|line|zalo|viber|facebook|tiktok|usdt|usd|thb|rm|php|idr|vnd|hr|"
                     r"cs|it|ok|bpo|kk|vip|id|gmail|com)\b")


def _strip_noise(text: str) -> str:
    low = text.lower()
    for marker, rx in _NOISE_PARTS:
        if marker in low:
            low = rx.sub(" ", low)
    return _BRANDS.sub(" ", low)

# Frequent, distinctive words (accents stripped, lower case).
_FUNCTION_WORDS: dict[str, set[str]] = {
    "en": set("the and you for with are is this that we our your will have job jobs work salary apply hiring "
              "experience no need per month free of to in a an be can who my son daughter held help please "
              "they want money what how do does not it from".split()),
    "vi": set("va cua cho khong nguoi viec lam luong cong ty tuyen duoc cac mot nhung toi ban chung "
              "trieu thang la co se da dang voi tai nay em anh chi o ve thi nhan vien lien he can "
              "bi giu con trai gai giup di sang".split()),
    "id": set("yang dan untuk dengan tidak ini itu kami anda bisa gaji kerja lowongan di ke dari akan "
              "juga ada saya kamu mau uang sudah atau bagi perusahaan pengalaman dibutuhkan segera hubungi "
              "gratis tiket anak saya ditahan tolong dia bulan banget aja gak nggak".split()),
    "ms": set("yang dan untuk dengan tidak ini itu kami anda boleh gaji kerja jawatan kosong di ke dari akan "
              "juga ada saya awak nak mahu wang sudah atau bagi syarikat pengalaman diperlukan segera hubungi "
              "percuma tiket anak ditahan tolong dia bulan sahaja kerana ialah tak sebulan kami".split()),
    "tl": set("ang ng mga sa na at ay ko mo po ikaw ako kayo trabaho sahod hindi lang naman para may "
              "walang kailangan ka siya niya kami namin tayo ito iyan yung yun nang pa rin din anak "
              "tulong buwan libre agad".split()),
}
# Words that belong to one of Indonesian/Malay and not the other.
_ID_ONLY = set("bisa uang gak nggak aja banget lowongan perusahaan kamu mau saja gratis dibutuhkan tidak".split())
_MS_ONLY = set("boleh wang tak nak awak mahu sahaja syarikat jawatan percuma diperlukan kerana ialah".split())
# Each function word's languages, so a message's words are looked up once rather than once per language.
_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _vocab in _FUNCTION_WORDS.items():
    for _w in _vocab:
        _WORD_LANGS[_w] = _WORD_LANGS.get(_w, ()) + (_lang,)
_VI_MARKS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=65536)
def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    if name.startswith("CJK") or name.startswith("KANGXI"):
        return "CJK"
    head = name.split(" ", 1)[0]
    if head in ("LATIN",):
        return "LATIN"
    return head or None


def _counts_by_unicode_name(clean: str) -> Counter[str]:
    """Letters per script from each character's Unicode name: slower, for scripts without a regex below."""
    counts: Counter[str] = Counter()
    for ch, n in Counter(clean).items():
        s = _script(ch)
        if s:
            counts[s] += n
    return counts


def _latin_language(text: str) -> str:
    if len(_VI_MARKS.findall(text)) >= 2:
        return "vi"
    if text.isascii():  # most Latin-script messages: nothing to fold but case
        folded = text.lower()
    else:
        folded = "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))
    words = _WORD.findall(folded.replace("đ", "d"))
    if not words:
        return "en"
    scores = dict.fromkeys(_FUNCTION_WORDS, 0)
    for w in words:
        for lang in _WORD_LANGS.get(w, ()):
            scores[lang] += 1
    if scores["id"] or scores["ms"]:
        id_only = sum(1 for w in words if w in _ID_ONLY)
        ms_only = sum(1 for w in words if w in _MS_ONLY)
        if re.search(r"\brm\s?\d", folded):
            ms_only += 2
        if re.search(r"\brp\.?\s?\d", folded):
            id_only += 2
        shared = max(scores["id"], scores["ms"])
        scores["id"], scores["ms"] = shared + id_only, shared + ms_only
    best = max(scores.items(), key=lambda kv: (kv[1], kv[0] == "en"))
    return best[0] if best[1] > 0 else "en"


_FAST_SCRIPTS = [(name, re.compile(pat)) for name, pat in (
    ("LATIN", r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"), ("THAI", r"[\u0e00-\u0e7f]"), ("LAO", r"[\u0e80-\u0eff]"),
    ("KHMER", r"[\u1780-\u17ff]"), ("MYANMAR", r"[\u1000-\u109f]"), ("CJK", r"[\u3400-\u9fff\uf900-\ufaff]"),
    ("HANGUL", r"[\uac00-\ud7af]"), ("HIRAGANA", r"[\u3040-\u309f]"), ("KATAKANA", r"[\u30a0-\u30ff]"))]
_OTHER_LETTERS = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f"
                            r"\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af\u3040-\u30ff]")


def _fast_counts(text: str) -> Counter[str]:
    """Letters per script by regular expressions (C speed); the per-character path only for other scripts."""
    clean = _strip_noise(text)
    counts: Counter[str] = Counter()
    for name, rx in _FAST_SCRIPTS:
        n = len(rx.findall(clean))
        if n:
            counts[name] = n
    if _OTHER_LETTERS.search(clean):
        counts.update({k: v for k, v in _counts_by_unicode_name(clean).items() if k not in counts})
    return counts


def detect_language(text: str) -> str:
    """ISO 639-1 code of the main language; "und" when there is nothing to go by."""
    counts = _fast_counts(text)
    if not counts:
        return "und"
    weighted = {s: n * _WEIGHT.get(_SCRIPT_LANG.get(s, ""), 1.0) for s, n in counts.items()}
    # Kana beside Han means Japanese, not Chinese.
    if counts.get("HIRAGANA", 0) + counts.get("KATAKANA", 0) > 0 and counts.get("CJK"):
        weighted["HIRAGANA"] = weighted.get("HIRAGANA", 0) + weighted.pop("CJK")
    script = max(weighted.items(), key=lambda kv: kv[1])[0]
    if script == "LATIN":
        return _latin_language(text)
    return _SCRIPT_LANG.get(script, "und")
