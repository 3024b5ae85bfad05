"""Text in, Verdict out: the one detector every front end shares.

Pure: no Telegram, no database, no network. The model can be swapped while the bot runs (an admin
promotes a retrained version); a check always uses one consistent (model, thresholds) pair.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Mapping

from bot.detector.analysis import Analysis, analyse, decide_intent
from bot.detector.known_scams import MATCH_THRESHOLD, ScamLibrary
from bot.detector.model import LoadedModel, Registry, default_models_dir
from bot.detector.verdict import Verdict

__all__ = ["Detector", "EmptyText", "MAX_CHARS", "KNOWN_SCAMS_FILE"]

MAX_CHARS = 100_000
KNOWN_SCAMS_FILE = "known_scams.jsonl"


class EmptyText(ValueError):
    """The message has nothing to check (empty, whitespace, or only invisible characters)."""


def has_content(text: str) -> bool:
    """Whether there is anything to check: some letter or digit (emoji, spaces and invisible characters are not)."""
    return any(ch.isalnum() for ch in text)


class Detector:
    def __init__(self, model: LoadedModel, library: ScamLibrary | None = None,
                 models_dir: Path | None = None) -> None:
        self._active = model
        self.library = library or ScamLibrary()
        self.models_dir = models_dir  # the registry the model came from (worker processes load from it too)
        self._swap_lock = threading.Lock()

    @classmethod
    def load(cls, models_dir: Path | str | None = None, version: str | None = None) -> "Detector":
        directory = Path(models_dir) if models_dir else default_models_dir()
        model = Registry(directory).load(version)
        detector = cls(model, ScamLibrary.from_jsonl(directory / KNOWN_SCAMS_FILE), directory)
        analyse("warm-up")  # build the lexicons and gazetteer now, not on the first user's message
        return detector

    @property
    def model(self) -> LoadedModel:
        return self._active

    @property
    def model_version(self) -> str:
        return self._active.version

    def swap_model(self, model: LoadedModel) -> LoadedModel:
        """Serve ``model`` from the next check on; returns the one it replaced."""
        with self._swap_lock:
            old = self._active
            self._active = model
        return old

    def check(self, text: str, context: Mapping[str, Any] | None = None) -> Verdict:
        """Check one message. Raises ``EmptyText`` when there is nothing to check.

        ``context`` carries what the front end knows beyond the text (for example ``forward_origin``, the
        name of the channel or user a post was forwarded from); its text is checked with the message.
        """
        if text is None:
            raise EmptyText("the message is empty")
        truncated = len(text) > MAX_CHARS
        body = text[:MAX_CHARS]
        if not has_content(body):
            raise EmptyText("the message is empty")
        origin = (context or {}).get("forward_origin")
        if origin:
            body = f"{body}\n{origin}"
        active = self._active  # one consistent model for the whole check
        a = analyse(body)
        return self._verdict(a, active, truncated)

    def _verdict(self, a: Analysis, model: LoadedModel, truncated: bool) -> Verdict:
        cols, vals = model.features.row_columns(a)
        model_risk = model.score(cols, vals)
        matches = self.library.find(a.text)
        risk = model_risk
        if matches and matches[0].similarity >= MATCH_THRESHOLD:
            # A near copy of a confirmed scam is high risk whatever the classifier thinks.
            risk = max(risk, model.thresholds["high"], matches[0].similarity)
        intent = decide_intent(a)
        if intent == "detention_report":
            # Someone may be held: this is never "low risk", and front ends show guidance, not a verdict.
            risk = max(risk, model.thresholds["high"])
        top_terms = (model.features.contributions(a, cols, vals, model.coef)
                     if risk >= model.thresholds["medium"] else [])
        return Verdict(
            risk=risk,
            level=model.level(risk),
            intent=intent,
            language=a.language,
            flags=a.flags,
            entities=a.entities.to_json(),
            matches=matches,
            model_version=model.version,
            model_risk=model_risk,
            top_terms=top_terms,
            truncated=truncated,
        )
