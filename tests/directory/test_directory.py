"""The opt-in directory on SQLite and PostgreSQL: relevance, ranking, paging, privacy,
erasure, missing skills, contact relay and partner notes."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text

from booking_core import directory, privacy
from booking_core.directory import (
    ContactLimit,
    Field,
    NoContactHandle,
    OpenTo,
    UnknownDirectoryEntry,
)
from booking_core.services import Core
from booking_core.storage import (
    DIRECTORY_CONSENTS,
    DIRECTORY_CONTACTS,
    DIRECTORY_PROFILES,
    DIRECTORY_SKILLS,
    OUTBOX,
    Storage,
)
from tests.conftest import Clock

ALL = list(Field)


async def member(
    core: Core,
    user: str,
    skills: list[str],
    centre: str | None = None,
    publish: list[Field] | None = None,
    **more: Any,
) -> int:
    own = await directory.create_profile(
        core,
        user,
        f"telegram:{user}",
        skills=skills,
        usual_centre=centre,
        display_name=more.pop("display_name", f"Name of {user}"),
        publish=ALL if publish is None else publish,
        **more,
    )
    return own.id


async def test_found_by_synonym_and_without_accents(db_core: Core) -> None:
    dev = await member(db_core, "u1", ["Développeuse Python"])
    graph = await member(db_core, "u2", ["graphiste", "illustration"])
    trad = await member(db_core, "u3", ["traductrice anglais"])
    for query, expected in [
        ("je cherche un developpeur", dev),
        ("dev python", dev),
        ("DEVELOPER", dev),
        ("qui fait du graphisme ?", graph),
        ("graphic design", graph),
        ("find a translator", trad),
        ("traduction", trad),
    ]:
        page = await directory.search(db_core, query)
        assert [e.profile_id for e in page.entries] == [expected], query


async def test_ranking_skills_then_centre_then_distance(db_core: Core) -> None:
    await directory.create_profile(db_core, "me", "t:me", usual_centre="aurillac")
    both_far = await member(db_core, "a", ["python", "graphisme"], "figeac")
    same = await member(db_core, "b", ["python"], "aurillac")
    near = await member(db_core, "c", ["python"], "cassaniouze")
    farther = await member(db_core, "d", ["python"], "montmurat")
    no_centre = await member(db_core, "e", ["python"])
    hidden_centre = await member(
        db_core, "f", ["python"], "aurillac", publish=[Field.SKILLS, Field.DISPLAY_NAME]
    )
    page = await directory.search(db_core, "python graphiste", searcher="me")
    ids = [e.profile_id for e in page.entries]
    # An unpublished centre must not move a profile up: it ranks with the unknown ones.
    assert ids == [both_far, same, near, farther, no_centre]
    assert page.total == 6
    assert page.entries[0].matched == 2
    assert page.entries[1].distance_km == 0
    assert page.entries[2].distance_km == pytest.approx(26.6, abs=0.1)
    rest = await directory.search(db_core, "python graphiste", searcher="me", page=1)
    assert [e.profile_id for e in rest.entries] == [hidden_centre]
    assert rest.entries[0].usual_centre is None
    assert rest.entries[0].distance_km is None
    # The searcher never finds themselves, and an explicit centre overrides the profile's.
    await directory.update_profile(db_core, "me", skills=["python"])
    await directory.set_consent(db_core, "me", Field.SKILLS, True)
    page = await directory.search(db_core, "python", searcher="me", centre_id="montmurat")
    # From Montmurat: itself, Figeac 13 km, Cassaniouze 16 km, Aurillac 38 km.
    assert [e.profile_id for e in page.entries] == [farther, both_far, near, same, no_centre]
    assert "Name of me" not in {e.display_name for e in page.entries}


async def test_paging(db_core: Core) -> None:
    ids = [await member(db_core, f"p{n}", ["comptable"]) for n in range(12)]
    seen: list[int] = []
    for number, size in enumerate([5, 5, 2]):
        page = await directory.search(db_core, "comptabilité", page=number)
        assert len(page.entries) == size
        assert page.total == 12
        assert page.has_next == (number < 2)
        seen += [e.profile_id for e in page.entries]
    assert seen == ids
    beyond = await directory.search(db_core, "comptabilité", page=3)
    assert beyond.entries == ()
    assert beyond.total == 12


async def test_unpublished_fields_never_shown(db_core: Core) -> None:
    secret = {
        "display_name": "SECRETNAME",
        "profession": "SECRETJOB",
        "commune": "SECRETTOWN",
        "contact_handle": "@SECRETHANDLE",
        "partner_job_note": "SECRETNOTE",
    }
    target = await directory.create_profile(
        db_core,
        "hidden-user",
        "telegram:hidden",
        skills=["graphisme"],
        usual_centre="figeac",
        open_to=[OpenTo.MENTORING],
        publish=[Field.SKILLS],
        **secret,
    )
    page = await directory.search(db_core, "graphiste", searcher="seeker", centre_id="figeac")
    (entry,) = page.entries
    assert entry.skills == ("graphisme",)
    assert (entry.display_name, entry.profession, entry.commune) == (None, None, None)
    assert (entry.contact_handle, entry.usual_centre, entry.open_to) == (None, None, None)
    assert entry.distance_km is None
    shown = repr(page)
    assert all(value not in shown for value in secret.values())
    assert "hidden-user" not in shown
    assert "telegram:hidden" not in shown

    # The requester's own export holds nothing about the person contacted.
    await member(db_core, "seeker", ["python"], contact_handle="@seeker")
    relay = await directory.request_contact(db_core, "seeker", target.id, "Bonjour !")
    assert relay.from_handle == "@seeker"
    async with db_core.uow(readonly=True) as uow:
        [queued] = await uow.repo.claim_notifications(
            "check", db_core.now(), 60.0, 10
        )  # read only: nothing kept
    assert (queued.user_id, queued.channel) == ("hidden-user", "telegram:hidden")
    assert "hidden-user" not in repr(relay), "nothing of the recipient to the requester"
    exported = json.dumps(await privacy.export_person(db_core, "seeker"), default=str)
    assert "Bonjour" in exported  # their own message, yes
    for value in [*secret.values(), "hidden-user", "telegram:hidden", "graphisme"]:
        assert value not in exported

    # Managers see the note only with its own consent.
    assert await directory.partner_job_notes(db_core) == []
    await directory.set_consent(db_core, "hidden-user", Field.PARTNER_JOB_NOTE, True)
    (note,) = await directory.partner_job_notes(db_core)
    assert (note.note, note.display_name, note.usual_centre) == ("SECRETNOTE", None, None)

    # Skills withdrawn: not found at all, and the withdrawal is logged with its date.
    own = await directory.set_consent(db_core, "hidden-user", "skills", False)
    assert Field.SKILLS not in own.published
    assert [(c.field, c.granted) for c in own.consents] == [
        (Field.SKILLS, True),
        (Field.PARTNER_JOB_NOTE, True),
        (Field.SKILLS, False),
    ]
    assert all(c.at.tzinfo is not None for c in own.consents)
    empty = await directory.search(db_core, "graphiste", record_missing=False)
    assert empty.entries == ()
    # The person still sees their whole profile.
    mine = await directory.get_profile(db_core, "hidden-user")
    assert mine is not None
    assert mine.profession == "SECRETJOB"


async def test_only_a_findable_profile_is_contactable(db_core: Core) -> None:
    pid = await member(db_core, "shy", ["python"], publish=[])
    await member(db_core, "x", ["occitan"], contact_handle="@x")
    with pytest.raises(UnknownDirectoryEntry):
        await directory.request_contact(db_core, "x", pid, "hi")
    # A name published but not the skills: not found by any search, so not reachable.
    named = await member(db_core, "named", ["python"], publish=[Field.DISPLAY_NAME])
    with pytest.raises(UnknownDirectoryEntry):
        await directory.request_contact(db_core, "x", named, "hi")
    with pytest.raises(UnknownDirectoryEntry):
        await directory.request_contact(db_core, "x", 999_999, "hi")
    assert (await directory.search(db_core, "python", record_missing=False)).entries == ()


async def test_contact_rules(db_core: Core, clock: Clock) -> None:
    targets = [await member(db_core, f"t{n}", ["python"]) for n in range(7)]
    with pytest.raises(NoContactHandle):  # not in the directory: nobody could answer
        await directory.request_contact(db_core, "asker", targets[0], "hi")
    await directory.create_profile(
        db_core, "asker", "t:asker", contact_handle="@asker", publish=[Field.CONTACT_HANDLE]
    )
    relay = await directory.request_contact(db_core, "asker", targets[0], "  hi   there ")
    assert (relay.from_handle, relay.message) == ("@asker", "hi there")
    with pytest.raises(ContactLimit):
        await directory.request_contact(db_core, "asker", targets[0], "again")
    for target in targets[1:5]:
        await directory.request_contact(db_core, "asker", target, "hi")
    with pytest.raises(ContactLimit):
        await directory.request_contact(db_core, "asker", targets[5], "hi")
    clock.set("2026-12-04T10:01")
    await directory.request_contact(db_core, "asker", targets[5], "hi")


async def _count(storage: Storage, statement: Any) -> int:
    async with storage.engine.connect() as conn:
        return int((await conn.execute(statement)).scalar_one())


async def test_erasure_removes_profile_consents_and_contacts(
    db_core: Core, storage: Storage
) -> None:
    leaving = await member(db_core, "leaving", ["occitan"], contact_handle="@leaving")
    other = await member(db_core, "other", ["occitan"], contact_handle="@other")
    await directory.request_contact(db_core, "leaving", other, "adishatz")
    await directory.request_contact(db_core, "other", leaving, "adiu")
    await directory.set_consent(db_core, "leaving", Field.COMMUNE, False)
    await directory.search(db_core, "menuisier", searcher="leaving")  # a missed search
    await privacy.erase_person(db_core, "leaving")

    assert await directory.get_profile(db_core, "leaving") is None
    p, c, k, s = (
        DIRECTORY_PROFILES.c,
        DIRECTORY_CONSENTS.c,
        DIRECTORY_CONTACTS.c,
        DIRECTORY_SKILLS.c,
    )
    assert await _count(storage, select(func.count()).where(p.user_id == "leaving")) == 0
    assert await _count(storage, select(func.count()).where(c.user_id == "leaving")) == 0
    assert await _count(storage, select(func.count()).select_from(DIRECTORY_CONTACTS)) == 0
    assert await _count(storage, select(func.count()).where(s.profile_id == leaving)) == 0
    assert await _count(storage, select(func.count()).where(k.to_profile_id == leaving)) == 0
    # Both relays went: the one to "other" held the leaver's handle and words.
    assert await _count(storage, select(func.count()).select_from(OUTBOX)) == 0
    # The other member is untouched; the anonymous missed search stays.
    assert (await directory.search(db_core, "occitan")).total == 1
    assert [m.skill for m in await directory.missing_skills(db_core, date(2026, 12, 1))] == [
        "menuisier"
    ]
    async with storage.engine.connect() as conn:
        dump = [
            tuple(r) for r in await conn.execute(text("SELECT * FROM directory_missing_skills"))
        ]
    assert "leaving" not in repr(dump)


async def test_delete_profile_is_one_call(db_core: Core) -> None:
    await member(db_core, "gone", ["python"])
    assert await directory.delete_profile(db_core, "gone") is True
    assert await directory.delete_profile(db_core, "gone") is False
    assert await directory.get_profile(db_core, "gone") is None


async def test_missing_skills_aggregation(db_core: Core, clock: Clock) -> None:
    await member(db_core, "welder", ["soudeur"], publish=[Field.DISPLAY_NAME])  # unpublished
    await member(db_core, "coder", ["python"])
    await directory.create_profile(db_core, "s1", "t:s1", usual_centre="figeac")
    for _ in range(3):
        await directory.search(db_core, "je cherche un soudeur", searcher="s1")
    await directory.search(db_core, "Soudeurs")
    await directory.search(db_core, "menuiserie", centre_id="aurillac")
    await directory.search(db_core, "python")  # found: not counted
    await directory.search(db_core, "soudeur", page=1)  # later pages: not counted
    clock.set("2026-11-01T10:00")
    await directory.search(db_core, "plombier")  # before ``since``

    missing = await directory.missing_skills(db_core, date(2026, 11, 20))
    assert [(m.skill, m.searches, m.centres) for m in missing] == [
        ("soudeur", 4, ("figeac", "")),
        ("menuiserie", 1, ("aurillac",)),
    ]
    assert missing[0].label == "soudeurs" or missing[0].label == "soudeur"
    # Once someone publishes the skill, it is no longer missing.
    await directory.set_consent(db_core, "welder", Field.SKILLS, True)
    assert [m.skill for m in await directory.missing_skills(db_core, date(2026, 11, 20))] == [
        "menuiserie"
    ]


async def test_update_reindexes_and_validates(db_core: Core) -> None:
    await member(db_core, "m", ["python"])
    await directory.update_profile(db_core, "m", skills="photographe, vidéaste")
    assert (await directory.search(db_core, "python", record_missing=False)).total == 0
    page = await directory.search(db_core, "photo video")
    assert page.total == 1
    assert page.entries[0].matched == 2
    mine = await directory.update_profile(db_core, "m", profession=None, open_to=["mentoring"])
    assert mine.skills == ("photographe", "vidéaste")
    assert mine.open_to == frozenset({OpenTo.MENTORING})
    with pytest.raises(directory.InvalidDirectoryValue):
        await directory.update_profile(db_core, "m", open_to=["everything"])
    with pytest.raises(directory.InvalidDirectoryValue):
        await directory.set_consent(db_core, "m", "shoe_size", True)
    with pytest.raises(directory.DirectoryProfileExists):
        await directory.create_profile(db_core, "m", None)
    with pytest.raises(directory.NoDirectoryProfile):
        await directory.set_consent(db_core, "nobody", Field.SKILLS, True)


async def _payloads(storage: Storage) -> list[dict[str, Any]]:
    async with storage.engine.connect() as conn:
        rows = await conn.execute(select(OUTBOX.c.payload).order_by(OUTBOX.c.id))
        return [dict(r.payload) for r in rows]


async def test_the_relay_carries_only_a_published_handle(db_core: Core, storage: Storage) -> None:
    target = await member(db_core, "t", ["python"])
    await directory.create_profile(
        db_core, "asker", "telegram:555", skills=["python"], contact_handle="@asker-secret"
    )
    relay = await directory.request_contact(db_core, "asker", target, "bonjour")
    assert relay.from_handle is None, "a handle given but not published stays hidden"
    [payload] = await _payloads(storage)
    assert "@asker-secret" not in repr(payload)
    assert "telegram:555" not in repr(payload), "never the chat id instead"
    assert "asker" not in repr(payload)
    assert payload["reply_to"] == relay.reply_to, "the answer goes back through the bot"

    other = await member(db_core, "t2", ["python"])
    await directory.set_consent(db_core, "asker", Field.CONTACT_HANDLE, True)
    relay = await directory.request_contact(db_core, "asker", other, "re-bonjour")
    assert relay.from_handle == "@asker-secret"
    assert (await _payloads(storage))[-1]["from"] == "@asker-secret"


async def test_an_answer_reaches_a_hidden_profile_only_from_those_it_wrote_to(
    db_core: Core, clock: Clock
) -> None:
    target = await member(db_core, "t", ["python"])
    # The requester publishes nothing at all: still answerable, through the bot.
    await directory.create_profile(db_core, "asker", "telegram:555", skills=["python"])
    relay = await directory.request_contact(db_core, "asker", target, "bonjour")
    answer = await directory.request_contact(db_core, "t", relay.reply_to, "avec plaisir")
    async with db_core.uow(readonly=True) as uow:
        queued = await uow.repo.claim_notifications("check", db_core.now(), 60.0, 10)
    assert [(n.user_id, n.channel) for n in queued][-1] == ("asker", "telegram:555")
    assert answer.from_handle is None, "t published no contact handle either"
    await member(db_core, "third", ["rust"])
    with pytest.raises(UnknownDirectoryEntry):  # hidden from anyone it did not write to
        await directory.request_contact(db_core, "third", relay.reply_to, "hello")
    clock.set("2027-01-10T10:00")  # past the reply window
    with pytest.raises(UnknownDirectoryEntry):
        await directory.request_contact(db_core, "t", relay.reply_to, "encore moi")


async def test_names_searched_for_never_reach_the_missing_skills(db_core: Core) -> None:
    await member(db_core, "h", ["python"], display_name="Hélène Dupont")
    for query in (
        "chercher Alice Martin",  # what "/annuaire chercher Alice Martin" searches
        "Alice Martin",
        "je cherche Bernard",
        "helene",  # a member's name, typed without accents or capitals
        "dupont",
        "soudeur",
        "Soudeurs",  # a capital opening a one-word search is not a name
        "SQL",  # nor is an acronym
        "je cherche un Comptable",  # a listed skill is one whatever the case
    ):
        page = await directory.search(db_core, query)
        assert page.total == 0, query
    missing = await directory.missing_skills(db_core, date(2026, 12, 1))
    assert sorted((m.skill, m.searches) for m in missing) == [
        ("comptabilite", 1),
        ("soudeur", 2),
        ("sql", 1),
    ]
    dump = repr(await directory.missing_skills(db_core, date(2026, 12, 1), limit=100))
    for name in ("alice", "martin", "bernard", "helene", "dupont"):
        assert name not in dump.lower()


async def test_grammar_words_never_reach_the_missing_skills(db_core: Core) -> None:
    for query in (
        "any web designers around?",
        "does anyone know a good welder nearby?",
        "y a-t-il un menuisier près d'ici ?",
        "connaissez-vous quelqu'un pour de la couture dans le coin ?",
    ):
        assert (await directory.search(db_core, query)).total == 0, query
    missing = await directory.missing_skills(db_core, date(2026, 12, 1), limit=100)
    assert sorted(m.skill for m in missing) == ["couture", "menuisier", "webdesign", "welder"]


SECRETS: dict[Field, Any] = {
    Field.DISPLAY_NAME: "Nomsecret Xq",
    Field.SKILLS: ["apiculture", "graphisme"],
    Field.PROFESSION: "metiersecret",
    Field.COMMUNE: "communesecrete",
    Field.USUAL_CENTRE: "montmurat",
    Field.CONTACT_HANDLE: "@handlesecret",
    Field.OPEN_TO: [OpenTo.MENTORING],
    Field.PARTNER_JOB_NOTE: "notesecrete",
}


def _leaks(field: Field, text: str) -> bool:
    value = SECRETS[field]
    words = value if isinstance(value, list) else [value]
    if field is Field.SKILLS:
        words = ["apiculture"]  # "graphisme" is what the searcher asked for
    return any(str(w).lower() in text.lower() for w in words)


@pytest.mark.parametrize("hidden", list(SECRETS))
async def test_an_unpublished_field_appears_in_no_output(
    db_core: Core, storage: Storage, hidden: Field
) -> None:
    values = {f.value: v for f, v in SECRETS.items() if f is not Field.SKILLS}
    target = await directory.create_profile(
        db_core,
        "target",
        "telegram:target",
        skills=SECRETS[Field.SKILLS] if hidden is Field.SKILLS else ["graphisme"],
        publish=[f for f in Field if f not in (hidden, Field.PRESENCE)],
        **values,
    )
    await member(db_core, "seeker", ["occitan"], "figeac", contact_handle="@seeker")
    outputs: list[str] = []

    page = await directory.search(db_core, "graphisme", searcher="seeker")
    outputs.append(repr(page))
    if hidden is Field.SKILLS:
        assert page.entries == (), "skills withheld: not found at all"
        with pytest.raises(UnknownDirectoryEntry):
            await directory.request_contact(db_core, "seeker", target.id, "bonjour")
    else:
        [entry] = page.entries
        assert getattr(entry, hidden.value, None) is None or hidden is Field.PARTNER_JOB_NOTE
        if hidden is Field.USUAL_CENTRE:
            assert entry.distance_km is None, "nor a distance that would tell it"
        outputs.append(repr(await directory.request_contact(db_core, "seeker", target.id, "a")))
    # The target writes to the seeker: nothing it withheld goes with its message.
    seeker = await directory.get_profile(db_core, "seeker")
    assert seeker is not None
    outputs.append(repr(await directory.request_contact(db_core, "target", seeker.id, "b")))
    async with storage.engine.connect() as conn:
        to_seeker = await conn.execute(select(OUTBOX.c.payload).where(OUTBOX.c.user_id == "seeker"))
        outputs.append(repr([r.payload for r in to_seeker]))
    outputs.append(json.dumps(await privacy.export_person(db_core, "seeker"), default=str))
    for shown in outputs:
        assert not _leaks(hidden, shown), (hidden, shown)
        assert "telegram:target" not in shown, "a chat id is never shown to another member"
