"""List, promote and roll back model versions.

Promotion compares the candidate with the current model on the *same* fixed evaluation split, scored
now (not the numbers recorded when each was trained, which may come from different data), and refuses a
candidate that is worse unless forced.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from bot.detector.model import ModelError, Registry
from training.datasets import CORPUS_DIR, load_training_rows
from training.evaluate import grouped_metrics

__all__ = ["list_versions", "promote", "rollback", "compare", "WorseModel", "TOLERANCE"]

TOLERANCE = 0.005  # differences smaller than this are noise on a split of this size


class WorseModel(ModelError):
    pass


def list_versions(registry: Registry) -> list[dict[str, Any]]:
    doc = registry.read()
    out = []
    for version, e in sorted(doc.get("versions", {}).items()):
        test = e.get("metrics", {}).get("test", {})
        corpus = test.get("by_origin", {}).get("corpus", {})
        out.append({
            "version": version,
            "current": version == doc.get("current"),
            "created": e.get("created"),
            "roc_auc": test.get("overall", {}).get("roc_auc"),
            "pr_auc": test.get("overall", {}).get("pr_auc"),
            "corpus_recall_medium": corpus.get("recall"),
            "corpus_false_alarm_medium": corpus.get("false_alarm_rate"),
            "thresholds": e.get("thresholds"),
            "size_mb": round(e.get("size_bytes", 0) / 1e6, 1),
        })
    return out


def _score(registry: Registry, version: str, rows: list) -> dict[str, Any]:
    from training.train import analyse_rows

    model = registry.load(version)
    analyses = analyse_rows(rows)
    p = model.pipeline.named_steps["clf"].predict_proba(model.features.transform(analyses))[:, 1]
    return grouped_metrics(rows, p.tolist(), model.thresholds["medium"], model.thresholds["high"],
                           keys=("lang", "origin"))


def compare(registry: Registry, candidate: str, current: str, shared_data: Path | None,
            log: Callable[[str], None] = print, corpus_dir: Path = CORPUS_DIR) -> dict[str, Any]:
    """Both versions' metrics on the fixed test split, and the reasons the candidate is worse (if any)."""
    rows = [r for r in load_training_rows(shared_data, corpus_dir=corpus_dir) if r.split == "test"]
    log(f"scoring {candidate} and {current} on {len(rows)} held-out rows")
    new, old = _score(registry, candidate, rows), _score(registry, current, rows)
    reasons = []
    for name, a, b in (
        ("overall ROC-AUC", new["overall"]["roc_auc"], old["overall"]["roc_auc"]),
        ("overall PR-AUC", new["overall"]["pr_auc"], old["overall"]["pr_auc"]),
        ("corpus PR-AUC", new["by_origin"].get("corpus", {}).get("pr_auc"),
         old["by_origin"].get("corpus", {}).get("pr_auc")),
    ):
        if a is not None and b is not None and a < b - TOLERANCE:
            reasons.append(f"{name} {a:.4f} < {b:.4f}")
    return {"candidate": new, "current": old, "worse": reasons, "_versions": [candidate, current]}


def promote(registry: Registry, version: str, shared_data: Path | None, force: bool = False,
            log: Callable[[str], None] = print, corpus_dir: Path = CORPUS_DIR,
            comparison: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Make ``version`` current unless it is worse than the current one (``force`` overrides).

    ``comparison``: the result of ``compare`` for this candidate and the current version, when already
    computed (the retraining process does it, so the bot need not score the test split again)."""
    doc = registry.read()
    if version not in doc.get("versions", {}):
        raise ModelError(f"no model version {version!r} in {registry.path}")
    registry.load(version)  # the artifact must exist and match its hash before it can be current
    current = doc.get("current")
    if current and current != version and current in doc["versions"]:
        if comparison is None or comparison.get("_versions") != [version, current]:
            comparison = compare(registry, version, current, shared_data, log, corpus_dir)
        if comparison["worse"] and not force:
            raise WorseModel(f"refusing to promote {version}: worse than {current} on the held-out split ("
                             + "; ".join(comparison["worse"]) + "). Use --force to promote anyway.")
    doc = registry.read()
    if current and current != version:
        doc.setdefault("history", []).append(current)
    doc["current"] = version
    doc.setdefault("events", []).append({"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                                         "action": "promote", "version": version, "forced": force})
    registry.write(doc)
    return comparison


def rollback(registry: Registry) -> str:
    """Make the previously current version current again; returns it."""
    doc = registry.read()
    history = doc.get("history", [])
    while history:
        previous = history.pop()
        if previous in doc.get("versions", {}) and previous != doc.get("current"):
            registry.load(previous)  # refuse to roll back onto a missing or tampered file
            doc["current"] = previous
            doc.setdefault("events", []).append({"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                                                 "action": "rollback", "version": previous})
            registry.write(doc)
            return previous
    raise ModelError("nothing to roll back to: no earlier current version in the registry history")
