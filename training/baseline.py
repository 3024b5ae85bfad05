"""The reference baseline beside SafeJob's model, on the same held-out rows.

Baseline: character 1-4-gram TF-IDF of the raw text + class-balanced logistic regression, trained on the
same rows as the model (the training and validation splits). Both are scored on the fixed test split of
every set (and on the independent challenge set in ``training/eval/``, which neither was trained on) and
printed side by side.

Run: .venv/bin/python -m training.baseline [--data ../shared/data] [--models-dir models] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot.detector.model import Registry, default_models_dir
from training.datasets import FIT_SPLITS, Row, default_shared_data, load_jsonl, load_training_rows
from training.evaluate import metrics_for
from training.train import analyse_rows

EVAL_DIR = Path(__file__).resolve().parent / "eval"


def baseline_pipeline() -> Pipeline:
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True, min_df=2)),
        ("lr", LogisticRegression(class_weight="balanced", max_iter=2000, solver="liblinear")),
    ])


def _groups(rows: list[Row], key) -> dict[str, list[int]]:
    g: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        g[key(r)].append(i)
    return g


def side_by_side(rows: list[Row], p_base: np.ndarray, p_model: np.ndarray, th_base: float, th_model: float,
                 key) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for g, idx in sorted(_groups(rows, key).items()):
        y = [rows[i].y for i in idx]
        out[g] = {"baseline": metrics_for(y, p_base[idx], th_base), "safejob": metrics_for(y, p_model[idx], th_model)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(default_shared_data()))
    ap.add_argument("--models-dir", default=None)
    ap.add_argument("--json", help="also write the full comparison here")
    args = ap.parse_args(argv)

    data = Path(args.data)
    rows = load_training_rows(data if data.is_dir() else None)
    train = [r for r in rows if r.split in FIT_SPLITS]
    test = [r for r in rows if r.split == "test"]
    challenge: list[Row] = []
    for f in sorted(EVAL_DIR.glob("*.jsonl")):
        challenge.extend(load_jsonl(f, "challenge"))

    t0 = time.perf_counter()
    base = baseline_pipeline().fit([r.text for r in train], [r.y for r in train])
    print(f"baseline trained on {len(train)} rows in {time.perf_counter() - t0:.0f}s", file=sys.stderr)

    registry = Registry(Path(args.models_dir) if args.models_dir else default_models_dir())
    model = registry.load()

    def model_scores(rs: list[Row]) -> np.ndarray:
        return np.array([model.score(*model.features.row_columns(a)) for a in analyse_rows(rs)])

    report: dict[str, object] = {"model_version": model.version}
    for name, rs in (("test", test), ("challenge", challenge)):
        if not rs:
            continue
        pb = base.predict_proba([r.text for r in rs])[:, 1]
        pm = model_scores(rs)
        report[name] = {
            "overall": side_by_side(rs, pb, pm, 0.5, model.thresholds["medium"], lambda r: "all"),
            "by_origin": side_by_side(rs, pb, pm, 0.5, model.thresholds["medium"], lambda r: r.origin),
            "by_lang": side_by_side(rs, pb, pm, 0.5, model.thresholds["medium"], lambda r: r.lang or "?"),
        }
        for table in ("by_origin", "by_lang"):
            print(f"\n## {name} split, {table[3:]} (ROC-AUC / PR-AUC; recall and false alarms at each model's threshold)")
            print("| group | n | scam | baseline ROC | SafeJob ROC | baseline PR | SafeJob PR | SafeJob recall | SafeJob false alarms |")
            print("|---|---|---|---|---|---|---|---|---|")
            for g, both in report[name][table].items():  # type: ignore[index]
                b, m = both["baseline"], both["safejob"]
                print(f"| {g} | {m['n']} | {m['scam']} | {b['roc_auc']} | {m['roc_auc']} | {b['pr_auc']} | "
                      f"{m['pr_auc']} | {m['recall']} | {m['false_alarm_rate']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
