"""The directory in conversation: join with consent, search, contact through the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from booking_core.db import create_engine, upgrade
from booking_core.network import Network
from booking_core.services import Core
from booking_core.storage import Storage
from bot.scheduler import Scheduler
from handlers.i18n import Catalogs
from handlers.router import Router
from tests.conftest import Clock
from tests.conversation.conftest import Chat
from tests.outbox.recording import RecordingTransport


@pytest.fixture
async def core(tmp_path: Path, network: Network, clock: Clock) -> AsyncIterator[Core]:
    engine = create_engine(f"sqlite:///{tmp_path / 'dir.db'}")
    await upgrade(engine)
    storage = Storage(engine)
    yield Core(network, storage.uow, clock)
    await storage.dispose()


async def test_join_search_and_contact_without_revealing_anyone(core: Core) -> None:
    router = Router(core, Catalogs())
    claire = Chat(router, "test:claire")
    said = await claire.say("/annuaire rejoindre")
    assert "facultatif" in said
    await claire.say("graphisme, mise en page")
    said = await claire.say("Claire M.")
    assert "jamais montré" in said
    said = await claire.say("oui")
    assert "Vous êtes dans l'annuaire" in said

    paul = Chat(router, "test:paul")
    for line in ("/annuaire rejoindre", "photographie", "Paul", "oui"):
        await paul.say(line)
    said = await paul.say("qui fait du graphisme ?")
    assert "Claire M." in said
    assert "test:claire" not in said, "no handle is shown"
    said = await paul.pick("Contacter Claire")
    assert "Quel message" in said
    said = await paul.say("Bonjour, je cherche une affiche pour une fête de village")
    assert "Message transmis" in said

    transport = RecordingTransport()
    scheduler = Scheduler(core, [transport], Catalogs())
    await scheduler.tick()
    [text] = transport.texts("test:claire")
    assert "affiche pour une fête de village" in text
    assert "test:paul" not in text, "a chat id is never a contact handle"
    # Paul published no contact: Claire answers through the bot, and sees nothing of him.
    said = await claire.say("1")
    assert "Quel message" in said
    assert "Message transmis" in await claire.say("Avec plaisir, appelez-moi au bureau")
    await scheduler.tick()
    [answer] = transport.texts("test:paul")
    assert "appelez-moi au bureau" in answer
    assert "test:claire" not in answer

    said = await paul.say("/annuaire traduction")
    assert "Personne ne propose encore cette compétence" in said
    said = await claire.say("/annuaire quitter")
    assert "plus dans l'annuaire" in said
    said = await paul.say("qui fait du graphisme ?")
    assert "Claire" not in said


async def test_who_is_in_today_is_opt_in_on_both_sides(core: Core, clock: Clock) -> None:
    from datetime import date

    from booking_core import services
    from booking_core.domain import DeskRequest
    from booking_core.network import Period

    router = Router(core, Catalogs())
    people = {name: Chat(router, f"test:{name.lower()}") for name in ("Claire", "Paul", "Zoé")}
    for name, chat in people.items():
        for line in ("/annuaire rejoindre", "graphisme", name, "oui"):
            await chat.say(line)
        await services.book_desks(
            core, DeskRequest(chat.user, "figeac", date(2026, 12, 4), Period.DAY)
        )
    clock.set("2026-12-04T09:00")
    said = await people["Paul"].say("/quiestla")
    assert "Activez d'abord" in said, "off by default"
    await people["Claire"].say("/presence oui")
    assert "peuvent voir votre nom" in await people["Paul"].say("/presence oui")
    said = await people["Paul"].say("/quiestla")
    assert "Figeac : Claire" in said
    assert "Zoé" not in said, "not shown without her consent"
    await people["Claire"].say("/presence non")
    said = await people["Paul"].say("/quiestla")
    assert "Claire" not in said


async def test_each_field_is_published_only_with_its_own_consent(core: Core) -> None:
    router = Router(core, Catalogs())
    claire = Chat(router, "test:claire")
    for line in ("/annuaire rejoindre", "graphisme", "Claire M.", "oui"):
        await claire.say(line)
    await claire.say("/annuaire métier graphiste indépendante")
    await claire.say("/annuaire commune Maurs")
    said = await claire.say("/annuaire profil")
    assert "métier : graphiste indépendante (masqué)" in said, "a value is not a consent"
    assert "nom : Claire M. (publié)" in said
    paul = Chat(router, "test:paul")
    said = await paul.say("qui fait du graphisme ?")
    assert "graphiste indépendante" not in said
    await claire.say("/annuaire publier métier")
    said = await claire.say("/annuaire profil")
    assert "métier : graphiste indépendante (publié)" in said
    assert "graphiste indépendante" in await paul.say("qui fait du graphisme ?")
    await claire.say("/annuaire masquer nom")
    said = await claire.say("/annuaire profil")
    assert "nom : Claire M. (masqué)" in said, "withdrawn as easily as given"


async def test_presence_without_a_profile_asks_the_name_to_show(core: Core, clock: Clock) -> None:
    from datetime import date

    from booking_core import services
    from booking_core.domain import DeskRequest
    from booking_core.network import Period

    router = Router(core, Catalogs())
    ana, leo = Chat(router, "test:ana"), Chat(router, "test:leo")
    for chat in (ana, leo):
        await services.book_desks(
            core, DeskRequest(chat.user, "figeac", date(2026, 12, 4), Period.DAY)
        )
    said = await ana.say("/presence oui")
    assert "Sous quel nom" in said
    said = await ana.say("Ana L.")
    assert "peuvent voir votre nom, Ana L." in said
    await leo.say("/presence oui")
    said = await leo.say("non")
    assert "abandonne" in said
    clock.set("2026-12-04T09:00")
    said = await leo.say("/quiestla")
    assert "Activez d'abord" in said, "Léo said no: nothing was turned on"
    await leo.say("/presence oui")
    await leo.say("Léo")
    assert "Figeac : Ana L." in await leo.say("/quiestla")


async def test_an_unknown_centre_in_the_profile_is_said_not_cleared(core: Core) -> None:
    router = Router(core, Catalogs())
    claire = Chat(router, "test:claire")
    for line in ("/annuaire rejoindre", "graphisme", "Claire M.", "oui"):
        await claire.say(line)
    await claire.say("/annuaire centre Figeac")
    said = await claire.say("/annuaire centre Paris")
    assert "Je ne connais pas ce télécentre" in said
    said = await claire.say("/annuaire profil")
    assert "télécentre habituel : Figeac" in said


async def _outbox_dump(core: Core) -> str:
    """Every outbox row, as text: what a database dump would show."""
    from sqlalchemy import select

    from booking_core.storage import OUTBOX
    from booking_core.uow import UnitOfWork

    async def body(uow: UnitOfWork) -> str:
        rows = await uow.repo._execute(select(OUTBOX))  # type: ignore[attr-defined]
        return repr([tuple(r) for r in rows])

    return await core.uow(readonly=True).run(body, commit=False)


async def _contact(router: Router, asker: Chat, words: str) -> None:
    await asker.say("qui fait du graphisme ?")
    await asker.pick("Contacter")
    assert "Message transmis" in await asker.say(words)


async def _join(chat: Chat, name: str) -> None:
    for line in ("/annuaire rejoindre", "graphisme", name, "oui"):
        await chat.say(line)


async def test_erasure_deletes_the_relays_the_person_sent_sent_or_not(core: Core) -> None:
    router = Router(core, Catalogs())
    claire, paul = Chat(router, "test:claire"), Chat(router, "test:paul")
    await _join(claire, "Claire M.")
    await _join(paul, "Paul")
    await _contact(router, paul, "Bonjour, une affiche pour la fête de Maurs")
    assert "fête de Maurs" in await _outbox_dump(core), "queued with the contact"
    await Scheduler(core, [RecordingTransport()], Catalogs()).tick()  # sent, row kept
    await paul.say("/oublier")
    await paul.say("oui")
    dump = await _outbox_dump(core)
    assert "fête de Maurs" not in dump
    assert "test:paul" not in dump, "the relay addressed to Claire held Paul's handle"


async def test_leaving_the_directory_deletes_the_relays_received(core: Core) -> None:
    router = Router(core, Catalogs())
    claire, paul = Chat(router, "test:claire"), Chat(router, "test:paul")
    await _join(claire, "Claire M.")
    await _join(paul, "Paul")
    await _contact(router, paul, "Bonjour, une affiche pour la fête de Maurs")
    await claire.say("/annuaire quitter")
    dump = await _outbox_dump(core)
    assert "fête de Maurs" not in dump, "an unsent relay to someone who left is withdrawn"
    assert "test:paul" not in dump


async def test_one_must_be_in_the_directory_before_writing_the_message(core: Core) -> None:
    router = Router(core, Catalogs())
    claire, paul = Chat(router, "test:claire"), Chat(router, "test:paul")
    await _join(claire, "Claire M.")
    await paul.say("qui fait du graphisme ?")
    said = await paul.pick("Contacter")
    assert "rejoignez d'abord l'annuaire" in said
    assert "Quel message" not in said, "asked before the message is written, not after"


async def test_a_message_too_long_is_refused_not_cut(core: Core) -> None:
    router = Router(core, Catalogs())
    claire, paul = Chat(router, "test:claire"), Chat(router, "test:paul")
    await _join(claire, "Claire M.")
    await _join(paul, "Paul")
    await paul.say("qui fait du graphisme ?")
    await paul.pick("Contacter")
    said = await paul.say("x" * 1200)
    assert "C'est trop long (1200 caractères, 1000 au plus)" in said
    said = await paul.say("Bonjour, un devis pour une affiche ? Mon numéro : 06 00 00 00 00")
    assert "Message transmis" in said
    assert "06 00 00 00 00" in await _outbox_dump(core)
