"""The scheduler's tests run on the in-memory fake and on the SQL outbox of both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from booking_core.network import Network
from booking_core.services import Core
from booking_core.storage import OUTBOX, SqlRepository
from booking_core.uow import UnitOfWork
from tests.conftest import Clock, _clean_storage
from tests.fakes import FakeStore


@dataclass
class Backend:
    """A core on one storage, and a look at its outbox rows as plain dicts."""

    name: str
    core: Core
    make_core: Callable[[Network], Core]

    async def outbox(self) -> list[dict[str, Any]]:
        async def body(uow: UnitOfWork) -> list[dict[str, Any]]:
            repo = uow.repo
            if isinstance(repo, SqlRepository):
                rows = await repo._execute(select(OUTBOX).order_by(OUTBOX.c.id))
                return [_utc_row(dict(r._mapping)) for r in rows]
            state = repo.s  # type: ignore[attr-defined]
            return [dict(r) for _, r in sorted(state.outbox.items())]

        return await self.core.uow(readonly=True).run(body, commit=False)

    async def summary(self) -> list[tuple[str, str, datetime]]:
        return sorted((r["kind"], r["status"], r["due_at"]) for r in await self.outbox())


def _utc_row(row: dict[str, Any]) -> dict[str, Any]:
    from booking_core.storage import _utc

    return {k: _utc(v) if isinstance(v, datetime) else v for k, v in row.items()}


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> URL | None:
    """Resolved outside the event loop: the PostgreSQL fixture creates its database itself."""
    if request.param == "fake":
        return None
    if request.param == "sqlite":
        return make_url(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    url: URL = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def backend(
    backend_url: URL | None, network: Network, clock: Clock
) -> AsyncIterator[Backend]:
    if backend_url is None:
        store = FakeStore()
        yield Backend("fake", Core(network, store.uow, clock), lambda n: Core(n, store.uow, clock))
        return
    storage = await _clean_storage(backend_url)
    yield Backend(
        backend_url.get_backend_name(),
        Core(network, storage.uow, clock),
        lambda n: Core(n, storage.uow, clock),
    )
    await storage.dispose()
