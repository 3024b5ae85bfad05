"""Metrics of a scorer on labelled rows, overall and per language, domain and origin."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

from training.datasets import Row

__all__ = ["metrics_for", "grouped_metrics", "choose_thresholds"]


def metrics_for(y: Sequence[int], p: Sequence[float], threshold: float, high: float | None = None) -> dict[str, float | int | None]:
    y_arr = np.asarray(y, dtype=int)
    p_arr = np.asarray(p, dtype=float)
    n_pos = int(y_arr.sum())
    out: dict[str, float | int | None] = {"n": int(len(y_arr)), "scam": n_pos, "not_scam": int(len(y_arr) - n_pos)}
    both = 0 < n_pos < len(y_arr)
    out["roc_auc"] = round(float(roc_auc_score(y_arr, p_arr)), 4) if both else None
    out["pr_auc"] = round(float(average_precision_score(y_arr, p_arr)), 4) if both else None
    pred = (p_arr >= threshold).astype(int)
    prec, rec, f1, _ = precision_recall_fscore_support(y_arr, pred, average="binary", zero_division=0)
    out.update(precision=round(float(prec), 4), recall=round(float(rec), 4), f1=round(float(f1), 4))
    neg = y_arr == 0
    out["false_alarm_rate"] = round(float(pred[neg].mean()), 4) if neg.any() else None
    if high is not None:
        ph = (p_arr >= high).astype(int)
        hp, hr, _, _ = precision_recall_fscore_support(y_arr, ph, average="binary", zero_division=0)
        out.update(precision_high=round(float(hp), 4), recall_high=round(float(hr), 4))
    return out


def grouped_metrics(rows: Sequence[Row], p: Sequence[float], threshold: float, high: float | None = None,
                    keys: Iterable[str] = ("lang", "domain", "origin")) -> dict[str, object]:
    """Overall metrics plus one table per key (``by_lang``, ``by_domain``, ``by_origin``)."""
    y = [r.y for r in rows]
    report: dict[str, object] = {"overall": metrics_for(y, p, threshold, high), "threshold": threshold}
    for key in keys:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            groups[getattr(r, key) or "?"].append(i)
        report[f"by_{key}"] = {
            g: metrics_for([y[i] for i in idx], [p[i] for i in idx], threshold, high) for g, idx in sorted(groups.items())
        }
    return report


def choose_thresholds(y: Sequence[int], p: Sequence[float], recall_target: float = 0.95,
                      precision_y: Sequence[int] | None = None, precision_p: Sequence[float] | None = None,
                      precision_target: float = 0.97, medium_cap: float = 0.5) -> dict[str, float]:
    """``medium``: the highest score that still catches ``recall_target`` of the scams in (y, p), and never
    above ``medium_cap`` (a calibrated even chance of a scam is always worth a warning);
    ``high``: the lowest score above which ``precision_target`` of the flagged messages in
    (precision_y, precision_p) (default: the same rows) are scams; never below ``medium``.
    """
    y_arr = np.asarray(y, dtype=int)
    p_arr = np.asarray(p, dtype=float)
    pos = np.sort(p_arr[y_arr == 1])
    if len(pos) == 0:
        return {"medium": 0.5, "high": 0.8}
    k = int(np.floor((1 - recall_target) * len(pos)))
    medium = min(float(pos[k]), medium_cap)
    py = np.asarray(precision_y if precision_y is not None else y, dtype=int)
    pp = np.asarray(precision_p if precision_p is not None else p, dtype=float)
    order = np.argsort(-pp)
    ys, ps = py[order], pp[order]
    precision = np.cumsum(ys) / np.arange(1, len(ys) + 1)
    ok = np.where(precision >= precision_target)[0]
    high = float(ps[ok[-1]]) if len(ok) else 0.99  # the lowest cut still precise enough
    return {"medium": round(medium, 6), "high": round(max(high, medium), 6)}
