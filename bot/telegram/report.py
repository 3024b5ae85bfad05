"""Families' flows: /report (guidance, contacts and a case summary) and /contacts.

The conversation lives in the store (flow, step, answers), not in memory: a restart in the middle resumes
at the same question, and every old button is checked against the step the conversation is really at.
Nothing a family writes is logged.
"""

from __future__ import annotations

import io
import secrets
import time
from typing import Any

from telegram import InlineKeyboardButton, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.i18n import SUPPORTED, strings, t
from bot.knowledge.advice import advice_steps, advice_title
from bot.knowledge.contacts import HOSTS, ORIGINS
from bot.telegram.common import button, keyboard, lang_of, reply_html, svc
from bot.telegram.render import contacts_html, esc, fit, warnings_html

__all__ = ["start_flow", "on_report_callback", "on_report_message", "in_flow", "QUESTIONS"]

QUESTIONS = ("name", "age", "passport", "last_contact", "recruitment", "demands")
MAX_ANSWER = 2000
MAX_SCREENSHOTS = 10


def _country(code: str | None, lang: str) -> str:
    if not code:
        return t(lang, "report.unknown")
    return t(lang, f"country.{code}") if f"country.{code}" in strings("en") else code


def _match_country(text: str) -> str | None:
    """A country typed in any of the ten languages ("Myanmar", "缅甸", "พม่า") -> its code."""
    needle = " ".join(text.casefold().split())
    for lang in SUPPORTED:
        for key, name in strings(lang).items():
            if key.startswith("country.") and name.casefold() == needle:
                return key.split(".", 1)[1]
    return None


def _state(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> tuple[str, str, dict[str, Any]] | None:
    return svc(context).store.conversation(chat_id, user_id)


def _save(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int, flow: str, step: str,
          data: dict[str, Any]) -> None:
    svc(context).store.save_conversation(chat_id, user_id, flow, step, data)


def in_flow(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> bool:
    return _state(context, chat_id, user_id) is not None


# --- questions ----------------------------------------------------------------------------------------

async def _ask_nationality(message: Message, lang: str, flow: str) -> None:
    rows, row = [], []
    for code in ORIGINS:
        row.append(button(_country(code, lang), flow, "nat", code))
        if len(row) == 3:
            rows.append(row)
            row = []
    rows.append(row + [button(t(lang, "button.other_country"), flow, "nat", "other")])
    key = "report.ask_nationality" if flow == "report" else "contacts.ask_nationality"
    await reply_html(message, esc(t(lang, key)), keyboard(rows))


async def _ask_host(message: Message, lang: str, flow: str) -> None:
    rows = [[button(_country(c, lang), flow, "host", c) for c in HOSTS[:3]],
            [button(_country(c, lang), flow, "host", c) for c in HOSTS[3:]],
            [button(t(lang, "button.country_unknown"), flow, "host", "unknown"),
             button(t(lang, "button.other_country"), flow, "host", "other")]]
    key = "report.ask_country" if flow == "report" else "contacts.ask_country"
    await reply_html(message, esc(t(lang, key)), keyboard(rows))


async def _ask_place(message: Message, context: ContextTypes.DEFAULT_TYPE, lang: str, host: str | None) -> None:
    places = svc(context).places.hotspots(host) if host else []
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for p in places[:12]:
        row.append(button(p.name, "report", "place", p.id))
        if len(row) == 3:
            rows.append(row)
            row = []
    rows.append(row)
    rows.append([button(t(lang, "button.place_unknown"), "report", "place", "unknown")])
    await reply_html(message, esc(t(lang, "report.ask_place")), keyboard(rows))


async def _ask_question(message: Message, lang: str, step: str) -> None:
    q = step.removeprefix("q_")
    if q == "screenshots":
        markup = keyboard([[button(t(lang, "button.done"), "report", "shots", "done"),
                            button(t(lang, "button.skip"), "report", "shots", "skip")]])
        await reply_html(message, esc(t(lang, "report.q.screenshots")), markup)
        return
    markup = keyboard([[button(t(lang, "button.skip"), "report", "skip", q)]])
    await reply_html(message, esc(t(lang, f"report.q.{q}")), markup)


async def _reask(message: Message, context: ContextTypes.DEFAULT_TYPE, lang: str, flow: str, step: str,
                 data: dict[str, Any]) -> None:
    """Ask the question the conversation is at (after a restart, an old button, or a stray message)."""
    if step == "nat":
        await _ask_nationality(message, lang, flow)
    elif step == "host":
        await _ask_host(message, lang, flow)
    elif step == "host_text":
        await reply_html(message, esc(t(lang, "report.type_country")))
    elif step == "place":
        await _ask_place(message, context, lang, data.get("host"))
    elif step == "offer":
        await _offer_summary(message, lang)
    elif step.startswith("q_"):
        await _ask_question(message, lang, step)
    elif step == "caseworker":
        await _offer_caseworker(message, lang)


# --- guidance -----------------------------------------------------------------------------------------

async def _show_guidance(message: Message, context: ContextTypes.DEFAULT_TYPE, lang: str, data: dict[str, Any]) -> None:
    steps = advice_steps("family", lang)
    lines = [f"<b>{esc(advice_title('family', lang))}</b>", esc(t(lang, "report.steps_title")), ""]
    lines += [f"{i}. {esc(s.text)}" for i, s in enumerate(steps, 1)]
    await reply_html(message, fit(lines))
    pc = svc(context).contacts.for_pair(data.get("origin"), data.get("host"))
    await reply_html(message, contacts_html(pc, lang))
    await reply_html(message, warnings_html(lang))


async def _offer_summary(message: Message, lang: str) -> None:
    markup = keyboard([[button(t(lang, "button.yes"), "report", "sum", "yes"),
                        button(t(lang, "button.no"), "report", "sum", "no")]])
    await reply_html(message, esc(t(lang, "report.offer_summary")), markup)


async def _offer_caseworker(message: Message, lang: str) -> None:
    markup = keyboard([[button(t(lang, "button.yes"), "report", "cw", "yes"),
                        button(t(lang, "button.no"), "report", "cw", "no")]])
    await reply_html(message, esc(t(lang, "report.caseworker_offer")), markup)


def summary_text(data: dict[str, Any], lang: str, ref: str) -> str:
    """The case summary as plain text, in one language."""
    ans = data.get("answers", {})
    place = data.get("place_name") or data.get("place_text") or t(lang, "report.unknown")
    nationality = _country(data.get("origin"), lang) if data.get("origin") != "other" else data.get("origin_text", t(lang, "report.unknown"))
    fields = [
        ("report.field.reference", ref),
        ("report.field.created", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(data.get("created", time.time())))),
        ("report.field.nationality", nationality),
        ("report.field.country", _country(data.get("host"), lang)),
        ("report.field.place", place),
    ]
    for q in QUESTIONS:
        value = ans.get(q)
        fields.append((f"report.field.{q}", value if value else t(lang, "report.skipped")))
    fields.append(("report.field.screenshots", str(len(data.get("screenshots", [])))))
    lines = [t(lang, "report.summary_title"), ""]
    lines += [f"{t(lang, key)}: {value}" for key, value in fields]
    return "\n".join(lines)


async def _finish(message: Message, context: ContextTypes.DEFAULT_TYPE, lang: str, chat_id: int, user_id: int,
                  data: dict[str, Any]) -> None:
    ref = data.get("ref") or "SJ-" + secrets.token_hex(4).upper()
    data["ref"] = ref
    local = summary_text(data, lang, ref)
    english = summary_text(data, "en", ref)
    store = svc(context).store
    # The report is saved and the conversation moved on before anything is sent: if a send fails or the
    # bot stops here, the family does not answer everything again.
    store.save_report(ref, user_id, chat_id, lang, data)
    caseworker = svc(context).settings.caseworker_chat_id is not None
    if caseworker:
        _save(context, chat_id, user_id, "report", "caseworker", data)
    else:
        store.end_conversation(chat_id, user_id)
    body = local if lang == "en" else f"{local}\n\n— English —\n{english}"
    await reply_html(message, esc(t(lang, "report.summary_ready", ref=ref)))
    await reply_html(message, fit([f"<pre>{esc(body)}</pre>"]) if len(body) < 3900 else fit([esc(body)]))
    doc = io.BytesIO(body.encode("utf-8"))
    await message.reply_document(doc, filename=f"safejob-case-{ref}.txt", caption=t(lang, "report.summary_file"))
    if caseworker:
        await _offer_caseworker(message, lang)


async def _send_to_caseworker(context: ContextTypes.DEFAULT_TYPE, data: dict[str, Any]) -> None:
    target = svc(context).settings.caseworker_chat_id
    english = summary_text(data, "en", data["ref"])
    await context.bot.send_message(target, f"<pre>{esc(english)}</pre>"[:4096], parse_mode=ParseMode.HTML)
    for file_id in data.get("screenshots", [])[:MAX_SCREENSHOTS]:
        await context.bot.send_photo(target, file_id, caption=data["ref"])


# --- entry points -------------------------------------------------------------------------------------

async def start_flow(update: Update, context: ContextTypes.DEFAULT_TYPE, flow: str = "report",
                     message: Message | None = None) -> None:
    """Begin /report or /contacts for the user (also reached from a detention report or a button)."""
    message = message or update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    lang = lang_of(update, context)
    data = {"lang": lang, "created": time.time(), "answers": {}, "screenshots": [],
            "boot": context.application.bot_data.get("boot_id")}
    _save(context, message.chat_id, user.id, flow, "nat", data)
    if flow == "report":
        await reply_html(message, esc(t(lang, "report.intro")))
    await _ask_nationality(message, lang, flow)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    svc(context).store.end_conversation(message.chat_id, user.id)
    await reply_html(message, esc(t(lang_of(update, context), "report.cancelled")))


async def on_report_callback(update: Update, context: ContextTypes.DEFAULT_TYPE, flow: str, parts: list[str]) -> None:
    query = update.callback_query
    user = update.effective_user
    message = query.message if query else None
    lang = lang_of(update, context)
    if query is None or user is None or not isinstance(message, Message):
        return
    state = _state(context, message.chat_id, user.id)
    action, value = (parts + ["", ""])[:2]
    expected = {"nat": "nat", "host": "host", "place": "place", "sum": "offer", "skip": None, "shots": "q_screenshots",
                "cw": "caseworker"}
    if state is None or state[0] != flow or (expected.get(action) and state[1] != expected[action]) or \
            (action == "skip" and state[1] != f"q_{value}"):
        await query.answer(t(lang, "report.expired"), show_alert=False)
        if state is not None:
            await _reask(message, context, state[2].get("lang", lang), state[0], state[1], state[2])
        return
    await query.answer()
    _, step, data = state
    lang = data.get("lang", lang)
    chat_id = message.chat_id
    if action == "nat":
        if value not in ORIGINS and value != "other":
            return
        data["origin"] = value
        _save(context, chat_id, user.id, flow, "host", data)
        await _ask_host(message, lang, flow)
    elif action == "host":
        if value == "other":
            _save(context, chat_id, user.id, flow, "host_text", data)
            await reply_html(message, esc(t(lang, "report.type_country")))
            return
        data["host"] = value if value in HOSTS else None
        await _after_host(message, context, lang, flow, chat_id, user.id, data)
    elif action == "place":
        place = svc(context).places.places.get(value)
        if place is not None:
            data["place"] = place.id
            data["place_name"] = place.name
            data["host"] = place.country if place.country in HOSTS else data.get("host")
        await _after_place(message, context, lang, chat_id, user.id, data)
    elif action == "sum":
        if value == "yes":
            _save(context, chat_id, user.id, flow, "q_name", data)
            await _ask_question(message, lang, "q_name")
        else:
            svc(context).store.end_conversation(chat_id, user.id)
    elif action == "skip":
        await _next_question(message, context, lang, chat_id, user.id, data, value)
    elif action == "shots":
        await _finish(message, context, lang, chat_id, user.id, data)
    elif action == "cw":
        svc(context).store.end_conversation(chat_id, user.id)
        if value == "yes":
            svc(context).store.mark_report_shared(data["ref"])
            await _send_to_caseworker(context, data)
            await reply_html(message, esc(t(lang, "report.caseworker_sent")))
        else:
            await reply_html(message, esc(t(lang, "report.caseworker_not_sent")))


async def _after_host(message: Message, context: ContextTypes.DEFAULT_TYPE, lang: str, flow: str, chat_id: int,
                      user_id: int, data: dict[str, Any]) -> None:
    if flow == "contacts":
        svc(context).store.end_conversation(chat_id, user_id)
        pc = svc(context).contacts.for_pair(data.get("origin"), data.get("host"))
        await reply_html(message, contacts_html(pc, lang))
        await reply_html(message, warnings_html(lang))
        return
    _save(context, chat_id, user_id, flow, "place", data)
    await _ask_place(message, context, lang, data.get("host"))


async def _after_place(message: Message, context: ContextTypes.DEFAULT_TYPE, lang: str, chat_id: int, user_id: int,
                       data: dict[str, Any]) -> None:
    await _show_guidance(message, context, lang, data)
    _save(context, chat_id, user_id, "report", "offer", data)
    await _offer_summary(message, lang)


async def _next_question(message: Message, context: ContextTypes.DEFAULT_TYPE, lang: str, chat_id: int, user_id: int,
                         data: dict[str, Any], answered: str) -> None:
    i = QUESTIONS.index(answered) if answered in QUESTIONS else len(QUESTIONS) - 1
    step = f"q_{QUESTIONS[i + 1]}" if i + 1 < len(QUESTIONS) else "q_screenshots"
    _save(context, chat_id, user_id, "report", step, data)
    await _ask_question(message, lang, step)


async def on_report_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Continue a conversation with what the user typed or sent; False if there is none."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return False
    state = _state(context, message.chat_id, user.id)
    if state is None:
        return False
    flow, step, data = state
    lang = data.get("lang") or lang_of(update, context)
    text = (message.text or message.caption or "").strip()
    chat_id = message.chat_id
    if data.get("boot") != context.application.bot_data.get("boot_id"):
        # The bot restarted since this conversation's last step: say so once, then carry on.
        data["boot"] = context.application.bot_data.get("boot_id")
        _save(context, chat_id, user.id, flow, step, data)
        if not message.photo or step != "q_screenshots":
            await reply_html(message, esc(t(lang, "report.resumed")))
    if step == "q_screenshots" and (message.photo or message.document):
        file_id = message.photo[-1].file_id if message.photo else message.document.file_id  # type: ignore[union-attr]
        if len(data["screenshots"]) < MAX_SCREENSHOTS:
            data["screenshots"].append(file_id)
        _save(context, chat_id, user.id, flow, step, data)
        await reply_html(message, esc(t(lang, "report.screenshot_saved", count=len(data["screenshots"]))),
                         keyboard([[button(t(lang, "button.done"), "report", "shots", "done")]]))
        return True
    if not text:
        await _reask(message, context, lang, flow, step, data)
        return True
    if step == "nat":
        code = _match_country(text)
        data["origin"] = code if code in ORIGINS else "other"
        if data["origin"] == "other":
            data["origin_text"] = text[:100]
        _save(context, chat_id, user.id, flow, "host", data)
        await _ask_host(message, lang, flow)
    elif step in ("host", "host_text"):
        code = _match_country(text)
        place = svc(context).places.resolve(text)
        if place is not None and place.country in HOSTS:
            data["place"], data["place_name"], code = place.id, place.name, place.country
        data["host"] = code if code in HOSTS else None
        if code is None:
            data["host_text"] = text[:100]
        if place is not None and flow == "report":
            await _after_place(message, context, lang, chat_id, user.id, data)
        else:
            await _after_host(message, context, lang, flow, chat_id, user.id, data)
    elif step == "place":
        place = svc(context).places.resolve(text)
        if place is not None:
            data["place"], data["place_name"] = place.id, place.name
            if place.country in HOSTS:
                data["host"] = place.country
        else:
            data["place_text"] = text[:200]
            await reply_html(message, esc(t(lang, "report.place_not_found")))
        await _after_place(message, context, lang, chat_id, user.id, data)
    elif step.startswith("q_") and step != "q_screenshots":
        q = step[2:]
        data["answers"][q] = text[:MAX_ANSWER]
        await _next_question(message, context, lang, chat_id, user.id, data, q)
    else:
        await _reask(message, context, lang, flow, step, data)
    return True
