"""Admins (SAFEJOB_ADMIN_IDS): review and label, retrain, promote or roll back, statistics, alerts.

Every admin command and button checks the sender against SAFEJOB_ADMIN_IDS on the server, each time: a
forged callback from anyone else does nothing. Every admin action is written to the audit log. The admin
interface is in English (the team's working language); what users receive is in their language.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.detector.model import Registry, shipped_models_dir
from bot.i18n import SUPPORTED, t
from bot.knowledge.contacts import HOSTS
from bot.telegram.common import button, keyboard, lang_of, reply_html, svc

__all__ = ["is_admin", "review_cmd", "group_label_cmd", "stats_cmd", "models_cmd", "rollback_cmd", "retrain_cmd",
           "alert_cmd", "alerts_cmd", "on_admin_callback", "on_alerts_callback", "resume_broadcasts",
           "active_models_dir", "stats_chart_png"]

log = logging.getLogger("safejob.admin")
esc = lambda s: html.escape(str(s), quote=False)  # noqa: E731
BROADCAST_RATE = 25.0  # messages a second, under Telegram's ~30


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in svc(context).settings.admin_ids


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(t(lang_of(update, context), "button.expired"))
    elif update.effective_message is not None and update.effective_chat and update.effective_chat.type == "private":
        await reply_html(update.effective_message, esc(t(lang_of(update, context), "admin.only")))


def active_models_dir(context_or_app: Any) -> Path:
    """The registry retrained models go to: ``$SAFEJOB_DATA_DIR/models``, seeded with the shipped model
    the first time so that rolling back to it stays possible."""
    app = context_or_app.application if hasattr(context_or_app, "application") else context_or_app
    settings = app.bot_data["services"].settings
    target = settings.data_dir / "models"
    if not (target / "registry.json").is_file():
        target.mkdir(parents=True, exist_ok=True)
        shipped = shipped_models_dir()
        for f in shipped.iterdir():
            if f.is_file() and not (target / f.name).exists():
                shutil.copy2(f, target / f.name)
    return target


# --- review ---------------------------------------------------------------------------------------

def _review_view(sub) -> tuple[str, Any]:
    v = sub.verdict
    flags = ", ".join(f["code"] for f in v.get("flags", [])) or "none"
    feedback = " · user said: wrong" if sub.source == "private" else ""
    text = (f"<b>Review #{sub.id}</b> ({esc(sub.source)}{feedback})\n"
            f"Verdict: <b>{esc(v['level'])}</b> (risk {v['risk']:.2f}, {esc(v.get('language'))}, model {esc(sub.model_version)})\n"
            f"Flags: {esc(flags)}\n\n<pre>{esc(sub.text[:2500])}</pre>")
    markup = keyboard([[button("Scam", "lbl", sub.id, "scam"), button("Legit", "lbl", sub.id, "legit"),
                        button("Spam", "lbl", sub.id, "spam"), button("Skip", "lbl", sub.id, "skip")]])
    return text, markup


async def review_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not is_admin(update, context):
        await _refuse(update, context)
        return
    await _send_next_review(update.effective_message, context, update.effective_user.id)  # type: ignore[union-attr]


async def _send_next_review(message: Message | None, context: ContextTypes.DEFAULT_TYPE, admin_id: int) -> None:
    if message is None:
        return
    sub = svc(context).store.next_for_review(admin_id)
    if sub is None:
        await reply_html(message, "Nothing to review right now.")
        return
    text, markup = _review_view(sub)
    await reply_html(message, text, markup)


def apply_label(context: ContextTypes.DEFAULT_TYPE, admin_id: int, submission_id: int, label: str) -> bool:
    services = svc(context)
    sub = services.store.submission(submission_id)
    if sub is None:
        return False
    previous = services.store.label_of(submission_id)
    services.store.add_label(submission_id, admin_id, label)
    services.store.audit(admin_id, "label", {"submission": submission_id, "label": label, "previous": previous})
    if label == "scam":
        # Known at once: copies are flagged before any retraining.
        services.checker.add_known_scam(f"admin-{submission_id}", sub.text, "admin")
    return True


async def group_label_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, an admin replies /scam or /legit to a post to label it."""
    message = update.effective_message
    if message is None or not is_admin(update, context):
        return
    target = message.reply_to_message
    command = (message.text or "").split()[0].split("@")[0].lstrip("/").lower()
    if target is None or command not in ("scam", "legit"):
        await reply_html(message, "Reply to a post with /scam or /legit to label it.")
        return
    text = target.text or target.caption or ""
    if not text.strip():
        return
    services = svc(context)
    verdict = await services.checker.check(text)
    sid = services.store.add_submission(user_id=None, chat_id=message.chat_id, source="group_label", text=text,
                                        verdict=verdict)
    apply_label(context, update.effective_user.id, sid, command)  # type: ignore[union-attr]
    await reply_html(message, f"Labelled as {command} (#{sid}).")


# --- statistics -----------------------------------------------------------------------------------

def stats_chart_png(stats: dict[str, Any]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    days = list(stats["per_day"]) or ["-"]
    ax1.bar(range(len(days)), [stats["per_day"].get(d, 0) for d in days], color="#3b6ea8")
    ax1.set_xticks(range(len(days)))
    ax1.set_xticklabels([d[5:] for d in days], rotation=60, fontsize=7)
    ax1.set_title(f"Checks per day (last {stats['days']} days)")
    levels = ["high", "medium", "low"]
    ax2.bar(levels, [stats["levels"].get(lv, 0) for lv in levels], color=["#c0392b", "#e67e22", "#27ae60"])
    ax2.set_title("Verdict levels")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


async def stats_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not is_admin(update, context):
        await _refuse(update, context)
        return
    message = update.effective_message
    stats = svc(context).store.stats()
    fmt = lambda d: ", ".join(f"{k} {v}" for k, v in d.items()) or "none"  # noqa: E731
    text = (f"<b>Last {stats['days']} days</b>: {stats['total']} checks\n"
            f"Levels: {esc(fmt(stats['levels']))}\nLanguages: {esc(fmt(stats['languages']))}\n"
            f"Top warning signs: {esc(fmt(stats['top_flags']))}\nFeedback: {esc(fmt(stats['feedback']))}\n"
            f"Labels: {esc(fmt(stats['labels']))}")
    await reply_html(message, text)  # type: ignore[arg-type]
    png = await asyncio.to_thread(stats_chart_png, stats)
    await message.reply_photo(io.BytesIO(png), caption="SafeJob checks")  # type: ignore[union-attr]


# --- models ---------------------------------------------------------------------------------------

def _models_text(registry: Registry) -> str:
    from training.registry_ops import list_versions

    lines = ["<b>Models</b> (* = serving)"]
    for r in list_versions(registry):
        lines.append(f"{'*' if r['current'] else ' '} <code>{esc(r['version'])}</code> ROC-AUC {r['roc_auc']} "
                     f"PR-AUC {r['pr_auc']} · lure recall {r['corpus_recall_medium']} · false alarms "
                     f"{r['corpus_false_alarm_medium']}")
    return "\n".join(lines)


async def models_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not is_admin(update, context):
        await _refuse(update, context)
        return
    await reply_html(update.effective_message, _models_text(Registry(active_models_dir(context))))  # type: ignore[arg-type]


async def _swap_to(context: ContextTypes.DEFAULT_TYPE, registry: Registry, version: str) -> None:
    model = await asyncio.to_thread(registry.load, version)
    await svc(context).checker.swap_model(model, registry.dir)


async def rollback_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not is_admin(update, context):
        await _refuse(update, context)
        return
    from bot.detector.model import ModelError
    from training.registry_ops import rollback

    registry = Registry(active_models_dir(context))
    try:
        version = rollback(registry)
    except ModelError as exc:
        await reply_html(update.effective_message, esc(str(exc)))  # type: ignore[arg-type]
        return
    await _swap_to(context, registry, version)
    svc(context).store.audit(update.effective_user.id, "rollback", {"version": version})  # type: ignore[union-attr]
    await reply_html(update.effective_message, f"Rolled back: <code>{esc(version)}</code> is serving.")  # type: ignore[arg-type]


def _export_labels(context: ContextTypes.DEFAULT_TYPE, path: Path) -> int:
    from bot.store.labels import export_labels

    with path.open("w", encoding="utf-8") as f:
        return export_labels(svc(context).store, f)


async def retrain_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not is_admin(update, context):
        await _refuse(update, context)
        return
    message = update.effective_message
    app = context.application
    if app.bot_data.get("retrain_task") and not app.bot_data["retrain_task"].done():
        await reply_html(message, "A retraining is already running.")  # type: ignore[arg-type]
        return
    admin_id = update.effective_user.id  # type: ignore[union-attr]
    svc(context).store.audit(admin_id, "retrain", {})
    app.bot_data["retrain_task"] = asyncio.create_task(_retrain(context, message, admin_id))  # type: ignore[arg-type]


async def _retrain(context: ContextTypes.DEFAULT_TYPE, message: Message, admin_id: int) -> None:
    models = active_models_dir(context)
    labels = models / "admin_labels.jsonl"
    n = _export_labels(context, labels)
    status = await reply_html(message, f"Retraining started with {n} admin labels. The bot keeps answering.")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "training.retrain_job", "--out", str(models), "--labels", str(labels),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    context.application.bot_data["retrain_proc"] = proc
    result: dict[str, Any] = {}
    last_edit = 0.0
    assert proc.stdout is not None
    async for raw in proc.stdout:
        try:
            item = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if "stage" in item and status is not None and asyncio.get_running_loop().time() - last_edit > 3:
            last_edit = asyncio.get_running_loop().time()
            try:
                await status.edit_text(f"Retraining: {esc(item['stage'])}", parse_mode=ParseMode.HTML)
            except TelegramError:
                pass
        if "done" in item or "error" in item:
            result = item
    code = await proc.wait()
    if code != 0 or "done" not in result:
        await reply_html(message, "Retraining failed; the current model keeps serving. "
                         + esc(result.get("error", f"exit code {code}")))
        return
    version = result["done"]
    context.application.bot_data.setdefault("comparisons", {})[version] = result.get("comparison")
    await reply_html(message, _comparison_text(version, result), keyboard([
        [button("Promote", "mdl", "promote", version), button("Discard", "mdl", "discard", version)]]))


def _comparison_text(version: str, result: dict[str, Any]) -> str:
    comp = result.get("comparison")
    lines = [f"<b>New model <code>{esc(version)}</code> is ready</b> (not serving yet)."]
    if not comp:
        return "\n".join(lines)
    lines.append(f"Beside <code>{esc(result.get('current'))}</code> on the same held-out rows (ROC-AUC / PR-AUC):")
    new, old = comp["candidate"], comp["current"]
    lines.append(f"overall: {new['overall']['roc_auc']} / {new['overall']['pr_auc']}  vs  "
                 f"{old['overall']['roc_auc']} / {old['overall']['pr_auc']}")
    for lang, m in new["by_lang"].items():
        o = old["by_lang"].get(lang, {})
        lines.append(f"{esc(lang)}: {m['roc_auc']} / {m['pr_auc']}  vs  {o.get('roc_auc')} / {o.get('pr_auc')}")
    if comp["worse"]:
        lines.append("⚠️ Worse on: " + esc("; ".join(comp["worse"])))
    return "\n".join(lines)


async def on_admin_callback(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, args: list[str]) -> bool:
    query = update.callback_query
    if query is None:
        return False
    if not is_admin(update, context):
        return False  # a forged or forwarded admin button: refused like any unknown button
    admin_id = update.effective_user.id  # type: ignore[union-attr]
    message = query.message if isinstance(query.message, Message) else None
    store = svc(context).store
    if action == "lbl" and len(args) == 2 and args[0].isdigit():
        sid, label = int(args[0]), args[1]
        if label == "skip":
            store.skip_review(admin_id, sid)
        elif label in ("scam", "legit", "spam"):
            if not apply_label(context, admin_id, sid, label):
                return False
        else:
            return False
        await query.answer(f"#{sid}: {label}")
        await _send_next_review(message, context, admin_id)
        return True
    if action == "mdl" and len(args) == 2:
        from bot.detector.model import ModelError
        from training.registry_ops import WorseModel, promote

        op, version = args
        registry = Registry(active_models_dir(context))
        if op == "discard":
            store.audit(admin_id, "discard_model", {"version": version})
            await query.answer("Discarded.")
            return True
        if op in ("promote", "force"):
            comparison = context.application.bot_data.get("comparisons", {}).get(version)
            try:
                await asyncio.to_thread(promote, registry, version, None, op == "force", lambda m: None,
                                        comparison=comparison)
            except WorseModel as exc:
                await query.answer()
                await reply_html(message, esc(str(exc)), keyboard([[button("Promote anyway", "mdl", "force", version),
                                                                    button("Discard", "mdl", "discard", version)]]))
                return True
            except ModelError as exc:
                await query.answer(str(exc)[:180], show_alert=True)
                return True
            await _swap_to(context, registry, version)
            store.audit(admin_id, "promote", {"version": version, "forced": op == "force"})
            await query.answer()
            await reply_html(message, f"<code>{esc(version)}</code> is serving now.")
            return True
    if action == "bc" and len(args) == 1 and args[0].isdigit():
        bid = int(args[0])
        b = store.broadcast(bid)
        if b is None or b["status"] != "draft":
            return False
        store.audit(admin_id, "broadcast", {"broadcast": bid})
        store.start_broadcast(bid)
        await query.answer("Sending.")
        _start_broadcast_task(context.application, bid, message.chat_id if message else admin_id)
        return True
    return False


# --- alerts ---------------------------------------------------------------------------------------

async def alerts_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Users opt in to warnings, for all countries or one."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = lang_of(update, context)
    sub = svc(context).store.alert_subscription(user.id)
    state = t(lang, "alerts.on" if sub else "alerts.off")
    rows = [[button(t(lang, "button.alerts_all"), "alr", "all")]]
    rows.append([button(t(lang, f"country.{c}"), "alr", c) for c in HOSTS[:3]])
    rows.append([button(t(lang, f"country.{c}"), "alr", c) for c in HOSTS[3:]])
    if sub:
        rows.append([button(t(lang, "button.alerts_stop"), "alr", "stop")])
    await reply_html(message, esc(t(lang, "alerts.text", state=state)), keyboard(rows))


async def on_alerts_callback(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> bool:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not args:
        return False
    lang = lang_of(update, context)
    store = svc(context).store
    if args[0] == "stop":
        store.unsubscribe_alerts(user.id)
        await query.answer(t(lang, "alerts.stopped"), show_alert=True)
        return True
    if args[0] != "all" and args[0] not in HOSTS:
        return False
    countries = [] if args[0] == "all" else [args[0]]
    store.subscribe_alerts(user.id, lang, countries)
    await query.answer(t(lang, "alerts.subscribed"), show_alert=True)
    return True


async def alert_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/alert [lang=xx] [country=CC] text: prepare a broadcast and ask for confirmation."""
    if not is_admin(update, context):
        await _refuse(update, context)
        return
    message = update.effective_message
    words = (message.text or "").split(maxsplit=1)  # type: ignore[union-attr]
    rest = words[1] if len(words) > 1 else ""
    lang = country = None
    while rest.startswith(("lang=", "country=")):
        head, _, rest = rest.partition(" ")
        key, _, value = head.partition("=")
        if key == "lang" and value in SUPPORTED:
            lang = value
        elif key == "country" and value.upper() in HOSTS:
            country = value.upper()
        else:
            await reply_html(message, f"Unknown filter {esc(head)}.")  # type: ignore[arg-type]
            return
    if not rest.strip():
        await reply_html(message, "Usage: /alert [lang=th] [country=MM] text of the warning")  # type: ignore[arg-type]
        return
    store = svc(context).store
    bid, audience = store.create_broadcast(update.effective_user.id, rest.strip(), lang, country)  # type: ignore[union-attr]
    await reply_html(message, f"Broadcast #{bid} to {audience} subscribers"  # type: ignore[arg-type]
                     f" (language {lang or 'any'}, country {country or 'any'}):\n\n{esc(rest.strip()[:1000])}",
                     keyboard([[button("Send now", "bc", bid)]]))


def _start_broadcast_task(app: Application, bid: int, report_chat: int) -> None:
    tasks = app.bot_data.setdefault("broadcast_tasks", {})
    if bid in tasks and not tasks[bid].done():
        return
    tasks[bid] = asyncio.create_task(run_broadcast(app, bid, report_chat))


async def run_broadcast(app: Application, bid: int, report_chat: int | None) -> dict[str, int]:
    """Send a broadcast, paced under Telegram's limits, resumable: each delivery is claimed before it is
    sent, so a restart never sends anyone the alert twice (a claim left by a crash counts as unknown)."""
    store = app.bot_data["services"].store
    b = store.broadcast(bid)
    if b is None:
        return {}
    interval = 1.0 / BROADCAST_RATE
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    while True:
        batch = store.pending_deliveries(bid, 200)
        if not batch:
            break
        for uid in batch:
            now = loop.time()
            if now < next_at:
                await asyncio.sleep(next_at - now)
            next_at = max(next_at + interval, loop.time())
            store.mark_delivery(bid, uid, "sending")
            try:
                await app.bot.send_message(uid, b["text"])
                store.mark_delivery(bid, uid, "sent")
            except Forbidden as exc:
                store.mark_delivery(bid, uid, "blocked", str(exc))
            except TelegramError as exc:
                store.mark_delivery(bid, uid, "failed", str(exc))
    report = store.finish_broadcast(bid)
    if report_chat is not None:
        try:
            await app.bot.send_message(report_chat, f"Broadcast #{bid} done: " +
                                       ", ".join(f"{k} {v}" for k, v in sorted(report.items())))
        except TelegramError:
            log.warning("could not send the delivery report of broadcast %d", bid)
    return report


async def resume_broadcasts(app: Application) -> None:
    """At start-up: finish broadcasts a restart interrupted (claims left 'sending' are not resent)."""
    store = app.bot_data["services"].store
    for b in store.broadcasts_in_progress():
        store.release_stale_claims(b["id"])
        _start_broadcast_task(app, b["id"], b["admin_id"])
