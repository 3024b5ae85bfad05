"""Train a classifier version: fit, calibrate, choose thresholds, evaluate on held-out rows, register.

Choices (training/README.md has the measurements behind them):
- features: ``bot.detector.features.TextFeatures`` (hashed character 1-4-grams and word 1-2-grams of the
  normalised text, plus the warning-sign flags as dense features);
- estimator: class-balanced logistic regression. Linear, so each message's score can be explained by the
  terms that raised it; fast enough to serve a thousand checks a second; trains in about two minutes;
- data: the model is fitted on the training *and* validation rows (hyper-parameters were chosen on the
  validation split beforehand; training/README.md); the test rows are never fitted on;
- calibration: Platt scaling on out-of-fold scores (5-fold over train+valid), so ``risk`` reads as a
  probability of a model that had not seen the message;
- thresholds, chosen on the same out-of-fold scores: ``medium`` is the highest score that still catches 95%
  of the curated corpus's lures (the overseas-lure domain), capped at 0.5 (an even chance is worth a
  warning); ``high`` is the lowest score at which 97% of the messages flagged across *all* rows (lures,
  SMS fraud, fake jobs and their legitimate neighbours) are scams; ``high`` is never below ``medium``.
- weights: curated-corpus rows weigh more than the real SMS and job-ad sets, whose fraud is a different
  kind; each real set still counts, so SMS fraud and domestic fake jobs are not forgotten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot.detector.analysis import Analysis, analyse
from bot.detector.calibration import PlattScaled
from bot.detector.detector import KNOWN_SCAMS_FILE
from bot.detector.features import TextFeatures
from bot.detector.model import Registry, sha256_file
from training.datasets import CORPUS_DIR, FIT_SPLITS, Row, fingerprint, load_training_rows
from training.evaluate import choose_thresholds, grouped_metrics

__all__ = ["train", "TrainConfig", "next_version", "group_weights", "fit_model", "Fitted", "analyse_rows"]

CORPUS_WEIGHT = 2.0
LOW_VALUE_DOMAINS = {"job_ad_title_meta": 0.3, "job_ad_preprocessed": 0.5, "sms_preprocessed": 0.5}
RECALL_TARGET = 0.95
PRECISION_TARGET = 0.97
FOLDS = 5


class TrainConfig:
    def __init__(self, C: float = 8.0, corpus_weight: float = CORPUS_WEIGHT, char_bits: int = 20,
                 word_bits: int = 18, symbols: bool = True, raw_view: bool = False,
                 min_df: int = 2, dense_weight: float = 0.03) -> None:
        self.C = C
        self.corpus_weight = corpus_weight
        self.char_bits = char_bits
        self.word_bits = word_bits
        self.symbols = symbols
        self.raw_view = raw_view
        self.min_df = min_df
        self.dense_weight = dense_weight

    def features(self) -> TextFeatures:
        """Unfitted features with this configuration (training and the cross-validation comparison share it)."""
        return TextFeatures(char_bits=self.char_bits, word_bits=self.word_bits, symbols=self.symbols,
                            raw_view=self.raw_view, min_df=self.min_df, dense_weight=self.dense_weight)

    def classifier(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", max_iter=2000,
                                  random_state=0)

    def as_dict(self) -> dict[str, float | int]:
        return {"C": self.C, "corpus_weight": self.corpus_weight, "char_bits": self.char_bits,
                "word_bits": self.word_bits, "symbols": self.symbols, "raw_view": self.raw_view, "min_df": self.min_df, "dense_weight": self.dense_weight, "recall_target": RECALL_TARGET, "precision_target": PRECISION_TARGET}


def next_version(registry: Registry, today: dt.date | None = None) -> str:
    today = today or dt.datetime.now(dt.timezone.utc).date()
    existing = registry.read().get("versions", {})
    n = 1
    while f"{today.isoformat()}.{n}" in existing:
        n += 1
    return f"{today.isoformat()}.{n}"


def group_weights(rows: Sequence[Row], corpus_weight: float) -> np.ndarray:
    """Per-row weights: corpus and admin rows count ``corpus_weight``; thin real sets count less."""
    w = np.ones(len(rows), dtype=np.float64)
    for i, r in enumerate(rows):
        if r.curated:
            w[i] = corpus_weight
        else:
            w[i] = LOW_VALUE_DOMAINS.get(r.domain, 1.0)
    return w


def analyse_rows(rows: Sequence[Row], log: Callable[[str], None] = lambda _: None,
                 label: str = "") -> list[Analysis]:
    """Each row's analysis (its first 20,000 characters, as the detector reads), with progress in ``log``."""
    out: list[Analysis] = []
    t0 = time.perf_counter()
    for i, r in enumerate(rows, 1):
        out.append(analyse(r.text[:20000]))
        if i % 5000 == 0:
            log(f"  analysed {i}/{len(rows)} {label} rows ({time.perf_counter() - t0:.0f}s)")
    return out


@dataclass
class Fitted:
    features: TextFeatures
    clf: PlattScaled
    p_oof: np.ndarray  # each fitted row's calibrated P(scam) from the fold that did not see it
    thresholds: dict[str, float]


def fit_model(rows: Sequence[Row], analyses: Sequence[Analysis], config: TrainConfig,
              log: Callable[[str], None] = lambda _: None, noisy_labels: bool = False) -> Fitted:
    """Features, classifier, out-of-fold calibration and thresholds on ``rows``: what ``train`` ships, and
    what ``training.author_shift`` repeats without one corpus batch."""
    t0 = time.perf_counter()
    features = config.features().fit(analyses)
    y = np.array([r.y for r in rows])
    if noisy_labels:  # a deliberately bad model, for tests of the promotion guard
        y = np.random.default_rng(0).permutation(y)
    jobs = min(2, os.cpu_count() or 1) if len(rows) >= 5000 else 1  # small sets: process start-up costs more
    clf = PlattScaled(config.classifier(), folds=FOLDS, n_jobs=jobs).fit(
        features.transform(analyses), y, sample_weight=group_weights(rows, config.corpus_weight))
    log(f"fitted and calibrated on {FOLDS}-fold out-of-fold scores in {time.perf_counter() - t0:.0f}s")
    p_oof = clf.out_of_fold_proba()
    curated = np.array([r.curated for r in rows], dtype=bool)
    thresholds = choose_thresholds(y[curated], p_oof[curated], RECALL_TARGET, precision_y=y, precision_p=p_oof,
                                   precision_target=PRECISION_TARGET)
    return Fitted(features, clf, p_oof, thresholds)


def train(shared_data: Path | None, out_dir: Path, extra_labels: Iterable[Path] = (),
          config: TrainConfig | None = None, version: str | None = None,
          log: Callable[[str], None] = print, corpus_dir: Path = CORPUS_DIR,
          label_noise_for_tests: bool = False) -> dict:
    """Train, evaluate and register a new version in ``out_dir`` (not made current). Returns its entry."""
    config = config or TrainConfig()
    t_start = time.perf_counter()
    rows = load_training_rows(shared_data, corpus_dir=corpus_dir, extra=extra_labels)
    by_split: dict[str, list[Row]] = {"train": [], "valid": [], "test": []}
    for r in rows:
        by_split[r.split].append(r)
    log(f"rows: {len(rows)} (train {len(by_split['train'])}, valid {len(by_split['valid'])}, "
        f"test {len(by_split['test'])})")

    fit_rows = [r for s in FIT_SPLITS for r in by_split[s]]
    a_fit = analyse_rows(fit_rows, log, "train+valid")
    a_test = analyse_rows(by_split["test"], log, "test")
    log(f"analysed all rows in {time.perf_counter() - t_start:.0f}s")

    fitted = fit_model(fit_rows, a_fit, config, log=log, noisy_labels=label_noise_for_tests)
    features, clf, p_oof, thresholds = fitted.features, fitted.clf, fitted.p_oof, fitted.thresholds
    pipeline = Pipeline([("features", features), ("clf", clf)])
    log(f"thresholds: {thresholds}")

    p_test = clf.predict_proba(features.transform(a_test))[:, 1]
    test_report = grouped_metrics(by_split["test"], p_test.tolist(), thresholds["medium"], thresholds["high"])
    oof_report = grouped_metrics(fit_rows, p_oof.tolist(), thresholds["medium"], thresholds["high"])

    out_dir.mkdir(parents=True, exist_ok=True)
    registry = Registry(out_dir)
    version = version or next_version(registry)
    artifact = out_dir / f"{version}.joblib"
    tmp = artifact.with_suffix(".joblib.tmp")
    joblib.dump(pipeline, tmp, compress=3)
    tmp.replace(artifact)

    # Confirmed scams for near-duplicate matching: rows the model was fitted on, so test rows stay unseen.
    known = out_dir / KNOWN_SCAMS_FILE
    with known.open("w", encoding="utf-8") as f:
        for r in fit_rows:
            if r.y == 1 and r.curated:
                f.write(json.dumps({"id": r.id, "text": r.text, "source": r.origin}, ensure_ascii=False) + "\n")

    entry = {
        "file": artifact.name,
        "sha256": sha256_file(artifact),
        "size_bytes": artifact.stat().st_size,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "thresholds": thresholds,
        "params": config.as_dict(),
        "data_fingerprint": fingerprint(rows),
        "training_seconds": round(time.perf_counter() - t_start, 1),
        "metrics": {"test": test_report, "out_of_fold": {"overall": oof_report["overall"]}},
    }
    doc = registry.read()
    doc.setdefault("versions", {})[version] = entry
    doc.setdefault("history", [])
    doc.setdefault("current", None)
    registry.write(doc)
    log(f"wrote {artifact} ({entry['size_bytes'] / 1e6:.1f} MB) as version {version} in "
        f"{entry['training_seconds']:.0f}s")
    entry["version"] = version
    return entry
