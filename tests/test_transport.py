"""The aiohttp transport under python-telegram-bot, against the fake Bot API over real HTTP."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut

from bot.telegram.transport import AiohttpRequest
from fake_telegram import FakeTelegram

TOKEN = "123456:TEST-transport"


@pytest.fixture
async def fake():
    server = FakeTelegram(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram):
    request = AiohttpRequest(connection_pool_size=2, read_timeout=0.5, write_timeout=1.0, connect_timeout=1.0)
    b = Bot(TOKEN, base_url=fake.api_base, request=request, get_updates_request=AiohttpRequest(1))
    async with b:
        yield b


async def test_json_answer_and_form_fields(fake: FakeTelegram, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Why?", callback_data="sj:why:1")]])
    sent = await bot.send_message(5, "สวัสดี 你好 <b>x</b>", parse_mode="HTML", reply_markup=markup)
    assert sent.chat.id == 5
    call = fake.sent("sendMessage")[-1]
    assert call.params["text"] == "สวัสดี 你好 <b>x</b>"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "sj:why:1"


async def test_file_upload_is_multipart(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_document(5, InputFile(b"case summary \xe2\x9c\x93", filename="case.txt"), caption="summary")
    call = fake.sent("sendDocument")[-1]
    assert call.params["caption"] == "summary"
    assert b"case summary" in next(iter(call.files.values()))


async def test_slow_answer_is_timed_out(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail("sendMessage", "slow", value=2.0)
    with pytest.raises(TimedOut):
        await bot.send_message(5, "x")


async def test_dropped_connection_is_a_network_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail("sendMessage", "drop")
    with pytest.raises(NetworkError):
        await bot.send_message(5, "x")
    assert (await bot.send_message(5, "y")).text == "y"  # the next one goes through on a fresh connection


async def test_unreachable_server_is_a_network_error() -> None:
    from bot_harness import free_port

    request = AiohttpRequest(connect_timeout=1.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()


async def test_not_initialised_is_refused() -> None:
    with pytest.raises(RuntimeError):
        await AiohttpRequest().do_request("http://127.0.0.1:1/x", "POST")
