"""Shared fixtures: the real shipped model, loaded once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def detector():
    from bot.detector import Detector
    from bot.detector.model import shipped_models_dir

    return Detector.load(shipped_models_dir())


@pytest.fixture(scope="session")
def corpus_rows():
    from training.datasets import load_training_rows

    return load_training_rows(None)


@pytest.fixture(autouse=True)
def _no_user_model_dirs(monkeypatch, tmp_path):
    """Tests never read or write a developer's own data directory."""
    monkeypatch.delenv("SAFEJOB_MODELS_DIR", raising=False)
    monkeypatch.setenv("SAFEJOB_DATA_DIR", str(tmp_path / "var"))
