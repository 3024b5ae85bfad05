"""The python-telegram-bot Application: one handler per user action, collaborators from ``bot_data``."""

from __future__ import annotations

import secrets
import time

from telegram import Update
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes,
                          InlineQueryHandler, MessageHandler, TypeHandler, filters)

from bot.i18n import t
from bot.services import Services
from bot.telegram import admin, group, inline, private, report
from bot.telegram.common import lang_of, log, reply_html
from bot.telegram.render import esc
from bot.telegram.sending import ResilientLimiter, UserRateLimiter
from bot.telegram.transport import AiohttpRequest

__all__ = ["build_application"]

# Only new messages: CommandHandler and TEXT filters also fire on edited messages, where
# update.message is None.
NEW = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE & NEW
GROUPS = filters.ChatType.GROUPS & NEW


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (its type and place, never the message content) and tell the user something went wrong."""
    err = context.error
    log.error("handler failed: %s: %s", type(err).__name__, str(err)[:200], exc_info=err)
    if isinstance(update, Update) and update.effective_message is not None and update.effective_chat is not None \
            and update.effective_chat.type == "private":
        try:
            await reply_html(update.effective_message, esc(t(lang_of(update, context), "error.generic")))
        except Exception:  # the reply itself failed (e.g. Telegram is down): already logged above
            pass


def _update_kind(update: Update) -> str:
    for kind in ("message", "edited_message", "callback_query", "inline_query", "my_chat_member", "channel_post"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


async def _before(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(update, Update):
        context.application.bot_data["services"].metrics.inc(
            "safejob_updates_total", "Telegram updates received, by kind", kind=_update_kind(update))
        started = context.application.bot_data.setdefault("_started", {})
        if len(started) > 10_000:  # updates whose handler failed never reach _after; keep this bounded
            started.clear()
        started[update.update_id] = time.perf_counter()


async def _after(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs after the handlers of an update (their group is earlier): the time to handle and reply."""
    if isinstance(update, Update):
        started = context.application.bot_data.get("_started", {}).pop(update.update_id, None)
        if started is not None:
            context.application.bot_data["services"].metrics.observe(
                "safejob_reply_latency_seconds", time.perf_counter() - started, "Time from update to handled reply")


def build_application(services: Services, send_rate: float | None = None, **request_kwargs: float) -> Application:
    settings = services.settings
    limiter = ResilientLimiter(overall_max_rate=send_rate if send_rate is not None else 30, metrics=services.metrics)
    builder: ApplicationBuilder = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.api_base)
        .base_file_url(settings.file_base)
        .rate_limiter(limiter)
        # Up to 64 updates in hand at once, so a user whose reply waits on Telegram's retry_after does not
        # hold up everyone else. They share a few keep-alive connections: on a small machine more
        # connections cost CPU and win nothing.
        .concurrent_updates(64)
        # request_kwargs: connect_timeout, read_timeout, ... (tests shorten them)
        .request(AiohttpRequest(connection_pool_size=8, **request_kwargs))
        .get_updates_request(AiohttpRequest(connection_pool_size=1, **request_kwargs))
    )
    app = builder.build()
    app.bot_data["services"] = services
    app.bot_data["user_limiter"] = UserRateLimiter(settings.rate_limit_per_minute, 60.0)
    app.bot_data["send_limiter"] = limiter
    app.bot_data["boot_id"] = secrets.token_hex(4)

    app.add_handler(CommandHandler("start", private.start, filters=PRIVATE))
    app.add_handler(CommandHandler("help", private.help_cmd, filters=PRIVATE))
    app.add_handler(CommandHandler("language", private.language_cmd, filters=PRIVATE))
    app.add_handler(CommandHandler("privacy", private.privacy_cmd, filters=PRIVATE))
    app.add_handler(CommandHandler("forget", private.forget_cmd, filters=PRIVATE))
    app.add_handler(CommandHandler("advice", private.advice_cmd, filters=PRIVATE))
    app.add_handler(CommandHandler("report", lambda u, c: report.start_flow(u, c, "report"), filters=PRIVATE))
    app.add_handler(CommandHandler("contacts", lambda u, c: report.start_flow(u, c, "contacts"), filters=PRIVATE))
    app.add_handler(CommandHandler("cancel", report.cancel, filters=PRIVATE))
    app.add_handler(CommandHandler("alerts", admin.alerts_cmd, filters=PRIVATE))
    for name, fn in (("review", admin.review_cmd), ("stats", admin.stats_cmd), ("models", admin.models_cmd),
                     ("rollback", admin.rollback_cmd), ("retrain", admin.retrain_cmd), ("alert", admin.alert_cmd)):
        app.add_handler(CommandHandler(name, fn, filters=PRIVATE))
    app.add_handler(CommandHandler(["scam", "legit"], admin.group_label_cmd, filters=GROUPS))
    app.add_handler(CommandHandler("groupsettings", group.group_settings_cmd, filters=GROUPS))
    app.add_handler(MessageHandler(
        PRIVATE & (filters.TEXT | filters.CAPTION | filters.PHOTO | filters.Document.IMAGE) & ~filters.COMMAND,
        private.on_private_message))
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, private.on_unsupported))
    app.add_handler(MessageHandler(GROUPS & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND,
                                   group.on_group_message))
    app.add_handler(CallbackQueryHandler(private.on_callback))
    app.add_handler(InlineQueryHandler(inline.on_inline_query))
    app.add_handler(TypeHandler(Update, _before), group=-1)
    app.add_handler(TypeHandler(Update, _after), group=1)
    app.add_error_handler(_on_error)
    return app
