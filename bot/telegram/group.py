"""Groups: check every post quietly, warn under high-risk ones, and let group admins tune it.

The warning names the warning signs only, never the recruiter's contacts (repeating them would advertise
the scam). Group posts are stored without their author, for review.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ContextTypes

from bot.detector import EmptyText
from bot.i18n import SUPPORTED, pick_language, t
from bot.telegram.common import LANGUAGE_NAMES, button, keyboard, reply_html, svc
from bot.telegram.private import extract_text
from bot.telegram.render import esc, group_warning_html

__all__ = ["on_group_message", "group_settings_cmd", "on_group_settings_callback"]

_RANK = {"low": 0, "medium": 1, "high": 2}


def _group_lang(settings: dict, update: Update) -> str:
    if settings.get("lang") in SUPPORTED:
        return settings["lang"]
    user = update.effective_user
    return pick_language(user.language_code if user else None)


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    services = svc(context)
    settings = services.store.group(chat.id)
    if not settings["enabled"]:
        return
    text, extra = extract_text(message)
    if not text.strip():
        return
    try:
        verdict = await services.checker.check(text, extra)
    except EmptyText:
        return
    services.count_verdict(verdict, "group")
    if verdict["intent"] != "job_offer" or _RANK[verdict["level"]] < _RANK[settings["threshold"]]:
        return
    services.store.add_submission(user_id=None, chat_id=chat.id, source="group", text=text, verdict=verdict)
    await reply_html(message, group_warning_html(verdict, _group_lang(settings, update)), quote=True)


async def _is_group_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def _settings_view(settings: dict, lang: str):
    state = t(lang, "group.on" if settings["enabled"] else "group.off")
    threshold = t(lang, f"level.{settings['threshold']}").split(":")[0]
    text = esc(t(lang, "group.settings", state=state, threshold=threshold,
                 lang=LANGUAGE_NAMES.get(settings.get("lang") or "", "—")))
    rows = [[button(t(lang, "button.group_toggle"), "grp", "toggle")],
            [button(t(lang, "button.group_threshold_high"), "grp", "th", "high"),
             button(t(lang, "button.group_threshold_medium"), "grp", "th", "medium")],
            [button(LANGUAGE_NAMES[c], "grp", "lang", c) for c in SUPPORTED[:5]],
            [button(LANGUAGE_NAMES[c], "grp", "lang", c) for c in SUPPORTED[5:]]]
    return text, keyboard(rows)


async def group_settings_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or chat.type == "private":
        return
    settings = svc(context).store.group(chat.id)
    lang = _group_lang(settings, update)
    if not await _is_group_admin(update, context):
        await reply_html(message, esc(t(lang, "group.admins_only")))
        return
    text, markup = _settings_view(settings, lang)
    await reply_html(message, text, markup)


async def on_group_settings_callback(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> bool:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or chat.type == "private" or not args:
        return False
    store = svc(context).store
    settings = store.group(chat.id)
    lang = _group_lang(settings, update)
    if not await _is_group_admin(update, context):  # checked on every press, not only when the menu was shown
        await query.answer(t(lang, "group.admins_only"), show_alert=True)
        return True
    if args[0] == "toggle":
        settings = store.set_group(chat.id, enabled=not settings["enabled"])
    elif args[0] == "th" and len(args) > 1 and args[1] in ("high", "medium"):
        settings = store.set_group(chat.id, threshold=args[1])
    elif args[0] == "lang" and len(args) > 1 and args[1] in SUPPORTED:
        settings = store.set_group(chat.id, lang=args[1])
    else:
        return False
    await query.answer()
    text, markup = _settings_view(settings, _group_lang(settings, update))
    if query.message is not None:
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)
    return True
