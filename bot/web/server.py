"""The one HTTP server: Telegram's webhook (in webhook mode) and the health check.

PTB's own webhook listener would be a second server; this one also carries the health check (and, as the
service grows, metrics and the HTTP API) on ``SAFEJOB_HTTP_HOST:SAFEJOB_HTTP_PORT``. Telegram proves a
webhook call is really from Telegram with ``X-Telegram-Bot-Api-Secret-Token``, checked here in constant
time before anything is parsed.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.services import Services

__all__ = ["make_web_app", "webhook_path"]

log = logging.getLogger("safejob.web")
MAX_WEBHOOK_BODY = 1 << 20


def webhook_path(url: str) -> str:
    path = urlparse(url).path or "/"
    return path


def make_web_app(services: Services, application: Application | None) -> web.Application:
    settings = services.settings
    app = web.Application(client_max_size=MAX_WEBHOOK_BODY)

    async def healthz(request: web.Request) -> web.Response:
        model_ok = services.detector.model is not None
        store_ok = services.store.ping()
        body = {"status": "ok" if (model_ok and store_ok) else "unavailable", "model": services.detector.model_version,
                "model_loaded": model_ok, "store": store_ok}
        return web.json_response(body, status=200 if (model_ok and store_ok) else 503)

    app.router.add_get("/healthz", healthz)

    if application is not None and settings.webhook_url:
        secret = settings.webhook_secret

        async def webhook(request: web.Request) -> web.Response:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if secret and not hmac.compare_digest(given.encode(), secret.encode()):
                return web.Response(status=403, text="forbidden")
            try:
                data = await request.json(loads=json.loads)
                update = Update.de_json(data, application.bot)
            except Exception:  # malformed body: Telegram never sends one, so do not retry it
                return web.Response(status=400, text="bad update")
            if update is not None:
                await application.update_queue.put(update)
            return web.Response(text="ok")

        app.router.add_post(webhook_path(settings.webhook_url), webhook)
    return app
