"""The one object every front end shares: settings, detector, store and knowledge.

Handlers find it in ``Application.bot_data["services"]`` (no module-level globals), so tests can build
the application with any detector, store or settings they like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from bot.checker import Checker
from bot.detector import Detector
from bot.detector.model import default_models_dir
from bot.knowledge.contacts import Directory, directory
from bot.knowledge.places import Gazetteer, gazetteer
from bot.metrics import Metrics
from bot.settings import Settings
from bot.store import Store

__all__ = ["Services", "build_services"]


@dataclass
class Services:
    settings: Settings
    detector: Detector
    store: Store
    places: Gazetteer = field(default_factory=gazetteer)
    contacts: Directory = field(default_factory=directory)
    metrics: Metrics = field(default_factory=Metrics)
    checker: Checker = field(init=False)  # checks in worker processes (or here): what front ends call

    def __post_init__(self) -> None:
        self.checker = Checker(self.detector, self.settings.detector_workers)

    def count_verdict(self, verdict: Mapping[str, Any], source: str) -> None:
        """One verdict given to a user (private, group) or a client (api), for /metrics."""
        self.metrics.inc("safejob_verdicts_total", "Verdicts given, by level and language", source=source,
                         level=verdict["level"], language=verdict["language"])

    def close(self) -> None:
        self.store.close()


def build_services(settings: Settings, detector: Detector | None = None, store: Store | None = None) -> Services:
    """Load the current model (hash-checked) and open the store under ``settings.data_dir``."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    detector = detector or Detector.load(default_models_dir(settings.data_dir))
    store = store or Store(settings.db_path)
    services = Services(settings=settings, detector=detector, store=store)
    # Scams confirmed by admins stay known across restarts (near-copies are flagged before any retraining).
    for sub, label, _, _ in store.labelled():
        if label == "scam":
            services.checker.add_known_scam(f"admin-{sub.id}", sub.text, "admin")
    return services
