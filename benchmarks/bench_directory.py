"""Directory search over 5,000 generated profiles, SQLite and PostgreSQL.

Each profile has two to four skills drawn from the vocabulary's synonyms and from a few
unlisted words, a usual centre and a random set of published fields (skills published
for nine in ten), like a directory where people publish some things and not others.
Measured, after a warm-up: :func:`booking_core.directory.search` end to end (query
normalisation, one read transaction, ranking and paging in SQL), first pages and later
pages, and a search that finds nobody (which also records the missing skill). The aim:
under 20 ms a search.

Run: ``.venv/bin/python benchmarks/bench_directory.py [--profiles N] [--skip-postgres]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from booking_core import directory
from booking_core.db import create_engine, database_url, upgrade
from booking_core.directory import BIT, Field
from booking_core.network import Network, load_network
from booking_core.services import Core
from booking_core.skills import name_key, vocabulary
from booking_core.storage import DIRECTORY_PROFILES, DIRECTORY_SKILLS, Storage

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
UNLISTED = ["python", "soudure", "menuiserie", "apiculture", "rust", "excel", "couture"]
QUERIES = [
    "je cherche un développeur python",
    "qui fait du graphisme ?",
    "find a translator",
    "comptable",
    "chef de projet anglais",
    "photographe vidéaste",
]
RUNS = 300


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate(
    network: Network, count: int, seed: int = 7
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Profile rows and their skill index rows, built the way the module builds them."""
    rng = random.Random(seed)
    words = [w for v in vocabulary().phrases for w in [" ".join(v)]] + UNLISTED
    centres = [c.id for c in network]
    now = datetime.now(UTC)
    profiles: list[dict[str, Any]] = []
    skills: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        chosen = rng.sample(words, rng.randint(2, 4))
        published = 0
        for f in Field:
            if rng.random() < (0.9 if f is Field.SKILLS else 0.6):
                published |= BIT[f]
        profiles.append(
            {
                "id": n,
                "user_id": f"telegram:{100000 + n}",
                "channel": f"telegram:{100000 + n}",
                "display_name": f"Membre {n}",
                "name_key": name_key(f"Membre {n}"),
                "skills": chosen,
                "profession": rng.choice(["indépendant", "salarié", "gérante", None]),
                "commune": rng.choice(["Aurillac", "Figeac", "Maurs", "Capdenac"]),
                "usual_centre": rng.choice([*centres, None]),
                "contact_handle": f"@membre{n}",
                "open_to": rng.randint(0, 7),
                "partner_job_note": None,
                "published": published,
                "created_at": now,
                "updated_at": now,
            }
        )
        skills += [{"skill": k, "profile_id": n} for k in vocabulary().keys(chosen)]
    return profiles, skills


async def fill(storage: Storage, network: Network, count: int) -> int:
    profiles, skills = generate(network, count)
    async with storage.engine.begin() as conn:
        await conn.execute(insert(DIRECTORY_PROFILES), profiles)
        await conn.execute(insert(DIRECTORY_SKILLS), skills)
        await conn.execute(text("ANALYZE"))  # fresh statistics, as a live database has
    return len(skills)


def quantiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"p50 {statistics.median(ms):6.2f} ms   p99 {p99:6.2f} ms   (n={len(ms)})"


async def measure(core: Core, label: str) -> None:
    centres = [c.id for c in core.network]
    cases: dict[str, list[float]] = {"first page": [], "third page": [], "nobody found": []}
    for i in range(RUNS + 30):
        query = QUERIES[i % len(QUERIES)]
        centre = centres[i % len(centres)]
        for case, page, q in (
            ("first page", 0, query),
            ("third page", 2, query),
            ("nobody found", 0, f"zythologue{i % 50}"),
        ):
            start = perf_counter()
            await directory.search(core, q, searcher="telegram:1", centre_id=centre, page=page)
            if i >= 30:
                cases[case].append(perf_counter() - start)
    for case, samples in cases.items():
        say(f"  {label:10} {case:13} {quantiles(samples)}")
    found = await directory.search(core, QUERIES[0], centre_id=centres[0])
    say(
        f"  {label:10} '{QUERIES[0]}': {found.total} profiles,"
        f" the first matching {found.entries[0].matched} skills"
    )


async def run_on(url: URL, network: Network, count: int, label: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    storage = Storage(engine)
    try:
        rows = await fill(storage, network, count)
        say(f"{label}: {count} profiles, {rows} skill rows")
        await measure(Core(network, storage.uow, lambda: datetime.now(UTC)), label)
    finally:
        await storage.dispose()


async def admin(server: URL, sql: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=5000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    network = load_network()
    with tempfile.TemporaryDirectory() as tmp:
        url = make_url(f"sqlite+aiosqlite:///{Path(tmp) / 'directory.db'}")
        await run_on(url, network, args.profiles, "SQLite")
    if args.skip_postgres:
        return
    server = database_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_PG)
    name = f"telecentre_bench_{uuid.uuid4().hex[:8]}"
    await admin(server, f'CREATE DATABASE "{name}"')
    try:
        await run_on(server.set(database=name), network, args.profiles, "PostgreSQL")
    finally:
        await admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
