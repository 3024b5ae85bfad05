"""The contacts directory: hotlines, missions and police for an (origin, host) pair, with their sources.

Every number the bot shows comes from ``data/contacts.json``, which carries each entry's source URL, the
source's date and a reliability mark; nothing is ever typed into code or texts. Where the directory has
nothing for a pair, the caller says so and falls back to the home police and foreign ministry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Directory", "PairContacts", "directory", "HOSTS", "ORIGINS", "RELIABILITY"]

HOSTS = ("MM", "KH", "LA", "TH", "PH")
ORIGINS = ("CN", "TW", "HK", "TH", "VN", "ID", "PH", "MY", "SG", "IN", "LK", "NP", "BD", "PK", "KE", "UG", "ET",
           "MM", "LA", "KH", "KR", "JP")
RELIABILITY = ("official", "news", "unverified", "old")


@dataclass
class PairContacts:
    origin: str
    host: str | None
    hotlines: list[dict[str, Any]] = field(default_factory=list)  # the origin's own lines, reachable from anywhere
    missions: list[dict[str, Any]] = field(default_factory=list)  # the origin's embassy/consulates in the host
    host_lines: list[dict[str, Any]] = field(default_factory=list)  # the host's police / anti-trafficking lines
    advice_channels: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.hotlines or self.missions or self.host_lines)


class Directory:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.as_of: str = doc.get("as_of", "")
        self.countries: dict[str, str] = doc.get("countries", {})

    def entries(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for origin in self.doc.get("origins", {}).values():
            out.extend(origin.get("hotlines", []))
            for missions in origin.get("missions", {}).values():
                out.extend(missions)
        for host in self.doc.get("hosts", {}).values():
            out.extend(host.get("lines", []))
        return out

    def entry(self, entry_id: str) -> dict[str, Any] | None:
        return next((e for e in self.entries() if e["id"] == entry_id), None)

    def for_pair(self, origin: str | None, host: str | None) -> PairContacts:
        o = self.doc.get("origins", {}).get(origin or "", {})
        pc = PairContacts(origin or "", host)
        pc.hotlines = list(o.get("hotlines", []))
        if host:
            pc.missions = list(o.get("missions", {}).get(host, []))
            pc.host_lines = list(self.doc.get("hosts", {}).get(host, {}).get("lines", []))
        pc.advice_channels = list(o.get("advice_channels", []))
        return pc

    def caveats(self) -> list[dict[str, Any]]:
        return list(self.doc.get("caveats", []))


@lru_cache(maxsize=1)
def directory() -> Directory:
    with resources.files("bot.knowledge").joinpath("data/contacts.json").open(encoding="utf-8") as f:
        return Directory(json.load(f))
