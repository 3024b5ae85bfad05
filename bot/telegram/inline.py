"""Inline mode: ``@bot <offer>`` in any chat returns the verdict as a result to send."""

from __future__ import annotations

import hashlib

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.detector import EmptyText
from bot.i18n import t
from bot.telegram.common import lang_of, svc
from bot.telegram.render import flag_names, verdict_html

__all__ = ["on_inline_query"]


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    lang = lang_of(update, context)
    text = (query.query or "").strip()
    limiter = context.application.bot_data["user_limiter"]
    if not text or not limiter.allow(query.from_user.id):
        await query.answer([], cache_time=0, is_personal=True,
                           button=None)
        return
    try:
        verdict = await svc(context).checker.check(text)
    except EmptyText:
        await query.answer([], cache_time=0, is_personal=True)
        return
    names = flag_names(verdict, lang)
    result = InlineQueryResultArticle(
        id=hashlib.sha1(f"{lang}:{text}".encode("utf-8")).hexdigest()[:32],
        title=t(lang, f"level.{verdict['level']}"),
        description=", ".join(names[:5]) if names else t(lang, "inline.no_signs"),
        input_message_content=InputTextMessageContent(verdict_html(verdict, lang), parse_mode=ParseMode.HTML,
                                                      link_preview_options=None),
    )
    await query.answer([result], cache_time=0, is_personal=True)
