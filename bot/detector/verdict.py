"""The Verdict: what every front end (CLI, bot, HTTP API) receives for one message.

Its JSON form is a public contract (see DESIGN.md): keys are only ever added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Flag", "Match", "Verdict", "LEVELS", "INTENTS"]

LEVELS = ("high", "medium", "low")
INTENTS = ("job_offer", "detention_report", "contacts_request", "question", "other")


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    evidence: str  # the words of the original message that triggered the flag
    start: int  # offsets into the original message
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "evidence": self.evidence, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Match:
    """A known scam this message is a near copy of."""

    id: str
    similarity: float
    source: str  # "corpus" or "admin"
    snippet: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "similarity": round(self.similarity, 3), "source": self.source, "snippet": self.snippet}


@dataclass(slots=True)
class Verdict:
    risk: float
    level: str
    intent: str
    language: str
    flags: list[Flag]
    entities: dict[str, Any]
    matches: list[Match] = field(default_factory=list)
    model_version: str = ""
    model_risk: float = 0.0  # the classifier's calibrated probability before known-scam matches
    top_terms: list[str] = field(default_factory=list)  # words that pushed the model's score up most
    truncated: bool = False  # only the first MAX_CHARS characters were checked

    @property
    def flag_codes(self) -> list[str]:
        return [f.code for f in self.flags]

    def to_json(self) -> dict[str, Any]:
        return {
            "risk": round(self.risk, 4),
            "level": self.level,
            "intent": self.intent,
            "language": self.language,
            "flags": [f.to_json() for f in self.flags],
            "entities": self.entities,
            "matches": [m.to_json() for m in self.matches],
            "model_version": self.model_version,
            "model_risk": round(self.model_risk, 4),
            "top_terms": self.top_terms,
            "truncated": self.truncated,
        }
