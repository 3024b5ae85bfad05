"""The HTTP server for real on 127.0.0.1: health, metrics, the check API and its status codes, OpenAPI."""

from __future__ import annotations


import aiohttp
import pytest
from aiohttp import web

from bot.services import build_services
from bot.settings import Settings
from bot.web.server import MAX_API_BODY, make_web_app
from bot_harness import free_port

LURE = "Customer service job in Thailand, USD 2,000 a month, flight and visa paid, no experience needed. Telegram @hr_bkk99"


@pytest.fixture
async def server(tmp_path, detector):
    port = free_port()
    settings = Settings(data_dir=tmp_path / "var", http_host="127.0.0.1", http_port=port,
                        api_keys=frozenset({"k-one", "k-two"}), api_rate_per_second=2.0)
    services = build_services(settings, detector=detector)
    runner = web.AppRunner(make_web_app(services, None))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as session:
        yield session, services
    await runner.cleanup()
    services.close()


async def test_healthz_ok_then_503_when_store_unreachable(server):
    session, services = server
    r = await session.get("/healthz")
    assert r.status == 200 and (await r.json())["model"] == services.detector.model_version
    services.store.close()
    r = await session.get("/healthz")
    assert r.status == 503 and (await r.json())["store"] is False


async def test_check_returns_the_verdict(server):
    session, _ = server
    r = await session.post("/api/v1/check", json={"text": LURE}, headers={"Authorization": "Bearer k-one"})
    assert r.status == 200
    v = await r.json()
    assert v["level"] == "high" and v["entities"]["telegram_handles"] == ["@hr_bkk99"]


@pytest.mark.parametrize("headers,body,status", [
    ({}, {"text": LURE}, 401),
    ({"Authorization": "Bearer nope"}, {"text": LURE}, 401),
    ({"Authorization": "Basic k-one"}, {"text": LURE}, 401),
    ({"Authorization": "Bearer k-one"}, b"{not json", 400),
    ({"Authorization": "Bearer k-one"}, {"message": LURE}, 400),
    ({"Authorization": "Bearer k-one"}, {"text": 5}, 400),
    ({"Authorization": "Bearer k-one"}, ["text"], 400),
    ({"Authorization": "Bearer k-one"}, {"text": "   \u200b "}, 400),
    ({"Authorization": "Bearer k-one"}, {"text": "x" * (MAX_API_BODY + 10)}, 413),
])
async def test_check_status_codes(server, headers, body, status):
    session, _ = server
    kwargs = {"data": body} if isinstance(body, bytes) else {"json": body}
    r = await session.post("/api/v1/check", headers=headers, **kwargs)
    assert r.status == status
    assert "error" in await r.json()


async def test_rate_limit_per_key_with_retry_after(server):
    session, _ = server
    statuses = []
    for _ in range(8):
        r = await session.post("/api/v1/check", json={"text": "hello there"}, headers={"Authorization": "Bearer k-two"})
        statuses.append(r.status)
        if r.status == 429:
            assert int(r.headers["Retry-After"]) >= 1
    assert 429 in statuses and statuses[0] == 200
    r = await session.post("/api/v1/check", json={"text": "hello"}, headers={"Authorization": "Bearer k-one"})
    assert r.status == 200  # another key is not affected


async def test_metrics_in_prometheus_format(server):
    session, services = server
    await session.post("/api/v1/check", json={"text": LURE}, headers={"Authorization": "Bearer k-one"})
    await session.post("/api/v1/check", json={"text": LURE})
    r = await session.get("/metrics")
    text = await r.text()
    assert r.status == 200 and r.content_type == "text/plain"
    assert f'safejob_model_info{{version="{services.detector.model_version}"}} 1' in text
    assert 'safejob_verdicts_total{language="en",level="high",source="api"} 1' in text
    assert 'safejob_api_requests_total{status="401"} 1' in text
    assert "# TYPE safejob_api_latency_seconds histogram" in text and 'safejob_api_latency_seconds_bucket{le="+Inf"} 2' in text


async def test_openapi_document(server):
    session, _ = server
    r = await session.get("/api/v1/openapi.json")
    doc = await r.json()
    assert doc["openapi"].startswith("3.")
    responses = doc["paths"]["/api/v1/check"]["post"]["responses"]
    assert set(responses) == {"200", "400", "401", "413", "429"}


async def test_bot_metrics_count_updates_and_latency(tmp_path, detector):
    from bot_harness import Harness
    from fake_telegram import message

    h = await Harness(tmp_path / "var", detector).start()
    try:
        await h.send(message(1, LURE), chat_id=1)
        h.fake.fail("sendMessage", "500")
        await h.send(message(1, "/help"), chat_id=1)
        async with aiohttp.ClientSession() as s:
            text = await (await s.get(f"http://127.0.0.1:{h.settings.http_port}/metrics")).text()
        assert 'safejob_updates_total{kind="message"} 2' in text
        assert "safejob_reply_latency_seconds_count 2" in text
        assert 'safejob_telegram_api_errors_total{kind="NetworkError",method="sendMessage"} 1' in text
    finally:
        await h.close()
