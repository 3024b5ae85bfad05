"""How the model does on ads by authors it has never seen: fit without one corpus batch, score that batch.

Why: the corpus's own test split shares its authors' habits with the training rows, and flatters the model
(1.6% false alarms there, 12% on the next batch written by other authors). Holding a whole batch out, and
fitting, calibrating and choosing thresholds exactly as ``training.train`` does on everything else, shows
what a threshold costs and buys on fresh writing.

Run: .venv/bin/python -m training.author_shift [--first-id 1001]   (about 2 minutes)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from training.datasets import FIT_SPLITS, Row, default_shared_data, load_training_rows
from training.evaluate import choose_thresholds
from training.train import RECALL_TARGET, TrainConfig, analyse_rows, fit_model

__all__ = ["in_batch", "main"]


def in_batch(row: Row, first_id: int) -> bool:
    """A corpus row numbered ``first_id`` or later (``corpus-<lang>-NNNN``), in any split."""
    return row.origin == "corpus" and int(row.id.rsplit("-", 1)[1]) >= first_id


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(default_shared_data()))
    ap.add_argument("--first-id", type=int, default=1001, help="the held-out batch: corpus ids from this number on")
    args = ap.parse_args(argv)
    data = Path(args.data)
    rows = load_training_rows(data if data.is_dir() else None)
    fit = [r for r in rows if r.split in FIT_SPLITS and not in_batch(r, args.first_id)]
    batch = [r for r in rows if in_batch(r, args.first_id)]
    if not batch:
        raise SystemExit(f"no corpus rows numbered {args.first_id} or later")

    fitted = fit_model(fit, analyse_rows(fit), TrainConfig())
    chosen = fitted.thresholds
    curated = np.array([r.curated for r in fit], dtype=bool)
    yc, pc = np.array([r.y for r in fit])[curated], fitted.p_oof[curated]  # the corpus rows, out of fold
    uncapped = choose_thresholds(yc, pc, RECALL_TARGET, medium_cap=1.0)["medium"]

    p = fitted.clf.predict_proba(fitted.features.transform(analyse_rows(batch)))[:, 1]
    yb = np.array([r.y for r in batch])
    langs = sorted({r.lang for r in batch})
    print(f"held out: {len(batch)} corpus rows numbered {args.first_id}+ ({int(yb.sum())} lures); "
          f"fitted on {len(fit)} rows; thresholds as training would choose them: {chosen}; "
          f"medium without the 0.5 cap: {uncapped:.3f}\n")
    print("| threshold | batch lure recall | batch false alarms | corpus out-of-fold recall | corpus out-of-fold false alarms |")
    print("|---|---|---|---|---|")
    for t in sorted({0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, round(uncapped, 3)}):
        print(f"| {t} | {np.mean(p[yb == 1] >= t):.3f} | {np.mean(p[yb == 0] >= t):.3f} | "
              f"{np.mean(pc[yc == 1] >= t):.3f} | {np.mean(pc[yc == 0] >= t):.3f} |")
    print(f"\nper language at medium = {chosen['medium']}:")
    for lang in langs:
        idx = [i for i, r in enumerate(batch) if r.lang == lang]
        yy, pp = yb[idx], p[idx]
        print(f"  {lang}: recall {np.mean(pp[yy == 1] >= chosen['medium']):.3f}, "
              f"false alarms {np.mean(pp[yy == 0] >= chosen['medium']):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
