"""Admins end to end through the fake Bot API: refusal, review and labels, known scams at once, retrain and
promote with the very next check on the new model, rollback, statistics, paced resumable broadcasts."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bot.i18n import t
from bot_harness import Harness
from fake_telegram import callback, message

ADMIN = 42
ROOT = Path(__file__).resolve().parent.parent
LURE = ("Customer service job in Thailand, USD 2,000 a month, flight and visa paid, no experience needed. "
        "Contact on Telegram @hr_bkk99 today!")


@pytest.fixture
async def bot(tmp_path, detector):
    h = await Harness(tmp_path / "var", detector, admin_ids=frozenset({ADMIN})).start()
    yield h
    await h.close()


def data_of(call) -> list[str]:
    return [b["callback_data"] for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


@pytest.mark.parametrize("command", ["/review", "/stats", "/models", "/rollback", "/retrain", "/alert hello"])
async def test_non_admin_commands_refused(bot, command):
    [r] = await bot.send(message(7, command), chat_id=7)
    assert r.params["text"] == t("en", "admin.only")


@pytest.mark.parametrize("data", ["v1:lbl:1:scam", "v1:mdl:promote:2026-01-01.1", "v1:mdl:discard:x", "v1:bc:1"])
async def test_forged_admin_buttons_do_nothing(bot, data):
    await bot.send(message(8, LURE), chat_id=8)
    [a] = await bot.send(callback(9, data), method="answerCallbackQuery")
    assert a.params["text"] == t("en", "button.expired")
    assert bot.services.store.label_of(1) is None
    assert bot.services.store.audit_log() == []


async def test_review_disputed_first_label_and_overrule(bot):
    await bot.send(message(10, "Hiring cashier in Cebu, PHP 16,000 a month, apply at the store"), chat_id=10)
    [v] = await bot.send(message(11, "Data entry job, USD 900 monthly, remote, apply via our site"), chat_id=11)
    wrong = data_of(v)[1]
    await bot.send(callback(11, wrong), method="answerCallbackQuery")
    sid = int(wrong.split(":")[2])
    [r] = await bot.send(message(ADMIN, "/review"), chat_id=ADMIN)
    assert r.params["text"].startswith(f"<b>Review #{sid}</b>")
    assert "11" not in r.params["text"].split("\n")[0].replace(str(sid), "")  # the submitter is not shown
    await bot.send(callback(ADMIN, f"v1:lbl:{sid}:legit"), chat_id=ADMIN)
    assert bot.services.store.label_of(sid) == "legit"
    await bot.send(callback(ADMIN, f"v1:lbl:{sid}:scam"), chat_id=ADMIN)  # a second decision overrules
    assert bot.services.store.label_of(sid) == "scam"
    actions = [a["action"] for a in bot.services.store.audit_log()]
    assert actions.count("label") == 2


async def test_confirmed_scam_is_known_at_once(bot):
    text = ("Trabaho sa Hpa Lu bilang chat support, 95,000 piso kada buwan, sagot ang pamasahe at bahay, "
            "dalhin ang pasaporte, kontakin si Ate Joy sa Telegram @joy_recruits_777 bago Biyernes")
    [v] = await bot.send(message(12, text), chat_id=12)
    sid = int(data_of(v)[0].split(":")[2])
    await bot.send(callback(ADMIN, f"v1:lbl:{sid}:scam"), chat_id=ADMIN)
    await bot.send(message(13, text.replace("Biyernes", "Sabado")), chat_id=13)
    sub = bot.services.store.submissions_of(13)[-1]
    assert sub.verdict["matches"] and sub.verdict["matches"][0]["id"] == f"admin-{sid}"
    assert sub.verdict["level"] == "high"


async def test_group_label_by_reply(bot):
    gid = -777
    post = {"message_id": 55, "date": 1, "chat": {"id": gid, "type": "supergroup"}, "text": LURE}
    [r] = await bot.send(message(ADMIN, "/scam", chat_id=gid, chat_type="supergroup", reply_to_message=post), chat_id=gid)
    assert r.params["text"].startswith("Labelled as scam")
    await bot.send(message(99, "/scam", chat_id=gid, chat_type="supergroup", reply_to_message=post), expect=0, chat_id=gid)
    labelled = bot.services.store.labelled()
    assert len(labelled) == 1 and labelled[0][1] == "scam" and labelled[0][0].user_id is None


async def test_stats_text_and_chart(bot):
    await bot.send(message(14, LURE), chat_id=14)
    await bot.send(message(ADMIN, "/stats"), chat_id=ADMIN)
    await bot.fake.wait_for(lambda c: bot.fake.sent("sendPhoto", ADMIN))
    [photo] = bot.fake.sent("sendPhoto", ADMIN)
    assert photo.files["photo"].startswith(b"\x89PNG")
    text = bot.fake.sent("sendMessage", ADMIN)[-1].params["text"]
    assert "checks" in text and "high 1" in text


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    rng = random.Random(5)
    for f in sorted((ROOT / "training" / "corpus").glob("*.jsonl")):
        lines = [x for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
        (d / f.name).write_text("\n".join(rng.sample(lines, k=max(10, len(lines) // 3))) + "\n", encoding="utf-8")
    return d


async def test_retrain_promote_next_check_uses_new_model_then_rollback(tmp_path, detector, small_corpus, monkeypatch):
    monkeypatch.setenv("SAFEJOB_CORPUS_DIR", str(small_corpus))
    monkeypatch.setenv("SAFEJOB_SHARED_DATA", str(tmp_path / "no-real-data"))
    h = await Harness(tmp_path / "var", detector, admin_ids=frozenset({ADMIN})).start()
    try:
        old_version = h.services.detector.model_version
        await h.send(message(20, LURE), chat_id=20)
        [r] = await h.send(message(ADMIN, "/review"), chat_id=ADMIN)
        await h.send(callback(ADMIN, "v1:lbl:1:scam"), chat_id=ADMIN)
        await h.send(message(ADMIN, "/retrain"), chat_id=ADMIN)
        # the bot keeps answering while the model trains in another process
        [r] = await h.send(message(21, LURE), chat_id=21)
        assert t("en", "level.high") in r.params["text"]
        await h.fake.wait_for(lambda c: any("is ready" in x.params.get("text", "") for x in h.fake.sent("sendMessage", ADMIN)),
                              timeout=240)
        ready = [x for x in h.fake.sent("sendMessage", ADMIN) if "is ready" in x.params.get("text", "")][-1]
        assert "overall:" in ready.params["text"]  # the comparison with the current model, per language
        promote = data_of(ready)[0]
        new_version = promote.split(":", 3)[3]
        replies = await h.send(callback(ADMIN, promote), chat_id=ADMIN, timeout=120)
        if "refusing to promote" in replies[0].params["text"]:  # worse on the held-out rows: force it
            force = data_of(replies[0])[0]
            assert force.startswith("v1:mdl:force:")
            replies = await h.send(callback(ADMIN, force), chat_id=ADMIN, timeout=120)
        assert "is serving now" in replies[0].params["text"]
        await h.send(message(22, LURE), chat_id=22)
        assert h.services.store.submissions_of(22)[-1].model_version == new_version
        [r] = await h.send(message(ADMIN, "/rollback"), chat_id=ADMIN)
        assert old_version in r.params["text"]
        await h.send(message(23, LURE), chat_id=23)
        assert h.services.store.submissions_of(23)[-1].model_version == old_version
        assert {"retrain", "promote", "rollback"} <= {a["action"] for a in h.services.store.audit_log()}
    finally:
        await h.close()


async def test_broadcast_500_paced_survives_429_and_restart(tmp_path, detector):
    h = await Harness(tmp_path / "var", detector, admin_ids=frozenset({ADMIN})).start()
    try:
        store = h.services.store
        users = list(range(100_000, 100_500))
        for uid in users:
            store.subscribe_alerts(uid, "en", [])
        store.subscribe_alerts(200_000, "th", ["MM"])  # filtered out by lang=en
        [r] = await h.send(message(ADMIN, "/alert lang=en Warning: fake call-centre jobs in Myawaddy"), chat_id=ADMIN)
        assert "to 500 subscribers" in r.params["text"]
        send = data_of(r)[0]
        h.fake.fail("sendMessage", "429", times=1, value=1)
        await h.send(callback(ADMIN, send), method="answerCallbackQuery")
        alert_calls = lambda: [c for c in h.fake.calls if c.method == "sendMessage" and c.params.get("chat_id") in set(users)]  # noqa: E731
        await h.fake.wait_for(lambda c: len(alert_calls()) >= 200, timeout=60)
        await h.restart()  # midway
        await h.fake.wait_for(lambda c: any(" done: " in x.params.get("text", "") for x in h.fake.sent("sendMessage", ADMIN)),
                              timeout=90)
        per_user: dict[int, int] = {}
        for c in alert_calls():
            per_user[c.params["chat_id"]] = per_user.get(c.params["chat_id"], 0) + 1
        assert max(per_user.values()) == 1  # nobody got it twice
        report = h.services.store.delivery_report(1)
        assert report.get("sent", 0) + report.get("unknown", 0) == 500
        assert report.get("unknown", 0) <= 1
        assert 200_000 not in per_user
        times = sorted(c.at for c in alert_calls())
        window = max(sum(1 for x in times if t0 <= x < t0 + 1.0) for t0 in times)
        assert window <= 30  # Telegram allows about 30 messages a second
        assert any(c.method == "sendMessage!429" for c in h.fake.calls)
    finally:
        await h.close()


async def test_users_opt_in_to_alerts(bot):
    [r] = await bot.send(message(30, "/alerts", lang="th"), chat_id=30)
    assert "v1:alr:all" in data_of(r)
    [a] = await bot.send(callback(30, "v1:alr:KH", lang="th"), method="answerCallbackQuery")
    assert a.params["text"] == t("th", "alerts.subscribed")
    assert bot.services.store.alert_subscription(30) == {"lang": "th", "countries": ["KH"]}
    await bot.send(callback(30, "v1:alr:stop", lang="th"), method="answerCallbackQuery")
    assert bot.services.store.alert_subscription(30) is None


def test_labels_export_import_cli(tmp_path):
    env = {**os.environ, "SAFEJOB_DATA_DIR": str(tmp_path / "a")}
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": LURE, "label": "scam", "lang": "en"}) + "\n{bad\n"
                   + json.dumps({"text": "Cashier wanted in Cebu", "label": "legit"}) + "\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "bot.cli", "labels", "import", str(src), "--admin-id", "5"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert p.returncode == 1 and "imported 2 labels, 1 lines refused" in p.stderr
    p = subprocess.run([sys.executable, "-m", "bot.cli", "labels", "export"], capture_output=True, text=True, env=env,
                       cwd=ROOT, timeout=120)
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["scam", "legit"]
    assert set(rows[0]) >= {"id", "lang", "domain", "label", "source_label", "kind", "provenance", "text"}
