"""`telecentre run` and `telecentre doctor` with a real transport against a local peer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import run
from bot.doctor import doctor
from bot.settings import Settings
from tests.conftest import Clock
from tests.transports.fake_telegram import FakeBotApi

TOKEN = "654321:RUN-token-that-must-never-be-logged"
ALICE = 333


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotApi]:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    server = FakeBotApi(TOKEN)
    await server.start()
    yield server
    await server.stop()


def _settings(api: FakeBotApi, tmp_path: Path, token: str = TOKEN) -> Settings:
    return Settings.model_validate(
        {
            "telegram_token": SecretStr(token),
            "telegram_base_url": api.base_url,
            "database_url": f"sqlite:///{tmp_path / 'run.db'}",
            "matrix_homeserver": None,
        }
    )


@pytest.mark.e2e
async def test_run_serves_then_stops_cleanly(
    api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ready, stop = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(
        run(_settings(api, tmp_path), clock=Clock(), ready=ready, stop=stop)
    )
    async with asyncio.timeout(20):
        await ready.wait()
    await api.push(api.text(ALICE, "un bureau à Figeac jeudi matin"))
    sent = await api.wait_sent(ALICE, 3, within=10)  # welcome, privacy notice, question
    assert "jeudi 10 décembre, matin, à Figeac" in sent[-1].params["text"]
    stop.set()
    async with asyncio.timeout(15):
        assert await serving == 0
    assert TOKEN not in caplog.text


async def test_run_without_any_network_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.model_validate({"database_url": f"sqlite:///{tmp_path / 'x.db'}"})
    assert await run(settings, clock=Clock()) == 2
    assert "no chat network configured" in caplog.text


@pytest.mark.e2e
async def test_doctor_checks_the_credentials(api: FakeBotApi, tmp_path: Path) -> None:
    checks = await doctor(_settings(api, tmp_path))
    assert all(ok for ok, _ in checks), checks
    assert any("telegram: credentials accepted" in text for _, text in checks)
    bad = await doctor(_settings(api, tmp_path, token="999:wrong-token-value"))
    failed = [text for ok, text in bad if not ok]
    assert failed
    assert "telegram" in failed[0]
    assert "wrong-token-value" not in " ".join(text for _, text in bad)
