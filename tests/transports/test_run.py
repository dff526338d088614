"""`telecentre run` and `telecentre doctor` with a real transport against a local peer."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot import app
from bot.app import run, stop_all
from bot.doctor import doctor
from bot.settings import Settings
from bot.transports import NETWORKS
from tests.conftest import Clock
from tests.transports.fake_telegram import FakeBotApi, run_environment
from tests.transports.synapse import BOT, Person, Synapse, free_port, notice

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
        await _until_ready(serving, ready)
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


@pytest.mark.parametrize(("flag", "module"), NETWORKS)
def test_every_network_module_exports_what_the_registry_needs(flag: str, module: str) -> None:
    """`run` calls ``from_settings`` and `doctor` calls ``check`` on each configured network."""
    assert isinstance(getattr(Settings, flag), property), f"Settings.{flag} says it is configured"
    loaded = importlib.import_module(module)
    from_settings = getattr(loaded, "from_settings", None)
    assert callable(from_settings), f"{module} has no from_settings(settings)"
    first, *rest = inspect.signature(from_settings).parameters.values()
    assert first.name == "settings"
    assert all(p.default is not inspect.Parameter.empty for p in rest), "only settings needed"
    check = getattr(loaded, "check", None)
    assert inspect.iscoroutinefunction(check), f"{module} has no async check(settings)"
    assert list(inspect.signature(check).parameters) == ["settings"]


async def _until_ready(serving: asyncio.Task[int], ready: asyncio.Event) -> None:
    """Wait for `run` to be ready; if it ends first, its exception or exit code is the failure."""
    waiting = asyncio.ensure_future(ready.wait())
    await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if serving.done():
        raise AssertionError(f"run() ended before it was ready: {serving.result()}")


def _matrix_settings(synapse: Synapse, tmp_path: Path, **extra: Any) -> Settings:
    user = synapse.user_id(BOT)
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'run.db'}",
        "telegram_token": None,
        "matrix_homeserver": synapse.url,
        "matrix_user": user,
        "matrix_password": SecretStr(synapse.users[user]),
        "matrix_access_token": None,
        "matrix_allowed": ":localhost",
        "matrix_store": str(tmp_path / "matrix.json"),
        **extra,
    }
    return Settings.model_validate(values)


@pytest.mark.e2e
async def test_run_serves_matrix_and_books_through_it(
    synapse: Synapse, people: dict[str, Person], tmp_path: Path
) -> None:
    ready, stop = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(
        run(_matrix_settings(synapse, tmp_path), clock=Clock(), ready=ready, stop=stop)
    )
    alice = people["alice"]
    try:
        async with asyncio.timeout(90):
            await _until_ready(serving, ready)
            room = await alice.open_dm(synapse.user_id(BOT))
            mark = await alice.say(room, "un bureau à Figeac jeudi matin")
            await alice.expect(notice(room, "C'est bon ?"), after=mark)
            mark = await alice.say(room, "1")
            done = await alice.expect(notice(room, "C'est réservé"), after=mark)
            assert "jeudi 10 décembre, matin, à Figeac" in done["content"]["body"]
    finally:
        stop.set()
        async with asyncio.timeout(15):
            code = await serving
    assert code == 0
    with sqlite3.connect(tmp_path / "run.db") as conn:
        rows = conn.execute("SELECT user_id, centre_id, day, status FROM bookings").fetchall()
    assert rows == [("matrix:@alice:localhost", "figeac", "2026-12-10", "active")]


@pytest.mark.e2e
async def test_doctor_fails_on_a_wrong_matrix_password(synapse: Synapse, tmp_path: Path) -> None:
    good = await doctor(_matrix_settings(synapse, tmp_path))
    assert (True, "matrix: credentials accepted") in good
    bad = await doctor(
        _matrix_settings(synapse, tmp_path, matrix_password=SecretStr("wrong-password-here"))
    )
    failed = [text for ok, text in bad if not ok]
    assert len(failed) == 1
    assert failed[0].startswith("matrix: the homeserver refused MATRIX_PASSWORD")
    assert "wrong-password-here" not in failed[0]


class Stopping:
    """A transport whose stop waits until every other one has begun stopping too."""

    def __init__(self, name: str, everyone: list[Stopping], hang: bool = False) -> None:
        self.name = name
        self.everyone = everyone
        self.hang = hang
        self.began = asyncio.Event()
        self.finished = False
        self.cancelled = False

    def owns(self, channel: str) -> bool:
        return False

    async def start(self, handle: Any) -> None:
        """Nothing to connect."""

    async def send(self, channel: str, replies: list[Any], *, key: str | None = None) -> None:
        """Nothing to send."""

    async def stop(self) -> None:
        self.began.set()
        try:
            for other in self.everyone:
                await other.began.wait()
            if self.hang:
                await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.finished = True


async def test_transports_stop_side_by_side_under_one_deadline(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(app, "STOP_TIMEOUT_S", 3.0)
    everyone: list[Stopping] = []
    everyone += [Stopping("telegram", everyone), Stopping("matrix", everyone)]
    async with asyncio.timeout(10):
        await stop_all(list(everyone))
    assert all(t.finished for t in everyone), "each waited for the other: they ran together"
    assert "did not stop" not in caplog.text

    monkeypatch.setattr(app, "STOP_TIMEOUT_S", 0.2)
    stuck: list[Stopping] = []
    stuck += [Stopping("telegram", stuck), Stopping("matrix", stuck, hang=True)]
    async with asyncio.timeout(10):
        await stop_all(list(stuck))
    assert stuck[0].finished
    assert stuck[1].cancelled, "past the deadline a stop is cancelled, not awaited for ever"
    assert "matrix transport did not stop within 0 s" in caplog.text


def test_the_matrix_grace_is_shorter_than_the_whole_deadline() -> None:
    from bot.transports import matrix

    assert matrix.STOP_GRACE_S < app.STOP_TIMEOUT_S


def _run_env(api: FakeBotApi, tmp_path: Path) -> dict[str, str]:
    return run_environment(api, TOKEN, tmp_path / "run.db")


@pytest.mark.e2e
async def test_sigterm_finishes_the_acknowledged_message_then_exits_cleanly(
    api: FakeBotApi, tmp_path: Path
) -> None:
    release = api.held_chats[ALICE] = asyncio.Event()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,  # no developer's .env
        env=_run_env(api, tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await api.wait_for(lambda: bool(api.of("getUpdates")), "the first poll", within=30)
        update = api.text(ALICE, "/aide")
        await api.push(update)
        await api.wait_for(lambda: bool(api.sending(ALICE)), "the reply reaching the server")
        process.send_signal(signal.SIGTERM)
        # The process is stopping, and waits for the reply it owes: it must not be gone.
        await api.wait_for(
            lambda: any(
                int(c.params.get("offset") or 0) > update["update_id"] for c in api.of("getUpdates")
            ),
            "the update confirmed to Telegram",
            within=10,
        )
        assert process.returncode is None
        release.set()
        async with asyncio.timeout(20):
            _, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = err.decode()
    assert process.returncode == 0, text
    assert "stopping" in text
    assert "Traceback" not in text
    assert TOKEN not in text
    said = [str(c.params["text"]) for c in api.sent(ALICE)]
    assert said, "the acknowledged message was answered"
    assert said[0].startswith("Bonjour"), "the first contact's welcome, held, then released"
    assert any("/reserver" in text for text in said), "and the rest of the turn: the help"
    assert not api.sending(ALICE), "nothing left half-sent"


async def _telecentre_run(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(60):
            _, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, err.decode()


@pytest.mark.e2e
async def test_a_refused_telegram_token_at_start_is_one_plain_line(
    api: FakeBotApi, tmp_path: Path
) -> None:
    env = _run_env(api, tmp_path)
    env["TELEGRAM_TOKEN"] = "999:refused-token-value"
    code, err = await _telecentre_run(env, tmp_path)
    assert code == 2, err
    assert err.splitlines()[-1] == ("error: Telegram refused the bot token (check TELEGRAM_TOKEN)")
    assert "Traceback" not in err
    assert "refused-token-value" not in err


async def test_an_unreachable_homeserver_at_start_is_one_plain_line(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "MATRIX_", "DATABASE_URL", "TELECENTRE_"))
    }
    env.update(
        MATRIX_HOMESERVER=closed,
        MATRIX_USER="@bot:localhost",
        MATRIX_PASSWORD="matrix-secret-password",
        MATRIX_STORE=str(tmp_path / "matrix.json"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        NO_PROXY="127.0.0.1,localhost",
    )
    code, err = await _telecentre_run(env, tmp_path)
    assert code == 2, err
    assert err.splitlines()[-1].startswith(
        f"error: the Matrix homeserver {closed} could not be reached"
    )
    assert "Traceback" not in err
    assert "matrix-secret-password" not in err


@pytest.mark.e2e
async def test_a_refused_matrix_password_at_start_is_one_plain_line(
    synapse: Synapse, tmp_path: Path
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "MATRIX_", "DATABASE_URL", "TELECENTRE_"))
    }
    env.update(
        MATRIX_HOMESERVER=synapse.url,
        MATRIX_USER=synapse.user_id(BOT),
        MATRIX_PASSWORD="not-the-bot-password",
        MATRIX_STORE=str(tmp_path / "matrix.json"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        NO_PROXY="127.0.0.1,localhost",
    )
    code, err = await _telecentre_run(env, tmp_path)
    assert code == 2, err
    assert err.splitlines()[-1].startswith("error: Matrix could not start: login failed")
    assert "M_FORBIDDEN" in err.splitlines()[-1]
    assert "Traceback" not in err
    assert "not-the-bot-password" not in err
