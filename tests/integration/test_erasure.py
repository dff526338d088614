"""Erasure on SQLite and PostgreSQL: one transaction, nothing given back to the person,
nothing left that names them or links their bookings together."""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from booking_core import conversations, privacy, reports, services
from booking_core.db import create_engine, upgrade
from booking_core.domain import BookingStatus, DeskRequest, Profile, RoomRequest
from booking_core.models import Base
from booking_core.network import Network, Period
from booking_core.services import Core
from booking_core.storage import AUDIT, BOOKINGS, PROFILES, REQUESTS, Storage
from bot.scheduler import Scheduler
from handlers.i18n import Catalogs
from handlers.router import Router
from tests.conftest import Clock
from tests.conversation.conftest import Chat
from tests.outbox.recording import RecordingTransport

THU = date(2026, 12, 10)


async def test_erasure_never_gives_the_person_a_desk_back(db_core: Core, storage: Storage) -> None:
    # Cassaniouze has 3 desks: the leaver holds one all day, two others the afternoon.
    await services.book_desks(db_core, DeskRequest("leaver", "cassaniouze", THU, Period.DAY))
    for user in ("a", "b"):
        await services.book_desks(db_core, DeskRequest(user, "cassaniouze", THU, Period.AFTERNOON))
    # The afternoon is full: the leaver (for a colleague, say) and then "c" wait for it.
    await services.join_waitlist(
        db_core, DeskRequest("leaver", "cassaniouze", THU, Period.AFTERNOON)
    )
    await services.join_waitlist(db_core, DeskRequest("c", "cassaniouze", THU, Period.AFTERNOON))

    assert await privacy.erase_person(db_core, "leaver") == 1
    everyone = await services.list_bookings(db_core, day=THU)
    assert not [b for b in everyone if b.user_id.startswith("erased:")], (
        "the desk the leaver freed went back to the leaver, now a token holding a desk"
    )
    assert [(b.user_id, b.period) for b in everyone if b.user_id == "c"] == [
        ("c", Period.AFTERNOON)
    ]
    past = await services.list_bookings(db_core, day=THU, include_cancelled=True)
    assert [b.status for b in past if b.user_id.startswith("erased:")] == [BookingStatus.CANCELLED]
    async with storage.engine.connect() as conn:
        actors = set((await conn.execute(select(AUDIT.c.actor))).scalars())
    assert "leaver" not in actors, "not even the audit of the erasure's own cancellations"


async def test_erased_days_cannot_be_linked_and_the_impact_stays(
    db_core: Core, storage: Storage, clock: Clock
) -> None:
    await conversations.save(db_core, "t:p", "p", {}, Profile("p", "fr", "Maurs", 12.0))
    tuesdays = services.series_days(date(2026, 12, 8), [1], until=date(2026, 12, 22))
    await services.book_series(
        db_core, DeskRequest("p", "figeac", tuesdays[0], Period.MORNING, key="t:m1"), tuesdays
    )
    await services.book_room(
        db_core, RoomRequest("p", "figeac", tuesdays[1], time(14), time(15), key="t:m2")
    )
    clock.set("2026-12-23T10:00")  # all attended
    before = await reports.impact(db_core, date(2026, 12, 1), date(2026, 12, 31))
    assert (before.total.trips, before.total.km) == (3, 72.0)

    await privacy.erase_person(db_core, "p")

    after = await reports.impact(db_core, date(2026, 12, 1), date(2026, 12, 31))
    totals = (after.total.trips, after.total.km, after.total.hours, after.total.co2_kg)
    assert totals == (before.total.trips, 72.0, before.total.hours, before.total.co2_kg)
    assert after.total.attended_bookings == 4
    async with storage.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    BOOKINGS.c.user_id,
                    BOOKINGS.c.day,
                    BOOKINGS.c.request_id,
                    BOOKINGS.c.series_id,
                    BOOKINGS.c.created_at,
                )
            )
        ).all()
        requests = (await conn.execute(select(func.count()).select_from(REQUESTS))).scalar()
        audit = (await conn.execute(select(AUDIT.c.actor))).scalars().all()
        profiles = (await conn.execute(select(PROFILES.c.user_id))).scalars().all()
    tokens = {day: {r.user_id for r in rows if r.day == day} for day in tuesdays}
    assert all(len(t) == 1 for t in tokens.values()), "one day, one token (one trip)"
    assert len(set().union(*tokens.values())) == 3, "each day its own token"
    assert {(r.request_id, r.series_id) for r in rows} == {(None, None)}
    assert all(_utc(r.created_at).time() == time(0) for r in rows), "not booked together"
    assert requests == 0, "idempotency keys (hashed message ids) are gone with the person"
    assert audit == [], "the person's audit trail went with them"
    assert profiles == [], "no token profile: the commute is on each day's bookings"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC)


def _traces(path: Path, secret: bytes) -> list[str]:
    return [p.name for p in (path, Path(f"{path}-wal")) if p.exists() and secret in p.read_bytes()]


async def test_a_reader_holding_the_log_delays_its_truncation_and_it_is_said(
    tmp_path: Path, network: Network, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "e.db"
    engine = create_engine(f"sqlite:///{path}")
    await upgrade(engine)
    storage = Storage(engine)
    core = Core(network, storage.uow, clock)
    try:
        await services.book_desks(core, DeskRequest("telegram:4242", "figeac", THU, Period.DAY))
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM bookings").fetchall()  # a snapshot on the log
        await privacy.erase_person(core, "telegram:4242")
        assert "write-ahead log not truncated" in caplog.text, "a partial checkpoint is said"
        reader.execute("ROLLBACK")
        reader.close()
        assert await core.uow().forget_traces() is True
        assert _traces(path, b"telegram:4242") == []

        # A reader that finishes within the retries: the erasure itself truncates the log.
        caplog.clear()
        await services.book_desks(core, DeskRequest("telegram:4343", "figeac", THU, Period.DAY))
        reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM bookings").fetchall()
        threading.Timer(0.3, lambda: reader.execute("ROLLBACK")).start()
        await privacy.erase_person(core, "telegram:4343")
        assert "not truncated" not in caplog.text
        reader.close()
        assert _traces(path, b"telegram:4343") == []
    finally:
        await storage.dispose()


SECRETS = ["7770001", "Zéphyrine", "Quatremare", "zephyrine_q", "Zorglub", "Brouzouf", "Viescamp"]


async def test_erasure_through_the_chat_leaves_no_trace_anywhere(
    db_url: URL,
    storage: Storage,
    network: Network,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    core = Core(network, storage.uow, clock)
    router = Router(core, Catalogs())
    zed, bob = Chat(router, "telegram:7770001"), Chat(router, "telegram:8880002")
    for line in ("/profil", "Lacapelle-Viescamp", "12", "passer", "4"):
        await zed.say(line)
    await zed.say("bureau à Figeac jeudi matin")
    await zed.say("oui")
    for line in ("/annuaire rejoindre", "graphisme", "Zéphyrine Quatremare", "oui"):
        await zed.say(line)
    await zed.say("/annuaire contact @zephyrine_q")
    await zed.say("/annuaire publier contact")
    for line in ("/annuaire rejoindre", "occitan", "Bob", "oui"):
        await bob.say(line)
    await zed.say("/annuaire occitan")
    await zed.pick("Contacter")
    assert "Message transmis" in await zed.say("Zorglub, on se voit jeudi ?")
    await bob.say("qui fait du graphisme ?")
    await bob.pick("Contacter")
    assert "Message transmis" in await bob.say("Brouzouf, volontiers")
    for user in ("a", "b", "c"):
        await services.book_desks(core, DeskRequest(user, "cassaniouze", THU, Period.AFTERNOON))
    await zed.say("bureau à Cassaniouze jeudi après-midi")
    assert "liste d'attente" in await zed.pick("liste d'attente")
    await Scheduler(core, [RecordingTransport()], Catalogs()).tick()  # some sent, some not
    before = await _dump(storage)
    assert all(s in before for s in ("7770001", "Zorglub", "zephyrine_q", "Viescamp"))

    await zed.say("/oublier")
    assert "effacées" in await zed.say("oui")

    after = await _dump(storage)
    for secret in SECRETS:
        assert secret not in after, secret
    assert "Bob" in after, "the other member stays"
    if db_url.get_backend_name() == "sqlite":
        assert db_url.database is not None
        for secret in SECRETS:
            assert _traces(Path(db_url.database), secret.encode()) == [], secret
    for secret in SECRETS:
        assert secret not in caplog.text, f"the logs hold {secret!r}"


async def _dump(storage: Storage) -> str:
    """Every row of every table, as text."""
    async with storage.engine.connect() as conn:
        rows = [
            tuple(r)
            for table in Base.metadata.sorted_tables
            for r in await conn.execute(select(table))
        ]
    return repr(rows)
