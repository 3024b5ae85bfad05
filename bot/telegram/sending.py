"""Sending that survives Telegram's faults, and a per-user limit on checks.

PTB raises ``RetryAfter`` on a 429 and nothing retries it by itself; a 5xx or a timeout raises
``NetworkError``/``TimedOut``. Every Bot API request goes through ``ResilientLimiter``: it paces sends
under Telegram's limits (AIORateLimiter), waits ``retry_after`` on a 429, and retries network faults and
5xx with exponential backoff. ``BadRequest`` and ``Forbidden`` are the caller's problem and never retried.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

__all__ = ["ResilientLimiter", "UserRateLimiter"]

log = logging.getLogger(__name__)
# AIORateLimiter logs every 429 as an error when it does not retry itself; this class retries it, so
# that record would only mislead whoever reads the logs.
logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)


class ResilientLimiter(AIORateLimiter):
    def __init__(self, overall_max_rate: float = 30, group_max_rate: float = 20, retries: int = 5,
                 base_delay: float = 0.5, max_delay: float = 10.0, max_retry_after: float = 120.0,
                 metrics: Any = None) -> None:
        super().__init__(overall_max_rate=overall_max_rate, group_max_rate=group_max_rate, max_retries=0)
        self.metrics = metrics
        self.retries = retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self.stats: dict[str, int] = {"retry_after": 0, "network_retries": 0, "failed": 0}

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        delay = self.base_delay
        for attempt in range(self.retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except RetryAfter as exc:
                self._count(endpoint, "retry_after")
                wait = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else float(exc.retry_after)
                if attempt >= self.retries or wait > self.max_retry_after:
                    raise
                self.stats["retry_after"] += 1
                log.info("Telegram asked to wait %.1fs before %s", wait, endpoint)
                await asyncio.sleep(wait + 0.05)
            except BadRequest:
                raise
            except (TimedOut, NetworkError) as exc:
                self._count(endpoint, type(exc).__name__)
                if endpoint == "getUpdates" or attempt >= self.retries:
                    self.stats["failed"] += 1
                    raise
                self.stats["network_retries"] += 1
                log.info("%s failed (%s); retrying in %.1fs", endpoint, type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_delay)
        raise AssertionError("unreachable")

    def _count(self, endpoint: str, kind: str) -> None:
        if self.metrics is not None:
            self.metrics.inc("safejob_telegram_api_errors_total", "Bot API calls that failed (and were retried or not)",
                             method=endpoint, kind=kind)


class UserRateLimiter:
    """At most ``limit`` checks per user in a sliding ``window`` of seconds."""

    def __init__(self, limit: int = 20, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        q = self._hits.setdefault(user_id, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        if len(q) >= self.limit:
            return False
        q.append(now)
        if len(self._hits) > 100_000:  # forget idle users so memory stays bounded
            for uid in [u for u, d in self._hits.items() if not d or now - d[-1] > self.window][:50_000]:
                self._hits.pop(uid, None)
        return True

    def should_warn(self, user_id: int, now: float | None = None) -> bool:
        """Tell a limited user once per window, not once per dropped message."""
        now = time.monotonic() if now is None else now
        if now - self._warned.get(user_id, -1e9) > self.window:
            self._warned[user_id] = now
            return True
        return False
