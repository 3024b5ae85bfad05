"""Admin labels as JSON Lines with the corpus's fields, for retraining and for moving between servers."""

from __future__ import annotations

import datetime as dt
import json
from typing import IO, Iterable

from bot.store import Store

__all__ = ["export_labels", "import_labels"]


def export_labels(store: Store, out: IO[str]) -> int:
    n = 0
    for sub, label, admin_id, created in store.labelled():
        row = {
            "id": f"admin-{sub.id}", "lang": sub.verdict.get("language", ""), "domain": f"telegram_{sub.source}",
            "label": label, "source_label": "admin", "kind": "admin_label",
            "provenance": f"labelled by admin {admin_id} on "
                          f"{dt.datetime.fromtimestamp(created, dt.timezone.utc).isoformat(timespec='seconds')}",
            "text": sub.text,
        }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def import_labels(store: Store, lines: Iterable[str], admin_id: int, detector=None) -> tuple[int, list[str]]:
    """Rows with ``text`` and ``label`` become labelled submissions; returns (imported, errors)."""
    n, errors = 0, []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            label, text = row["label"], row["text"]
            if label not in ("scam", "legit", "spam") or not isinstance(text, str) or not text.strip():
                raise ValueError("needs a text and a label of scam, legit or spam")
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            errors.append(f"line {i}: {exc}")
            continue
        verdict = detector.check(text).to_json() if detector is not None else {
            "level": "low", "risk": 0.0, "language": row.get("lang", ""), "intent": "job_offer", "flags": [],
            "model_version": ""}
        sid = store.add_submission(user_id=None, chat_id=None, source="import", text=text, verdict=verdict)
        store.add_label(sid, admin_id, label)
        n += 1
    store.audit(admin_id, "labels_import", {"imported": n, "errors": len(errors)})
    return n, errors
