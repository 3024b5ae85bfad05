"""Checks in detector worker processes: same verdicts as in the bot's process, state kept in step, crashes
survived. The workers are real child processes (``python -m bot.checker``) loading the shipped model."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import aiohttp
import pytest

import bot.checker as checker_mod
from bot.checker import Checker
from bot.detector import Detector, EmptyText
from bot.detector.model import Registry, shipped_models_dir
from bot_harness import Harness
from fake_telegram import message

LURE = ("高薪招聘！泰国客服，月薪2万人民币，包机票包签证包吃住，无需经验，有意者加飞机 @hr_kk2026 详聊。"
        "名额有限，今天就走，护照交给公司保管。")
LOCAL = "Bangkok restaurant hiring kitchen staff, 15,000 baht a month, social security, apply at the front desk."


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """A copy of the shipped registry with a second version (same artifact) to swap to."""
    target = tmp_path / "models"
    shutil.copytree(shipped_models_dir(), target)
    reg = json.loads((target / "registry.json").read_text(encoding="utf-8"))
    reg["versions"]["test.2"] = dict(reg["versions"][reg["current"]])
    (target / "registry.json").write_text(json.dumps(reg), encoding="utf-8")
    return target


@pytest.fixture
async def checker(models_dir: Path):
    c = Checker(Detector.load(models_dir), workers=1)
    await c.start()
    assert c.live_workers == 1
    yield c
    await c.close()


async def _from_worker(c: Checker, text: str) -> dict:
    """Ask the worker itself (not the bot's fallback) for a verdict."""
    reply = await c._workers[0].call({"op": "check", "text": text, "context": None})  # noqa: SLF001
    return reply["verdict"]


async def test_worker_verdicts_equal_in_process_ones(checker: Checker) -> None:
    for text in (LURE, LOCAL, "Liên hệ Zalo 0912 345 678, lương 30 triệu/tháng làm CSKH ở Campuchia"):
        assert await checker.check(text) == checker.detector.check(text).to_json()
        assert await _from_worker(checker, text) == checker.detector.check(text).to_json()
    # the evidence context travels too
    v = await checker.check(LOCAL, {"forward_origin": "KK Park Official Jobs"})
    assert v == checker.detector.check(LOCAL, {"forward_origin": "KK Park Official Jobs"}).to_json()


async def test_empty_text_is_refused_by_the_worker(checker: Checker) -> None:
    with pytest.raises(EmptyText):
        await checker.check("\u200b \u200d ")


async def test_confirmed_scam_reaches_the_worker_at_once(checker: Checker) -> None:
    scam = ("Remote data entry for a Singapore firm: earn 300 USD a day typing from home. Pay a 50 USD "
            "registration fee by GCash to activate your account, then message Ms Grace on Telegram @grace_tasks_sg "
            "for your first task list. Only 20 places left this week!")
    copy = scam.replace("Ms Grace", "Mrs Grace").replace("20 places", "15 places")
    assert not (await _from_worker(checker, copy))["matches"]
    assert checker.add_known_scam("admin-77", scam)
    matches = (await _from_worker(checker, copy))["matches"]
    assert matches and matches[0]["id"] == "admin-77"


async def test_swap_reaches_the_worker_before_the_next_check(checker: Checker, models_dir: Path) -> None:
    registry = Registry(models_dir)
    await checker.swap_model(registry.load("test.2"), models_dir)
    assert (await _from_worker(checker, LURE))["model_version"] == "test.2"
    assert checker.detector.model_version == "test.2"


async def test_crashed_worker_answers_come_from_the_bot_then_a_new_worker(checker: Checker,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker_mod, "_RESTART_PAUSE", 0.0)
    checker.add_known_scam("admin-5", LURE + " 再说一遍：今天就走。")
    checker._workers[0].proc.kill()  # noqa: SLF001
    await checker._workers[0].proc.wait()  # noqa: SLF001
    # nobody is left without an answer while the worker is gone
    assert (await checker.check(LOCAL))["level"] == checker.detector.check(LOCAL).level
    for _ in range(200):
        if checker.live_workers == 1:
            break
        await asyncio.sleep(0.1)
    assert checker.live_workers == 1
    # the replacement knows what its predecessor knew
    assert (await _from_worker(checker, LURE + " 再说一遍：今天就走。"))["matches"][0]["id"] == "admin-5"


async def test_worker_that_cannot_load_leaves_the_bot_checking(tmp_path: Path, models_dir: Path) -> None:
    c = Checker(Detector.load(models_dir), workers=1)
    (models_dir / "registry.json").write_text("{}", encoding="utf-8")  # the worker will find no model
    await c.start()
    try:
        assert c.live_workers == 0
        assert (await c.check(LURE))["level"] == "high"
    finally:
        await c.close()


async def test_bot_with_a_worker_end_to_end(tmp_path: Path, detector: Detector) -> None:
    h = Harness(tmp_path, detector, detector_workers=1)
    await h.start()
    try:
        assert h.services.checker.live_workers == 1
        calls = await h.send(message(4242, LURE, lang="zh"))
        assert "高" in calls[0].params["text"] or "风险" in calls[0].params["text"]
        async with aiohttp.ClientSession(f"http://127.0.0.1:{h.settings.http_port}") as http:
            health = await (await http.get("/healthz")).json()
            assert health["detector_workers"] == {"wanted": 1, "running": 1}
            assert "safejob_detector_workers 1" in await (await http.get("/metrics")).text()
        proc = h.services.checker._workers[0].proc  # noqa: SLF001
    finally:
        await h.close()
    assert proc.returncode is not None  # stopped with the bot


async def test_lone_surrogates_and_line_breaks_cross_the_pipe(checker: Checker) -> None:
    text = "月薪三万 \ud83d 包机票\u2028line\r\nnext \u0085 @hr_kk2026"
    assert await _from_worker(checker, text) == checker.detector.check(text).to_json()


async def test_worker_started_before_a_swap_catches_up(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An admin promotes a model while a worker is still loading the previous one."""
    detector = Detector.load(models_dir)
    old_version = detector.model_version
    c = Checker(detector, workers=1)
    original = checker_mod._Worker.spawn

    async def slow_spawn(models: Path, version: str):
        worker = await original(models, old_version)
        detector.swap_model(Registry(models_dir).load("test.2"))  # the swap lands while it was starting
        return worker

    monkeypatch.setattr(checker_mod._Worker, "spawn", staticmethod(slow_spawn))
    await c.start()
    try:
        assert (await _from_worker(c, LURE))["model_version"] == "test.2"
    finally:
        await c.close()
