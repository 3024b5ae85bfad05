"""Runs the real bot (``bot.runner.serve``) against the fake Bot API, with a real SQLite store."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.detector import Detector
from bot.runner import serve
from bot.services import build_services
from bot.settings import Settings
from fake_telegram import Call, FakeTelegram

TOKEN = "123456789:AAH" + "x" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Harness:
    def __init__(self, data_dir: Path, detector: Detector, **settings: Any) -> None:
        self.fake = FakeTelegram(TOKEN)
        self.data_dir = data_dir
        self.detector = detector
        self.overrides = settings
        self.settings: Settings | None = None
        self.services = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task | None = None

    async def start(self, **overrides: Any) -> "Harness":
        if not self.fake.port:
            await self.fake.start()
        base = Settings(token=TOKEN, api_base=self.fake.api_base, file_base=self.fake.api_base.replace("/bot", "/file/bot"),
                        data_dir=self.data_dir, http_host="127.0.0.1", http_port=free_port())
        self.settings = replace(base, **{**self.overrides, **overrides})
        self.services = build_services(self.settings, detector=self.detector)
        self._stop = asyncio.Event()
        ready = asyncio.Event()
        self._task = asyncio.create_task(serve(self.settings, self.services, self._stop, ready, send_rate=10_000,
                                               connect_timeout=2.0, read_timeout=3.0, write_timeout=3.0))
        done, _ = await asyncio.wait({self._task, asyncio.create_task(ready.wait())}, timeout=30,
                                     return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            self._task.result()  # raises what went wrong at start-up
        assert ready.is_set(), "bot did not start"
        return self

    async def stop(self) -> None:
        if self._stop is not None and self._task is not None:
            self._stop.set()
            await asyncio.wait_for(self._task, timeout=30)
            self._task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def close(self) -> None:
        await self.stop()
        await self.fake.stop()

    async def send(self, update: dict[str, Any], expect: int = 1, method: str = "sendMessage",
                   chat_id: int | None = None, timeout: float = 15.0) -> list[Call]:
        """Push an update and wait for ``expect`` new calls of ``method`` (to ``chat_id`` if given)."""
        before = len(self.fake.sent(method, chat_id))
        self.fake.push(update)
        if expect == 0:
            await asyncio.sleep(0.6)
            return self.fake.sent(method, chat_id)[before:]
        await self.fake.wait_for(lambda calls: len(self.fake.sent(method, chat_id)) >= before + expect, timeout)
        return self.fake.sent(method, chat_id)[before:]
