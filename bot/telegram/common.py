"""What every handler needs: the services, the user's language, callback data, safe replies."""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.i18n import SUPPORTED, pick_language, t
from bot.services import Services

__all__ = ["svc", "lang_of", "cb", "parse_cb", "reply_html", "button", "keyboard", "remember_verdict",
           "recall_verdict", "LANGUAGE_NAMES", "CB_PREFIX", "log"]

log = logging.getLogger("safejob.bot")

CB_PREFIX = "v1"
LANGUAGE_NAMES = {"en": "English", "zh": "中文", "th": "ไทย", "vi": "Tiếng Việt", "id": "Bahasa Indonesia",
                  "my": "မြန်မာ", "km": "ខ្មែរ", "lo": "ລາວ", "tl": "Filipino", "ms": "Bahasa Melayu"}
_CACHE_SIZE = 5000


def svc(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


def lang_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The user's chosen language, else their Telegram app's language, else English."""
    user = update.effective_user
    if user is None:
        return "en"
    prefs = svc(context).store.user(user.id)
    if prefs.lang in SUPPORTED:
        return prefs.lang  # type: ignore[return-value]
    return pick_language(user.language_code)


def cb(*parts: object) -> str:
    data = ":".join([CB_PREFIX, *map(str, parts)])
    if len(data.encode("utf-8")) > 64:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def parse_cb(data: str | None) -> list[str] | None:
    """The parts after the version prefix, or None for data this bot never made (old or forged)."""
    if not data or not isinstance(data, str):
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != CB_PREFIX:
        return None
    return parts[1:]


def button(text: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb(*parts))


def keyboard(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([r for r in rows if r])


async def reply_html(message: Message, text: str, markup: InlineKeyboardMarkup | None = None,
                     quote: bool = False) -> Message | None:
    """Send an HTML reply; if Telegram rejects the markup (it should not), send it as plain text."""
    try:
        return await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                        do_quote=quote, disable_web_page_preview=True)
    except BadRequest as exc:
        if "parse" not in str(exc).lower() and "entit" not in str(exc).lower():
            raise
        log.warning("HTML rejected by Telegram (%s); sending plain text", exc)
        import re

        plain = re.sub(r"<[^>]+>", "", text)
        return await message.reply_text(plain, reply_markup=markup, do_quote=quote)
    except Forbidden:
        return None


def remember_verdict(context: ContextTypes.DEFAULT_TYPE, user_id: int, verdict: dict[str, Any]) -> str:
    """Keep a verdict in memory only (the user does not want it stored); returns a token for buttons."""
    cache: OrderedDict[str, tuple[int, dict[str, Any]]] = context.application.bot_data.setdefault(
        "verdict_cache", OrderedDict())
    token = "m" + secrets.token_urlsafe(8)
    cache[token] = (user_id, verdict)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return token


def recall_verdict(context: ContextTypes.DEFAULT_TYPE, ref: str, user_id: int) -> tuple[int | None, dict[str, Any]] | None:
    """(submission id or None, verdict) for a button's reference, only for the user it was made for."""
    if ref.startswith("m"):
        item = context.application.bot_data.get("verdict_cache", {}).get(ref)
        if item and item[0] == user_id:
            return None, item[1]
        return None
    if not ref.isdigit():
        return None
    sub = svc(context).store.submission(int(ref))
    if sub is None or sub.user_id != user_id:
        return None
    return sub.id, sub.verdict


def expired_text(lang: str) -> str:
    return t(lang, "button.expired")
