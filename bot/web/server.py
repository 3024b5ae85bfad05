"""The one HTTP server: Telegram's webhook (webhook mode), health, metrics, and the check API.

PTB's own webhook listener would be a second server; this one serves everything on
``SAFEJOB_HTTP_HOST:SAFEJOB_HTTP_PORT``. Telegram proves a webhook call is really from Telegram with
``X-Telegram-Bot-Api-Secret-Token``, checked here in constant time before anything is parsed.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import time
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.detector import EmptyText
from bot.services import Services
from bot.web.openapi import openapi_document

__all__ = ["make_web_app", "webhook_path", "MAX_API_BODY", "KeyRateLimiter"]

log = logging.getLogger("safejob.web")
MAX_WEBHOOK_BODY = 1 << 20
MAX_API_BODY = 64 * 1024


def webhook_path(url: str) -> str:
    return urlparse(url).path or "/"


class KeyRateLimiter:
    """A token bucket per API key: ``rate`` requests a second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, key: str, now: float | None = None) -> float:
        """0 if allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        tokens, last = self._state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._state[key] = (tokens - 1, now)
            return 0.0
        self._state[key] = (tokens, now)
        return (1 - tokens) / self.rate


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers or None)


def make_web_app(services: Services, application: Application | None) -> web.Application:
    settings = services.settings
    metrics = services.metrics
    app = web.Application(client_max_size=MAX_WEBHOOK_BODY)
    limiter = KeyRateLimiter(rate=settings.api_rate_per_second, burst=max(1.0, settings.api_rate_per_second * 2))
    api_keys = [k.encode() for k in settings.api_keys]

    async def healthz(request: web.Request) -> web.Response:
        model_ok = services.detector.model is not None
        store_ok = services.store.ping()
        ok = model_ok and store_ok
        # Workers are not part of health: without one the bot checks messages itself, only slower.
        body = {"status": "ok" if ok else "unavailable", "model": services.detector.model_version,
                "model_loaded": model_ok, "store": store_ok,
                "detector_workers": {"wanted": services.checker.wanted, "running": services.checker.live_workers}}
        return web.json_response(body, status=200 if ok else 503)

    async def metrics_view(request: web.Request) -> web.Response:
        metrics.set_gauge("safejob_model_info", 1, "The model version serving checks", version=services.detector.model_version)
        metrics.set_gauge("safejob_detector_workers", services.checker.live_workers,
                          "Detector worker processes running (0: checks run in the bot's process)")
        return web.Response(text=metrics.render(), content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})

    def _authorised(request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        given = header[7:].strip().encode()
        for key in api_keys:
            if hmac.compare_digest(given, key):
                return key.decode()
        return None

    async def check(request: web.Request) -> web.Response:
        started = time.perf_counter()
        status = 200
        try:
            key = _authorised(request)
            if key is None:
                status = 401
                return _error(401, "missing or invalid API key (Authorization: Bearer <key>)",
                              **{"WWW-Authenticate": "Bearer"})
            wait = limiter.take(key)
            if wait > 0:
                status = 429
                return _error(429, "rate limit exceeded", **{"Retry-After": str(max(1, math.ceil(wait)))})
            if request.content_length is not None and request.content_length > MAX_API_BODY:
                status = 413
                return _error(413, f"body over {MAX_API_BODY} bytes")
            raw = await request.content.read(MAX_API_BODY + 1)
            if len(raw) > MAX_API_BODY:
                status = 413
                return _error(413, f"body over {MAX_API_BODY} bytes")
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                status = 400
                return _error(400, "body is not JSON")
            if not isinstance(body, dict) or not isinstance(body.get("text"), str):
                status = 400
                return _error(400, 'expected {"text": "..."}')
            try:
                verdict = await services.checker.check(body["text"])
            except EmptyText:
                status = 400
                return _error(400, "text is empty")
            services.count_verdict(verdict, "api")
            return web.json_response(verdict, dumps=lambda o: json.dumps(o, ensure_ascii=False))
        finally:
            metrics.inc("safejob_api_requests_total", "HTTP API requests, by status", status=str(status))
            metrics.observe("safejob_api_latency_seconds", time.perf_counter() - started, "HTTP API request latency")

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(openapi_document())

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_view)
    app.router.add_post("/api/v1/check", check)
    app.router.add_get("/api/v1/openapi.json", openapi)

    if application is not None and settings.webhook_url:
        secret = settings.webhook_secret.encode()

        async def webhook(request: web.Request) -> web.Response:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
            if not secret or not hmac.compare_digest(given, secret):
                return web.Response(status=403, text="forbidden")
            try:
                update = Update.de_json(await request.json(), application.bot)
            except Exception:  # a malformed body: Telegram never sends one, so it must not be retried
                return web.Response(status=400, text="bad update")
            if update is not None:
                await application.update_queue.put(update)
            return web.Response(text="ok")

        app.router.add_post(webhook_path(settings.webhook_url), webhook)
    return app
