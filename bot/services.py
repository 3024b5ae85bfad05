"""The one object every front end shares: settings, detector, store and knowledge.

Handlers find it in ``Application.bot_data["services"]`` (no module-level globals), so tests can build
the application with any detector, store or settings they like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from bot.detector import Detector
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

    def close(self) -> None:
        self.store.close()


def build_services(settings: Settings, detector: Detector | None = None, store: Store | None = None) -> Services:
    """Load the current model (hash-checked) and open the store under ``settings.data_dir``."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Services(settings=settings, detector=detector or Detector.load(), store=store or Store(settings.db_path))
