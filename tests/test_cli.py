"""The `safejob` command as a user runs it: a real process, real model, real stdin/stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LURE = "泰国高薪招聘客服，月薪20000元，机票签证全包，包吃包住，无需经验，联系飞机 @hr_thai888"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("SAFEJOB_MODELS_DIR", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True,
                          cwd=ROOT, env=env, timeout=120)


def test_check_argument_human_readable() -> None:
    p = run("check", "--lang", "en", LURE)
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert out.startswith("High risk")
    assert "机票签证全包" in out  # the evidence is quoted from the message itself


def test_check_json_and_stdin() -> None:
    p = run("check", "--json", stdin=LURE.encode())
    assert p.returncode == 0, p.stderr
    v = json.loads(p.stdout)
    assert v["level"] == "high" and v["language"] == "zh" and v["intent"] == "job_offer"
    assert len(v["flags"]) >= 3
    assert v["entities"]["telegram_handles"] == ["@hr_thai888"]
    assert v["entities"]["amounts_usd_month"]
    assert set(v) >= {"risk", "level", "intent", "language", "flags", "entities", "matches", "model_version"}


@pytest.mark.parametrize("stdin", [b"", b"   \n", "\u200b".encode()])
def test_empty_input_exit_2(stdin: bytes) -> None:
    p = run("check", stdin=stdin)
    assert p.returncode == 2
    assert b"nothing to check" in p.stderr
    assert b"Traceback" not in p.stderr


def test_undecodable_stdin_is_a_clear_error() -> None:
    p = run("check", stdin=b"\xff\xfe\xfa job offer \xc3")
    assert p.returncode == 2
    assert b"not valid UTF-8" in p.stderr
    assert b"Traceback" not in p.stderr


def test_over_limit_text_checked_with_notice() -> None:
    p = run("check", "--json", stdin=(LURE + " " + "a" * 100_050).encode())
    assert p.returncode == 0
    assert b"only the first 100,000" in p.stderr
    assert json.loads(p.stdout)["truncated"] is True


def test_jsonl_batch_goes_on_after_bad_lines() -> None:
    lines = [
        json.dumps({"id": "a", "text": LURE}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": "   "}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": 7, "text": "Hiring a cashier in Cebu, PHP 16,000 a month"}),
    ]
    p = run("check", "--jsonl", stdin=("\n".join(lines) + "\n").encode() + b"\xff\xfe\n")
    assert p.returncode == 0, p.stderr
    out = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [o.get("id") for o in out] == ["a", 2, "c", "d", 5, 7, 7]
    assert out[0]["level"] == "high"
    assert "error" in out[1] and "error" in out[2] and "error" in out[3] and "error" in out[4]
    assert out[5]["level"] == "low"
    assert "UTF-8" in out[6]["error"]


def test_evaluate_reports_per_language_and_domain(tmp_path: Path) -> None:
    f = tmp_path / "eval.jsonl"
    rows = [
        {"text": LURE, "label": "scam", "lang": "zh", "domain": "job_ad"},
        {"text": "招聘超市收银员，北京朝阳区，月薪4500元，五险一金", "label": "legit", "lang": "zh", "domain": "job_ad"},
        {"text": "Win a free iPhone, click bit.ly/xx", "label": "spam", "lang": "en", "domain": "sms"},
        {"text": "Customer service in Cambodia USD 1800, free flight, Telegram @a_b_c_d", "label": "scam", "lang": "en", "domain": "sms"},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    p = run("evaluate", str(f))
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    assert report["overall"]["n"] == 4 and report["overall"]["scam"] == 2
    assert set(report["by_lang"]) == {"zh", "en"}
    assert set(report["by_domain"]) == {"job_ad", "sms"}
    assert report["overall"]["roc_auc"] is not None


def test_evaluate_missing_file() -> None:
    p = run("evaluate", "/nonexistent.jsonl")
    assert p.returncode == 2 and b"no such file" in p.stderr


def test_models_list_shows_current() -> None:
    p = run("models", "list")
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().lstrip().startswith("*") or "*" in p.stdout.decode()
