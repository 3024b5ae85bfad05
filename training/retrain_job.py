"""A retraining run as a separate process, for the bot's /retrain: the bot keeps answering while it trains.

Prints one JSON object a line: progress ``{"stage": ...}``, then ``{"done": VERSION, "comparison": ...}``
(the new version beside the current one on the same held-out rows, per language) or ``{"error": ...}``.
A run that fails or is killed leaves the registry's current model untouched: training never makes a
version current.

Run: python -m training.retrain_job --out DATA_DIR/models [--labels labels.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bot.detector.model import Registry
from training.datasets import CORPUS_DIR, default_shared_data
from training.registry_ops import compare
from training.train import TrainConfig, train


def _emit(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--labels", action="append", default=[])
    args = ap.parse_args(argv)
    out = Path(args.out)
    shared = default_shared_data()
    corpus = Path(os.environ.get("SAFEJOB_CORPUS_DIR") or CORPUS_DIR)
    try:
        registry = Registry(out)
        current = registry.current()
        entry = train(shared if shared.is_dir() else None, out, extra_labels=[Path(p) for p in args.labels],
                      config=TrainConfig(), corpus_dir=corpus, log=lambda m: _emit({"stage": m}))
        comparison = None
        if current:
            _emit({"stage": f"comparing {entry['version']} with {current} on the held-out rows"})
            comparison = compare(registry, entry["version"], current, shared if shared.is_dir() else None,
                                 log=lambda m: _emit({"stage": m}), corpus_dir=corpus)
        _emit({"done": entry["version"], "current": current, "comparison": comparison})
        return 0
    except Exception as exc:  # reported to the admin; the current model keeps serving
        _emit({"error": f"{type(exc).__name__}: {exc}"})
        return 1


if __name__ == "__main__":
    sys.exit(main())
