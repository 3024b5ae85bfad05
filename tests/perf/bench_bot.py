"""Benchmark of the bot through the fake Bot API: updates/second and reply latency.

Run: .venv/bin/python tests/perf/bench_bot.py [--burst 2000] [--users 20] [--per-user 25] [--workers N]

The fake Bot API runs in its own process (it stands in for Telegram's servers, which do not share the
bot's CPU); the bot runs here, on its own core, against it over HTTP on loopback.
1. A burst of --burst private messages (real texts) queued at once: updates/second until every reply has
   reached the fake API.
2. --users users each sending --per-user messages, each sending the next one as soon as the reply to the
   previous arrives (the fake does this itself, timing each reply): p50/p95 reply latency.
Telegram's own limit of about 30 messages a second is switched off here (send_rate), so the figure is
what the bot itself can process; in production the pacing limiter spreads replies out.
--workers sets the detector worker processes (default: what `safejob run` would use on this machine).
Also printed: the CPU each update costs the bot's process and, during the burst, the fake API's process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "perf"))


def _fake_process(token: str, texts: list[str], args: dict, conn) -> None:
    from fake_telegram import FakeTelegram, message

    async def run() -> None:
        fake = FakeTelegram(token)
        await fake.start()
        conn.send(fake.api_base)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # the bot is up
        # 1. burst
        n0 = fake.count("sendMessage")
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        for i in range(args["burst"]):
            fake.push(message(10_000 + i % 500, texts[i % len(texts)]))
        await fake.wait_count(n0 + args["burst"], "sendMessage", timeout=900)
        burst_s = time.perf_counter() - t0
        fake_cpu_s = time.process_time() - cpu0
        # 2. concurrent users, each sending the next message when the previous reply arrives
        lat: list[float] = []

        async def user(uid: int) -> None:
            for k in range(args["per_user"]):
                before = fake.count("sendMessage", uid)
                t = time.perf_counter()
                fake.push(message(uid, texts[(uid * 31 + k) % len(texts)]))
                await fake.wait_count(before + 1, "sendMessage", uid, timeout=120)
                lat.append(time.perf_counter() - t)

        await asyncio.gather(*(user(50_000 + u) for u in range(args["users"])))
        conn.send({"burst_s": burst_s, "fake_cpu_s": fake_cpu_s, "lat": lat})
        await loop.run_in_executor(None, conn.recv)
        await fake.stop()

    asyncio.run(run())


async def main_async(args: argparse.Namespace) -> dict:
    from bench_detector import sample_messages
    from bot.detector import Detector
    from bot.runner import serve
    from bot.services import build_services
    from bot.settings import Settings
    from bot_harness import TOKEN, free_port

    texts = sample_messages(max(args.burst, args.users * args.per_user), 1000)
    parent, child = mp.Pipe()
    proc = mp.Process(target=_fake_process, args=(TOKEN, texts, vars(args), child))
    proc.start()
    api_base = parent.recv()
    settings = Settings(token=TOKEN, api_base=api_base, file_base=api_base.replace("/bot", "/file/bot"),
                        data_dir=Path(tempfile.mkdtemp()), http_host="127.0.0.1", http_port=free_port(),
                        rate_limit_per_minute=10**6, detector_workers=args.workers)
    services = build_services(settings, detector=Detector.load())
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, services, stop, ready, send_rate=10_000))
    await ready.wait()
    parent.send("go")
    loop = asyncio.get_running_loop()
    cpu0 = time.process_time()
    result = await loop.run_in_executor(None, parent.recv)
    bot_cpu_s = time.process_time() - cpu0
    stop.set()  # the bot first, so that it does not see its Bot API vanish
    await task
    parent.send("done")
    proc.join()
    lat_ms = sorted(x * 1000 for x in result["lat"])
    return {
        "burst_messages": args.burst, "burst_seconds": round(result["burst_s"], 2),
        "updates_per_second": round(args.burst / result["burst_s"], 1),
        # CPU per update, burst and concurrent users together (bot) and during the burst (fake Bot API)
        "bot_cpu_ms_per_update": round(bot_cpu_s * 1000 / (args.burst + args.users * args.per_user), 2),
        "fake_api_cpu_ms_per_update": round(result["fake_cpu_s"] * 1000 / args.burst, 2),
        "detector_workers": args.workers,
        "concurrent_users": args.users, "messages_per_user": args.per_user,
        "reply_latency_ms": {"p50": round(lat_ms[len(lat_ms) // 2], 1), "p95": round(lat_ms[int(len(lat_ms) * 0.95)], 1),
                             "max": round(lat_ms[-1], 1)},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--burst", type=int, default=2000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--per-user", type=int, default=25)
    ap.add_argument("--workers", type=int, default=None,
                    help="detector worker processes (default: as SAFEJOB_DETECTOR_WORKERS unset: 1 on 2+ cores)")
    args = ap.parse_args()
    if args.workers is None:
        from bot.settings import default_detector_workers

        args.workers = default_detector_workers()
    print(json.dumps(asyncio.run(main_async(args)), indent=2))


if __name__ == "__main__":
    main()
