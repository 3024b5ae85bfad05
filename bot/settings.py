"""Configuration from the environment (and a ``.env`` file if present), as DESIGN.md lists it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

__all__ = ["Settings", "load_dotenv", "TOKEN_RE", "default_detector_workers"]

DEFAULT_API_BASE = "https://api.telegram.org/bot"
TOKEN_RE = re.compile(r"\d{5,}:[\w-]{30,}")


def load_dotenv(path: Path = Path(".env"), environ: dict[str, str] | None = None) -> None:
    """Read KEY=VALUE lines into the environment without overriding what is already set."""
    environ = os.environ if environ is None else environ
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip().strip('"').strip("'")
        if value:
            environ.setdefault(key.strip(), value)


def default_detector_workers(cpu_count: int | None = None) -> int:
    """One worker process when there is a second core for it; none on one core, where it only adds work."""
    cores = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    return 1 if cores >= 2 else 0


def _ids(raw: str) -> frozenset[int]:
    out = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if part.lstrip("-").isdigit():
            out.add(int(part))
    return frozenset(out)


@dataclass(frozen=True)
class Settings:
    token: str = ""
    api_base: str = DEFAULT_API_BASE
    file_base: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    data_dir: Path = Path("./var")
    admin_ids: frozenset[int] = frozenset()
    http_host: str = "0.0.0.0"
    http_port: int = 8080
    api_keys: frozenset[str] = frozenset()
    caseworker_chat_id: int | None = None
    report_retention_days: int = 365
    rate_limit_per_minute: int = 20
    api_rate_per_second: float = 20.0
    # Processes that run the checks beside the bot (0: in the bot's own process); see bot/checker.py.
    detector_workers: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        api_base = env.get("TELEGRAM_API_BASE") or DEFAULT_API_BASE
        file_base = env.get("TELEGRAM_FILE_BASE") or api_base.replace("/bot", "/file/bot", 1)
        cw = env.get("SAFEJOB_CASEWORKER_CHAT_ID", "").strip()
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
            api_base=api_base,
            file_base=file_base,
            webhook_url=env.get("TELEGRAM_WEBHOOK_URL", "").strip(),
            webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", "").strip(),
            data_dir=Path(env.get("SAFEJOB_DATA_DIR") or "./var"),
            admin_ids=_ids(env.get("SAFEJOB_ADMIN_IDS", "")),
            http_host=env.get("SAFEJOB_HTTP_HOST") or "0.0.0.0",
            http_port=int(env.get("SAFEJOB_HTTP_PORT") or 8080),
            api_keys=frozenset(k.strip() for k in env.get("SAFEJOB_API_KEYS", "").split(",") if k.strip()),
            caseworker_chat_id=int(cw) if cw.lstrip("-").isdigit() else None,
            report_retention_days=int(env.get("SAFEJOB_REPORT_RETENTION_DAYS") or 365),
            rate_limit_per_minute=int(env.get("SAFEJOB_RATE_LIMIT_PER_MINUTE") or 20),
            api_rate_per_second=float(env.get("SAFEJOB_API_RATE_PER_SECOND") or 20),
            detector_workers=int(env.get("SAFEJOB_DETECTOR_WORKERS") or default_detector_workers()),
        )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "safejob.sqlite3"
