"""Benchmark of the bot through the fake Bot API: updates/second and reply latency.

Run: .venv/bin/python tests/perf/bench_bot.py [--burst 2000] [--users 20] [--per-user 25]

1. A burst of --burst private messages (real texts) pushed at once: updates/second until every reply
   has reached the fake API.
2. --users users each sending --per-user messages, one after another (each waits for its reply), all at
   the same time: p50/p95 reply latency as a user feels it.
Telegram's own limit of about 30 messages a second is switched off here (send_rate), so the figure is
what the bot itself can process; in production the pacing limiter spreads replies out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "perf"))


async def main_async(args: argparse.Namespace) -> dict:
    from bench_detector import sample_messages
    from bot.detector import Detector
    from bot_harness import Harness
    from fake_telegram import message

    texts = sample_messages(max(args.burst, args.users * args.per_user), 1000)
    h = await Harness(Path(tempfile.mkdtemp()), Detector.load(), rate_limit_per_minute=10**6).start()
    try:
        # 1. burst
        n0 = len(h.fake.sent())
        t0 = time.perf_counter()
        for i in range(args.burst):
            h.fake.push(message(10_000 + i % 500, texts[i]))
        await h.fake.wait_for(lambda c: len(h.fake.sent()) >= n0 + args.burst, timeout=600)
        burst_s = time.perf_counter() - t0

        # 2. concurrent users, each waiting for its reply before sending the next message
        lat: list[float] = []

        async def user(uid: int) -> None:
            for k in range(args.per_user):
                before = len(h.fake.sent("sendMessage", uid))
                t = time.perf_counter()
                h.fake.push(message(uid, texts[(uid * 31 + k) % len(texts)]))
                while len(h.fake.sent("sendMessage", uid)) <= before:
                    await asyncio.sleep(0.001)
                lat.append(time.perf_counter() - t)

        await asyncio.gather(*(user(50_000 + u) for u in range(args.users)))
    finally:
        await h.close()
    lat_ms = sorted(x * 1000 for x in lat)
    return {
        "burst_messages": args.burst, "burst_seconds": round(burst_s, 2),
        "updates_per_second": round(args.burst / burst_s, 1),
        "concurrent_users": args.users, "messages_per_user": args.per_user,
        "reply_latency_ms": {"p50": round(lat_ms[len(lat_ms) // 2], 1), "p95": round(lat_ms[int(len(lat_ms) * 0.95)], 1),
                             "max": round(lat_ms[-1], 1)},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--burst", type=int, default=2000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--per-user", type=int, default=25)
    print(json.dumps(asyncio.run(main_async(ap.parse_args())), indent=2))


if __name__ == "__main__":
    main()
