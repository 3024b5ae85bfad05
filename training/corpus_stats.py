"""Counts of the curated corpus by language, label and kind, as the markdown kept in training/corpus/README.md.

Run: .venv/bin/python -m training.corpus_stats
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from training.datasets import CORPUS_DIR


def stats(corpus_dir: Path = CORPUS_DIR) -> str:
    by_lang: Counter[tuple[str, str]] = Counter()
    by_kind: Counter[tuple[str, str]] = Counter()
    lengths: Counter[tuple[str, str]] = Counter()
    for f in sorted(corpus_dir.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            by_lang[(r["lang"], r["label"])] += 1
            by_kind[(r["kind"], r["label"])] += 1
            n = len(r["text"])
            lengths[(r["lang"], "short" if n < 250 else "medium" if n < 700 else "long")] += 1
    langs = sorted({lang for lang, _ in by_lang})
    out = ["| lang | scam | legit | short (<250 chars) | medium | long (700+) |", "|---|---|---|---|---|---|"]
    for lang in langs:
        out.append(f"| {lang} | {by_lang[(lang, 'scam')]} | {by_lang[(lang, 'legit')]} | {lengths[(lang, 'short')]} | "
                   f"{lengths[(lang, 'medium')]} | {lengths[(lang, 'long')]} |")
    total_s = sum(v for (_, lab), v in by_lang.items() if lab == "scam")
    total_l = sum(v for (_, lab), v in by_lang.items() if lab == "legit")
    out.append(f"| **all** | {total_s} | {total_l} | | | |")
    out += ["", "| kind | label | count |", "|---|---|---|"]
    for (kind, label), n in sorted(by_kind.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        out.append(f"| {kind} | {label} | {n} |")
    return "\n".join(out)


if __name__ == "__main__":
    print(stats())
