"""Logging that never writes a bot token, and keeps httpx from logging every URL (which contain it)."""

from __future__ import annotations

import logging

from bot.settings import TOKEN_RE

__all__ = ["RedactTokens", "setup_logging"]


class RedactTokens(logging.Filter):
    """Replaces anything shaped like a bot token in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # a malformed log call: leave it to logging's own error path
            return True
        if TOKEN_RE.search(msg):
            record.msg = TOKEN_RE.sub("[REDACTED-TOKEN]", msg)
            record.args = ()
        return True


def setup_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, RedactTokens) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactTokens())
        root.addHandler(handler)
    root.setLevel(level)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # Filters on handlers see records from every logger; add one to existing handlers too.
    for h in root.handlers:
        if not any(isinstance(f, RedactTokens) for f in h.filters):
            h.addFilter(RedactTokens())
