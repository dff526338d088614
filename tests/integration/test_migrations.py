"""Migrations go down and up again cleanly, and match the models."""

from __future__ import annotations

from datetime import date

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


async def test_earlier_erasures_are_split_into_unlinked_days(storage: Storage) -> None:
    """0006: one shared token and a token profile become a token per day, commute kept."""
    from alembic import command
    from sqlalchemy import text

    from booking_core.db import alembic_config

    def down(conn: Connection) -> None:
        cfg = alembic_config(storage.engine.url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")

    async with storage.engine.begin() as conn:
        await conn.run_sync(down)
        await conn.execute(
            text(
                "INSERT INTO requests (id, key, user_id, kind, created_at)"
                " VALUES (1, 'k', 'erased:old', 'series', '2026-01-01')"
            )
        )
        for n, day in enumerate(("2026-01-06", "2026-01-06", "2026-01-13"), start=1):
            await conn.execute(
                text(
                    "INSERT INTO bookings (id, request_id, series_id, user_id, centre_id,"
                    " resource_id, kind, day, period, start_time, end_time, people, status,"
                    " created_at) VALUES (:n, 1, 's', 'erased:old', 'figeac', 'figeac/desk-1',"
                    " 'desk', :d, 'morning', '08:30', '12:30', 1, 'active', '2026-01-01')"
                ),
                {"n": n, "d": date.fromisoformat(day)},
            )
        await conn.execute(
            text(
                "INSERT INTO profiles (user_id, commute_km, created_at, updated_at)"
                " VALUES ('erased:old', 9.5, '2026-01-01', '2026-01-01')"
            )
        )
    await upgrade(storage.engine)
    async with storage.engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT id, user_id, request_id, series_id, erased_commute_km FROM bookings")
            )
        ).all()
        left = [
            (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar()
            for table in ("profiles", "requests")
        ]
    by_id = {r.id: r for r in rows}
    assert by_id[1].user_id == by_id[2].user_id != by_id[3].user_id
    assert all(r.user_id.startswith("erased:") and r.user_id != "erased:old" for r in rows)
    assert {(r.request_id, r.series_id, r.erased_commute_km) for r in rows} == {(None, None, 9.5)}
    assert left == [0, 0]
