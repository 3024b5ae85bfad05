"""Verdicts, explanations, advice and contacts as Telegram HTML, in the user's language.

Everything from the user (evidence, contacts) is HTML-escaped; every reply is cut to Telegram's 4,096
characters at a line boundary so it is always valid HTML and always sent.
"""

from __future__ import annotations

import html
from typing import Any, Iterable

from bot.i18n import t
from bot.knowledge.advice import advice_steps, advice_title, warnings
from bot.knowledge.contacts import PairContacts

__all__ = ["MAX_MESSAGE", "verdict_html", "why_html", "advice_html", "contacts_html", "fit", "group_warning_html",
           "flag_names"]

MAX_MESSAGE = 4096
_EVIDENCE_MAX = 80
_LEVEL_ICON = {"high": "🔴", "medium": "🟠", "low": "🟢"}


def esc(s: object) -> str:
    return html.escape(str(s), quote=False)


def fit(lines: Iterable[str], limit: int = MAX_MESSAGE) -> str:
    """Join lines, dropping whole lines from the end so the message stays within ``limit`` characters."""
    out: list[str] = []
    size = 0
    for line in lines:
        add = len(line) + (1 if out else 0)
        if size + add > limit - 2:
            out.append("…")
            break
        out.append(line)
        size += add
    return "\n".join(out)


def _evidence(s: str) -> str:
    s = " ".join(s.split())
    return s if len(s) <= _EVIDENCE_MAX else s[: _EVIDENCE_MAX - 1] + "…"


def flag_names(verdict: dict[str, Any], lang: str) -> list[str]:
    seen: list[str] = []
    for f in verdict["flags"]:
        name = t(lang, f"flag.{f['code']}")
        if name not in seen:
            seen.append(name)
    return seen


def verdict_html(verdict: dict[str, Any], lang: str) -> str:
    level = verdict["level"]
    lines = [f"{_LEVEL_ICON.get(level, '')} <b>{esc(t(lang, f'level.{level}'))}</b>", ""]
    if verdict["flags"]:
        lines.append(esc(t(lang, "verdict.signs")))
        for f in verdict["flags"][:10]:
            lines.append(f"• <b>{esc(t(lang, 'flag.' + f['code']))}</b>: “<i>{esc(_evidence(f['evidence']))}</i>”")
    else:
        lines.append(esc(t(lang, "verdict.no_signs")))
    if verdict.get("matches"):
        lines += ["", "⚠️ " + esc(t(lang, "verdict.known_scam"))]
    lines += ["", esc(t(lang, f"verdict.next.{level}"))]
    if verdict.get("truncated"):
        lines += ["", esc(t(lang, "verdict.truncated"))]
    if (verdict.get("context") or {}).get("ocr_text"):
        lines += ["", "🖼 " + esc(t(lang, "verdict.read_from_image"))]
    return fit(lines)


def why_html(verdict: dict[str, Any], lang: str) -> str:
    lines = [f"<b>{esc(t(lang, 'why.title'))}</b>", ""]
    if verdict["flags"]:
        lines.append(esc(t(lang, "why.flags")))
        for f in verdict["flags"]:
            lines.append(f"• <b>{esc(t(lang, 'flag.' + f['code']))}</b>: “<i>{esc(_evidence(f['evidence']))}</i>”")
            lines.append(f"  {esc(t(lang, 'flag.' + f['code'] + '.why'))}")
        lines.append("")
    if verdict.get("matches"):
        lines.append(esc(t(lang, "why.matches")))
        for m in verdict["matches"]:
            lines.append(f"• {m['similarity']:.0%}: <i>{esc(_evidence(m['snippet']))}</i>")
        lines.append("")
    ent = verdict.get("entities", {})
    contacts = [c for k in ("telegram_handles", "phones", "whatsapp", "wechat_ids", "line_ids", "zalo", "emails", "urls")
                for c in ent.get(k, [])]
    if contacts:
        lines.append(esc(t(lang, "why.contacts")))
        lines.extend(f"• <code>{esc(c)}</code>" for c in contacts[:15])
    else:
        lines.append(esc(t(lang, "why.no_contacts")))
    if verdict.get("top_terms"):
        lines += ["", esc(t(lang, "why.terms")) + " " + esc(", ".join(verdict["top_terms"]))]
    lines += ["", esc(t(lang, "why.score", risk=f"{verdict['risk']:.2f}", version=verdict.get("model_version", "")))]
    ocr_text = (verdict.get("context") or {}).get("ocr_text")
    if ocr_text:
        lines += ["", esc(t(lang, "why.ocr_text")), f"<pre>{esc(ocr_text[:1500])}</pre>"]
    return fit(lines)


def advice_html(audience: str, lang: str) -> str:
    lines = [f"<b>{esc(advice_title(audience, lang))}</b>", ""]
    for i, step in enumerate(advice_steps(audience, lang), 1):
        lines.append(f"{i}. {esc(step.text)}")
    return fit(lines)


def _date(entry: dict[str, Any], lang: str) -> str:
    dates = [s.get("date") for s in entry.get("sources", []) if s.get("date")]
    return max(dates) if dates else t(lang, "contact.date_unknown")


def _source_host(entry: dict[str, Any]) -> str:
    url = entry["sources"][0]["url"] if entry.get("sources") else ""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")


def _entry_lines(entry: dict[str, Any], lang: str) -> list[str]:
    lines = [f"<b>{esc(entry['name'])}</b>"]
    for p in entry.get("phones", []):
        number = p.get("e164") or p["number"]
        note = f" ({esc(p['note'])})" if p.get("note") and lang == "en" else ""
        lines.append(f"☎️ <code>{esc(number)}</code>{note}")
    for e in entry.get("emails", []):
        lines.append(f"✉️ {esc(e)}")
    for w in entry.get("websites", []):
        lines.append(f"🌐 {esc(w)}")
    for a in entry.get("apps", []):
        lines.append(f"📱 {esc(a)}")
    reliability = t(lang, f"contact.reliability.{entry.get('reliability', 'unverified')}")
    lines.append("<i>" + esc(t(lang, "contact.source", source=_source_host(entry), date=_date(entry, lang)))
                 + f" · {esc(reliability)}</i>")
    return lines


def contacts_html(pc: PairContacts, lang: str) -> str:
    """Contacts for a pair, each with source and date; an explicit fallback where nothing is sourced."""
    lines = [f"<b>{esc(t(lang, 'report.contacts_title'))}</b>"]
    if pc.empty:
        lines += ["", esc(t(lang, "report.no_verified"))]
    for entry in pc.hotlines + pc.missions + pc.host_lines:
        lines.append("")
        lines.extend(_entry_lines(entry, lang))
    if pc.advice_channels and lang == "en":
        lines.append("")
        lines.extend(esc(a) for a in pc.advice_channels)
    lines += ["", "⚠️ " + esc(t(lang, "contact.call_yourself"))]
    return fit(lines)


def warnings_html(lang: str) -> str:
    lines = [f"<b>{esc(t(lang, 'report.warnings_title'))}</b>"]
    lines.extend(f"• {esc(w.text)}" for w in warnings(lang))
    return fit(lines)


def group_warning_html(verdict: dict[str, Any], lang: str) -> str:
    """A short warning under a group post. Never repeats the recruiter's contacts (only the sign names)."""
    signs = ", ".join(flag_names(verdict, lang)[:4])
    return esc(t(lang, "group.warning", signs=signs))
