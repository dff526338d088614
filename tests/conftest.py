"""Shared fixtures: the sample network, an injected clock, and cores on fake, SQLite and
PostgreSQL storage.

PostgreSQL tests create a scratch database on the server named by ``TEST_DATABASE_URL``
(default: the machine's local server) and drop it afterwards. Without a reachable server
they skip with the reason, unless ``REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from booking_core.db import create_engine, database_url, upgrade
from booking_core.network import Network, load_network
from booking_core.services import Core
from booking_core.storage import Storage
from tests.fakes import FakeStore

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
TABLES = (
    "slot_claims, bookings, waitlist, requests, audit_events, conversations, profiles, outbox,"
    " directory_profiles, directory_skills, directory_consents, directory_contacts,"
    " directory_missing_skills"
)


class Clock:
    """A settable clock: every 'now' in the core comes from here."""

    def __init__(self, moment: str = "2026-12-03T10:00") -> None:
        self.moment = datetime.fromisoformat(moment).replace(tzinfo=PARIS)

    def set(self, moment: str) -> None:
        self.moment = datetime.fromisoformat(moment).replace(tzinfo=PARIS)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture(scope="session")
def network() -> Network:
    return load_network()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def core(network: Network, store: FakeStore, clock: Clock) -> Core:
    return Core(network, store.uow, clock)


# ---------------------------------------------------------------- real databases


def _require_postgres() -> bool:
    return os.environ.get("REQUIRE_POSTGRES") == "1"


async def _admin(server: URL, sql: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[URL]:
    """A freshly migrated scratch database on the test PostgreSQL server."""
    server = database_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG)
    name = f"telecentre_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        reason = f"PostgreSQL not usable at {server.render_as_string()}: {exc!r}"
        if _require_postgres():
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    url = server.set(database=name)

    async def migrate() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(migrate())
    yield url
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    if request.param == "sqlite":
        return make_url(f"sqlite+aiosqlite:///{tmp_path / 'telecentre.db'}")
    url: URL = request.getfixturevalue("postgres_url")
    return url


async def _clean_storage(url: URL) -> Storage:
    """Storage on a clean, migrated database (SQLite file or PostgreSQL scratch db)."""
    pg = url.get_backend_name() == "postgresql"
    engine = create_engine(url, **({"pool_size": 30, "max_overflow": 30} if pg else {}))
    if pg:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    else:
        await upgrade(engine)
    return Storage(engine)


@pytest.fixture
async def storage(db_url: URL) -> AsyncIterator[Storage]:
    storage = await _clean_storage(db_url)
    yield storage
    await storage.dispose()


@pytest.fixture
async def pg_core(postgres_url: URL, network: Network, clock: Clock) -> AsyncIterator[Core]:
    """A core on PostgreSQL only, for what only a server database does."""
    storage = await _clean_storage(postgres_url)
    yield Core(network, storage.uow, clock)
    await storage.dispose()


@pytest.fixture
def db_core(network: Network, storage: Storage, clock: Clock) -> Core:
    return Core(network, storage.uow, clock)
