"""Build the core from the environment: network file, database and clock."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from alembic.script import ScriptDirectory

from booking_core.db import (
    alembic_config,
    create_engine,
    current_revision,
    database_url,
    is_sqlite,
    upgrade,
)
from booking_core.network import Network, load_network
from booking_core.services import Core
from booking_core.storage import Storage


class SchemaOutOfDate(RuntimeError):
    """A server database whose schema is behind the code; migrations are an explicit step."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Callable[[], datetime]:
    """A clock frozen at ``moment`` (for ``--now`` and for tests)."""
    return lambda: moment


def network_from_env(path: str | None = None) -> Network:
    return load_network(path or os.environ.get("TELECENTRE_NETWORK") or None)


@dataclass
class Runtime:
    core: Core
    storage: Storage

    async def close(self) -> None:
        await self.storage.dispose()


async def open_runtime(
    *,
    network: Network | None = None,
    url: str | None = None,
    clock: Callable[[], datetime] = system_clock,
) -> Runtime:
    """Open the database; the embedded SQLite default migrates itself, a server must be migrated."""
    resolved = database_url(url)
    engine = create_engine(resolved)
    if is_sqlite(resolved):
        await upgrade(engine)
    else:
        head = ScriptDirectory.from_config(alembic_config(resolved)).get_current_head()
        if await current_revision(engine) != head:
            await engine.dispose()
            raise SchemaOutOfDate(
                f"the database schema is not at revision {head}: run `telecentre db upgrade`"
            )
    storage = Storage(engine)
    return Runtime(Core(network or network_from_env(), storage.uow, clock), storage)
