"""The teleworkers' opt-in directory: profiles, skills search, relayed contacts, and the
skills nobody offers in the territory.

Privacy by design, because people only join a directory they control:

* a profile exists only once its owner asks for one (:func:`create_profile`), and leaves
  with one call (:func:`delete_profile`, also run by :func:`booking_core.privacy.erase_person`);
* each field is shown only with its own consent; consents are logged with their date and
  withdrawing one is the same call as giving it (:func:`set_consent`);
* a search blanks unpublished fields *in SQL* (``CASE WHEN published & bit``), so an
  unpublished value never even reaches Python, and a profile whose skills are not
  published is not found at all; ranking uses the centre only when it is published, so
  the order of the results cannot leak it either;
* contacting someone goes through the bot (:func:`request_contact`): the recipient can
  answer through the bot, and gets the requester's contact handle only if the requester
  published it; nothing of the recipient goes back unless they answer;
* a search that finds nobody is counted per day, centre and skill, with no person in it
  (:func:`missing_skills` feeds the managers' weekly digest).

Nothing here speaks a language: sentences live in :mod:`handlers.directory_text`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from typing import Any, Final, TypeVar, cast

from sqlalchemy import (
    Executable,
    Select,
    Table,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from booking_core import errors
from booking_core.domain import NewNotification
from booking_core.models import BookingRow, MissingSkillRow
from booking_core.services import Core
from booking_core.skills import Skill, as_typed, name_key, vocabulary
from booking_core.storage import (
    CONTACT_KEY,
    DIRECTORY_CONSENTS,
    DIRECTORY_CONTACTS,
    DIRECTORY_PROFILES,
    DIRECTORY_SKILLS,
    ERASE_DIRECTORY,
    SqlRepository,
)
from booking_core.uow import UnitOfWork

T = TypeVar("T")

PAGE_SIZE: Final = 5
CONTACTS_PER_DAY: Final = 5
"""A requester may reach this many people a day: a directory must not become a spam list."""
REPEAT_CONTACT_DAYS: Final = 7
"""Asking the same person again waits this long: ignoring a request is a valid answer."""
REPLY_DAYS: Final = 30
"""A contact can be answered through the bot this long, even at a hidden profile."""
MAX_SKILLS: Final = 20
MAX_LENGTH: Final = {
    "display_name": 100,
    "profession": 100,
    "commune": 100,
    "contact_handle": 200,
    "partner_job_note": 500,
    "skill": 100,
    "message": 1000,
    "channel": 200,
}
_FAR: Final = 1.0e9  # rank of a profile whose centre is unknown or unpublished: last

_P = DIRECTORY_PROFILES.c
_S = DIRECTORY_SKILLS.c
_C = DIRECTORY_CONSENTS.c
_K = DIRECTORY_CONTACTS.c


class Field(StrEnum):
    """A profile field, each published only with its own consent."""

    DISPLAY_NAME = "display_name"
    SKILLS = "skills"
    PROFESSION = "profession"
    COMMUNE = "commune"
    USUAL_CENTRE = "usual_centre"
    CONTACT_HANDLE = "contact_handle"
    OPEN_TO = "open_to"
    PARTNER_JOB_NOTE = "partner_job_note"
    """Not shown in searches: its consent means "the network's managers may see it"."""
    PRESENCE = "presence"
    """Off by default: others booked at the same centre the same day may see my name."""


BIT: Final = {f: 1 << i for i, f in enumerate(Field)}
"""Bit of each field in ``directory_profiles.published``; the order is stored: append only."""


class OpenTo(StrEnum):
    """What a member is open to; stored as bits in ``directory_profiles.open_to``."""

    COLLABORATION = "collaboration"
    MENTORING = "mentoring"
    PARTNER_JOB_LEADS = "partner_job_leads"


_OPEN_BIT: Final = {o: 1 << i for i, o in enumerate(OpenTo)}


class _Keep(Enum):
    KEEP = 0


KEEP: Final = _Keep.KEEP
"""Default of :func:`update_profile` arguments: leave this field as it is."""


# ---------------------------------------------------------------- refusals


class NoDirectoryProfile(errors.InvalidRequest):
    code = "no_directory_profile"


class DirectoryProfileExists(errors.InvalidRequest):
    code = "directory_profile_exists"


class UnknownDirectoryEntry(errors.InvalidRequest):
    """No such profile, or one that shows nothing (it must look the same from outside)."""

    code = "unknown_directory_entry"


class InvalidDirectoryValue(errors.InvalidRequest):
    code = "invalid_directory_value"


class NoContactHandle(errors.RuleRefusal):
    """The requester is not in the directory: the recipient could not answer them."""

    code = "no_contact_handle"


class ContactLimit(errors.RuleRefusal):
    code = "contact_limit"


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Consent:
    field: Field
    granted: bool
    at: datetime


@dataclass(frozen=True)
class OwnProfile:
    """Everything in a person's directory profile, shown to that person only."""

    id: int
    user_id: str
    channel: str | None
    display_name: str | None
    skills: tuple[str, ...]
    profession: str | None
    commune: str | None
    usual_centre: str | None
    contact_handle: str | None
    open_to: frozenset[OpenTo]
    partner_job_note: str | None
    published: frozenset[Field]
    consents: tuple[Consent, ...]
    """Every consent given or withdrawn, oldest first."""
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Entry:
    """One search result: a field is ``None`` unless its owner published it."""

    profile_id: int
    matched: int
    """How many of the searched skills this profile offers."""
    display_name: str | None
    skills: tuple[str, ...] | None
    profession: str | None
    commune: str | None
    usual_centre: str | None
    contact_handle: str | None
    open_to: frozenset[OpenTo] | None
    distance_km: float | None
    """From the searcher's usual centre, when both centres are known and this one published."""


@dataclass(frozen=True)
class SearchPage:
    skills: tuple[Skill, ...]
    """What the query was understood as: show it, so people can rephrase."""
    entries: tuple[Entry, ...]
    page: int
    total: int
    page_size: int = PAGE_SIZE

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.page_size < self.total


@dataclass(frozen=True)
class ContactSent:
    """What went to the recipient, as the requester may see it: never who or where."""

    request_id: int
    from_handle: str | None
    """The requester's contact handle, only when they published it."""
    message: str
    reply_to: int
    """The requester's profile: the recipient answers there, through the bot."""


@dataclass(frozen=True)
class MissingSkill:
    skill: str
    label: str
    searches: int
    centres: tuple[str, ...] = field(default=())
    """Usual centres of the searchers ('' stands for none), most searches first."""


@dataclass(frozen=True)
class PartnerNote:
    """A partner looking for work, as the managers see it (only consented fields)."""

    profile_id: int
    note: str
    display_name: str | None
    usual_centre: str | None
    updated_at: datetime


# ---------------------------------------------------------------- statements

SELECT_OWN = select(DIRECTORY_PROFILES).where(_P.user_id == bindparam("u"))
SELECT_BY_ID = select(DIRECTORY_PROFILES).where(_P.id == bindparam("pid"))
SELECT_CONSENTS = (
    select(_C.field, _C.granted, _C.at).where(_C.user_id == bindparam("u")).order_by(_C.id)
)
_WRITABLE = (
    "channel",
    "display_name",
    "skills",
    "profession",
    "commune",
    "usual_centre",
    "contact_handle",
    "open_to",
    "partner_job_note",
    "published",
    "updated_at",
    "name_key",
)
INSERT_PROFILE = insert(DIRECTORY_PROFILES).returning(_P.id)
UPDATE_PROFILE = (
    update(DIRECTORY_PROFILES)
    .where(_P.id == bindparam("pid"))
    .values({name: bindparam(f"v_{name}") for name in _WRITABLE})
)
DELETE_SKILLS = DIRECTORY_SKILLS.delete().where(_S.profile_id == bindparam("pid"))
INSERT_SKILL = insert(DIRECTORY_SKILLS)
INSERT_CONSENT = insert(DIRECTORY_CONSENTS)
SELECT_SEARCHER_CENTRE = select(_P.usual_centre).where(_P.user_id == bindparam("u"))
SELECT_PUBLISHED = select(_P.published).where(_P.user_id == bindparam("u"))
COUNT_HITS = select(func.count(func.distinct(_S.profile_id))).where(
    _S.skill.in_(bindparam("skills", expanding=True)),
    _S.profile_id == _P.id,
    _P.published.bitwise_and(BIT[Field.SKILLS]) != 0,
    _P.user_id != bindparam("me"),
)
SELECT_SKILLS_OF = select(_P.skills).where(_P.id == bindparam("pid"))
COUNT_CONTACTS_SINCE = select(func.count()).where(
    _K.from_user == bindparam("u"), _K.created_at >= bindparam("since")
)
COUNT_REPEAT = select(func.count()).where(
    _K.from_user == bindparam("u"),
    _K.to_profile_id == bindparam("pid"),
    _K.created_at >= bindparam("since"),
)
INSERT_CONTACT = insert(DIRECTORY_CONTACTS).returning(_K.id)
_M = MissingSkillRow.__table__.c
_OFFERED = (
    select(_S.skill)
    .join(DIRECTORY_PROFILES, _P.id == _S.profile_id)
    .where(_P.published.bitwise_and(BIT[Field.SKILLS]) != 0)
)
SELECT_MISSING = (
    select(_M.skill, _M.centre_id, func.max(_M.label), func.sum(_M.searches))
    .where(_M.day >= bindparam("since"), _M.skill.notin_(_OFFERED))
    .group_by(_M.skill, _M.centre_id)
)
_NOTE_BIT = BIT[Field.PARTNER_JOB_NOTE]
SELECT_PARTNER_NOTES = (
    select(
        _P.id,
        _P.partner_job_note,
        case((_P.published.bitwise_and(BIT[Field.DISPLAY_NAME]) != 0, _P.display_name)),
        case((_P.published.bitwise_and(BIT[Field.USUAL_CENTRE]) != 0, _P.usual_centre)),
        _P.updated_at,
    )
    .where(_P.published.bitwise_and(_NOTE_BIT) != 0, _P.partner_job_note.is_not(None))
    .order_by(_P.updated_at.desc(), _P.id)
)


def _shown(name: str) -> Any:
    """The column when its owner published it, else NULL: decided by the database."""
    return case((_P.published.bitwise_and(BIT[Field(name)]) != 0, _P[name]), else_=null()).label(
        name
    )


@functools.cache
def _search_statement(distances: tuple[tuple[str, float], ...]) -> Select[Any]:
    """Matched profiles, best first: most skills matched, then nearest published centre.

    One statement per searcher's centre (a handful), with that centre's distances to the
    others inlined: the ranking, the page and the total (a window count) come back in one
    round trip of at most :data:`PAGE_SIZE` rows.
    """
    hits = (
        select(_S.profile_id, func.count().label("matched"))
        .where(_S.skill.in_(bindparam("skills", expanding=True)))
        .group_by(_S.profile_id)
        .subquery()
    )
    centre = case(
        (_P.published.bitwise_and(BIT[Field.USUAL_CENTRE]) != 0, _P.usual_centre), else_=null()
    )
    far: Any = literal_column(repr(_FAR))
    nearest_first = (
        [case(*((centre == cid, literal_column(repr(km))) for cid, km in distances), else_=far)]
        if distances
        else []
    )
    return (
        select(
            _P.id,
            hits.c.matched,
            *(_shown(f) for f in Field if f not in (Field.PARTNER_JOB_NOTE, Field.PRESENCE)),
            func.count().over().label("total"),
        )
        .join(hits, hits.c.profile_id == _P.id)
        .where(_P.published.bitwise_and(BIT[Field.SKILLS]) != 0, _P.user_id != bindparam("me"))
        .order_by(hits.c.matched.desc(), *nearest_first, _P.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@functools.cache
def _missing_upsert(postgres: bool) -> Executable:
    """Count a missed search: one row per day, centre and skill, incremented in place."""
    statement = (pg_insert if postgres else sqlite_insert)(MissingSkillRow)
    return statement.on_conflict_do_update(
        index_elements=["day", "centre_id", "skill"],
        set_={"searches": _M.searches + 1, "label": statement.excluded.label},
    )


# ---------------------------------------------------------------- plumbing


async def _run(
    core: Core, body: Callable[[SqlRepository], Awaitable[T]], *, readonly: bool = False
) -> T:
    """One transaction on SQL storage; the directory has no in-memory twin."""

    async def on(uow: UnitOfWork) -> T:
        repo = uow.repo
        if not isinstance(repo, SqlRepository):
            raise TypeError("the directory needs a SQL storage")
        return await body(repo)

    return await core.uow(readonly=readonly).run(on, commit=not readonly)


def _bits(values: Iterable[StrEnum], table: dict[Any, int]) -> int:
    total = 0
    for value in values:
        total |= table[value]
    return total


def _open_to(bits: int) -> frozenset[OpenTo]:
    return frozenset(o for o, bit in _OPEN_BIT.items() if bits & bit)


def _fields(bits: int) -> frozenset[Field]:
    return frozenset(f for f, bit in BIT.items() if bits & bit)


def _text(name: str, value: str | None) -> str | None:
    """Trimmed text within its column's size; blank means 'none'."""
    if value is None:
        return None
    value = " ".join(value.split())
    if len(value) > MAX_LENGTH[name]:
        raise InvalidDirectoryValue(
            f"{name} longer than {MAX_LENGTH[name]}", field=name, maximum=MAX_LENGTH[name]
        )
    return value or None


def _skills(values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        values = split_skills(values)
    cleaned = [v for v in (_text("skill", value) for value in values) if v]
    if len(cleaned) > MAX_SKILLS:
        raise InvalidDirectoryValue("too many skills", field="skills", maximum=MAX_SKILLS)
    return list(dict.fromkeys(cleaned))


def split_skills(text: str) -> list[str]:
    """'graphisme, anglais; chef de projet' -> one item per skill as the person wrote it."""
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",")]


def _own(row: Any, consents: Sequence[Any]) -> OwnProfile:
    return OwnProfile(
        id=row.id,
        user_id=row.user_id,
        channel=row.channel,
        display_name=row.display_name,
        skills=tuple(row.skills or ()),
        profession=row.profession,
        commune=row.commune,
        usual_centre=row.usual_centre,
        contact_handle=row.contact_handle,
        open_to=_open_to(row.open_to),
        partner_job_note=row.partner_job_note,
        published=_fields(row.published),
        consents=tuple(Consent(Field(c.field), bool(c.granted), c.at) for c in consents),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _load_own(repo: SqlRepository, user_id: str) -> OwnProfile | None:
    row = (await repo._execute(SELECT_OWN, {"u": user_id})).first()
    if row is None:
        return None
    consents = list(await repo._execute(SELECT_CONSENTS, {"u": user_id}))
    return _own(row, consents)


async def _index_skills(repo: SqlRepository, profile_id: int, skills: Sequence[str]) -> None:
    """Rebuild the profile's rows in the search index from its free words."""
    await repo._execute(DELETE_SKILLS, {"pid": profile_id})
    keys = vocabulary().keys(skills)
    if keys:
        await repo._execute(INSERT_SKILL, [{"skill": k, "profile_id": profile_id} for k in keys])


def _fields_of(names: Iterable[str | Field]) -> list[Field]:
    try:
        return [Field(name) for name in names]
    except ValueError as exc:
        raise InvalidDirectoryValue(str(exc), field="consent") from None


# ---------------------------------------------------------------- the owner's side


async def create_profile(
    core: Core,
    user_id: str,
    channel: str | None,
    *,
    display_name: str | None = None,
    skills: Sequence[str] = (),
    profession: str | None = None,
    commune: str | None = None,
    usual_centre: str | None = None,
    contact_handle: str | None = None,
    open_to: Iterable[OpenTo | str] = (),
    partner_job_note: str | None = None,
    publish: Iterable[Field | str] = (),
) -> OwnProfile:
    """Create the profile this person asked for; only the fields in ``publish`` are shown.

    ``channel`` is where the bot relays contact requests to this person. Each consent in
    ``publish`` is recorded with today's date, as :func:`set_consent` would.
    """
    now = core.now()
    fields = _fields_of(publish)
    values = _values(
        core,
        channel=channel,
        display_name=display_name,
        skills=skills,
        profession=profession,
        commune=commune,
        usual_centre=usual_centre,
        contact_handle=contact_handle,
        open_to=open_to,
        partner_job_note=partner_job_note,
    )

    async def body(repo: SqlRepository) -> OwnProfile:
        if (await repo._execute(SELECT_OWN, {"u": user_id})).first() is not None:
            raise DirectoryProfileExists("already in the directory")
        profile_id = (
            await repo._execute(
                INSERT_PROFILE,
                {
                    **values,
                    "user_id": user_id,
                    "published": _bits(fields, BIT),
                    "created_at": now,
                    "updated_at": now,
                },
            )
        ).scalar_one()
        await _index_skills(repo, profile_id, values["skills"])
        if fields:
            await repo._execute(
                INSERT_CONSENT,
                [
                    {"user_id": user_id, "field": f.value, "granted": True, "at": now}
                    for f in fields
                ],
            )
        own = await _load_own(repo, user_id)
        assert own is not None
        return own

    return await _run(core, body)


def _values(core: Core, **given: Any) -> dict[str, Any]:
    """Checked column values for the fields given (``KEEP`` ones are left out)."""
    values: dict[str, Any] = {}
    for name, value in given.items():
        if value is KEEP:
            continue
        if name == "skills":
            values[name] = _skills(value)
        elif name == "open_to":
            try:
                values[name] = _bits((OpenTo(v) for v in value), _OPEN_BIT)
            except ValueError as exc:
                raise InvalidDirectoryValue(str(exc), field="open_to") from None
        elif name == "usual_centre" and value is not None:
            values[name] = core.network.centre(value).id
        else:
            values[name] = _text(name, value)
    if "display_name" in values:
        values["name_key"] = name_key(values["display_name"])
    return values


async def update_profile(
    core: Core,
    user_id: str,
    *,
    channel: str | _Keep | None = KEEP,
    display_name: str | _Keep | None = KEEP,
    skills: Sequence[str] | _Keep = KEEP,
    profession: str | _Keep | None = KEEP,
    commune: str | _Keep | None = KEEP,
    usual_centre: str | _Keep | None = KEEP,
    contact_handle: str | _Keep | None = KEEP,
    open_to: Iterable[OpenTo | str] | _Keep = KEEP,
    partner_job_note: str | _Keep | None = KEEP,
) -> OwnProfile:
    """Change some fields (``None`` clears one); what is published stays as consented."""
    now = core.now()
    changes = _values(
        core,
        channel=channel,
        display_name=display_name,
        skills=skills,
        profession=profession,
        commune=commune,
        usual_centre=usual_centre,
        contact_handle=contact_handle,
        open_to=open_to,
        partner_job_note=partner_job_note,
    )

    async def body(repo: SqlRepository) -> OwnProfile:
        row = (await repo._execute(SELECT_OWN, {"u": user_id})).first()
        if row is None:
            raise NoDirectoryProfile("not in the directory")
        current = dict(row._mapping)
        merged = {**current, **changes, "updated_at": now}
        await repo._execute(
            UPDATE_PROFILE, {"pid": row.id, **{f"v_{k}": merged[k] for k in _WRITABLE}}
        )
        if "skills" in changes:
            await _index_skills(repo, row.id, changes["skills"])
        own = await _load_own(repo, user_id)
        assert own is not None
        return own

    return await _run(core, body)


async def set_consent(core: Core, user_id: str, consent: Field | str, granted: bool) -> OwnProfile:
    """Publish or withdraw one field, effective at once; each change is logged with its date.

    Asking for the state a field already has records nothing: the log shows decisions.
    """
    (target,) = _fields_of([consent])
    now = core.now()

    async def body(repo: SqlRepository) -> OwnProfile:
        row = (await repo._execute(SELECT_OWN, {"u": user_id})).first()
        if row is None:
            raise NoDirectoryProfile("not in the directory")
        bit = BIT[target]
        published = (row.published | bit) if granted else (row.published & ~bit)
        if published != row.published:
            merged = {**dict(row._mapping), "published": published, "updated_at": now}
            await repo._execute(
                UPDATE_PROFILE, {"pid": row.id, **{f"v_{k}": merged[k] for k in _WRITABLE}}
            )
            await repo._execute(
                INSERT_CONSENT,
                {"user_id": user_id, "field": target.value, "granted": granted, "at": now},
            )
        own = await _load_own(repo, user_id)
        assert own is not None
        return own

    return await _run(core, body)


async def get_profile(core: Core, user_id: str) -> OwnProfile | None:
    """The person's own profile, every field and consent; ``None`` if they have none."""

    async def body(repo: SqlRepository) -> OwnProfile | None:
        return await _load_own(repo, user_id)

    return await _run(core, body, readonly=True)


async def delete_profile(core: Core, user_id: str) -> bool:
    """Leave the directory: profile, index, consents and contacts go; False if none."""

    async def body(repo: SqlRepository) -> bool:
        if (await repo._execute(SELECT_OWN, {"u": user_id})).first() is None:
            return False
        for statement in ERASE_DIRECTORY:
            await repo._execute(statement, {"u": user_id})
        return True

    return await _run(core, body)


# ---------------------------------------------------------------- search


async def search(
    core: Core,
    query: str,
    *,
    searcher: str | None = None,
    centre_id: str | None = None,
    page: int = 0,
    record_missing: bool = True,
) -> SearchPage:
    """Published profiles offering the skills named in ``query``, best first, one page.

    The searcher's centre (``centre_id``, else their directory profile's, else their
    booking profile's) ranks the nearest first; the searcher never finds themselves.
    A first page with nobody is counted, anonymously, in the missing skills.
    """
    skills = tuple(vocabulary().skills(query))
    keys = [s.key for s in skills]
    page = max(0, page)
    if not keys:
        return SearchPage(skills, (), page, 0)
    if centre_id is not None:
        centre_id = core.network.centre(centre_id).id
    me = searcher or ""

    async def body(repo: SqlRepository) -> tuple[str | None, list[Any], int]:
        centre = centre_id
        if centre is None and searcher is not None:
            centre = (await repo._execute(SELECT_SEARCHER_CENTRE, {"u": searcher})).scalar()
            if centre is None:
                profile = await repo.get_profile(searcher)
                centre = profile.usual_centre if profile else None
        params = {"skills": keys, "me": me, "limit": PAGE_SIZE, "offset": page * PAGE_SIZE}
        rows = list(await repo._execute(_search_statement(_distances(core, centre)), params))
        if rows:
            total = int(rows[0].total)
        elif page:
            total = int((await repo._execute(COUNT_HITS, params)).scalar_one())
        else:
            total = 0
        return centre, rows, total

    centre, rows, total = await _run(core, body, readonly=True)
    if total == 0 and page == 0 and record_missing:
        await _record_missing(core, query, skills, centre)
    return SearchPage(skills, tuple(_entry(core, row, centre) for row in rows), page, total)


def _distances(core: Core, centre_id: str | None) -> tuple[tuple[str, float], ...]:
    if centre_id is None or centre_id not in {c.id for c in core.network}:
        return ()
    home = core.network.centre(centre_id)
    return tuple((c.id, round(core.network.distance_km(home, c), 3)) for c in core.network)


def _entry(core: Core, row: Any, searcher_centre: str | None) -> Entry:
    distance = None
    if row.usual_centre is not None and searcher_centre is not None:
        ids = {c.id for c in core.network}
        if row.usual_centre in ids and searcher_centre in ids:
            distance = core.network.distance_km(
                core.network.centre(searcher_centre), core.network.centre(row.usual_centre)
            )
    return Entry(
        profile_id=row.id,
        matched=int(row.matched),
        display_name=row.display_name,
        skills=tuple(row.skills) if row.skills is not None else None,
        profession=row.profession,
        commune=row.commune,
        usual_centre=row.usual_centre,
        contact_handle=row.contact_handle,
        open_to=_open_to(row.open_to) if row.open_to is not None else None,
        distance_km=distance,
    )


async def _record_missing(
    core: Core, query: str, skills: Sequence[Skill], centre: str | None
) -> None:
    """Count the search, with no person in it: the day, the centre, the skills.

    People sometimes search for a person, not a skill ("/annuaire Alice Martin"), and a
    name must not end up in the managers' digest. So a skill of the vocabulary is always
    counted, and an unlisted word only when it is not written like a name (see
    :func:`booking_core.skills.as_typed`) and is not part of any member's display name.
    """
    listed = vocabulary().labels
    typed = as_typed(query)
    names = {t.key for t in typed if t.name_like}
    forms: dict[str, set[str]] = {}
    for t in typed:
        forms.setdefault(t.key, set()).update((t.key, t.token))
    candidates = [s for s in skills if s.key in listed or s.key not in names]
    unlisted = [s for s in candidates if s.key not in listed]
    day = core.now().date()

    async def body(repo: SqlRepository) -> None:
        kept = list(candidates)
        if unlisted:
            hits = await _in_member_names(repo, [forms.get(s.key, {s.key}) for s in unlisted])
            named = {s for s, hit in zip(unlisted, hits, strict=True) if hit}
            kept = [s for s in kept if s not in named]
        rows = [
            {"day": day, "centre_id": centre or "", "skill": s.key, "label": s.label, "searches": 1}
            for s in kept
        ]
        if rows:
            await repo._execute(_missing_upsert(repo._postgres), rows)

    if candidates:
        await _run(core, body)


async def _in_member_names(repo: SqlRepository, forms: list[set[str]]) -> list[bool]:
    """For each word (in its folded forms), whether it is a word of a member's name."""
    columns = [
        func.max(case((or_(*(_P.name_key.contains(f" {f} ") for f in sorted(group))), 1), else_=0))
        for group in forms
    ]
    row = (await repo._execute(select(*columns).where(_P.name_key.is_not(None)))).one()
    return [bool(value) for value in row]


async def missing_skills(core: Core, since: date, limit: int = 10) -> list[MissingSkill]:
    """The skills most searched since ``since`` that no published profile offers today."""

    async def body(repo: SqlRepository) -> list[Any]:
        return list(await repo._execute(SELECT_MISSING, {"since": since}))

    rows = await _run(core, body, readonly=True)
    per_skill: dict[str, dict[str, int]] = {}
    labels: dict[str, str] = {}
    for skill, centre, label, searches in rows:
        per_skill.setdefault(skill, {})[centre] = int(searches)
        labels[skill] = label
    found = [
        MissingSkill(
            skill,
            labels[skill],
            sum(centres.values()),
            tuple(sorted(centres, key=lambda c: (-centres[c], c))),
        )
        for skill, centres in per_skill.items()
    ]
    found.sort(key=lambda m: (-m.searches, m.skill))
    return found[:limit]


# ---------------------------------------------------------------- contact relay


async def request_contact(
    core: Core, from_user: str, to_profile_id: int, message: str
) -> ContactSent:
    """Record a contact request and queue its relay to the recipient, in one transaction.

    The requester must be in the directory themselves, so the recipient can always
    answer: through the bot (a reply goes to the requester's profile, see below), and
    also directly when the requester published a contact handle, which is then passed
    on. Nothing else of the requester is: never their chat id, never an unpublished
    field. Nothing about the recipient is returned to the requester either.

    Only a profile one could find is reached (skills published): unknown and hidden
    profiles are refused alike, so a profile number cannot reach someone who hid from
    searches. The one exception is an answer: someone who wrote to me in the last
    :data:`REPLY_DAYS` days can be answered at their profile even if it is hidden.
    """
    text = _text("message", message) or ""
    now = core.now()

    async def body(repo: SqlRepository) -> ContactSent:
        own = (await repo._execute(SELECT_OWN, {"u": from_user})).first()
        if own is None:
            raise NoContactHandle("join the directory first, so the person can answer")
        target = (await repo._execute(SELECT_BY_ID, {"pid": to_profile_id})).first()
        if target is None or target.user_id == from_user:
            raise UnknownDirectoryEntry("no such entry", profile_id=to_profile_id)
        if not target.published & BIT[Field.SKILLS]:
            answering = (
                await repo._execute(
                    COUNT_REPEAT,
                    {
                        "u": target.user_id,
                        "pid": own.id,
                        "since": now - timedelta(days=REPLY_DAYS),
                    },
                )
            ).scalar_one()
            if not answering:
                raise UnknownDirectoryEntry("no such entry", profile_id=to_profile_id)
        handle = own.contact_handle if own.published & BIT[Field.CONTACT_HANDLE] else None
        day_ago = now - timedelta(days=1)
        sent = (
            await repo._execute(COUNT_CONTACTS_SINCE, {"u": from_user, "since": day_ago})
        ).scalar_one()
        if sent >= CONTACTS_PER_DAY:
            raise ContactLimit("too many contacts today", maximum=CONTACTS_PER_DAY)
        repeat = (
            await repo._execute(
                COUNT_REPEAT,
                {
                    "u": from_user,
                    "pid": to_profile_id,
                    "since": now - timedelta(days=REPEAT_CONTACT_DAYS),
                },
            )
        ).scalar_one()
        if repeat:
            raise ContactLimit("already asked recently", days=REPEAT_CONTACT_DAYS)
        channel = target.channel or await repo.latest_channel(target.user_id)
        if channel is None:
            raise UnknownDirectoryEntry("no way to reach this entry", profile_id=to_profile_id)
        request_id = (
            await repo._execute(
                INSERT_CONTACT,
                {
                    "from_user": from_user,
                    "to_profile_id": to_profile_id,
                    "from_handle": handle,
                    "message": text,
                    "created_at": now,
                },
            )
        ).scalar_one()
        sent = ContactSent(request_id, handle, text, own.id)
        # Queued with the contact row, so a relay is never counted without being sent;
        # the key ties it to the contact, so leaving or erasure deletes it with it.
        await repo.add_notifications([_relay(sent, target.user_id, channel, now)], now)
        return sent

    return await _run(core, body)


RELAY_LIFETIME = timedelta(days=7)


def _relay(sent: ContactSent, to_user: str, channel: str, now: datetime) -> NewNotification:
    """The relayed message goes out through the outbox, like every other notification."""
    return NewNotification(
        key=f"{CONTACT_KEY}{sent.request_id}",
        kind="contact_relay",
        channel=channel,
        user_id=to_user,
        payload={"from": sent.from_handle, "message": sent.message, "reply_to": sent.reply_to},
        due_at=now,
        # A message that could not be passed on within a week is stale: dropped, not sent.
        expires_at=now + RELAY_LIFETIME,
    )


# ---------------------------------------------------------------- partner employment


async def partner_job_notes(core: Core) -> list[PartnerNote]:
    """'My partner is looking for work in …' notes shared with managers, newest first."""

    async def body(repo: SqlRepository) -> list[Any]:
        return list(await repo._execute(SELECT_PARTNER_NOTES))

    return [
        PartnerNote(pid, note, name, centre, updated_at)
        for pid, note, name, centre, updated_at in await _run(core, body, readonly=True)
    ]


async def who_is_in(core: Core, user_id: str, day: date) -> list[tuple[str, list[str]]] | None:
    """Per centre where this person is booked that day, the names of the others there.

    Both sides opted in: the viewer (``presence``, or None is returned) and each person
    shown (``presence`` and ``display_name`` published). Off by default for everyone.
    """
    shown = BIT[Field.PRESENCE] | BIT[Field.DISPLAY_NAME]
    bookings = cast(Table, BookingRow.__table__).c

    async def body(repo: SqlRepository) -> list[tuple[str, list[str]]] | None:
        mine = (await repo._execute(SELECT_PUBLISHED, {"u": user_id})).scalar()
        if mine is None or not mine & BIT[Field.PRESENCE]:
            return None
        here = select(bookings.centre_id).where(
            bookings.user_id == bindparam("u"),
            bookings.day == bindparam("d"),
            bookings.status == "active",
        )
        rows = await repo._execute(
            select(bookings.centre_id, _P.display_name)
            .distinct()
            .where(
                bookings.day == bindparam("d"),
                bookings.status == "active",
                bookings.centre_id.in_(here),
                bookings.user_id == _P.user_id,
                _P.user_id != bindparam("u"),
                _P.published.bitwise_and(shown) == shown,
            )
            .order_by(bookings.centre_id, _P.display_name),
            {"u": user_id, "d": day},
        )
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row.centre_id, []).append(row.display_name)
        centres = (await repo._execute(here, {"u": user_id, "d": day})).scalars()
        return [(c, found.get(c, [])) for c in sorted(set(centres))]

    return await _run(core, body, readonly=True)
