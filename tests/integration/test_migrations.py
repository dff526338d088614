"""Migrations go down and up again cleanly, and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from booking_core.db import upgrade
from booking_core.models import Base
from booking_core.storage import Storage


async def test_downgrade_to_base_and_upgrade_again(storage: Storage) -> None:
    await upgrade(storage.engine, "head")
    from alembic import command

    from booking_core.db import alembic_config

    def down(conn: Connection) -> None:
        cfg = alembic_config(storage.engine.url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")

    async with storage.engine.begin() as conn:
        await conn.run_sync(down)
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert set(tables) <= {"alembic_version"}
    await upgrade(storage.engine)
    async with storage.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert {"bookings", "slot_claims", "requests", "waitlist", "audit_events"} <= set(tables)


async def test_models_and_migrations_agree(storage: Storage) -> None:
    def diff(conn: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))

    async with storage.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
