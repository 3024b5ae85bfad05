"""Private chats: commands, checking what users send, and the buttons under a verdict."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.detector import EmptyText
from bot.i18n import SUPPORTED, t
from bot.ocr import MAX_IMAGE_BYTES, ocr_available, read_image
from bot.knowledge.advice import AUDIENCES
from bot.telegram import report
from bot.telegram.common import (LANGUAGE_NAMES, button, expired_text, keyboard, lang_of, log, parse_cb, recall_verdict,
                                 remember_verdict, reply_html, svc)
from bot.telegram.render import advice_html, esc, verdict_html, why_html

__all__ = ["start", "help_cmd", "language_cmd", "privacy_cmd", "forget_cmd", "advice_cmd", "on_private_message",
           "on_unsupported", "on_callback", "extract_text"]


# --- commands -----------------------------------------------------------------------------------------

async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is None:
        return
    lang = lang_of(update, context)
    text = f"{esc(t(lang, 'start.greeting'))}\n\n{esc(t(lang, 'start.limits'))}"
    await reply_html(update.effective_message, text, _language_keyboard())


async def help_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        lang = lang_of(update, context)
        await reply_html(update.effective_message, esc(t(lang, "help.text") + "\n" + t(lang, "help.alerts")))


def _language_keyboard():
    codes = list(SUPPORTED)
    return keyboard([[button(LANGUAGE_NAMES[c], "lang", c) for c in codes[i:i + 2]] for i in range(0, len(codes), 2)])


async def language_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await reply_html(update.effective_message, esc(t(lang_of(update, context), "language.choose")),
                         _language_keyboard())


def _privacy_view(store_on: bool, lang: str) -> tuple[str, Any]:
    state = t(lang, "privacy.on" if store_on else "privacy.off")
    action = ("privacy", "off") if store_on else ("privacy", "on")
    label = t(lang, "button.privacy_stop" if store_on else "button.privacy_start")
    return esc(t(lang, "privacy.text", state=state)), keyboard([[button(label, *action)]])


async def privacy_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is None or update.effective_user is None:
        return
    lang = lang_of(update, context)
    prefs = svc(context).store.user(update.effective_user.id)
    text, markup = _privacy_view(prefs.store_submissions, lang)
    await reply_html(update.effective_message, text, markup)


async def forget_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is None:
        return
    lang = lang_of(update, context)
    markup = keyboard([[button(t(lang, "button.forget_yes"), "forget", "yes"),
                        button(t(lang, "button.cancel"), "forget", "no")]])
    await reply_html(update.effective_message, esc(t(lang, "forget.confirm")), markup)


async def advice_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is None:
        return
    lang = lang_of(update, context)
    markup = keyboard([[button(t(lang, f"button.advice_{a}"), "adv", a)] for a in AUDIENCES])
    await reply_html(update.effective_message, esc(t(lang, "advice.menu")), markup)


# --- messages -----------------------------------------------------------------------------------------

def extract_text(message: Message) -> tuple[str, dict[str, Any]]:
    """The text to check (the message, its caption, the part it quotes or the post it replies to) and context."""
    parts: list[str] = []
    quote = getattr(message, "quote", None)
    if quote is not None and getattr(quote, "text", None):
        parts.append(quote.text)
    replied = message.reply_to_message
    if replied is not None and quote is None:
        parts.append(replied.text or replied.caption or "")
    parts.append(message.text or message.caption or "")
    context: dict[str, Any] = {}
    origin = message.forward_origin
    if origin is not None:
        name = None
        if getattr(origin, "chat", None) is not None:
            chat = origin.chat
            name = chat.title or (f"@{chat.username}" if chat.username else None)
        elif getattr(origin, "sender_chat", None) is not None:
            name = origin.sender_chat.title
        elif getattr(origin, "sender_user", None) is not None:
            u = origin.sender_user
            name = f"@{u.username}" if u.username else u.full_name
        elif getattr(origin, "sender_user_name", None):
            name = origin.sender_user_name
        if name:
            context["forward_origin"] = name
    return "\n".join(p for p in parts if p), context


async def on_private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = svc(context)
    if await report.on_report_message(update, context):
        return
    lang = lang_of(update, context)
    text, extra = extract_text(message)
    image = _image_of(message)
    if image is not None and not ocr_available():
        image = None
    if not text.strip() and image is None:
        key = "hint.photo_no_caption" if (message.photo or message.document) else "hint.empty"
        await reply_html(message, esc(t(lang, key)))
        return
    limiter = context.application.bot_data["user_limiter"]
    if not limiter.allow(user.id):
        if limiter.should_warn(user.id):
            await reply_html(message, esc(t(lang, "rate_limited")))
        return
    if image is not None:
        ocr_text = await _read_image(context, image, lang)
        if ocr_text is None and not text.strip():
            await reply_html(message, esc(t(lang, "ocr.failed")))
            return
        if ocr_text:
            extra["ocr_text"] = ocr_text
            text = f"{text}\n{ocr_text}" if text.strip() else ocr_text
    try:
        verdict = await services.checker.check(text, extra)
    except EmptyText:
        await reply_html(message, esc(t(lang, "hint.empty")))
        return
    services.count_verdict(verdict, "private")
    if extra:
        verdict["context"] = extra  # e.g. the channel a post was forwarded from: part of the evidence
    if verdict["intent"] == "detention_report":
        # A family asking for help gets guidance at once, never a "risk" verdict.
        await report.start_flow(update, context, "report", message)
        return
    ref = _keep(context, user.id, message.chat_id, text, verdict)
    markup = keyboard([
        [button(t(lang, "button.why"), "why", ref), button(t(lang, "button.wrong"), "wrong", ref)],
        [button(t(lang, "button.advice"), "adv", "job_seeker"), button(t(lang, "button.contacts"), "ctc")],
    ])
    await reply_html(message, verdict_html(verdict, lang), markup, quote=True)


def _image_of(message: Message) -> Any | None:
    """The largest photo size (or image document) small enough to read, or None."""
    if message.photo:
        sizes = [p for p in message.photo if (p.file_size or 0) <= MAX_IMAGE_BYTES]
        return max(sizes, key=lambda p: p.width * p.height) if sizes else None
    doc = message.document
    if doc is not None and (doc.mime_type or "").startswith("image/") and (doc.file_size or 0) <= MAX_IMAGE_BYTES:
        return doc
    return None


async def _read_image(context: ContextTypes.DEFAULT_TYPE, media: Any, lang: str) -> str | None:
    """Download through TELEGRAM_FILE_BASE and read off the event loop; the image is never stored."""
    try:
        tg_file = await media.get_file()
        data = bytes(await tg_file.download_as_bytearray())
        if len(data) > MAX_IMAGE_BYTES:
            return None
        result = await asyncio.wait_for(asyncio.to_thread(read_image, data, lang), timeout=30)
    except Exception as exc:  # download refused, OCR failed or too slow: ask for the text instead
        log.info("could not read an image: %s", type(exc).__name__)
        return None
    return result.text.strip() or None


def _keep(context: ContextTypes.DEFAULT_TYPE, user_id: int, chat_id: int, text: str, verdict: dict[str, Any]) -> str:
    """Store the submission if the user allows it (the default); otherwise keep it in memory only."""
    store = svc(context).store
    if store.user(user_id).store_submissions:
        return str(store.add_submission(user_id=user_id, chat_id=chat_id, source="private", text=text, verdict=verdict))
    return remember_verdict(context, user_id, verdict)


async def on_unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice, video, locations, contacts...: a short hint, never silence."""
    message = update.effective_message
    if message is None:
        return
    if update.effective_user is not None and await report.on_report_message(update, context):
        return
    lang = lang_of(update, context)
    if message.sticker or message.animation or message.dice:
        key = "hint.sticker"
    elif message.voice or message.audio or message.video or message.video_note:
        key = "hint.voice"
    elif message.location or message.venue:
        key = "hint.location"
    elif message.photo or message.document:
        key = "hint.photo_no_caption"
    else:
        key = "hint.other"
    await reply_html(message, esc(t(lang, key)))


# --- buttons ------------------------------------------------------------------------------------------

async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    lang = lang_of(update, context)
    parts = parse_cb(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if parts is None or message is None:
        await query.answer(expired_text(lang))
        return
    action, args = parts[0], parts[1:]
    try:
        handled = await _dispatch(update, context, lang, action, args, message)
    except (ValueError, IndexError, KeyError):
        handled = False
    if not handled:
        await query.answer(expired_text(lang))


async def _dispatch(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, action: str, args: list[str],
                    message: Message) -> bool:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    store = svc(context).store
    if action == "lang" and args and args[0] in SUPPORTED:
        store.set_language(user.id, args[0])
        await query.answer()
        await reply_html(message, esc(t(args[0], "language.set")))
        return True
    if action in ("why", "wrong") and args:
        found = recall_verdict(context, args[0], user.id)
        if found is None:
            return False
        sub_id, verdict = found
        if action == "why":
            await query.answer()
            await reply_html(message, why_html(verdict, lang))
        elif sub_id is None:
            await query.answer(t(lang, "feedback.not_stored"), show_alert=True)
        else:
            fresh = store.add_feedback(sub_id, user.id, "wrong")
            await query.answer(t(lang, "feedback.thanks" if fresh else "feedback.already"), show_alert=True)
        return True
    if action == "adv" and args and args[0] in AUDIENCES:
        await query.answer()
        await reply_html(message, advice_html(args[0], lang))
        return True
    if action == "ctc":
        await query.answer()
        await report.start_flow(update, context, "contacts", message)
        return True
    if action in ("report", "contacts"):
        await report.on_report_callback(update, context, action, args)
        return True
    if action == "privacy" and args and args[0] in ("on", "off"):
        store.set_store_submissions(user.id, args[0] == "on")
        await query.answer(t(lang, "privacy.started" if args[0] == "on" else "privacy.stopped"), show_alert=True)
        text, markup = _privacy_view(args[0] == "on", lang)
        await reply_html(message, text, markup)
        return True
    if action == "forget" and args and args[0] in ("yes", "no"):
        if args[0] == "yes":
            counts = store.forget_user(user.id)
            cache = context.application.bot_data.get("verdict_cache", {})
            for token in [k for k, (owner, _) in cache.items() if owner == user.id]:
                del cache[token]
            log.info("forgot a user: %s rows deleted", sum(counts.values()))
            await query.answer()
            await reply_html(message, esc(t(lang, "forget.done")))
        else:
            await query.answer()
            await reply_html(message, esc(t(lang, "forget.cancelled")))
        return True
    if action in ("lbl", "mdl", "bc"):
        from bot.telegram.admin import on_admin_callback

        return await on_admin_callback(update, context, action, args)
    if action == "alr":
        from bot.telegram.admin import on_alerts_callback

        return await on_alerts_callback(update, context, args)
    if action == "grp":
        from bot.telegram.group import on_group_settings_callback

        return await on_group_settings_callback(update, context, args)
    return False
