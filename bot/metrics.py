"""Counters and histograms in the Prometheus text format, without a client library.

Shared by the Telegram layer (updates, verdicts, reply latency, Bot API errors) and the HTTP API, and
served at ``/metrics``. Single-threaded asyncio code updates them, so plain dicts are enough.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Iterable

__all__ = ["Metrics", "LATENCY_BUCKETS"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(names: Iterable[str], values: Iterable[str]) -> str:
    pairs = [f'{n}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
             for n, v in zip(names, values)]
    return "{" + ",".join(pairs) + "}" if pairs else ""


class _Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.sum = 0.0
        self.n = 0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.sum += value
        self.n += 1


class Metrics:
    def __init__(self) -> None:
        self.counters: dict[str, dict[tuple[str, ...], float]] = defaultdict(lambda: defaultdict(float))
        self.label_names: dict[str, tuple[str, ...]] = {}
        self.help: dict[str, str] = {}
        self.histograms: dict[str, _Histogram] = {}
        self.gauges: dict[str, dict[tuple[str, ...], float]] = defaultdict(dict)

    def inc(self, name: str, help_text: str = "", amount: float = 1.0, **labels: str) -> None:
        self.label_names.setdefault(name, tuple(sorted(labels)))
        if help_text:
            self.help.setdefault(name, help_text)
        key = tuple(str(labels[k]) for k in self.label_names[name])
        self.counters[name][key] += amount

    def observe(self, name: str, value: float, help_text: str = "") -> None:
        if help_text:
            self.help.setdefault(name, help_text)
        self.histograms.setdefault(name, _Histogram(LATENCY_BUCKETS)).observe(value)

    def set_gauge(self, name: str, value: float, help_text: str = "", **labels: str) -> None:
        self.label_names.setdefault(name, tuple(sorted(labels)))
        if help_text:
            self.help.setdefault(name, help_text)
        self.gauges[name][tuple(str(labels[k]) for k in self.label_names[name])] = value

    def render(self) -> str:
        lines: list[str] = []
        for name, series in sorted(self.counters.items()):
            lines += [f"# HELP {name} {self.help.get(name, name)}", f"# TYPE {name} counter"]
            for key, v in sorted(series.items()):
                lines.append(f"{name}{_labels(self.label_names[name], key)} {v:g}")
        for name, series in sorted(self.gauges.items()):
            lines += [f"# HELP {name} {self.help.get(name, name)}", f"# TYPE {name} gauge"]
            for key, v in sorted(series.items()):
                lines.append(f"{name}{_labels(self.label_names[name], key)} {v:g}")
        for name, h in sorted(self.histograms.items()):
            lines += [f"# HELP {name} {self.help.get(name, name)}", f"# TYPE {name} histogram"]
            cumulative = 0
            for bound, count in zip(h.buckets, h.counts):
                cumulative += count
                lines.append(f'{name}_bucket{{le="{bound:g}"}} {cumulative}')
            lines.append(f'{name}_bucket{{le="+Inf"}} {h.n}')
            lines += [f"{name}_sum {h.sum:g}", f"{name}_count {h.n}"]
        return "\n".join(lines) + "\n"
