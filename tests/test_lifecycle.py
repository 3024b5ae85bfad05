"""`safejob run` as a real process: SIGTERM stops it cleanly; start-up says clearly what is wrong."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path


from bot_harness import TOKEN, free_port
from fake_telegram import FakeTelegram, message

ROOT = Path(__file__).resolve().parent.parent


def _env(tmp_path: Path, fake: FakeTelegram | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SAFEJOB_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "SAFEJOB_DATA_DIR": str(tmp_path / "var"),
                "SAFEJOB_HTTP_HOST": "127.0.0.1", "SAFEJOB_HTTP_PORT": str(free_port())})
    if fake is not None:
        env["TELEGRAM_API_BASE"] = fake.api_base
    env.update(extra)
    return env


async def test_sigterm_stops_cleanly_after_answering(tmp_path):
    fake = FakeTelegram(TOKEN)
    await fake.start()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=tmp_path,
                                                env=_env(tmp_path, fake), stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for(lambda c: any(x.method == "getMe" for x in c), timeout=60)
        fake.push(message(5, "/start"))
        await fake.wait_for(lambda c: fake.sent("sendMessage", 5), timeout=60)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=60)
        err = (await proc.stderr.read()).decode()
        assert code == 0, err
        assert "stopped" in err and TOKEN not in err
        db = sqlite3.connect(tmp_path / "var" / "safejob.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        if proc.returncode is None:
            proc.kill()
        await fake.stop()


def test_tampered_model_is_reported_clearly(tmp_path):
    import shutil
    import subprocess

    models = tmp_path / "models"
    shutil.copytree(ROOT / "models", models)
    reg = json.loads((models / "registry.json").read_text())
    (models / reg["versions"][reg["current"]]["file"]).write_bytes(b"not the trained model")
    p = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, capture_output=True, text=True,
                       env=_env(tmp_path, SAFEJOB_MODELS_DIR=str(models)), timeout=60)
    assert p.returncode == 3
    assert "sha256" in p.stderr and "Traceback" not in p.stderr


def test_newer_database_schema_is_reported_clearly(tmp_path):
    import subprocess

    (tmp_path / "var").mkdir()
    db = sqlite3.connect(tmp_path / "var" / "safejob.sqlite3")
    db.execute("PRAGMA user_version=99")
    db.commit()
    db.close()
    p = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, capture_output=True, text=True,
                       env=_env(tmp_path), timeout=60)
    assert p.returncode == 3
    assert "schema version 99" in p.stderr and "Traceback" not in p.stderr
