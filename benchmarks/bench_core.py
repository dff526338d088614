"""Booking core versus bare driver loops, on SQLite and PostgreSQL, in one run.

The machine is shared and noisy, so the figures that matter are ratios measured side by
side: the service and the bare loop run in alternating rounds on twin fresh databases
that receive the same bookings, so a noisy neighbour slows both alike.

Run: ``.venv/bin/python benchmarks/bench_core.py [--quick] [--skip-postgres] [--out FILE]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.report import two_backend_report
from booking_core import services
from booking_core.db import create_engine, upgrade
from booking_core.domain import DeskRequest
from booking_core.network import Network, Period, load_network
from booking_core.storage import Storage
from bot.wiring import fixed_clock

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=ZoneInfo("Europe/Paris"))
ROUNDS, WARMUP, BATCH = 10, 50, 50_000
Planned = tuple[str, date, Period]  # centre, day, half-day
COLUMNS = "id user_id centre_id resource_id kind day period start_time end_time people status"
COLUMNS_ALL = [*COLUMNS.split(), "created_at", "cancelled_at"]
SELECT_TAKEN = "SELECT resource_id, slot FROM slot_claims WHERE day = {} AND resource_id {}"
INSERT_BOOKING = (
    "INSERT INTO bookings (user_id, centre_id, resource_id, kind, day, period, start_time, "
    "end_time, people, status, created_at) VALUES ({})"
)
SQLITE_PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"


def booking_plan(network: Network, count: int) -> list[Planned]:
    """Every bookable desk half-day, shuffled: spread wide, and never refused as full."""
    slots: list[Planned] = []
    day = NOW.date()
    while day <= network.last_bookable_day(NOW.date()):
        for centre in network:
            for half in centre.open_halves(day):
                if network.at(day, centre.half_bounds(half)[1]) > NOW:
                    slots += [(centre.id, day, half)] * len(centre.desks)
        day += timedelta(days=1)
    if count > len(slots):
        sys.exit(f"--bookings: at most {len(slots) - WARMUP} fit in the booking window")
    random.Random(42).shuffle(slots)
    return slots[:count]


def past_rows(network: Network, count: int, first_id: int) -> Iterator[tuple[Any, ...]]:
    """History back from yesterday, every open half-day full, 1 in 10 cancelled (and so
    without a claim, as cancelling deletes claims). Yields booking columns + slot."""
    rng, day, made = random.Random(7), NOW.date(), 0
    while True:
        day -= timedelta(days=1)
        made_at = datetime.combine(day - timedelta(days=7), time(9), tzinfo=UTC)
        for centre in network:
            for half in centre.open_halves(day):
                start, end = centre.half_bounds(half)
                for desk in centre.desks:
                    if made == count:
                        return
                    gone = rng.random() < 0.1
                    yield (
                        *(first_id + made, f"user-{rng.randrange(3000)}", centre.id, desk.id),
                        *("desk", day, half.value, start, end, 1),
                        *("cancelled" if gone else "active", made_at),
                        made_at + timedelta(days=1) if gone else None,
                        0 if half is Period.MORNING else 1,
                    )
                    made += 1


def as_sqlite(value: Any) -> Any:
    """The text SQLAlchemy stores for dates and times on SQLite, so the core reads it back."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S.%f")
    return value.isoformat() if isinstance(value, date) else value


def bare_args(network: Network, item: Planned, user: str) -> tuple[list[str], int, list[Any]]:
    centre_id, day, half = item
    centre = network.centre(centre_id)
    start, end = centre.half_bounds(half)
    row = [user, centre_id, "", "desk", day, half.value, start, end, 1, "active", NOW]
    return [d.id for d in centre.desks], 0 if half is Period.MORNING else 1, row


class SqliteBare:
    """Stdlib sqlite3 with the core's pragmas: the floor any SQLite booking code stands on."""

    def __init__(self, network: Network, bare: Path, service: Path) -> None:
        self.network = network
        self.bare = sqlite3.connect(bare, isolation_level=None)
        self.service = sqlite3.connect(service, isolation_level=None)
        for conn in (self.bare, self.service):
            conn.executescript(SQLITE_PRAGMAS)

    async def book(self, plan: list[Planned], offset: int) -> float:
        db, started = self.bare, perf_counter()
        for n, item in enumerate(plan, offset):
            desks, slot, row = bare_args(self.network, item, f"bare-{n}")
            day, marks = row[4].isoformat(), ",".join("?" * len(desks))
            db.execute("BEGIN IMMEDIATE")
            taken = set(db.execute(SELECT_TAKEN.format("?", f"IN ({marks})"), (day, *desks)))
            row[2] = next(d for d in desks if (d, slot) not in taken)
            cur = db.execute(INSERT_BOOKING.format(",".join("?" * 11)), [as_sqlite(v) for v in row])
            claim = (day, row[2], slot, cur.lastrowid)
            db.execute("INSERT INTO slot_claims VALUES (?,?,?,?)", claim)
            db.execute("COMMIT")
        return perf_counter() - started

    async def load(self, rows: Iterator[tuple[Any, ...]]) -> None:
        insert = f"INSERT INTO bookings ({','.join(COLUMNS_ALL)}) VALUES ({','.join('?' * 13)})"
        while batch := list(islice(rows, BATCH)):
            self.service.execute("BEGIN")
            self.service.executemany(insert, ([as_sqlite(v) for v in r[:13]] for r in batch))
            claims = ((as_sqlite(r[5]), r[3], r[13], r[0]) for r in batch if r[10] == "active")
            self.service.executemany("INSERT INTO slot_claims VALUES (?,?,?,?)", claims)
            self.service.execute("COMMIT")

    async def scalar(self, sql: str, on_bare: bool = False) -> Any:
        return (self.bare if on_bare else self.service).execute(sql).fetchone()[0]

    async def close(self) -> None:
        self.bare.close()
        self.service.close()


class PostgresBare:
    """asyncpg alone, the same statements as the SQLite loop, one transaction per booking."""

    def __init__(self, network: Network, bare: asyncpg.Connection, service: asyncpg.Connection):
        self.network, self.bare, self.service = network, bare, service

    async def book(self, plan: list[Planned], offset: int) -> float:
        db, started = self.bare, perf_counter()
        select = SELECT_TAKEN.format("$1", "= ANY($2::text[])")
        insert = INSERT_BOOKING.format(",".join(f"${i}" for i in range(1, 12))) + " RETURNING id"
        for n, item in enumerate(plan, offset):
            desks, slot, row = bare_args(self.network, item, f"bare-{n}")
            async with db.transaction():
                taken = {(r[0], r[1]) for r in await db.fetch(select, row[4], desks)}
                row[2] = next(d for d in desks if (d, slot) not in taken)
                booking = await db.fetchval(insert, *row)
                claim = (row[4], row[2], slot, booking)
                await db.execute("INSERT INTO slot_claims VALUES ($1,$2,$3,$4)", *claim)
        return perf_counter() - started

    async def load(self, rows: Iterator[tuple[Any, ...]]) -> None:
        db = self.service
        while batch := list(islice(rows, BATCH)):
            await db.copy_records_to_table(
                "bookings", records=[r[:13] for r in batch], columns=COLUMNS_ALL
            )
            claims = [(r[5], r[3], r[13], r[0]) for r in batch if r[10] == "active"]
            await db.copy_records_to_table("slot_claims", records=claims)
        await db.execute(  # the sequence past the loaded ids; ANALYZE as autovacuum soon would
            "SELECT setval(pg_get_serial_sequence('bookings', 'id'), max(id)) FROM bookings;"
            "ANALYZE bookings; ANALYZE slot_claims"
        )

    async def scalar(self, sql: str, on_bare: bool = False) -> Any:
        return await (self.bare if on_bare else self.service).fetchval(sql)

    async def close(self) -> None:
        await self.bare.close()
        await self.service.close()


def say(message: str) -> None:
    """Progress on stderr, so that stdout stays a clean Markdown report."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


async def migrate(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()


async def time_availability(core: services.Core, calls: int) -> str:
    """p50 / p99 over every centre and the coming four weeks, after a warm-up."""
    targets = [(c.id, NOW.date() + timedelta(days=k)) for k in range(28) for c in core.network]
    samples: list[float] = []
    for n in range(WARMUP + calls):
        centre_id, day = targets[n % len(targets)]
        started = perf_counter()
        await services.availability(core, centre_id, day)
        if n >= WARMUP:
            samples.append((perf_counter() - started) * 1000)
    return f"{statistics.median(samples):.2f} / {statistics.quantiles(samples, n=100)[98]:.2f}"


async def bench(
    network: Network, url: str, bare: SqliteBare | PostgresBare, args: argparse.Namespace
) -> dict[str, str]:
    """Bookings in alternating rounds, then availability before and after the history load."""
    storage = Storage(create_engine(url))
    core = services.Core(network, storage.uow, fixed_clock(NOW))

    async def service(plan: list[Planned], offset: int) -> float:
        started = perf_counter()
        for n, (centre_id, day, half) in enumerate(plan, offset):
            done = await services.book_desks(core, DeskRequest(f"svc-{n}", centre_id, day, half))
            if len(done.bookings) != 1:
                raise RuntimeError(f"booking {n} not confirmed: {done}")
        return perf_counter() - started

    plan = booking_plan(network, WARMUP + args.bookings)
    await service(plan[:WARMUP], 0)
    await bare.book(plan[:WARMUP], 0)
    spent, size, sides = [0.0, 0.0], -(-args.bookings // ROUNDS), [(0, service), (1, bare.book)]
    for r, first in enumerate(range(WARMUP, len(plan), size)):
        for side, book in sides[:: 1 if r % 2 else -1]:  # who goes first alternates
            spent[side] += await book(plan[first : first + size], first)
    counts = [await bare.scalar("SELECT count(*) FROM bookings", on) for on in (False, True)]
    if counts != [len(plan)] * 2:
        raise RuntimeError(f"expected {len(plan)} bookings in both databases, got {counts}")
    small = await time_availability(core, args.calls)
    out = {
        "Confirmed bookings/s, service `book_desks`": f"{args.bookings / spent[0]:,.0f}",
        "Confirmed bookings/s, bare driver loop": f"{args.bookings / spent[1]:,.0f}",
        "Service time ÷ bare time (aim < 5x)": f"{spent[0] / spent[1]:.1f}x",
        f"`availability` p50 / p99 ms, {len(plan):,} bookings": small,
    }
    say(f"loading {args.rows:,} past bookings")
    first_id, started = int(await bare.scalar("SELECT max(id) FROM bookings")) + 1, perf_counter()
    await bare.load(past_rows(network, args.rows, first_id))
    out["History bulk load, s"] = f"{perf_counter() - started:.1f}"
    rows = [await bare.scalar(f"SELECT count(*) FROM {t}") for t in ("bookings", "slot_claims")]
    oldest = await bare.scalar("SELECT min(day) FROM bookings")
    out["Rows in `bookings` / `slot_claims`"] = f"{rows[0]:,} / {rows[1]:,} (from {oldest})"
    out["`availability` p50 / p99 ms, with history"] = await time_availability(core, args.calls)
    await storage.dispose()
    await bare.close()
    return out


async def run(args: argparse.Namespace) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    network, results = load_network(), {}
    versions = {"SQLite": sqlite3.sqlite_version, "PostgreSQL": "skipped"}
    with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp:
        service_db, bare_db = Path(tmp, "service.db"), Path(tmp, "bare.db")
        for path in (service_db, bare_db):
            await migrate(f"sqlite:///{path}")
        say("SQLite: bookings")
        bare = SqliteBare(network, bare_db, service_db)
        results["SQLite"] = await bench(network, f"sqlite:///{service_db}", bare, args)
    if args.skip_postgres:
        return results, versions
    raw = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
    server = make_url(raw or "postgresql://postgres@127.0.0.1:5432/postgres")

    def dsn(database: str) -> str:
        return server.set(drivername="postgresql", database=database).render_as_string(False)

    try:
        admin = await asyncpg.connect(dsn(server.database or "postgres"), timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        versions["PostgreSQL"] = f"unreachable at {server.render_as_string()} ({exc})"
        say(f"PostgreSQL {versions['PostgreSQL']}: continuing with SQLite only")
        return results, versions
    name = f"bench_{uuid.uuid4().hex[:10]}"
    names = [name, f"{name}_bare"]
    try:
        versions["PostgreSQL"] = str(await admin.fetchval("SHOW server_version"))
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}"')
            await migrate(dsn(name))
        say(f"PostgreSQL: bookings, in throwaway databases {' and '.join(names)}")
        conns = [await asyncpg.connect(dsn(name)) for name in (names[1], names[0])]
        bare_pg = PostgresBare(network, *conns)
        results["PostgreSQL"] = await bench(network, dsn(names[0]), bare_pg, args)
    finally:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return results, versions


def render(
    results: dict[str, dict[str, str]], versions: dict[str, str], args: argparse.Namespace
) -> str:
    notes = (
        f"{args.bookings:,} timed bookings per side (after {WARMUP} warm-up) in {ROUNDS} "
        "alternating rounds on twin fresh databases, one user each. The service also takes "
        "the user lock (PostgreSQL), checks overlaps and the weekly quota and writes an "
        "audit row; the bare loop is BEGIN, SELECT taken slots, INSERT booking, INSERT "
        f"claim, COMMIT. History: {args.rows:,} past desk bookings, every open half-day "
        f"full (few desks, hence the old dates), 10 % cancelled. `availability`: "
        f"{args.calls} calls over 5 centres x 28 days after {WARMUP} warm-up."
    )
    return two_backend_report(
        "Booking core benchmark",
        results,
        versions,
        notes=notes,
        command=" ".join([".venv/bin/python benchmarks/bench_core.py", *sys.argv[1:]]),
        drivers=f"asyncpg {asyncpg.__version__}, ",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Booking core versus bare driver loops.")
    parser.add_argument("--bookings", type=int, default=2000, help="timed bookings per side")
    parser.add_argument("--rows", type=int, default=1_000_000, help="past bookings to load")
    parser.add_argument("--calls", type=int, default=500, help="timed availability calls")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200 bookings, 20k rows")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--out", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args()
    if args.quick:
        args.bookings, args.rows, args.calls = 200, 20_000, 100
    if args.bookings < ROUNDS or args.rows < 1 or args.calls < 2:
        parser.error(f"need --bookings >= {ROUNDS}, --rows >= 1 and --calls >= 2")
    report = render(*asyncio.run(run(args)), args)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
