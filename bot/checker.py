"""Where the front ends get their verdicts: in worker processes beside the bot, or in the bot's own process.

A check costs about a millisecond of pure-Python CPU. Run in the bot's process it holds the event loop (and
the GIL) while it runs: every other chat, the webhook and /healthz wait behind it, and the second core of a
two-core machine idles. With ``SAFEJOB_DETECTOR_WORKERS=N`` the checks run in N child processes
(``python -m bot.checker``) and the bot's process only does the talking; on two cores this took replies to
20 users typing at once from p95 59 ms to 40 ms (tests/perf/bench_bot.py).

Each worker reads JSON lines on stdin and answers on stdout, one request at a time and in order, so a model
swap or a newly confirmed scam sent to it applies to every later check. The bot keeps its own detector as
well: admins' commands read it, and it checks messages itself while no worker is up (at start-up, or while a
crashed worker is replaced), so a user always gets an answer.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Mapping

from bot.detector import Detector, EmptyText
from bot.detector.model import LoadedModel, Registry
from bot.process import freeze_startup_objects

__all__ = ["Checker", "WorkerGone"]

log = logging.getLogger("safejob.checker")

_START_TIMEOUT = 120.0  # loading the model takes ~2 s; a busy machine at boot may take much longer
_CHECK_TIMEOUT = 30.0  # far beyond any real check (100,000 characters take well under a second)
_RESTART_PAUSE = 5.0  # between replacements of a crashing worker
_LINE_LIMIT = 1 << 24  # a reply line: a verdict on a 100,000-character text is well under this


class WorkerGone(RuntimeError):
    """The worker process exited, stopped answering or could not start."""


class _Worker:
    """One child process and the requests waiting for its answers."""

    def __init__(self, proc: asyncio.subprocess.Process, version: str) -> None:
        self.proc = proc
        self.version = version  # the model version it loaded at start
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count()
        self.alive = True
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def spawn(cls, models_dir: Path, version: str) -> "_Worker":
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.checker", "--models-dir", str(models_dir), "--version", version,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=_LINE_LIMIT,
        )
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), _START_TIMEOUT)
            ready = json.loads(line).get("ready") if line else False
        except (asyncio.TimeoutError, ValueError, AttributeError):
            ready = False
        except BaseException:  # cancelled (the bot is stopping): leave no process behind
            if proc.returncode is None:
                proc.kill()
            raise
        if not ready:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
            raise WorkerGone(f"detector worker did not start (exit code {proc.returncode})")
        return cls(proc, version)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            while True:
                line = await self.proc.stdout.readline()
                if not line:
                    break
                msg = json.loads(line)
                fut = self.pending.pop(msg.get("id"), None)
                if fut is not None and not fut.done():
                    fut.set_result(msg)
        except (ValueError, asyncio.LimitOverrunError, ConnectionError) as exc:
            log.error("detector worker sent something unreadable (%s); replacing it", type(exc).__name__)
            self.kill()
        finally:
            self.alive = False
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(WorkerGone("detector worker exited"))
            self.pending.clear()

    def post(self, request: Mapping[str, Any]) -> None:
        """Send without waiting for an answer (the worker sends none for a request without an id)."""
        if not self.alive or self.proc.stdin is None:
            raise WorkerGone("detector worker exited")
        # ASCII JSON: a lone surrogate (Telegram passes them on) round-trips as an escape instead of failing.
        self.proc.stdin.write((json.dumps(request) + "\n").encode("ascii"))

    async def call(self, request: Mapping[str, Any], timeout: float = _CHECK_TIMEOUT) -> dict[str, Any]:
        ident = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[ident] = fut
        try:
            self.post({"id": ident, **request})
            assert self.proc.stdin is not None
            await self.proc.stdin.drain()  # instant unless a flood of long texts filled the pipe
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            log.error("detector worker did not answer within %.0f s; replacing it", timeout)
            self.kill()
            raise WorkerGone("detector worker timed out") from None
        except (ConnectionError, BrokenPipeError) as exc:
            raise WorkerGone("detector worker exited") from exc
        finally:
            self.pending.pop(ident, None)

    def kill(self) -> None:
        self.alive = False
        if self.proc.returncode is None:
            self.proc.kill()

    async def close(self) -> None:
        self.alive = False
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()  # end of input: the worker finishes what it has and exits
        try:
            await asyncio.wait_for(self.proc.wait(), 5.0)
        except asyncio.TimeoutError:
            self.kill()
            await self.proc.wait()
        await self._reader


class Checker:
    """Checks messages in worker processes when there are any, else with the bot's own detector."""

    def __init__(self, detector: Detector, workers: int = 0, models_dir: Path | str | None = None) -> None:
        self.detector = detector
        self.wanted = max(0, workers)
        self._models_dir = Path(models_dir) if models_dir else detector.models_dir
        self._workers: list[_Worker] = []
        self._known: list[dict[str, Any]] = []  # confirmed scams added since load, for every new worker
        self._last_spawn = 0.0
        self._starting = 0  # workers being started
        self._spawning: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def live_workers(self) -> int:
        return sum(1 for w in self._workers if w.alive)

    async def start(self) -> None:
        """Start the workers (in parallel); one that cannot start is logged and the bot checks in-process."""
        if self.wanted and self._models_dir is None:
            log.warning("the detector was not loaded from a model registry: checking in this process")
            self.wanted = 0
        results = await asyncio.gather(*(self._spawn() for _ in range(self.wanted)), return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                log.error("%s; checking in the bot's process until a worker is up", r)

    async def _spawn(self) -> None:
        self._last_spawn = time.monotonic()
        self._starting += 1
        try:
            worker = await _Worker.spawn(self._models_dir, self.detector.model_version)  # type: ignore[arg-type]
        finally:
            self._starting -= 1
        if worker.version != self.detector.model_version:  # an admin swapped models while it was loading
            worker.post({"op": "swap", "models_dir": str(self._models_dir), "version": self.detector.model_version})
        for request in self._known:
            worker.post(request)
        if self._closed:
            await worker.close()
            return
        self._workers.append(worker)

    def _replace_dead(self) -> None:
        self._workers = [w for w in self._workers if w.alive]
        if (self._closed or len(self._workers) + self._starting >= self.wanted
                or time.monotonic() - self._last_spawn < _RESTART_PAUSE):
            return

        async def replace() -> None:
            try:
                await self._spawn()
                log.info("detector worker replaced")
            except Exception as exc:  # cannot start one now: the bot goes on checking in-process
                log.error("could not replace the detector worker: %s", exc)

        self._spawning = asyncio.get_running_loop().create_task(replace())

    def _pick(self) -> _Worker | None:
        live = [w for w in self._workers if w.alive]
        if len(live) < self.wanted:
            self._replace_dead()
        return min(live, key=lambda w: len(w.pending)) if live else None

    async def check(self, text: str, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The Verdict JSON of ``text``; raises ``EmptyText`` as ``Detector.check`` does."""
        worker = self._pick()
        if worker is not None:
            try:
                reply = await worker.call({"op": "check", "text": text, "context": dict(context) if context else None})
            except WorkerGone:
                self._replace_dead()
            else:
                if "verdict" in reply:
                    return reply["verdict"]
                if reply.get("empty"):
                    raise EmptyText(reply.get("message") or "the message is empty")
                log.error("detector worker failed on a message (%s); checking it here", reply.get("error"))
        return self.detector.check(text, context).to_json()

    def add_known_scam(self, doc_id: str, text: str, source: str = "admin") -> bool:
        """Confirmed scam: known at once here and, in order with later checks, in every worker."""
        added = self.detector.library.add(doc_id, text, source)
        if added:
            request = {"op": "add", "doc_id": doc_id, "text": text, "source": source}
            self._known.append(request)
            for w in self._workers:
                try:
                    w.post(request)
                except WorkerGone:
                    pass
        return added

    async def swap_model(self, model: LoadedModel, models_dir: Path | str) -> None:
        """Serve ``model`` (already loaded and hash-checked from ``models_dir``) here and in every worker."""
        self.detector.swap_model(model)
        self._models_dir = Path(models_dir)
        for w in list(self._workers):
            try:
                reply = await w.call({"op": "swap", "models_dir": str(models_dir), "version": model.version},
                                     timeout=_START_TIMEOUT)
            except WorkerGone:
                continue
            if not reply.get("ok"):
                # It would go on serving the old model: replace it with one that loads the new one.
                log.error("detector worker could not load model %s (%s); replacing it", model.version, reply.get("error"))
                w.kill()
        self._replace_dead()

    async def close(self) -> None:
        self._closed = True
        if self._spawning is not None:
            self._spawning.cancel()
            await asyncio.gather(self._spawning, return_exceptions=True)
        await asyncio.gather(*(w.close() for w in self._workers), return_exceptions=True)
        self._workers.clear()


# --- the worker process ---------------------------------------------------------------------------------

def _serve_requests(detector: Detector, requests: Any, out: Any) -> None:
    for line in requests:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        op = req.get("op")
        try:
            if op == "check":
                reply: dict[str, Any] = {"verdict": detector.check(req["text"], req.get("context")).to_json()}
            elif op == "add":
                reply = {"ok": detector.library.add(req["doc_id"], req["text"], req.get("source", "admin"))}
            elif op == "swap":
                detector.swap_model(Registry(Path(req["models_dir"])).load(req["version"]))
                reply = {"ok": True}
            else:
                reply = {"error": f"unknown op {op!r}"}
        except EmptyText as exc:
            reply = {"empty": True, "message": str(exc)}
        except Exception as exc:  # answer every request: the bot checks it itself when the worker cannot
            logging.getLogger("safejob.checker.worker").exception("request %r failed", op)
            reply = {"error": type(exc).__name__}
        if "id" in req:
            out.write(json.dumps({"id": req["id"], **reply}) + "\n")
            out.flush()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="SafeJob detector worker (started by the bot; JSON lines on stdin/stdout)")
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--version", required=True)
    args = ap.parse_args(argv)
    # Ctrl-C in a terminal and systemd's SIGTERM reach the whole process group, but the bot decides when its
    # worker stops: it closes our stdin after finishing the updates in hand (and if the bot is killed, the
    # pipe closes all the same), so the worker never dies half-way through those checks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # Nothing but answers on this stream (ASCII JSON, whatever the locale).
    protocol = open(sys.stdout.fileno(), "w", encoding="ascii", newline="\n", closefd=False)
    sys.stdout = sys.stderr
    detector = Detector.load(args.models_dir, args.version)
    freeze_startup_objects()
    protocol.write(json.dumps({"ready": True, "version": detector.model_version}) + "\n")
    protocol.flush()
    stdin = open(sys.stdin.fileno(), encoding="ascii", errors="replace", newline="\n", closefd=False)
    _serve_requests(detector, stdin, protocol)


if __name__ == "__main__":
    main()
