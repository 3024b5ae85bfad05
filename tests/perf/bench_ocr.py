"""Benchmark of reading job ads in images: seconds per image and recognised-text accuracy per language.

Run: .venv/bin/python tests/perf/bench_ocr.py [--images-per-lang 3]

Posters 1080 pixels wide (and chat screenshots) are rendered from real-looking ads of the curated corpus
with Noto fonts, light noise on some, then read by bot.ocr.read_image exactly as the bot does. Accuracy is
1 - character error rate (edit distance / length), spaces ignored.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _cer(ref: str, hyp: str) -> float:
    a, b = "".join(ref.split()), "".join(hyp.split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1] / max(1, len(a))


def main() -> None:
    from bot.ocr import read_image
    from render_ads import render

    ap = argparse.ArgumentParser()
    ap.add_argument("--images-per-lang", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(11)
    report: dict[str, dict] = {}
    all_times: list[float] = []
    for f in sorted((ROOT / "training" / "corpus").glob("*.jsonl")):
        lang = f.stem
        rows = [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
        rows = [r for r in rows if 120 <= len(r["text"]) <= 450]
        picks = rng.sample(rows, k=min(args.images_per_lang, len(rows)))
        times, accs = [], []
        for i, r in enumerate(picks):
            style = "poster" if i % 2 == 0 else "screenshot"
            png = render(r["text"], lang, width=1080, style=style, noise=0.01 if i % 3 == 2 else 0.0, seed=i)
            t0 = time.perf_counter()
            out = read_image(png, lang)
            times.append(time.perf_counter() - t0)
            accs.append(max(0.0, 1 - _cer(r["text"], out.text)))
        all_times += times
        report[lang] = {"images": len(picks), "seconds_per_image": round(statistics.mean(times), 2),
                        "max_seconds": round(max(times), 2), "text_accuracy": round(statistics.mean(accs), 3)}
    print(json.dumps({"per_language": report, "overall_seconds_per_image": round(statistics.mean(all_times), 2),
                      "p95_seconds": round(sorted(all_times)[int(len(all_times) * 0.95)], 2)}, indent=2))


if __name__ == "__main__":
    main()
