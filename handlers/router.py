"""One message in, replies out: load the person's state, understand, step, act, save.

The router is the only place where the dialogue meets the core. It keeps each step's
writes idempotent on the incoming message id and renders every reply with the catalog
of the person it answers.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import replace
from datetime import date
from typing import Any

from booking_core import conversations, directory, errors, privacy, reports, services
from booking_core.domain import RoomRequest
from booking_core.services import Core
from handlers import dialogue, digest
from handlers.dialogue import (
    Agenda,
    AskFaq,
    Book,
    BookSeries,
    Cancel,
    Change,
    CheckAvailability,
    CheckBooking,
    CheckChange,
    CheckIn,
    Command,
    ConfirmAttendance,
    ContactStart,
    Ctx,
    DirectoryContact,
    DirectoryField,
    DirectoryJoin,
    DirectoryLeave,
    DirectorySearch,
    ExportData,
    Forget,
    JoinWaitlist,
    LeaveWaitlist,
    Occupancy,
    Out,
    OwnImpact,
    PartnerNote,
    PlanSeries,
    Presence,
    PresenceConsent,
    Upcoming,
)
from handlers.faq import faq_for
from handlers.i18n import Catalogs
from handlers.messages import Choice, IncomingMessage, Reply
from handlers.nlu import Intent, parse

log = logging.getLogger(__name__)

OPEN_TO_WORDS = {
    "collaboration": "collaboration", "mentorat": "mentoring", "mentoring": "mentoring",
    "conjoint": "partner_job_leads", "partner": "partner_job_leads",
}  # fmt: skip

# What is kept of a message at most; the parser reads only its first 1,000 characters.
MAX_TEXT = 4000
# A step may lead to a follow-up (pick the booking to change, then check the new slot).
MAX_COMMANDS = 3
# Attempts at a message whose dialogue state another writer saved meanwhile.
STALE_RETRIES = 3
# Message ids remembered per conversation, so that a transport's redelivery is answered once.
SEEN_IDS = 20


def _seen(state: dict[str, Any]) -> list[str]:
    seen = list(state.get("seen") or [])
    if state.get("last_msg"):
        seen.append(str(state["last_msg"]))  # states saved before « seen » existed
    return seen


class Router:
    def __init__(self, core: Core, catalogs: Catalogs | None = None) -> None:
        self.core = core
        self.catalogs = catalogs or Catalogs()
        self.faq = faq_for(core.network)
        # One message at a time per conversation in this process; the revision of the
        # state row does the same across processes.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Answer one message; a replay of the same message id answers nothing twice."""
        key = (msg.channel, msg.user)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            for _ in range(STALE_RETRIES):
                try:
                    return await self._handle(msg)
                except errors.StaleState:
                    # Another instance (or a reminder) saved this dialogue meanwhile: read
                    # it again; the core's writes are idempotent on the message id.
                    log.info("dialogue state changed meanwhile; handling the message again")
        busy = dialogue.Out(dialogue.explain(errors.Busy(), self.core.network))
        return [self._render(busy, self.core.network.default_language)]

    async def _handle(self, msg: IncomingMessage) -> list[Reply]:
        loaded = await conversations.load(self.core, msg.channel, msg.user)
        state = loaded.state
        if state is not None and msg.message_id and msg.message_id in _seen(state):
            log.info("replayed message ignored")
            return []
        now = self.core.now()
        text = msg.text[:MAX_TEXT]
        profile = loaded.profile
        chosen = profile.language if profile and profile.language else None
        understood = parse(text, now, chosen, self.core.network)
        key = f"{msg.channel}:{msg.message_id}" if msg.message_id else None
        ctx = Ctx(self.core.network, now, msg.user, profile, key, msg.channel)
        step = dialogue.step(state, msg, understood, ctx)
        lang = self._language(step, chosen, understood, state, msg)
        ctx = replace(ctx, lang=lang)
        for _ in range(MAX_COMMANDS):
            if step.command is None:
                break
            outcome = await self._run(step.command, ctx, text, lang)
            later = dialogue.after(step.state, step.command, outcome, ctx)
            profile = later.profile or step.profile
            step = dialogue.Step(
                later.state, step.out + later.out, later.command, profile, later.erased
            )
        if step.erased:
            return [self._render(out, lang) for out in step.out]
        if msg.message_id:
            step.state["seen"] = [*_seen(step.state), msg.message_id][-SEEN_IDS:]
        step.state.pop("last_msg", None)
        step.state["lang"] = lang
        await conversations.save(self.core, msg.channel, msg.user, step.state, step.profile)
        return [self._render(out, lang) for out in step.out]

    def _language(
        self,
        step: dialogue.Step,
        chosen: str | None,
        understood: Intent,
        state: dict[str, Any] | None,
        msg: IncomingMessage,
    ) -> str:
        """The person's choice, else what the message clearly is, else the last one used."""
        if step.profile is not None and step.profile.language:
            return step.profile.language
        if chosen:
            return chosen
        if understood.language_sure:
            return understood.language
        previous = (state or {}).get("lang")
        if previous:
            return str(previous)
        if not state:
            return understood.language  # a first message: its best guess beats nothing
        return self.catalogs.language(msg.locale or self.core.network.default_language)

    async def _run(self, command: Command, ctx: Ctx, text: str, lang: str) -> Any:
        """Run one command on the core; a refusal comes back as a value, not an exception."""
        core = self.core
        try:
            if isinstance(command, CheckBooking):
                if isinstance(command.request, RoomRequest):
                    return await services.check_room(core, command.request)
                return await services.check_desks(core, command.request)
            if isinstance(command, CheckChange):
                return await services.check_change(
                    core, command.request.user_id, command.booking_ids, command.request
                )
            if isinstance(command, Book):
                if isinstance(command.request, RoomRequest):
                    return await services.book_room(core, command.request)
                return await services.book_desks(core, command.request)
            if isinstance(command, PlanSeries):
                return await services.plan_series(core, command.template, command.days)
            if isinstance(command, BookSeries):
                return await services.book_series(
                    core, command.template, command.days, book_available=True
                )
            if isinstance(command, Upcoming):
                bookings = await services.upcoming(core, ctx.user)
                if command.purpose not in ("list", "cancel"):
                    return Agenda(bookings)
                return Agenda(bookings, await services.waiting_for(core, ctx.user))
            if isinstance(command, ContactStart):
                return await directory.get_profile(core, ctx.user) is not None
            if isinstance(command, LeaveWaitlist):
                return await services.leave_waitlist(core, ctx.user, command.entry_id)
            if isinstance(command, Cancel):
                return await services.cancel_bookings(
                    core, ctx.user, command.booking_ids, command.key
                )
            if isinstance(command, Change):
                return await services.change_booking(
                    core, command.request.user_id, command.booking_ids, command.request
                )
            if isinstance(command, CheckAvailability):
                return await services.availability(core, command.centre_id, command.day)
            if isinstance(command, JoinWaitlist):
                return await services.join_waitlist(core, command.request)
            if isinstance(command, CheckIn):
                return await services.check_in(core, ctx.user)
            if isinstance(command, ConfirmAttendance):
                return await services.confirm_attendance(core, ctx.user, command.booking_ids)
            if isinstance(command, Occupancy):
                return await self._occupancy(command, ctx, lang)
            if isinstance(command, DirectorySearch):
                query = command.query or text
                return await directory.search(core, query, searcher=ctx.user, page=command.page)
            if isinstance(command, DirectoryJoin):
                return await directory.create_profile(
                    core,
                    ctx.user,
                    ctx.channel or ctx.user,
                    display_name=command.display_name,
                    skills=directory.split_skills(command.skills),
                    publish=("display_name", "skills"),
                )
            if isinstance(command, DirectoryField):
                return await self._directory_field(command, ctx)
            if isinstance(command, PartnerNote):
                return await self._partner_note(command, ctx)
            if isinstance(command, Presence):
                return await directory.who_is_in(core, ctx.user, command.day)
            if isinstance(command, PresenceConsent):
                if command.display_name:
                    # Asked for by the person, with the name they chose to show.
                    await directory.create_profile(
                        core,
                        ctx.user,
                        ctx.channel or ctx.user,
                        display_name=command.display_name,
                        publish=("display_name",),
                    )
                return await directory.set_consent(core, ctx.user, "presence", command.granted)
            if isinstance(command, DirectoryLeave):
                return await directory.delete_profile(core, ctx.user)
            if isinstance(command, DirectoryContact):
                return await directory.request_contact(
                    core, ctx.user, command.profile_id, command.message
                )
            if isinstance(command, OwnImpact):
                today = core.now().date()
                return await reports.impact(core, date(2000, 1, 1), today, user_id=ctx.user)
            if isinstance(command, ExportData):
                return await privacy.export_person(core, ctx.user)
            if isinstance(command, Forget):
                return await privacy.erase_person(core, ctx.user, command.key)
            if isinstance(command, AskFaq):
                question = (
                    text
                    if command.question is None
                    else self.catalogs.render(command.question, lang)
                )
                return self.faq.answer(question, lang, core.now())
        except errors.BookingError as exc:
            return exc
        raise TypeError(f"unknown command {command!r}")

    async def _directory_field(self, command: DirectoryField, ctx: Ctx) -> object:
        """Change one's own entry; setting a value never publishes it by itself."""
        core = self.core
        if await directory.get_profile(core, ctx.user) is None or command.field is None:
            return await directory.get_profile(core, ctx.user)
        if command.action in ("publish", "hide"):
            return await directory.set_consent(
                core, ctx.user, command.field, command.action == "publish"
            )
        value: Any = command.value
        if command.field == "skills":
            value = directory.split_skills(command.value or "")
        elif command.field == "open_to":
            said = dialogue.simplify(command.value or "").split()
            value = [OPEN_TO_WORDS[w] for w in said if w in OPEN_TO_WORDS]
        elif command.field == "usual_centre":
            value = parse(command.value or "", core.now(), None, core.network).centre
            if value is None and command.value:
                raise errors.UnknownCentre("no such centre", centre=command.value)
        return await directory.update_profile(core, ctx.user, **{command.field: value})

    async def _partner_note(self, command: PartnerNote, ctx: Ctx) -> object:
        """Keep (with its consent) or withdraw the note; a profile is made if none exists."""
        core = self.core
        if await directory.get_profile(core, ctx.user) is None:
            if command.note is None:
                return None
            await directory.create_profile(core, ctx.user, ctx.channel or ctx.user)
        await directory.update_profile(core, ctx.user, partner_job_note=command.note)
        return await directory.set_consent(
            core, ctx.user, "partner_job_note", command.note is not None
        )

    async def _occupancy(self, command: Occupancy, ctx: Ctx, lang: str) -> str | None:
        """The day digest for a manager's centres; None for anyone who manages none."""
        allowed = reports.recipients(self.core.network).get(ctx.user, [])
        if not allowed or (command.centre_id is not None and command.centre_id not in allowed):
            log.info("occupancy refused to a non-manager")
            return None
        centres = [command.centre_id] if command.centre_id else list(allowed)
        found = await reports.day_digests(self.core, centres, command.day)
        return digest.render(self.catalogs, digest.day_digest_lines(self.core.network, found), lang)

    def _render(self, out: Out, lang: str) -> Reply:
        return render(self.catalogs, out, lang, self.core.now().date())


def render(catalogs: Catalogs, out: Out, lang: str, today: date | None = None) -> Reply:
    """A reply in the reader's language, choices included; dates of another year say it."""
    choices = tuple(
        Choice(catalogs.render(label, lang, today), token) for label, token in out.choices
    )
    return Reply(catalogs.render(out.text, lang, today), choices, out.files)


__all__ = ["Router"]
