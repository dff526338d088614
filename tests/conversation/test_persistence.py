"""The conversation on a real database: a restart in the middle, replays, two languages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from booking_core.network import Network
from booking_core.services import Core, upcoming
from booking_core.storage import Storage
from handlers.i18n import Catalogs
from handlers.router import Router
from tests.conftest import Clock, _clean_storage
from tests.conversation.conftest import Chat


@pytest.fixture
async def fresh(db_url: URL) -> URL:
    storage = await _clean_storage(db_url)
    await storage.dispose()
    return db_url


async def _router(
    url: URL, network: Network, clock: Clock, catalogs: Catalogs
) -> tuple[Router, Storage]:
    from booking_core.db import create_engine

    storage = Storage(create_engine(url))
    return Router(Core(network, storage.uow, clock), catalogs), storage


async def test_a_restart_in_the_middle_of_a_dialogue(
    fresh: URL, network: Network, clock: Clock, catalogs: Catalogs
) -> None:
    first, storage = await _router(fresh, network, clock, catalogs)
    said = await Chat(first, "telegram:7").say("un bureau à Figeac jeudi", message_id="1")
    assert "Le matin, l'après-midi ou toute la journée ?" in said
    await storage.dispose()  # the process stops here

    second, storage = await _router(fresh, network, clock, catalogs)
    chat = Chat(second, "telegram:7")
    said = await chat.say("l'après-midi", message_id="2")
    assert "jeudi 10 décembre, après-midi, à Figeac" in said
    await chat.say("oui", message_id="3")
    assert await chat.say("oui", message_id="3") == "", "the same message id twice"
    mine = await upcoming(second.core, "telegram:7")
    assert [(b.day, b.period) for b in mine] == [(date(2026, 12, 10), "afternoon")]
    await storage.dispose()


async def test_two_people_in_two_languages_at_once(
    fresh: URL, network: Network, clock: Clock, catalogs: Catalogs
) -> None:
    import asyncio

    router, storage = await _router(fresh, network, clock, catalogs)
    alice, bob = Chat(router, "matrix:@alice:hs"), Chat(router, "matrix:@bob:hs")
    said_fr, said_en = await asyncio.gather(
        alice.say("un bureau à Decazeville demain matin"),
        bob.say("a desk in Aurillac tomorrow afternoon please"),
    )
    assert "vendredi 4 décembre, matin, à Decazeville" in said_fr
    assert "Friday 4 December, afternoon, in Aurillac" in said_en
    await storage.dispose()


async def test_erasure_leaves_no_row_with_the_person(
    fresh: URL, network: Network, clock: Clock, catalogs: Catalogs
) -> None:
    from sqlalchemy import text

    router, storage = await _router(fresh, network, clock, catalogs)
    chat = Chat(router, "telegram:99")
    for line in ("/profil", "Figeac", "12", "passer", "4", "bureau à Figeac jeudi matin", "oui"):
        await chat.say(line)
    from booking_core import reports

    clock.set("2026-12-11T09:00")  # the booking has been attended
    before = await reports.impact(router.core, date(2026, 12, 1), date(2026, 12, 31))
    await chat.say("/oublier")
    assert "effacées" in await chat.say("oui")
    after = await reports.impact(router.core, date(2026, 12, 1), date(2026, 12, 31))
    assert (after.total.trips, after.total.km) == (before.total.trips, before.total.km)
    assert before.total.km == 24, "2 x 12 km"
    async with storage.engine.connect() as conn:
        for table in (
            "bookings",
            "requests",
            "audit_events",
            "waitlist",
            "conversations",
            "profiles",
        ):
            rows = (await conn.execute(text(f"SELECT * FROM {table}"))).all()
            assert all("telegram:99" not in str(row) for row in rows), table
        kept = (await conn.execute(text("SELECT count(*) FROM bookings"))).scalar_one()
        assert kept == 1, "the booking stays, anonymous, for the impact counts"
    if fresh.get_backend_name() == "sqlite":
        assert fresh.database is not None
        for path in (Path(fresh.database), Path(fresh.database + "-wal")):
            if path.exists():
                assert b"telegram:99" not in path.read_bytes(), f"{path.name} keeps a trace"
    await storage.dispose()


async def test_a_state_saved_meanwhile_is_never_overwritten(
    fresh: URL, network: Network, clock: Clock, catalogs: Catalogs
) -> None:
    from booking_core import conversations, errors

    router, storage = await _router(fresh, network, clock, catalogs)
    core = router.core
    await conversations.save(core, "c", "u", {"n": 1}, None)
    with pytest.raises(errors.StaleState):
        await conversations.save(core, "c", "u", {"n": 1}, None)  # it exists now
    mine = (await conversations.load(core, "c", "u")).state
    theirs = (await conversations.load(core, "c", "u")).state
    assert mine is not None
    assert theirs is not None
    await conversations.save(core, "c", "u", {**theirs, "n": 2}, None)
    with pytest.raises(errors.StaleState):
        await conversations.save(core, "c", "u", {**mine, "n": 3}, None)
    again = (await conversations.load(core, "c", "u")).state
    assert again is not None
    assert again["n"] == 2
    await storage.dispose()


async def test_two_instances_answering_one_person_lose_no_step(
    fresh: URL,
    network: Network,
    clock: Clock,
    catalogs: Catalogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second instance saves the dialogue between this one's read and write."""
    from booking_core import conversations

    first, storage_1 = await _router(fresh, network, clock, catalogs)
    second, storage_2 = await _router(fresh, network, clock, catalogs)
    await Chat(first, "telegram:9").say("un bureau à Figeac", message_id="a")
    load = conversations.load
    interleaved = False

    async def load_then_the_other_writes(*args: object) -> conversations.Context:
        nonlocal interleaved
        loaded = await load(*args)  # type: ignore[arg-type]
        if not interleaved:
            interleaved = True
            await Chat(second, "telegram:9").say("jeudi", message_id="b")
        return loaded

    monkeypatch.setattr(conversations, "load", load_then_the_other_writes)
    said = await Chat(first, "telegram:9").say("matin", message_id="c")
    assert interleaved
    assert "Je réserve : jeudi 10 décembre, matin, à Figeac. C'est bon ?" in said
    await storage_1.dispose()
    await storage_2.dispose()
