"""``safejob run``: the bot (polling, or webhook when TELEGRAM_WEBHOOK_URL is set) and the HTTP server.

The life cycle is managed by hand rather than by ``run_polling`` so the aiohttp server shares the event
loop, start-up survives a Telegram outage (getMe is retried with backoff instead of exiting), and SIGTERM
stops taking updates, lets the ones in hand finish, then closes the store.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
import signal
import sys
from dataclasses import replace

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.process import freeze_startup_objects
from bot.services import Services, build_services
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.web.server import make_web_app

__all__ = ["serve", "main_run", "NO_TOKEN_MESSAGE"]

log = logging.getLogger("safejob.run")

NO_TOKEN_MESSAGE = (
    "TELEGRAM_BOT_TOKEN is not set.\n"
    "Get a token: open Telegram, talk to @BotFather, send /newbot and follow the steps; it replies with a token\n"
    "like 123456789:AA... Then run:  TELEGRAM_BOT_TOKEN=<your token> safejob run\n"
    "(or put TELEGRAM_BOT_TOKEN=<your token> in a .env file here; see deploy/.env.example)."
)


async def _initialize_with_retries(app, stop: asyncio.Event, max_delay: float = 30.0) -> bool:
    delay = 1.0
    while not stop.is_set():
        try:
            await app.initialize()
            return True
        except InvalidToken:
            raise
        except (NetworkError, TimedOut) as exc:
            log.warning("Telegram not reachable at start-up (%s); retrying in %.0fs", type(exc).__name__, delay)
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass
            delay = min(delay * 2, max_delay)
    return False


async def _purge_reports_daily(services: Services, stop: asyncio.Event) -> None:
    """Families' reports are kept SAFEJOB_REPORT_RETENTION_DAYS, then deleted (checked at start and daily)."""
    while not stop.is_set():
        gone = services.store.purge_reports(services.settings.report_retention_days)
        if gone:
            log.info("deleted %d reports past the retention period", gone)
        try:
            await asyncio.wait_for(stop.wait(), timeout=86400)
        except asyncio.TimeoutError:
            pass


async def serve(settings: Settings, services: Services | None = None, stop: asyncio.Event | None = None,
                ready: asyncio.Event | None = None, send_rate: float | None = None, **request_kwargs: float) -> None:
    stop = stop or asyncio.Event()
    if settings.webhook_url and not settings.webhook_secret:
        # Without a secret anyone could post fake updates to the webhook: make one for this run.
        settings = replace(settings, webhook_secret=secrets.token_urlsafe(32))
        log.info("TELEGRAM_WEBHOOK_SECRET not set: using a random secret for this run")
    services = services or build_services(settings)
    services.settings = settings
    app = build_application(services, send_rate=send_rate, **request_kwargs)
    freeze_startup_objects()
    web_runner = web.AppRunner(make_web_app(services, app))
    await web_runner.setup()
    site = web.TCPSite(web_runner, settings.http_host, settings.http_port)
    await site.start()
    log.info("HTTP server on %s:%s", settings.http_host, settings.http_port)
    started = False
    # Detector workers load the model while the bot connects; until they are up the bot checks itself.
    workers = asyncio.create_task(services.checker.start())
    try:
        if not await _initialize_with_retries(app, stop):
            return
        await app.start()
        started = True
        if settings.webhook_url:
            await app.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret or None,
                                      allowed_updates=Update.ALL_TYPES)
            log.info("webhook mode")
        else:
            await app.updater.start_polling(bootstrap_retries=-1, allowed_updates=Update.ALL_TYPES)  # type: ignore[union-attr]
            log.info("polling mode")
        purger = asyncio.create_task(_purge_reports_daily(services, stop))
        from bot.telegram.admin import resume_broadcasts

        await resume_broadcasts(app)
        await workers
        if ready is not None:
            ready.set()
        await stop.wait()
        purger.cancel()
        log.info("stopping: no new updates; finishing the ones in hand")
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        tasks = list(app.bot_data.get("broadcast_tasks", {}).values())
        for task in tasks:
            task.cancel()  # resumed at the next start; a claimed delivery is never sent twice
        await asyncio.gather(*tasks, return_exceptions=True)
        proc = app.bot_data.get("retrain_proc")
        if proc is not None and proc.returncode is None:
            proc.terminate()  # a killed retraining leaves the current model serving
        if started:
            await app.stop()
        if app._initialized:  # noqa: SLF001 - PTB has no public flag
            await app.shutdown()
        await web_runner.cleanup()
        workers.cancel()
        await asyncio.gather(workers, return_exceptions=True)
        await services.checker.close()
        services.close()
        gc.unfreeze()  # back to normal collection (matters when serve() runs again in the same process)
        log.info("stopped")


def main_run() -> int:
    from bot.logging_setup import setup_logging
    from bot.settings import load_dotenv

    load_dotenv()
    setup_logging()
    settings = Settings.from_env()
    if not settings.token:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return 2

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop=stop)

    from bot.detector.model import ModelError
    from bot.store import StoreError

    try:
        asyncio.run(_main())
    except InvalidToken:
        print("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/mybots -> API Token).", file=sys.stderr)
        return 2
    except ModelError as exc:
        print(f"safejob: cannot start: the model cannot be used: {exc}", file=sys.stderr)
        return 3
    except StoreError as exc:
        print(f"safejob: cannot start: the database cannot be used: {exc}", file=sys.stderr)
        return 3
    except OSError as exc:
        print(f"safejob: cannot start: {exc}", file=sys.stderr)
        return 3
    return 0
