"""A person's data: see all of it, or erase it (GDPR articles 15 and 17).

Erasure keeps the network's impact counts honest: bookings stay, each day of them under
its own random token with the commute, so that nothing links them back to the person or
to each other; future bookings are cancelled in the same
transaction, so their desks go back to the people waiting (never to the person erased).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from booking_core.services import Core, cancel_upcoming_in, in_transaction
from booking_core.uow import UnitOfWork

log = logging.getLogger(__name__)


async def export_person(core: Core, user_id: str) -> dict[str, Any]:
    """Everything stored about this person, as JSON-ready values."""

    async def body(uow: UnitOfWork) -> dict[str, Any]:
        return await uow.repo.personal_rows(user_id)

    rows = await core.uow(readonly=True).run(body, commit=False)
    return {"user": user_id, "exported_at": core.now().isoformat(), **rows}


async def erase_person(core: Core, user_id: str, key: str | None = None) -> int:
    """Erase the person in one transaction; returns how many bookings were cancelled.

    In this order: their waitlist entries go first, so that no desk freed by their own
    cancellations can be given back to them; then their bookings to come are cancelled
    and the freed desks go to the others waiting; then what is left is anonymised.
    ``key`` (the message that asked) is not recorded: erasure deletes every request
    record of the person, and a replay finds nothing left to erase.
    """

    async def body(uow: UnitOfWork) -> int:
        repo = uow.repo
        await repo.lock_user(user_id)
        now = core.now()
        await repo.delete_waits(user_id)
        cancelled = await cancel_upcoming_in(core, repo, user_id, now)
        await repo.erase_person(user_id)
        return len(cancelled.cancelled)

    count = await in_transaction(core, body)
    await core.uow().forget_traces()
    return count


async def apply_retention(core: Core) -> tuple[int, int]:
    """Forget old dialogue states and relayed words, expire past waitlist entries, and
    anonymise people inactive for too long.

    Returns (dialogue states deleted, people anonymised). Run daily by the scheduler.
    """
    now = core.now()
    rules = core.network.retention
    today = now.date()
    try:
        cutoff = today.replace(year=today.year - rules.inactive_years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - rules.inactive_years, day=28)
    short = now - timedelta(days=rules.conversation_days)

    async def old(uow: UnitOfWork) -> tuple[int, int, int, list[str]]:
        repo = uow.repo
        # Who is inactive is read first: a dialogue forgotten or a past waitlist entry
        # expired here is still activity.
        inactive = await repo.inactive_people(cutoff)
        forgotten = await repo.forget_conversations(short)
        purged = await repo.purge_contact_texts(short)
        expired = await repo.expire_waits(today)
        return forgotten, purged, expired, inactive

    forgotten, purged, expired, people = await core.uow().run(old)
    for user_id in people:
        await erase_person(core, user_id)
    # Also flushes what an earlier erasure could not (a reader was using the log then).
    await core.uow().forget_traces()
    if purged or expired:
        log.info(
            "retention: %d contact text(s) purged, %d waitlist entr(ies) expired", purged, expired
        )
    return forgotten, len(people)
