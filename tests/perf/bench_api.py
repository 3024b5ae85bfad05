"""Benchmark of POST /api/v1/check: requests/second and latency from a load generator on loopback.

Run: .venv/bin/python tests/perf/bench_api.py [--requests 5000] [--concurrency 32] [--chars 500] [--workers N]

The server runs in this process with its detector worker processes (--workers, default as `safejob run`
on this machine: 1 on 2+ cores; 0 checks in the server's process); the load generator runs in another
process. Texts are real messages from ../shared/data and the corpus, cut or padded to --chars characters.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "perf"))


def _texts(n: int, chars: int) -> list[str]:
    from bench_detector import sample_messages

    out = []
    for t in sample_messages(n, 10_000):
        while len(t) < chars:
            t = t + " " + t
        out.append(t[:chars])
    return out


def _load(port: int, texts: list[str], concurrency: int, q: "mp.Queue[object]") -> None:
    import aiohttp

    async def run() -> None:
        lat: list[float] = []
        statuses: dict[int, int] = {}
        queue: asyncio.Queue[str] = asyncio.Queue()
        for t in texts:
            queue.put_nowait(t)
        conn = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=conn) as s:
            async def worker() -> None:
                while not queue.empty():
                    t = queue.get_nowait()
                    t0 = time.perf_counter()
                    async with s.post(f"http://127.0.0.1:{port}/api/v1/check", json={"text": t},
                                      headers={"Authorization": "Bearer bench"}) as r:
                        await r.read()
                        statuses[r.status] = statuses.get(r.status, 0) + 1
                    lat.append(time.perf_counter() - t0)
            t_start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            q.put({"seconds": time.perf_counter() - t_start, "latencies": lat, "statuses": statuses})

    asyncio.run(run())


async def serve(port: int, ready: asyncio.Event, stop: asyncio.Event, workers: int) -> None:
    from aiohttp import web

    from bot.services import build_services
    from bot.settings import Settings
    from bot.web.server import make_web_app

    settings = Settings(data_dir=Path(tempfile.mkdtemp()), http_host="127.0.0.1", http_port=port,
                        api_keys=frozenset({"bench"}), api_rate_per_second=1e9, detector_workers=workers)
    services = build_services(settings)
    await services.checker.start()
    runner = web.AppRunner(make_web_app(services, None), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    ready.set()
    await stop.wait()
    await runner.cleanup()
    await services.checker.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--chars", type=int, default=500)
    ap.add_argument("--workers", type=int, default=None,
                    help="detector worker processes (default: as SAFEJOB_DETECTOR_WORKERS unset: 1 on 2+ cores)")
    args = ap.parse_args()
    from bot.settings import default_detector_workers

    workers = default_detector_workers() if args.workers is None else args.workers
    texts = _texts(args.requests, args.chars)
    import socket

    with socket.socket() as s_:
        s_.bind(("127.0.0.1", 0))
        port = s_.getsockname()[1]

    async def run() -> dict:
        ready, stop = asyncio.Event(), asyncio.Event()
        server = asyncio.create_task(serve(port, ready, stop, workers))
        await ready.wait()
        q: "mp.Queue[object]" = mp.Queue()
        p = mp.Process(target=_load, args=(port, texts, args.concurrency, q))
        p.start()
        while q.empty():
            await asyncio.sleep(0.05)
        result = q.get()
        p.join()
        stop.set()
        await server
        return result  # type: ignore[return-value]

    r = asyncio.run(run())
    lat = sorted(x * 1000 for x in r["latencies"])
    print(json.dumps({
        "requests": len(lat), "chars_per_text": args.chars, "concurrency": args.concurrency,
        "requests_per_second": round(len(lat) / r["seconds"], 1),
        "latency_ms": {"p50": round(lat[len(lat) // 2], 2), "p95": round(lat[int(len(lat) * 0.95)], 2),
                       "p99": round(lat[int(len(lat) * 0.99)], 2), "mean": round(statistics.mean(lat), 2)},
        "statuses": r["statuses"],
    }, indent=2))


if __name__ == "__main__":
    main()
