"""What the scheduler costs when there is nothing to send, and when there is.

Idle: the loop with its default pause runs for a while on an empty outbox; CPU time of
the process over wall time says what an idle bot costs. Busy: 2,000 due notifications
delivered to a recording transport, per second, on SQLite and PostgreSQL: release
notices (one message each), and evening reminders in pairs (a morning and an afternoon
at one centre: one message for two rows, which also leaves its question in the dialogue
state). Each delivery renews its lease before the send and marks it after.

Run: ``.venv/bin/python benchmarks/bench_scheduler.py [--idle-seconds 30]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from booking_core.db import create_engine, upgrade
from booking_core.domain import NewNotification
from booking_core.network import load_network
from booking_core.services import Core
from booking_core.storage import Storage
from booking_core.uow import UnitOfWork
from bot.scheduler import Scheduler
from handlers.i18n import Catalogs
from tests.outbox.recording import RecordingTransport

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


async def _storage(url: str) -> Storage:
    engine = create_engine(url)
    await upgrade(engine)
    return Storage(engine)


async def idle(url: str, seconds: float) -> tuple[float, float]:
    storage = await _storage(url)
    core = Core(load_network(), storage.uow, lambda: datetime.now(UTC))
    scheduler = Scheduler(core, [RecordingTransport()], Catalogs())
    for _ in range(20):
        await scheduler.tick()
    began = time.perf_counter()
    for _ in range(200):
        await scheduler.tick()
    tick_ms = (time.perf_counter() - began) / 200 * 1000
    stop = asyncio.Event()
    cpu, wall = time.process_time(), time.perf_counter()
    task = asyncio.create_task(scheduler.run(stop))
    await asyncio.sleep(seconds)
    stop.set()
    await task
    share = (time.process_time() - cpu) / (time.perf_counter() - wall) * 100
    await storage.dispose()
    return tick_ms, share


async def busy(url: str, count: int, kind: str = "release_notice") -> float:
    """Notifications delivered per second (rows marked, not messages)."""
    storage = await _storage(url)
    now = datetime.now(UTC)
    booking = {"id": 1, "date": "2026-12-10", "period": "morning", "centre": "figeac",
               "start": "08:30", "end": "12:30"}  # fmt: skip
    pairs = kind == "reminder_evening"
    items = [
        NewNotification(
            f"bench:{n}",
            kind,
            f"test:{n // 2 if pairs else n}",
            f"test:{n // 2 if pairs else n}",
            {"booking": {**booking, "id": n, "period": "morning" if n % 2 else "afternoon"}},
            now - timedelta(seconds=1),
            expires_at=now + timedelta(days=1),
            group_key=f"{kind}:test:{n // 2}:figeac:2026-12-10" if pairs else None,
        )
        for n in range(count)
    ]

    async def queue(uow: UnitOfWork) -> None:
        await uow.repo.add_notifications(items, now)

    await storage.uow().run(queue)
    transport = RecordingTransport()
    core = Core(load_network(), storage.uow, lambda: datetime.now(UTC))
    scheduler = Scheduler(core, [transport], Catalogs())
    began = time.perf_counter()
    while await scheduler.tick() > 0:
        continue
    elapsed = time.perf_counter() - began
    assert len(transport.sent) == (count // 2 if pairs else count), "one message per pair"
    await storage.dispose()
    return count / elapsed


async def main(args: argparse.Namespace) -> None:
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        tick, share = await idle(f"sqlite:///{folder}/idle.db", args.idle_seconds)
        sqlite_rate = await busy(f"sqlite:///{folder}/busy.db", args.count)
        sqlite_pairs = await busy(f"sqlite:///{folder}/pairs.db", args.count, "reminder_evening")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        pg_rate = await busy(PG_SERVER.rsplit("/", 1)[0] + f"/{name}", args.count)
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        pg_pairs = await busy(
            PG_SERVER.rsplit("/", 1)[0] + f"/{name}", args.count, "reminder_evening"
        )
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    rows.append(("idle tick (claim on an empty outbox), SQLite", f"{tick:.2f} ms", ""))
    rows.append(
        (f"idle loop CPU over {args.idle_seconds:.0f} s, SQLite", f"{share:.3f} %", "negligible")
    )
    rows.append(
        (f"delivery of {args.count:,} due notifications, SQLite", f"{sqlite_rate:,.0f}/s", "")
    )
    rows.append(
        (f"delivery of {args.count:,} due notifications, PostgreSQL", f"{pg_rate:,.0f}/s", "")
    )
    rows.append(
        (
            f"{args.count:,} reminders in pairs (one message each), SQLite",
            f"{sqlite_pairs:,.0f}/s",
            "",
        )
    )
    rows.append(
        (
            f"{args.count:,} reminders in pairs (one message each), PostgreSQL",
            f"{pg_pairs:,.0f}/s",
            "",
        )
    )
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"Scheduler benchmark, {stamp}, Python {sys.version.split()[0]}\n")
    print("| measure | value | aim |\n|---|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--count", type=int, default=2000)
    asyncio.run(main(parser.parse_args()))
