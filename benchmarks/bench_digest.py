"""Managers' digests and the impact report over 1,000,000 bookings, SQLite and PostgreSQL.

The database holds a long history at the five centres of the sample network, every open
half-day mostly booked (the network has 31 desks, so a million bookings reach decades
back: what matters is the table's size and the index depth, as a busier network would
have them after a few years), plus the next 60 days partly booked, a waitlist, and
directory profiles for two people in three, half of them named in the digests.

Measured, after a warm-up: the morning digest of the five centres in one call (the
aim: under 200 ms), the same as five one-centre calls, its French text, the weekly
digest with its PNG chart, and the impact report over the last twelve months.

Run: ``.venv/bin/python benchmarks/bench_digest.py [--rows N] [--skip-postgres] [--out FILE]``
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
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import sqlalchemy
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.report import two_backend_report
from booking_core import reports
from booking_core.db import create_engine, upgrade
from booking_core.directory import BIT, Field
from booking_core.network import Network, Period, load_network
from booking_core.services import Core
from booking_core.storage import Storage
from bot.wiring import fixed_clock
from handlers.charts import weekly_chart
from handlers.digest import day_digest_lines, render
from handlers.i18n import Catalogs

NOW = datetime(2026, 12, 3, 7, 30, tzinfo=ZoneInfo("Europe/Paris"))  # digest time
AHEAD_DAYS, BATCH, USERS = 60, 50_000, 3000
COMMAND = ".venv/bin/python benchmarks/bench_digest.py"
COLUMNS = ["id", "user_id", "centre_id", "resource_id", "kind", "day", "period", "start_time",
           "end_time", "people", "status", "created_at", "cancelled_at"]  # fmt: skip
WAIT_COLUMNS = ["user_id", "centre_id", "day", "period", "count", "status", "created_at"]
PROFILE_COLUMNS = ["user_id", "language", "commute_km", "created_at", "updated_at"]
DIRECTORY_COLUMNS = ["user_id", "display_name", "open_to", "published", "created_at",
                     "updated_at"]  # fmt: skip


def say(message: str) -> None:
    """Progress on stderr, so that stdout stays a clean Markdown report."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def booking_rows(network: Network, count: int) -> Iterator[tuple[Any, ...]]:
    """Bookings from 60 days ahead back in time until ``count``: per desk and open day,
    a whole day, a half or nothing; in the past 9 % cancelled and 3 % released (no-show),
    ahead fewer the further away. One meeting-room booking a day at centres with rooms."""
    rng, today, made = random.Random(7), NOW.date(), 0
    day = today + timedelta(days=AHEAD_DAYS)
    while True:
        ahead = (day - today).days
        fill = 0.85 if ahead <= 0 else 0.85 * (1 - ahead / (AHEAD_DAYS + 10))
        made_at = datetime.combine(day - timedelta(days=7), time(9), tzinfo=UTC)
        for centre in network:
            halves = centre.open_halves(day)
            if not halves:
                continue
            picks: list[tuple[str, Period]] = []
            for desk in centre.desks:
                draw = rng.random()
                if draw >= fill:
                    continue
                if len(halves) == 2 and draw < fill * 0.6:
                    picks.append((desk.id, Period.DAY))
                else:
                    picks += [(desk.id, half) for half in halves if rng.random() < 0.7]
            if centre.rooms:
                picks.append((centre.rooms[0].id, Period.MORNING))
            for resource_id, period in picks:
                if made == count:
                    return
                room = "desk" not in resource_id
                start, end = centre.half_bounds(period)
                if room:
                    start, end = time(10), time(11)
                draw = rng.random()
                status = "active"
                if draw < 0.09:
                    status = "cancelled"
                elif draw < 0.12 and ahead < 0:
                    status = "released"
                yield (
                    made + 1,
                    f"telegram:{rng.randrange(USERS)}",
                    centre.id,
                    resource_id,
                    "meeting_room" if room else "desk",
                    day,
                    None if room else period.value,
                    start,
                    end,
                    3 if room else 1,
                    status,
                    made_at,
                    made_at + timedelta(days=1) if status == "cancelled" else None,
                )
                made += 1
        day -= timedelta(days=1)


def wait_rows(network: Network) -> list[tuple[Any, ...]]:
    rng, rows = random.Random(11), []
    for k in range(200):
        centre = rng.choice(list(network))
        day = NOW.date() + timedelta(days=rng.randrange(-20, 20))
        status = "waiting" if k % 3 else "fulfilled"
        rows.append(
            (
                f"telegram:{rng.randrange(USERS)}",
                centre.id,
                day,
                rng.choice(list(Period)).value,
                1,
                status,
                NOW.astimezone(UTC),
            )
        )
    return rows


def profile_rows() -> list[tuple[Any, ...]]:
    rng, made = random.Random(13), NOW.astimezone(UTC)
    return [
        (f"telegram:{n}", "fr", None if n % 7 == 0 else round(rng.uniform(2, 60), 1), made, made)
        for n in range(USERS)
    ]


def directory_rows() -> list[tuple[Any, ...]]:
    """Profiles for two users in three: one in three shown in digests, one only listed."""
    made, listed = NOW.astimezone(UTC), BIT[Field.DISPLAY_NAME]
    named = listed | BIT[Field.PRESENCE]
    return [
        (f"telegram:{n}", f"Personne {n}", 0, named if n % 3 == 0 else listed, made, made)
        for n in range(USERS)
        if n % 3 != 2
    ]


def as_sqlite(value: Any) -> Any:
    """The text SQLAlchemy stores for dates and times on SQLite, so the core reads it back."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S.%f")
    return value.isoformat() if isinstance(value, date) else value


def _insert(table: str, columns: list[str], mark: Callable[[int], str]) -> str:
    marks = ",".join(mark(i) for i in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})"


def load_sqlite(path: Path, network: Network, count: int) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    rows = booking_rows(network, count)
    sql = _insert("bookings", COLUMNS, lambda _: "?")
    while batch := list(islice(rows, BATCH)):
        db.execute("BEGIN")
        db.executemany(sql, ([as_sqlite(v) for v in row] for row in batch))
        db.execute("COMMIT")
    db.execute("BEGIN")
    waits = [[as_sqlite(v) for v in row] for row in wait_rows(network)]
    db.executemany(_insert("waitlist", WAIT_COLUMNS, lambda _: "?"), waits)
    profiles = [[as_sqlite(v) for v in row] for row in profile_rows()]
    db.executemany(_insert("profiles", PROFILE_COLUMNS, lambda _: "?"), profiles)
    members = [[as_sqlite(v) for v in row] for row in directory_rows()]
    db.executemany(_insert("directory_profiles", DIRECTORY_COLUMNS, lambda _: "?"), members)
    db.execute("COMMIT")
    db.close()


async def load_postgres(dsn: str, network: Network, count: int) -> None:
    db = await asyncpg.connect(dsn)
    try:
        rows = booking_rows(network, count)
        while batch := list(islice(rows, BATCH)):
            await db.copy_records_to_table("bookings", records=batch, columns=COLUMNS)
        await db.copy_records_to_table("waitlist", records=wait_rows(network), columns=WAIT_COLUMNS)
        await db.copy_records_to_table("profiles", records=profile_rows(), columns=PROFILE_COLUMNS)
        await db.copy_records_to_table(
            "directory_profiles", records=directory_rows(), columns=DIRECTORY_COLUMNS
        )
        await db.execute(  # the sequence past the loaded ids; ANALYZE as autovacuum soon would
            "SELECT setval(pg_get_serial_sequence('bookings', 'id'), max(id)) FROM bookings;"
            "ANALYZE bookings; ANALYZE waitlist; ANALYZE profiles; ANALYZE directory_profiles"
        )
    finally:
        await db.close()


async def timed(call: Callable[[], Awaitable[Any]], runs: int, warmup: int) -> list[float]:
    """Milliseconds per call, after ``warmup`` calls that fill caches and pools."""
    for _ in range(warmup):
        await call()
    samples = []
    for _ in range(runs):
        started = perf_counter()
        await call()
        samples.append((perf_counter() - started) * 1000)
    return samples


def p50_p99(samples: list[float]) -> str:
    p99 = statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]
    return f"{statistics.median(samples):.1f} / {p99:.1f}"


async def bench(network: Network, url: str, args: argparse.Namespace) -> dict[str, str]:
    storage = Storage(create_engine(url))
    core = Core(network, storage.uow, fixed_clock(NOW))
    catalogs, today = Catalogs(), NOW.date()
    ids = [c.id for c in network]
    out: dict[str, str] = {}
    try:
        digests = await reports.day_digests(core, None, today)
        if sum(d.today.booked for d in digests) == 0:
            raise RuntimeError("no booking today: the load did not reach the digest's days")
        if not any(h.names for d in digests for h in d.today.halves):
            raise RuntimeError("nobody named today: the directory rows did not load")

        async def five_in_one() -> None:
            await reports.day_digests(core, None, today)

        async def one_by_one() -> None:
            for centre_id in ids:
                await reports.day_digest(core, centre_id, today)

        async def with_text() -> None:
            found = await reports.day_digests(core, None, today)
            render(catalogs, day_digest_lines(network, found), "fr")

        async def weekly() -> None:
            await reports.week_digest(core, None, reports.previous_week(today))

        week = await reports.week_digest(core, None, reports.previous_week(today))

        async def chart() -> None:
            weekly_chart(network, week.cells, week.first_day, catalogs, "fr")

        async def year_of_impact() -> None:
            await reports.impact(core, today - timedelta(days=365), today)

        async def whole_impact() -> None:
            await reports.impact(core, date(1900, 1, 1), today)

        samples = await timed(five_in_one, args.calls, 20)
        out["Day digest, 5 centres in one call, p50 / p99 ms (aim < 200)"] = p50_p99(samples)
        out["Day digest, 5 one-centre calls, p50 / p99 ms"] = p50_p99(
            await timed(one_by_one, args.calls // 4, 5)
        )
        out["Day digest + French text, 5 centres, p50 / p99 ms"] = p50_p99(
            await timed(with_text, args.calls // 4, 5)
        )
        out["Weekly digest, 5 centres, p50 / p99 ms"] = p50_p99(
            await timed(weekly, args.calls // 4, 5)
        )
        out["Weekly PNG chart (matplotlib Agg), p50 ms"] = (
            f"{statistics.median(await timed(chart, 10, 2)):.0f}"
        )
        out["Impact report, last 12 months, all centres, p50 ms"] = (
            f"{statistics.median(await timed(year_of_impact, 5, 1)):.0f}"
        )
        out["Impact report, whole history (every row), p50 ms"] = (
            f"{statistics.median(await timed(whole_impact, 3, 0)):.0f}"
        )
    finally:
        await storage.dispose()
    return out


async def count_rows(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            total = (await conn.execute(sqlalchemy.text("SELECT count(*) FROM bookings"))).scalar()
            oldest = (await conn.execute(sqlalchemy.text("SELECT min(day) FROM bookings"))).scalar()
    finally:
        await engine.dispose()
    return f"{total:,} (from {oldest})"


async def run(args: argparse.Namespace) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    network, results = load_network(), {}
    versions = {"SQLite": sqlite3.sqlite_version, "PostgreSQL": "skipped"}
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        path = Path(tmp, "digest.db")
        url = f"sqlite:///{path}"
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        say(f"SQLite: loading {args.rows:,} bookings")
        started = perf_counter()
        load_sqlite(path, network, args.rows)
        loaded = f"{perf_counter() - started:.0f}"
        say("SQLite: timing")
        results["SQLite"] = {
            "Rows in `bookings`": await count_rows(url),
            "Bulk load, s": loaded,
            **await bench(network, url, args),
        }
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
    name = f"bench_digest_{uuid.uuid4().hex[:10]}"
    try:
        versions["PostgreSQL"] = str(await admin.fetchval("SHOW server_version"))
        await admin.execute(f'CREATE DATABASE "{name}"')
        engine = create_engine(dsn(name))
        await upgrade(engine)
        await engine.dispose()
        say(f"PostgreSQL: loading {args.rows:,} bookings into throwaway database {name}")
        started = perf_counter()
        await load_postgres(dsn(name), network, args.rows)
        loaded = f"{perf_counter() - started:.0f}"
        say("PostgreSQL: timing")
        results["PostgreSQL"] = {
            "Rows in `bookings`": await count_rows(dsn(name)),
            "Bulk load, s": loaded,
            **await bench(network, dsn(name), args),
        }
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return results, versions


def render_report(
    results: dict[str, dict[str, str]], versions: dict[str, str], args: argparse.Namespace
) -> str:
    notes = (
        f"{args.rows:,} bookings at the 5 centres of the sample network (31 desks): the "
        f"next {AHEAD_DAYS} days partly booked, every open day before mostly booked, 9 % "
        "cancelled and 3 % released; 200 waitlist entries, 3,000 profiles, 2,000 directory "
        "profiles of which 1,000 agreed to be named. The day digest reads today, the next "
        "open day, the last open day's no-shows and the 4 weeks before (two grouped "
        "queries), and the names of those who agreed (a third); "
        f"{args.calls} timed calls after 20 warm-up. The chart "
        "is drawn from the weekly digest's cells, in-process, no database involved."
    )
    return two_backend_report(
        "Digest and impact benchmark",
        results,
        versions,
        notes=notes,
        command=" ".join([COMMAND, *sys.argv[1:]]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Digests and impact over a large database.")
    parser.add_argument("--rows", type=int, default=1_000_000, help="bookings to load")
    parser.add_argument("--calls", type=int, default=200, help="timed digest calls")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20k rows, 20 calls")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--out", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.calls = 20_000, 20
    if args.rows < 1000 or args.calls < 8:
        parser.error("need --rows >= 1000 and --calls >= 8")
    report = render_report(*asyncio.run(run(args)), args)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
