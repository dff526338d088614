"""Managers' digests in chat and through the scheduler, impact for everyone: on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from booking_core import conversations, services
from booking_core.db import create_engine, upgrade
from booking_core.domain import DeskRequest
from booking_core.network import Network, Period, parse_network
from booking_core.services import Core
from booking_core.storage import Storage
from bot.scheduler import Scheduler
from handlers.i18n import Catalogs
from handlers.messages import Reply
from handlers.router import Router
from tests.conftest import Clock
from tests.conversation.conftest import Chat
from tests.outbox.recording import RecordingTransport

MANAGER = "test:manager-figeac"
COORDINATOR = "test:coordination"


def _network() -> Network:
    text = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
    text = text.replace("coordinators = []", f'coordinators = ["{COORDINATOR}"]', 1)
    figeac = text.index('id = "figeac"')
    managers = text.index("managers = []", figeac)
    text = text[:managers] + f'managers = ["{MANAGER}"]' + text[managers + len("managers = []") :]
    return parse_network(text)


@pytest.fixture
async def core(tmp_path: Path, clock: Clock) -> AsyncIterator[Core]:
    engine = create_engine(f"sqlite:///{tmp_path / 'digest.db'}")
    await upgrade(engine)
    storage = Storage(engine)
    yield Core(_network(), storage.uow, clock)
    await storage.dispose()


async def test_a_manager_asks_who_comes_and_others_are_refused(core: Core) -> None:
    for n in range(3):
        user = f"test:u{n}"
        await services.book_desks(
            core, DeskRequest(user, "figeac", date(2026, 12, 4), Period.MORNING)
        )
    router = Router(core, Catalogs())
    manager = Chat(router, MANAGER)
    said = await manager.say("qui vient demain à Figeac ?")  # on Thursday 3 December
    lines = said.splitlines()
    lines = lines[lines.index("Point du jeudi 3 décembre sur le vendredi 4 décembre") :]
    assert lines[:6] == [
        "Point du jeudi 3 décembre sur le vendredi 4 décembre",
        "",
        "Télécentre de Figeac – Maison de l'Emploi",  # noqa: RUF001
        "• Demain, vendredi 4 décembre : 3 demi-journées de bureau réservées sur 12 (25 %)",
        "    ◦ matin : 3 bureaux réservés sur 6 (50 %), 3 libres",
        "    ◦ après-midi : 0 bureau réservé sur 6 (0 %), 6 libres",
    ]
    assert (
        "• Prochaine ouverture, lundi 7 décembre : 0 demi-journée de bureau réservée "
        "sur 12 (0 %)" in lines
    )
    assert not any("Aujourd'hui" in line for line in lines), "tomorrow is not today"
    assert not any("Non venus" in line for line in lines), "today is not over"
    said = await manager.say("/occupation decazeville")
    assert "réservé aux responsables" in said, "only the centres one manages"
    said = await Chat(router, "test:someone").say("/occupation figeac")
    assert "réservé aux responsables" in said
    said = await Chat(router, COORDINATOR).say("/occupation")
    assert "Decazeville" in said
    assert "Figeac" in said


async def test_impact_of_attended_days(core: Core, clock: Clock) -> None:
    router = Router(core, Catalogs())
    chat = Chat(router, "test:alice")
    for line in ("/profil", "Maurs", "24", "passer", "4"):
        await chat.say(line)
    await services.book_desks(
        core, DeskRequest("test:alice", "figeac", date(2026, 12, 4), Period.DAY)
    )
    clock.set("2026-12-05T09:00")
    said = await chat.say("/impact")
    assert "1 déplacement" in said
    assert "48 km" in said, "2 x 24 km: no distance to the telecentre declared"
    profile = await conversations.load(core, "test:alice", "test:alice")
    assert profile.profile is not None
    declared = replace(profile.profile, centre_km=4.0)  # lives 4 km from Figeac's centre
    await conversations.save(core, "test:alice", "test:alice", profile.state or {}, declared)
    said = await chat.say("/impact")
    assert "40 km" in said, "2 x (24 - 4) km"


async def test_the_daily_digest_is_sent_once_and_the_weekly_one_has_its_chart(
    core: Core, clock: Clock
) -> None:
    transport = RecordingTransport()
    scheduler = Scheduler(core, [transport], Catalogs())
    await services.book_desks(
        core, DeskRequest("test:u1", "figeac", date(2026, 12, 7), Period.MORNING)
    )
    await Chat(Router(core, Catalogs()), "test:searcher").say("/annuaire traduction")
    clock.set("2026-12-07T07:29")  # a Monday, the weekly digest's day
    await scheduler.run_once()
    assert [c for c, _ in transport.sent] == ["test:u1"], "a reminder, no digest before its time"
    clock.set("2026-12-07T07:30")
    await scheduler.run_once()
    await scheduler.run_once()
    to_manager = [replies for channel, replies in transport.sent if channel == MANAGER]
    assert len(to_manager) == 3, "once: its three parts, each a message of its own"
    [[day], [week], [missing]] = to_manager
    keys = [key for channel, key in transport.keys if channel == MANAGER]
    assert len(set(keys)) == 3, "each part has its own stable key"
    assert "Figeac" in day.text
    assert "Compétences cherchées sans personne pour les offrir" in missing.text
    assert "traduction" in missing.text.lower()
    [chart] = week.files
    assert chart.mime_type == "image/png"
    assert chart.data.startswith(b"\x89PNG")
    assert any(channel == COORDINATOR for channel, _ in transport.sent)


async def test_a_partners_job_note_reaches_the_managers_only(core: Core, clock: Clock) -> None:
    router = Router(core, Catalogs())
    alice = Chat(router, "test:alice")
    said = await alice.say("/annuaire conjoint infirmière, secteur Figeac")
    assert "les responsables du réseau le verront" in said
    said = await Chat(router, "test:bob").say("qui fait infirmière ?")
    assert "secteur Figeac" not in said, "never in searches"
    transport = RecordingTransport()
    clock.set("2026-12-04T07:30")
    await Scheduler(core, [transport], Catalogs()).run_once()
    replies = [r for channel, sent in transport.sent if channel == MANAGER for r in sent]
    assert sum("infirmière, secteur Figeac" in r.text for r in replies) == 1
    assert "retiré" in await alice.say("/annuaire conjoint non")
    from booking_core import directory

    assert await directory.partner_job_notes(core) == []


async def test_a_digest_part_already_delivered_is_not_sent_again_after_a_failure(
    core: Core, clock: Clock
) -> None:
    charts_refused = [1]

    def refuse_the_chart_once(channel: str, replies: list[Reply]) -> BaseException | None:
        if channel == MANAGER and any(r.files for r in replies) and charts_refused:
            charts_refused.pop()
            return ConnectionError("upload failed")
        return None

    transport = RecordingTransport(fail_when=refuse_the_chart_once)
    scheduler = Scheduler(core, [transport], Catalogs())
    clock.set("2026-12-07T07:30")  # Monday: the day's text, then the week with its chart
    await scheduler.run_once()
    parts = [replies[0] for channel, replies in transport.sent if channel == MANAGER]
    assert [p.text.splitlines()[0] for p in parts] == ["Point du lundi 7 décembre"]
    clock.set("2026-12-07T07:32")  # the retry after the first pause
    await scheduler.run_once()
    parts = [replies[0] for channel, replies in transport.sent if channel == MANAGER]
    assert [p.text.splitlines()[0] for p in parts] == [
        "Point du lundi 7 décembre",
        "Bilan de la semaine du lundi 30 novembre au dimanche 6 décembre",
    ], "the day's text once, then only what had not gone out"
    assert not charts_refused
