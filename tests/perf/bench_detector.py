"""Benchmark of the detector: messages/second, latency percentiles, model load time, peak memory.

Run: .venv/bin/python tests/perf/bench_detector.py [--n 3000] [--max-chars 1000]

Uses a mixed set of real messages (every open set in ../shared/data plus the curated corpus), cut to at
most --max-chars characters, checked one at a time on one core, as the bot and the API check them.
Not a test: figures vary with the machine; they go into the issue note.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def sample_messages(n: int, max_chars: int, seed: int = 7) -> list[str]:
    from training.datasets import CORPUS_DIR, default_shared_data

    texts: list[str] = []
    files = sorted(default_shared_data().glob("*.jsonl")) + sorted(CORPUS_DIR.glob("*.jsonl"))
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                t = json.loads(line).get("text") or ""
                if t.strip():
                    texts.append(t[:max_chars])
    rng = random.Random(seed)
    rng.shuffle(texts)
    return texts[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--max-chars", type=int, default=1000)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from bot.detector import Detector

    detector = Detector.load()
    load_s = time.perf_counter() - t0
    msgs = sample_messages(args.n, args.max_chars)
    for m in msgs[:50]:  # warm caches the way a running bot has them warm
        detector.check(m)
    lat: list[float] = []
    t_all = time.perf_counter()
    for m in msgs:
        t = time.perf_counter()
        detector.check(m)
        lat.append(time.perf_counter() - t)
    total = time.perf_counter() - t_all
    lat_ms = sorted(x * 1000 for x in lat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    q = lambda p: lat_ms[min(len(lat_ms) - 1, int(p * len(lat_ms)))]  # noqa: E731
    print(json.dumps({
        "messages": len(msgs),
        "mean_chars": round(statistics.mean(len(m) for m in msgs), 1),
        "messages_per_second": round(len(msgs) / total, 1),
        "latency_ms": {"p50": round(q(0.50), 3), "p95": round(q(0.95), 3), "p99": round(q(0.99), 3),
                       "max": round(lat_ms[-1], 3)},
        "model_load_seconds": round(load_s, 3),
        "peak_memory_mb": round(peak_mb, 1),
        "model_version": detector.model_version,
    }, indent=2))


if __name__ == "__main__":
    main()
