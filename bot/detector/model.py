"""Trained classifiers on disk: the registry, integrity checks, and loading.

A joblib file is a pickle, and loading a pickle runs code. So an artifact is loaded only when its
sha256 matches the one recorded in ``registry.json`` at training time, and only from a models directory
the operator controls, never from a path a user could influence.
"""

from __future__ import annotations

import hashlib
import math
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.detector.calibration import PlattScaled

__all__ = ["ModelError", "LoadedModel", "Registry", "default_models_dir", "shipped_models_dir", "sha256_file"]


class ModelError(RuntimeError):
    """A model cannot be used; the message says why and what to do."""


def shipped_models_dir() -> Path:
    """``models/`` beside the ``bot`` package: the model that ships with the code."""
    return Path(__file__).resolve().parent.parent.parent / "models"


def default_models_dir(data_dir: Path | str | None = None) -> Path:
    """Where the current model is read from.

    ``SAFEJOB_MODELS_DIR`` wins; else a registry under ``<data dir>/models`` (where retrained models live
    once an admin has retrained); else the shipped ``models/``.
    """
    env = os.environ.get("SAFEJOB_MODELS_DIR")
    if env:
        return Path(env)
    data = Path(data_dir if data_dir is not None else os.environ.get("SAFEJOB_DATA_DIR", "./var")) / "models"
    if (data / "registry.json").is_file():
        return data
    return shipped_models_dir()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class LoadedModel:
    version: str
    pipeline: Any  # sklearn Pipeline: ("features", TextFeatures), ("clf", calibrated classifier)
    thresholds: dict[str, float]
    info: dict[str, Any]

    def __post_init__(self) -> None:
        self._compile()

    def _compile(self) -> None:
        """Pull the linear weights and the Platt calibration out of the fitted pipeline.

        Serving then scores a message with one sparse dot product instead of sklearn's per-call input
        validation (which costs more than the arithmetic for a single message). Tests check that this
        gives the pipeline's own ``predict_proba`` to within float rounding.
        """
        clf = self.pipeline.named_steps["clf"]
        if isinstance(clf, PlattScaled):  # sigmoid fitted on out-of-fold scores (train + valid)
            lr, a, b = clf.estimator_, clf.a_, clf.b_
        else:  # earlier versions: CalibratedClassifierCV around a frozen estimator
            parts = clf.calibrated_classifiers_
            if len(parts) != 1:
                raise ModelError("expected one calibrated classifier (a frozen estimator calibrated once)")
            lr = getattr(parts[0].estimator, "estimator", parts[0].estimator)
            calibrator = parts[0].calibrators[0]
            a, b = calibrator.a_, calibrator.b_
        self.coef = np.asarray(lr.coef_[0], dtype=np.float64)
        self.intercept = float(lr.intercept_[0])
        self._a = float(a)
        self._b = float(b)

    @property
    def features(self) -> Any:
        return self.pipeline.named_steps["features"]

    def score(self, cols: np.ndarray, vals: np.ndarray) -> float:
        """Calibrated probability of "scam" for one feature row."""
        decision = float(vals @ self.coef[cols]) + self.intercept
        z = self._a * decision + self._b
        return 1.0 / (1.0 + math.exp(z)) if z > -700 else 1.0

    def level(self, risk: float) -> str:
        if risk >= self.thresholds["high"]:
            return "high"
        if risk >= self.thresholds["medium"]:
            return "medium"
        return "low"


class Registry:
    """``registry.json`` in a models directory: versions, their metrics and hashes, and which is current."""

    def __init__(self, directory: Path | str) -> None:
        self.dir = Path(directory)
        self.path = self.dir / "registry.json"

    def read(self) -> dict[str, Any]:
        if not self.path.is_file():
            return {"current": None, "history": [], "versions": {}}
        with self.path.open(encoding="utf-8") as f:
            return json.load(f)

    def write(self, doc: dict[str, Any]) -> None:
        """Atomic: a crash mid-write never leaves a half-written registry."""
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".registry.", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False, sort_keys=True)
            f.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the registry is not a secret
        os.replace(tmp, self.path)

    def current(self) -> str | None:
        return self.read().get("current")

    def entry(self, version: str) -> dict[str, Any]:
        doc = self.read()
        if version not in doc.get("versions", {}):
            raise ModelError(f"no model version {version!r} in {self.path}")
        return doc["versions"][version]

    def load(self, version: str | None = None) -> LoadedModel:
        version = version or self.current()
        if not version:
            raise ModelError(
                f"no current model in {self.path}. Train one with `safejob train` and promote it with "
                "`safejob models promote VERSION`."
            )
        info = self.entry(version)
        artifact = self.dir / info["file"]
        if artifact.parent.resolve() != self.dir.resolve():
            raise ModelError(f"model {version}: artifact path {info['file']!r} leaves the models directory")
        if not artifact.is_file():
            raise ModelError(f"model {version}: file {artifact} is missing")
        digest = sha256_file(artifact)
        if digest != info["sha256"]:
            raise ModelError(
                f"model {version}: sha256 of {artifact.name} is {digest}, registry says {info['sha256']}. "
                "Refusing to load a file that is not the one trained (it may have been replaced)."
            )
        import joblib  # deferred: the registry is also read by tools that never load a model

        pipeline = joblib.load(artifact)
        return LoadedModel(version, pipeline, dict(info["thresholds"]), info)
