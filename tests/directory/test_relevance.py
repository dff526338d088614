"""Relevance over 5,000 generated profiles, on SQLite and PostgreSQL: every page of a
search is compared with an order computed here, independently of the SQL.

The population is deterministic (a seeded generator): skills drawn from the
vocabulary's own phrases and a few unlisted words, a usual centre published or not,
skills published for nine in ten.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert

from booking_core import directory
from booking_core.directory import BIT, PAGE_SIZE, Field
from booking_core.network import Network
from booking_core.services import Core
from booking_core.skills import name_key, vocabulary
from booking_core.storage import DIRECTORY_PROFILES, DIRECTORY_SKILLS, Storage

COUNT = 5_000
UNLISTED = ["python", "soudure", "apiculture", "rust", "couture"]
FAR = float("inf")


def population(network: Network) -> list[dict[str, Any]]:
    rng = random.Random(20261203)
    words = [" ".join(p) for p in sorted(vocabulary().phrases)] + UNLISTED
    centres = [c.id for c in network]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    rows = []
    for n in range(1, COUNT + 1):
        published = BIT[Field.DISPLAY_NAME]
        if rng.random() < 0.9:
            published |= BIT[Field.SKILLS]
        if rng.random() < 0.6:
            published |= BIT[Field.USUAL_CENTRE]
        rows.append(
            {
                "id": n,
                "user_id": f"gen:{n}",
                "channel": f"gen:{n}",
                "display_name": f"Membre {n}",
                "name_key": name_key(f"Membre {n}"),
                "skills": rng.sample(words, rng.randint(1, 3)),
                "usual_centre": rng.choice([*centres, None]),
                "open_to": 0,
                "published": published,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def expected_order(
    network: Network, rows: list[dict[str, Any]], query: str, centre: str
) -> list[int]:
    """Most skills matched, then nearest published centre (unknown last), then id."""
    wanted = {s.key for s in vocabulary().skills(query)}
    home = network.centre(centre)
    ranked = []
    for row in rows:
        if not row["published"] & BIT[Field.SKILLS]:
            continue
        matched = len(wanted & set(vocabulary().keys(row["skills"])))
        if not matched:
            continue
        shown = row["usual_centre"] if row["published"] & BIT[Field.USUAL_CENTRE] else None
        distance = network.distance_km(home, network.centre(shown)) if shown else FAR
        ranked.append((-matched, round(distance, 3), row["id"]))
    return [pid for *_, pid in sorted(ranked)]


@pytest.fixture
async def generated(storage: Storage, network: Network) -> list[dict[str, Any]]:
    rows = population(network)
    index = [
        {"skill": k, "profile_id": r["id"]} for r in rows for k in vocabulary().keys(r["skills"])
    ]
    async with storage.engine.begin() as conn:
        await conn.execute(insert(DIRECTORY_PROFILES), rows)
        await conn.execute(insert(DIRECTORY_SKILLS), index)
    return rows


async def _all_pages(core: Core, query: str, centre: str) -> tuple[list[int], int]:
    seen: list[int] = []
    page = 0
    while True:
        found = await directory.search(core, query, centre_id=centre, page=page)
        seen += [e.profile_id for e in found.entries]
        assert len(found.entries) <= PAGE_SIZE
        if not found.has_next:
            return seen, found.total
        page += 1


async def test_ranking_and_paging_over_5000_profiles(
    db_core: Core, network: Network, generated: list[dict[str, Any]]
) -> None:
    query = "développeur python"  # two skills: matching both ranks first
    expected = expected_order(network, generated, query, "figeac")
    assert len(expected) > 300, "a population where paging and ties matter"
    first = await directory.search(db_core, query, centre_id="figeac")
    assert first.total == len(expected)
    assert [e.profile_id for e in first.entries] == expected[:PAGE_SIZE]
    assert {e.matched for e in first.entries} == {2}, "both skills before one"
    # Pages 40 to 42 sit among the single-skill matches, ordered by distance.
    for page in (40, 41, 42):
        found = await directory.search(db_core, query, centre_id="figeac", page=page)
        assert [e.profile_id for e in found.entries] == expected[
            page * PAGE_SIZE : (page + 1) * PAGE_SIZE
        ]
    # Within one number of skills matched: same centre first, then by distance.
    found = await directory.search(db_core, "soudure", centre_id="aurillac", page=0)
    assert [e.usual_centre for e in found.entries][:1] == ["aurillac"]
    every, total = await _all_pages(db_core, "soudure", "aurillac")
    assert every == expected_order(network, generated, "soudure", "aurillac")
    assert total == len(every) == len(set(every))


SPELLINGS = [
    ("DEVELOPPEUSE", "développement logiciel"),  # no accents, capitals, feminine
    ("programmeur", "développement logiciel"),  # a synonym
    ("software engineer", "développement logiciel"),  # a phrase, in English
    ("traducteurs", "traduction"),  # a plural
    ("interprète", "traduction"),
    ("comptabilite", "comptable"),
]


async def test_synonyms_and_spellings_find_the_same_people(
    db_core: Core, network: Network, generated: list[dict[str, Any]]
) -> None:
    for query, same_as in SPELLINGS:
        found = await directory.search(db_core, query, centre_id="montmurat", page=1)
        reference = await directory.search(db_core, same_as, centre_id="montmurat", page=1)
        expected = expected_order(network, generated, same_as, "montmurat")
        assert found.total == reference.total == len(expected) > PAGE_SIZE, query
        assert [e.profile_id for e in found.entries] == expected[PAGE_SIZE : 2 * PAGE_SIZE]
