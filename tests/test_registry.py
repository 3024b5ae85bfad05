"""Training writes a version without making it current; promotion guards quality; rollback restores."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from bot.detector import Detector
from bot.detector.model import ModelError, Registry
from bot.detector.analysis import analyse
from training import author_shift
from training.compare_cv import grouped_auc, model_scorer, out_of_fold
from training.datasets import FIT_SPLITS, load_training_rows
from training.registry_ops import WorseModel, list_versions, promote, rollback
from training.train import TrainConfig, train

CORPUS = Path(__file__).resolve().parent.parent / "training" / "corpus"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """A fixed 40% sample of the real corpus: enough signal, trains in seconds."""
    d = tmp_path_factory.mktemp("corpus")
    rng = random.Random(3)
    for f in sorted(CORPUS.glob("*.jsonl")):
        lines = [line for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
        (d / f.name).write_text("\n".join(rng.sample(lines, k=max(10, int(len(lines) * 0.4)))) + "\n", encoding="utf-8")
    return d


def test_train_promote_rollback(tmp_path: Path, small_corpus: Path) -> None:
    out = tmp_path / "models"
    quiet = lambda m: None  # noqa: E731
    good = train(None, out, corpus_dir=small_corpus, log=quiet)
    reg = Registry(out)
    assert reg.current() is None  # training never makes a version current by itself
    entry = reg.entry(good["version"])
    assert entry["sha256"] and entry["thresholds"]["medium"] <= entry["thresholds"]["high"]
    assert entry["data_fingerprint"]["rows"] > 100
    assert (out / entry["file"]).stat().st_size < 50_000_000

    promote(reg, good["version"], None, log=quiet, corpus_dir=small_corpus)
    assert reg.current() == good["version"]

    bad = train(None, out, corpus_dir=small_corpus, log=quiet, label_noise_for_tests=True)
    assert bad["version"] != good["version"]
    with pytest.raises(WorseModel, match="worse than"):
        promote(reg, bad["version"], None, log=quiet, corpus_dir=small_corpus)
    assert reg.current() == good["version"]

    promote(reg, bad["version"], None, force=True, log=quiet, corpus_dir=small_corpus)
    assert reg.current() == bad["version"]
    assert Detector.load(out).model_version == bad["version"]

    assert rollback(reg) == good["version"]
    assert Detector.load(out).model_version == good["version"]
    listed = {r["version"]: r for r in list_versions(reg)}
    assert listed[good["version"]]["current"] and not listed[bad["version"]]["current"]

    with pytest.raises(ModelError, match="nothing to roll back"):
        rollback(reg)


def test_cross_validation_scores_every_row_out_of_fold(small_corpus: Path) -> None:
    """The comparison tool scores each row by a model that never saw it, so a memorising scorer cannot win."""
    rows = [r for r in load_training_rows(None, corpus_dir=small_corpus) if r.split in FIT_SPLITS]
    y = np.array([r.y for r in rows])
    analyses = [analyse(r.text) for r in rows]
    seen: list[set[int]] = []

    def spy(fit_idx, score_idx):  # records what each fold fitted on
        seen.append(set(fit_idx))
        assert not set(fit_idx) & set(score_idx)
        return np.zeros(len(score_idx))
    out_of_fold(y, spy, folds=3)
    assert len(seen) == 3 and set.union(*seen) == set(range(len(rows)))

    got = grouped_auc(rows, y, out_of_fold(y, model_scorer(rows, analyses, y, TrainConfig()), folds=3))
    assert got["origin:corpus"][0] > 0.95  # a real model, scored on rows it did not fit
    assert all(0.0 <= roc <= 1.0 + 1e-9 and 0.0 <= pr <= 1.0 + 1e-9 for roc, pr in got.values()), got


def test_author_shift_holds_a_whole_batch_out(tmp_path: Path, capsys) -> None:
    """The fresh-authors check scores the second corpus batch with a model fitted on everything else."""
    assert author_shift.main(["--data", str(tmp_path / "none")]) == 0  # corpus only: seconds, not minutes
    out = capsys.readouterr().out
    held = [r for r in load_training_rows(None) if author_shift.in_batch(r, 1001)]
    assert f"held out: {len(held)} corpus rows" in out and len(held) >= 480
    recalls = [float(line.split("|")[2]) for line in out.splitlines() if line.startswith("| 0.")]
    assert len(recalls) >= 7 and recalls == sorted(recalls, reverse=True)  # a higher threshold never catches more
    assert recalls[0] > 0.9  # a real model: unseen lures are caught at a low threshold
