"""python-telegram-bot layer: a thin adapter between Telegram updates and the shared services."""

import os

# Opt in to PTB's future behaviour (durations as timedelta) so RetryAfter does not warn on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
