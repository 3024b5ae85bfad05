"""A fake Telegram Bot API server (aiohttp, 127.0.0.1) that the real bot talks to over HTTP.

It records every request, hands out updates through getUpdates (or posts them to a webhook), and injects
faults on demand: 429 with retry_after, 500, slow answers and dropped connections.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "SafeJob", "username": "safejob_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": True, "supports_inline_queries": True}
_JSON_KEYS = {"chat_id", "reply_markup", "reply_parameters", "results", "allowed_updates", "offset", "timeout",
              "limit", "user_id", "message_id", "link_preview_options", "show_alert", "cache_time", "is_personal",
              "entities", "disable_web_page_preview", "drop_pending_updates", "max_connections", "button"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    files: dict[str, bytes] = field(default_factory=dict)


class FakeTelegram:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._counts: dict[tuple[str, Any], int] = {}
        self._count_waiters: dict[tuple[tuple[str, Any], int], list[asyncio.Future[None]]] = {}
        self.faults: dict[str, list[tuple[str, float]]] = {}
        self.chat_admins: dict[int, set[int]] = {}
        self.files: dict[str, bytes] = {}  # file_id -> content served at the file URL
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.port = 0
        self._runner: web.AppRunner | None = None

    # --- server ---------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=20 << 20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.api_base

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- faults ---------------------------------------------------------------------------------
    def fail(self, method: str, kind: str, times: int = 1, value: float = 1.0) -> None:
        """Make the next ``times`` calls of ``method`` fail: "429" (retry_after=value), "500", "slow"
        (answer after ``value`` seconds), or "drop" (close the connection without an answer)."""
        self.faults.setdefault(method, []).extend([(kind, value)] * times)

    # --- updates --------------------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        chat_id = call.params.get("chat_id")
        for key in ((call.method, None), (call.method, chat_id)):
            n = self._counts[key] = self._counts.get(key, 0) + 1
            for waiter in self._count_waiters.pop((key, n), []):
                if not waiter.done():
                    waiter.set_result(None)
        self._new_call.set()

    def count(self, method: str = "sendMessage", chat_id: int | None = None) -> int:
        """How many ``method`` calls (for ``chat_id``) so far: O(1), for benchmarks with thousands of calls."""
        return self._counts.get((method, chat_id), 0)

    async def wait_count(self, n: int, method: str = "sendMessage", chat_id: int | None = None,
                         timeout: float = 10.0) -> None:
        """Wait until ``count(method, chat_id)`` reaches ``n``, woken only by that chat's calls."""
        if self.count(method, chat_id) >= n:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._count_waiters.setdefault(((method, chat_id), n), []).append(waiter)
        await asyncio.wait_for(waiter, timeout)

    async def wait_for(self, predicate, timeout: float = 10.0) -> list[Call]:
        """Wait until ``predicate(calls)`` is true; returns the calls."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate(self.calls):
                return self.calls
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; last calls: {[(c.method, c.params.get('text', '')[:60]) for c in self.calls[-8:]]}")
            self._new_call.clear()
            try:
                await asyncio.wait_for(self._new_call.wait(), timeout=min(remaining, 0.2))
            except asyncio.TimeoutError:
                pass

    # --- handlers -------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:
                    files[part.name] = await part.read()
                else:
                    params[part.name] = (await part.read()).decode("utf-8")
        else:
            params.update(await request.post())
        for k, v in list(params.items()):
            if k in _JSON_KEYS and isinstance(v, str):
                try:
                    params[k] = json.loads(v)
                except json.JSONDecodeError:
                    pass
        return params, files

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params, files = await self._params(request)
        queue = self.faults.get(method)
        if queue:
            kind, value = queue.pop(0)
            self._record(Call(f"{method}!{kind}", params, files=files))
            if kind == "429":
                return web.json_response({"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {int(value)}",
                                          "parameters": {"retry_after": int(value)}}, status=429)
            if kind == "500":
                return web.json_response({"ok": False, "error_code": 500, "description": "Internal Server Error"}, status=500)
            if kind == "drop":
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
            if kind == "slow":
                await asyncio.sleep(value)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        self._record(Call(method, params, files=files))
        return web.json_response({"ok": True, "result": self._result(method, params)})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=min(float(params.get("timeout") or 0), 0.5))
            except asyncio.TimeoutError:
                pass
        return self._updates[:100]

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1].split(".")[0]
        self._record(Call("download", {"file_id": file_id}))
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    def _message(self, chat_id: Any, extra: dict[str, Any]) -> dict[str, Any]:
        chat_type = "private" if isinstance(chat_id, int) and chat_id > 0 else "supergroup"
        return {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                "chat": {"id": chat_id, "type": chat_type}, **extra}

    def _result(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            return self._message(p.get("chat_id"), {"text": p.get("text", "")})
        if method == "sendDocument":
            return self._message(p.get("chat_id"), {"document": {"file_id": "doc1", "file_unique_id": "d1"}})
        if method == "sendPhoto":
            return self._message(p.get("chat_id"), {"photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 1,
                                                                "height": 1}]})
        if method == "getChatMember":
            admins = self.chat_admins.get(int(p["chat_id"]), set())
            user = {"id": int(p["user_id"]), "is_bot": False, "first_name": "U"}
            if int(p["user_id"]) in admins:
                return {"status": "administrator", "user": user, "can_be_edited": False, "is_anonymous": False,
                        "can_manage_chat": True, "can_delete_messages": True, "can_manage_video_chats": True,
                        "can_restrict_members": True, "can_promote_members": False, "can_change_info": True,
                        "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
                        "can_delete_stories": False}
            return {"status": "member", "user": user}
        if method == "getFile":
            fid = p.get("file_id")
            return {"file_id": fid, "file_unique_id": f"u{fid}", "file_size": len(self.files.get(fid, b"")),
                    "file_path": f"photos/{fid}.png"}
        if method == "setWebhook":
            self.webhook_url = p.get("url")
            self.webhook_secret = p.get("secret_token")
            return True
        return True


# --- update builders ------------------------------------------------------------------------------

_msg_ids = itertools.count(1)


def user(uid: int, lang: str = "en", username: str | None = None) -> dict[str, Any]:
    u = {"id": uid, "is_bot": False, "first_name": f"User{uid}", "language_code": lang}
    if username:
        u["username"] = username
    return u


def message(uid: int, text: str | None = None, lang: str = "en", chat_id: int | None = None, chat_type: str = "private",
            **extra: Any) -> dict[str, Any]:
    chat_id = chat_id if chat_id is not None else uid
    chat = {"id": chat_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = "Jobs group"
    m: dict[str, Any] = {"message_id": next(_msg_ids), "date": int(time.time()), "chat": chat, "from": user(uid, lang)}
    if text is not None:
        m["text"] = text
        if text.startswith("/"):
            m["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    m.update(extra)
    return {"message": m}


def callback(uid: int, data: str, lang: str = "en", chat_id: int | None = None, chat_type: str = "private",
             message_id: int = 1) -> dict[str, Any]:
    chat_id = chat_id if chat_id is not None else uid
    return {"callback_query": {"id": str(next(_msg_ids)), "from": user(uid, lang), "chat_instance": "ci",
                               "data": data, "message": {"message_id": message_id, "date": int(time.time()),
                                                         "chat": {"id": chat_id, "type": chat_type}, "text": "…",
                                                         "from": BOT_USER}}}


def inline(uid: int, query: str, lang: str = "en") -> dict[str, Any]:
    return {"inline_query": {"id": str(next(_msg_ids)), "from": user(uid, lang), "query": query, "offset": ""}}
