"""The `telecentre` command as managers and scripts use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from booking_core import services
from booking_core.db import database_url
from booking_core.domain import DeskRequest
from booking_core.network import Period
from booking_core.services import Core
from bot.cli import main
from bot.wiring import SchemaOutOfDate, open_runtime

BOOKING_KEYS = {"id", "user", "centre", "resource", "date", "period", "start", "end", "status"}


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_network_check_accepts_the_sample(tmp_path: Path) -> None:
    from importlib import resources

    sample = tmp_path / "network.toml"
    sample.write_text(
        resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
    )
    out = _run("network", "check", str(sample))
    assert out.returncode == 0, out.stderr
    assert "5 centres, 31 desks" in out.stdout


def test_network_check_names_the_field_at_fault(tmp_path: Path) -> None:
    from importlib import resources

    text = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('afternoon = "13:30-17:30"', 'afternoon = "13h30-17h30"', 1))
    out = _run("network", "check", str(bad))
    assert out.returncode == 1
    assert "centres[1](montmurat).afternoon" in out.stderr
    assert "HH:MM-HH:MM" in out.stderr


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg"),
        ("postgresql+psycopg2://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_database_url_forms(given: str, driver: str) -> None:
    assert database_url(given).drivername == driver


def test_default_database_is_a_file_in_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = database_url()
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database is not None
    assert url.database.endswith("telecentre.db")
    with pytest.raises(ValueError, match="unsupported database"):
        database_url("mysql://root@localhost/test")


async def _book_some(url: URL) -> None:
    from booking_core.network import load_network
    from tests.conftest import Clock

    runtime = await open_runtime(
        network=load_network(), url=url.render_as_string(False), clock=Clock()
    )
    try:
        await services.book_desks(
            runtime.core, DeskRequest("telegram:1", "figeac", date(2026, 12, 10), Period.MORNING)
        )
        await services.book_desks(
            runtime.core, DeskRequest("telegram:2", "aurillac", date(2026, 12, 11), Period.DAY)
        )
    finally:
        await runtime.close()


async def test_bookings_json_on_the_embedded_database(tmp_path: Path) -> None:
    url = database_url(f"sqlite:///{tmp_path / 'cli.db'}")  # migrated on first run
    await _book_some(url)
    out = _run("bookings", "--json", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["centre"] for r in rows] == ["figeac", "aurillac"]
    assert rows[0].keys() >= BOOKING_KEYS
    assert rows[0]["period"] == "morning"
    assert (rows[0]["start"], rows[0]["end"]) == ("08:30", "12:30")
    filtered = _run("bookings", "--json", "--centre", "aurillac", "--date", "2026-12-11",
                    env={"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})  # fmt: skip
    assert [r["user"] for r in json.loads(filtered.stdout)] == ["telegram:2"]
    text_out = _run(
        "bookings", "--user", "telegram:1", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    )
    assert "figeac/desk-1" in text_out.stdout
    assert "1 booking(s)" in text_out.stdout


def test_bookings_refuses_bad_filters_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["bookings", "--date", "2026-13-01"]) == 2
    assert "invalid_date" in capsys.readouterr().err
    assert main(["bookings", "--centre", "paris"]) == 2
    assert "unknown_centre" in capsys.readouterr().err


async def test_postgres_plain_url_and_explicit_migrations(postgres_url: URL, pg_core: Core) -> None:
    await services.book_desks(
        pg_core, DeskRequest("matrix:@a:hs", "decazeville", date(2026, 12, 10), Period.AFTERNOON)
    )
    plain = postgres_url.set(drivername="postgresql").render_as_string(hide_password=False)
    out = _run("bookings", "--json", env={"DATABASE_URL": plain})
    assert out.returncode == 0, out.stderr
    assert [r["user"] for r in json.loads(out.stdout)] == ["matrix:@a:hs"]
    up = _run("db", "upgrade", env={"DATABASE_URL": plain})
    assert up.returncode == 0
    assert "revision 0005" in up.stdout


async def test_server_database_is_never_migrated_behind_the_operators_back(
    postgres_url: URL,
) -> None:
    from tests.conftest import _admin

    scratch = postgres_url.set(database=f"{postgres_url.database}_empty")
    await _admin(postgres_url, f'CREATE DATABASE "{scratch.database}"')
    try:
        with pytest.raises(SchemaOutOfDate, match="telecentre db upgrade"):
            await open_runtime(url=scratch.render_as_string(hide_password=False))
    finally:
        await _admin(postgres_url, f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)')
