"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

Measured on the 2-core machine against the fake Bot API (tests/perf/bench_bot.py), httpx spent 1.2 ms of CPU
per request with 8 pooled connections and 2.8 ms with 32 (its connection pool scans every connection for
every request); aiohttp spends about 0.2 ms. A reply is one request, so this is most of what a chat update
costs beyond the detector. aiohttp is already the HTTP server of ``bot/web``; this module only adapts its
client to PTB's ``BaseRequest`` contract (status code and body back; timeouts and network failures as
PTB's ``TimedOut`` and ``NetworkError``, which the send limiter retries).
"""

from __future__ import annotations

import asyncio

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded pool of keep-alive connections to the Bot API.

    Timeouts follow ``HTTPXRequest``'s meaning: ``connect_timeout`` to open a connection, ``pool_timeout``
    to wait for a free one, ``read_timeout`` for the answer; ``write_timeout`` (``media_write_timeout``
    for uploads) bounds the whole exchange, as aiohttp has no separate write timeout.
    """

    def __init__(self, connection_pool_size: int = 8, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else self._write_timeout

        body: aiohttp.FormData | dict[str, str] | None = fields or None
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        waits = [t for t in (connect_timeout, pool_timeout, write_timeout, read_timeout) if t is not None]
        timeout = aiohttp.ClientTimeout(
            # Waiting for a pooled connection counts against the connect timeout in aiohttp.
            connect=None if connect_timeout is None else connect_timeout + (pool_timeout or 0.0),
            sock_connect=connect_timeout,
            sock_read=read_timeout,
            # The whole exchange may take every phase's time, but not more.
            total=sum(waits) if len(waits) == 4 else None,
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
