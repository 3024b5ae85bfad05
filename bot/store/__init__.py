"""Persistence in one SQLite file: users' preferences, submissions and their verdicts, feedback,
conversation state, group settings.

One connection guarded by a lock: every statement is a few microseconds, far below what Telegram sends
us, and WAL keeps readers from waiting on the writer. The schema carries its version in
``PRAGMA user_version`` so start-up can say clearly when a database is from a newer SafeJob.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Store", "UserPrefs", "Submission", "StoreError", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY,
    lang TEXT,
    lang_chosen INTEGER NOT NULL DEFAULT 0,
    store_submissions INTEGER NOT NULL DEFAULT 1,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER,
    chat_id INTEGER,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    verdict TEXT NOT NULL,
    model_version TEXT NOT NULL,
    level TEXT NOT NULL,
    risk REAL NOT NULL,
    lang TEXT,
    intent TEXT,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_user ON submissions(user_id);
CREATE INDEX IF NOT EXISTS submissions_created ON submissions(created);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    user_id INTEGER,
    kind TEXT NOT NULL,
    created REAL NOT NULL,
    UNIQUE (submission_id, user_id, kind)
);
CREATE TABLE IF NOT EXISTS conversations (
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
CREATE TABLE IF NOT EXISTS reports (
    ref TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    lang TEXT NOT NULL,
    data TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_user ON reports(user_id);
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    admin_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS labels_submission ON labels(submission_id);
CREATE TABLE IF NOT EXISTS review_skips (
    admin_id INTEGER NOT NULL,
    submission_id INTEGER NOT NULL,
    PRIMARY KEY (admin_id, submission_id)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_subscribers (
    user_id INTEGER PRIMARY KEY,
    lang TEXT NOT NULL,
    countries TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS broadcasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    lang TEXT,
    country TEXT,
    status TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (broadcast_id, user_id)
);
CREATE TABLE IF NOT EXISTS groups (
    chat_id INTEGER PRIMARY KEY,
    enabled INTEGER NOT NULL DEFAULT 1,
    threshold TEXT NOT NULL DEFAULT 'high',
    lang TEXT,
    updated REAL NOT NULL
);
"""


class StoreError(RuntimeError):
    pass


@dataclass(frozen=True)
class UserPrefs:
    user_id: int
    lang: str | None
    lang_chosen: bool
    store_submissions: bool


@dataclass(frozen=True)
class Submission:
    id: int
    user_id: int | None
    chat_id: int | None
    source: str
    text: str
    verdict: dict[str, Any]
    model_version: str
    level: str
    created: float


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this SafeJob ({SCHEMA_VERSION}); "
                    "upgrade SafeJob or point SAFEJOB_DATA_DIR at another folder"
                )
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def ping(self) -> bool:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def _exec(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, args)

    def transaction(self) -> "_Tx":
        return _Tx(self)

    # --- users -----------------------------------------------------------------------------------
    def user(self, user_id: int) -> UserPrefs:
        row = self._exec("SELECT * FROM users WHERE user_id=?", (user_id,)).fetchone()
        if row is None:
            return UserPrefs(user_id, None, False, True)
        return UserPrefs(user_id, row["lang"], bool(row["lang_chosen"]), bool(row["store_submissions"]))

    def _upsert_user(self, user_id: int, **fields: Any) -> None:
        now = time.time()
        self._exec("INSERT OR IGNORE INTO users(user_id, created, updated) VALUES (?,?,?)", (user_id, now, now))
        for key, value in fields.items():
            self._exec(f"UPDATE users SET {key}=?, updated=? WHERE user_id=?", (value, now, user_id))

    def set_language(self, user_id: int, lang: str, chosen: bool = True) -> None:
        self._upsert_user(user_id, lang=lang, lang_chosen=int(chosen))

    def set_store_submissions(self, user_id: int, allowed: bool) -> None:
        self._upsert_user(user_id, store_submissions=int(allowed))

    def forget_user(self, user_id: int) -> dict[str, int]:
        """Delete everything stored about a user; returns how many rows of each kind went."""
        counts: dict[str, int] = {}
        with self.transaction():
            counts["feedback"] = self._exec("DELETE FROM feedback WHERE user_id=?", (user_id,)).rowcount
            counts["submissions"] = self._exec("DELETE FROM submissions WHERE user_id=?", (user_id,)).rowcount
            counts["conversations"] = self._exec("DELETE FROM conversations WHERE user_id=?", (user_id,)).rowcount
            counts["reports"] = self._exec("DELETE FROM reports WHERE user_id=?", (user_id,)).rowcount
            counts["alerts"] = self._exec("DELETE FROM alert_subscribers WHERE user_id=?", (user_id,)).rowcount
            counts["preferences"] = self._exec("DELETE FROM users WHERE user_id=?", (user_id,)).rowcount
        return counts

    # --- submissions -----------------------------------------------------------------------------
    def add_submission(self, *, user_id: int | None, chat_id: int | None, source: str, text: str,
                       verdict: dict[str, Any]) -> int:
        cur = self._exec(
            "INSERT INTO submissions(user_id, chat_id, source, text, verdict, model_version, level, risk, lang,"
            " intent, created) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (user_id, chat_id, source, text, json.dumps(verdict, ensure_ascii=False), verdict.get("model_version", ""),
             verdict["level"], float(verdict["risk"]), verdict.get("language"), verdict.get("intent"), time.time()),
        )
        return int(cur.lastrowid)

    def submission(self, submission_id: int) -> Submission | None:
        row = self._exec("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
        if row is None:
            return None
        return Submission(row["id"], row["user_id"], row["chat_id"], row["source"], row["text"],
                          json.loads(row["verdict"]), row["model_version"], row["level"], row["created"])

    def submissions_of(self, user_id: int) -> list[Submission]:
        rows = self._exec("SELECT id FROM submissions WHERE user_id=? ORDER BY id", (user_id,)).fetchall()
        return [s for s in (self.submission(r["id"]) for r in rows) if s]

    def add_feedback(self, submission_id: int, user_id: int | None, kind: str) -> bool:
        """Record a user's feedback once; False if they had already given it."""
        cur = self._exec("INSERT OR IGNORE INTO feedback(submission_id, user_id, kind, created) VALUES (?,?,?,?)",
                         (submission_id, user_id, kind, time.time()))
        return cur.rowcount == 1

    def feedback_for(self, submission_id: int) -> list[str]:
        return [r["kind"] for r in self._exec("SELECT kind FROM feedback WHERE submission_id=?", (submission_id,))]

    # --- conversations ---------------------------------------------------------------------------
    def conversation(self, chat_id: int, user_id: int) -> tuple[str, str, dict[str, Any]] | None:
        row = self._exec("SELECT flow, step, data FROM conversations WHERE chat_id=? AND user_id=?",
                         (chat_id, user_id)).fetchone()
        if row is None:
            return None
        return row["flow"], row["step"], json.loads(row["data"])

    def save_conversation(self, chat_id: int, user_id: int, flow: str, step: str, data: dict[str, Any]) -> None:
        self._exec(
            "INSERT INTO conversations(chat_id, user_id, flow, step, data, updated) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(chat_id, user_id) DO UPDATE SET flow=excluded.flow, step=excluded.step, "
            "data=excluded.data, updated=excluded.updated",
            (chat_id, user_id, flow, step, json.dumps(data, ensure_ascii=False), time.time()),
        )

    def end_conversation(self, chat_id: int, user_id: int) -> None:
        self._exec("DELETE FROM conversations WHERE chat_id=? AND user_id=?", (chat_id, user_id))

    # --- families' reports ------------------------------------------------------------------------
    def save_report(self, ref: str, user_id: int, chat_id: int, lang: str, data: dict[str, Any]) -> None:
        self._exec(
            "INSERT INTO reports(ref, user_id, chat_id, lang, data, created) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(ref) DO UPDATE SET data=excluded.data",
            (ref, user_id, chat_id, lang, json.dumps(data, ensure_ascii=False), time.time()),
        )

    def report(self, ref: str, user_id: int) -> dict[str, Any] | None:
        """A report, only for the user who made it."""
        row = self._exec("SELECT data FROM reports WHERE ref=? AND user_id=?", (ref, user_id)).fetchone()
        return json.loads(row["data"]) if row else None

    def reports_of(self, user_id: int) -> list[str]:
        return [r["ref"] for r in self._exec("SELECT ref FROM reports WHERE user_id=? ORDER BY created", (user_id,))]

    def mark_report_shared(self, ref: str) -> None:
        self._exec("UPDATE reports SET shared=1 WHERE ref=?", (ref,))

    def purge_reports(self, older_than_days: float, now: float | None = None) -> int:
        """Delete reports past the retention period; returns how many went."""
        cutoff = (now or time.time()) - older_than_days * 86400
        return self._exec("DELETE FROM reports WHERE created < ?", (cutoff,)).rowcount

    # --- admins: labels, review queue, audit ------------------------------------------------------
    def add_label(self, submission_id: int, admin_id: int, label: str) -> None:
        """Record a label; the latest one wins, so a second admin can overrule the first."""
        if label not in ("scam", "legit", "spam"):
            raise ValueError(label)
        self._exec("INSERT INTO labels(submission_id, admin_id, label, created) VALUES (?,?,?,?)",
                   (submission_id, admin_id, label, time.time()))

    def label_of(self, submission_id: int) -> str | None:
        row = self._exec("SELECT label FROM labels WHERE submission_id=? ORDER BY id DESC LIMIT 1",
                         (submission_id,)).fetchone()
        return row["label"] if row else None

    def labelled(self) -> list[tuple[Submission, str, int, float]]:
        """Every labelled submission with its current (latest) label, the admin and the time."""
        rows = self._exec(
            "SELECT l.submission_id, l.label, l.admin_id, l.created FROM labels l JOIN "
            "(SELECT submission_id, MAX(id) AS id FROM labels GROUP BY submission_id) last ON last.id = l.id "
            "ORDER BY l.submission_id").fetchall()
        out = []
        for r in rows:
            sub = self.submission(r["submission_id"])
            if sub is not None:
                out.append((sub, r["label"], r["admin_id"], r["created"]))
        return out

    def skip_review(self, admin_id: int, submission_id: int) -> None:
        self._exec("INSERT OR IGNORE INTO review_skips(admin_id, submission_id) VALUES (?,?)", (admin_id, submission_id))

    def next_for_review(self, admin_id: int, sample_every: int = 20) -> Submission | None:
        """Users' "This is wrong" first, then uncertain (medium) verdicts, then one in ``sample_every`` of the rest."""
        unlabelled = ("s.id NOT IN (SELECT submission_id FROM labels) AND s.id NOT IN "
                      "(SELECT submission_id FROM review_skips WHERE admin_id=?)")
        queries = [
            f"SELECT s.id FROM submissions s WHERE {unlabelled} AND s.id IN (SELECT submission_id FROM feedback "
            "WHERE kind='wrong') ORDER BY s.id LIMIT 1",
            f"SELECT s.id FROM submissions s WHERE {unlabelled} AND s.level='medium' ORDER BY s.id LIMIT 1",
            f"SELECT s.id FROM submissions s WHERE {unlabelled} AND (s.id % {int(sample_every)}) = 0 ORDER BY s.id LIMIT 1",
        ]
        for q in queries:
            row = self._exec(q, (admin_id,)).fetchone()
            if row:
                return self.submission(row["id"])
        return None

    def audit(self, admin_id: int, action: str, detail: dict[str, Any] | str = "") -> None:
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        self._exec("INSERT INTO audit(admin_id, action, detail, created) VALUES (?,?,?,?)",
                   (admin_id, action, text, time.time()))

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._exec("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

    # --- statistics ------------------------------------------------------------------------------
    def stats(self, days: int = 14, now: float | None = None) -> dict[str, Any]:
        now = now or time.time()
        since = now - days * 86400
        q = lambda sql, *a: self._exec(sql, a).fetchall()  # noqa: E731
        per_day = {r["day"]: r["n"] for r in q(
            "SELECT date(created, 'unixepoch') AS day, COUNT(*) AS n FROM submissions WHERE created >= ? "
            "GROUP BY day ORDER BY day", since)}
        levels = {r["level"]: r["n"] for r in q("SELECT level, COUNT(*) AS n FROM submissions WHERE created >= ? GROUP BY level", since)}
        langs = {r["lang"] or "?": r["n"] for r in q("SELECT lang, COUNT(*) AS n FROM submissions WHERE created >= ? "
                                                      "GROUP BY lang ORDER BY n DESC", since)}
        flags: dict[str, int] = {}
        for r in q("SELECT verdict FROM submissions WHERE created >= ?", since):
            for f in json.loads(r["verdict"]).get("flags", []):
                flags[f["code"]] = flags.get(f["code"], 0) + 1
        feedback = {r["kind"]: r["n"] for r in q("SELECT kind, COUNT(*) AS n FROM feedback GROUP BY kind")}
        labels = {r["label"]: r["n"] for r in q(
            "SELECT l.label, COUNT(*) AS n FROM labels l JOIN (SELECT MAX(id) AS id FROM labels GROUP BY submission_id) "
            "last ON last.id = l.id GROUP BY l.label")}
        return {"days": days, "per_day": per_day, "levels": levels, "languages": langs,
                "top_flags": dict(sorted(flags.items(), key=lambda kv: -kv[1])[:8]), "feedback": feedback,
                "labels": labels, "total": sum(per_day.values())}

    # --- alerts ----------------------------------------------------------------------------------
    def subscribe_alerts(self, user_id: int, lang: str, countries: list[str]) -> None:
        self._exec("INSERT INTO alert_subscribers(user_id, lang, countries, created) VALUES (?,?,?,?) "
                   "ON CONFLICT(user_id) DO UPDATE SET lang=excluded.lang, countries=excluded.countries",
                   (user_id, lang, ",".join(countries), time.time()))

    def unsubscribe_alerts(self, user_id: int) -> bool:
        return self._exec("DELETE FROM alert_subscribers WHERE user_id=?", (user_id,)).rowcount > 0

    def alert_subscription(self, user_id: int) -> dict[str, Any] | None:
        row = self._exec("SELECT * FROM alert_subscribers WHERE user_id=?", (user_id,)).fetchone()
        return {"lang": row["lang"], "countries": [c for c in row["countries"].split(",") if c]} if row else None

    def create_broadcast(self, admin_id: int, text: str, lang: str | None, country: str | None) -> tuple[int, int]:
        """A broadcast and its pending deliveries, in one transaction; returns (id, audience size)."""
        with self.transaction():
            cur = self._exec("INSERT INTO broadcasts(admin_id, text, lang, country, status, created) VALUES (?,?,?,?,?,?)",
                             (admin_id, text, lang, country, "draft", time.time()))
            bid = int(cur.lastrowid)
            sql = "SELECT user_id, countries FROM alert_subscribers WHERE (? IS NULL OR lang = ?)"
            users = [r["user_id"] for r in self._exec(sql, (lang, lang)).fetchall()
                     if country is None or not r["countries"] or country in r["countries"].split(",")]
            now = time.time()
            for uid in users:
                self._exec("INSERT INTO deliveries(broadcast_id, user_id, status, updated) VALUES (?,?,?,?)",
                           (bid, uid, "pending", now))
        return bid, len(users)

    def start_broadcast(self, bid: int) -> None:
        self._exec("UPDATE broadcasts SET status='sending' WHERE id=? AND status='draft'", (bid,))

    def release_stale_claims(self, bid: int) -> int:
        """Deliveries claimed but not confirmed when the bot stopped: the message may have gone out, so
        they are never sent again; they count as "unknown" in the report."""
        return self._exec("UPDATE deliveries SET status='unknown', updated=? WHERE broadcast_id=? AND status='sending'",
                          (time.time(), bid)).rowcount

    def broadcasts_in_progress(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._exec("SELECT * FROM broadcasts WHERE status='sending' ORDER BY id")]

    def broadcast(self, bid: int) -> dict[str, Any] | None:
        row = self._exec("SELECT * FROM broadcasts WHERE id=?", (bid,)).fetchone()
        return dict(row) if row else None

    def pending_deliveries(self, bid: int, limit: int = 100) -> list[int]:
        return [r["user_id"] for r in self._exec(
            "SELECT user_id FROM deliveries WHERE broadcast_id=? AND status='pending' ORDER BY user_id LIMIT ?", (bid, limit))]

    def mark_delivery(self, bid: int, user_id: int, status: str, detail: str = "") -> None:
        self._exec("UPDATE deliveries SET status=?, detail=?, updated=? WHERE broadcast_id=? AND user_id=?",
                   (status, detail[:200], time.time(), bid, user_id))

    def finish_broadcast(self, bid: int) -> dict[str, int]:
        self._exec("UPDATE broadcasts SET status='done' WHERE id=?", (bid,))
        return self.delivery_report(bid)

    def delivery_report(self, bid: int) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._exec(
            "SELECT status, COUNT(*) AS n FROM deliveries WHERE broadcast_id=? GROUP BY status", (bid,))}

    # --- groups ----------------------------------------------------------------------------------
    def group(self, chat_id: int) -> dict[str, Any]:
        row = self._exec("SELECT * FROM groups WHERE chat_id=?", (chat_id,)).fetchone()
        if row is None:
            return {"enabled": True, "threshold": "high", "lang": None}
        return {"enabled": bool(row["enabled"]), "threshold": row["threshold"], "lang": row["lang"]}

    def set_group(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        current = self.group(chat_id)
        current.update(fields)
        self._exec(
            "INSERT INTO groups(chat_id, enabled, threshold, lang, updated) VALUES (?,?,?,?,?) "
            "ON CONFLICT(chat_id) DO UPDATE SET enabled=excluded.enabled, threshold=excluded.threshold, "
            "lang=excluded.lang, updated=excluded.updated",
            (chat_id, int(current["enabled"]), current["threshold"], current["lang"], time.time()),
        )
        return current

    def count(self, table: str) -> int:
        if table not in ("users", "submissions", "feedback", "conversations", "groups", "reports", "labels", "audit",
                         "alert_subscribers", "broadcasts", "deliveries"):
            raise ValueError(table)
        return int(self._exec(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


class _Tx:
    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Store:
        self.store._lock.acquire()
        self.store._db.execute("BEGIN")
        return self.store

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.store._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.store._lock.release()
