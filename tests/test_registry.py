"""Training writes a version without making it current; promotion guards quality; rollback restores."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.detector import Detector
from bot.detector.model import ModelError, Registry
from training.registry_ops import WorseModel, list_versions, promote, rollback
from training.train import train

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
