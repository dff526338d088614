"""Due notifications -> rendered text -> the right transport, exactly once.

Each tick claims a batch with a lease (see :mod:`booking_core.outbox` for the protocol),
and for each notification: drops it if its moment has passed (a reminder for a slot that
has begun), else renders it in the person's language, and for each of its parts renews
the lease (skipping the notification if it is no longer ours or no longer pending),
sends within a time limit shorter than the lease, and records the part; then marks it
sent. A failed send gives the lease back with a growing delay. Idle, the loop sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

from booking_core import conversations, directory, outbox, privacy, reports, services
from booking_core.domain import NewNotification, Notification, NotificationStatus
from booking_core.network import WEEKDAYS
from booking_core.services import Core
from booking_core.uow import UnitOfWork
from bot.transports.base import Transport
from handlers import charts, digest, notify
from handlers.dialogue import Out
from handlers.i18n import Catalogs, Lines, t
from handlers.messages import Attachment, Reply, Undeliverable
from handlers.router import render

log = logging.getLogger(__name__)

Hook = Callable[[str, Notification], Awaitable[None] | None]


def _no_hook(point: str, note: Notification) -> None:
    return None


def time_of(clock: str) -> day_time:
    return day_time.fromisoformat(clock)


MAX_ATTEMPTS = 8
"""Deliveries tried before a notification is marked failed (about 2 hours of pauses)."""


def backoff_s(attempts: int) -> float:
    """The pause after a failed attempt: 1 min, 2, 4… up to an hour."""
    return min(3600.0, 30.0 * (1 << min(attempts, 7)))


def _origin(exc: BaseException) -> str:
    """An error's type and where it was raised, for a log line that quotes nothing."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return type(exc).__name__
    last = frames[-1]
    return f"{type(exc).__name__} at {Path(last.filename).name}:{last.lineno}"


def delivery_key(note: Notification, part: str, parts: int) -> str:
    """A stable idempotency key for one part of a notification, free of personal data.

    The same on every attempt, so a transport that can deduplicate (a Matrix transaction
    id) turns a resend after a crash into no second message.
    """
    raw = note.key if parts == 1 else f"{note.key}#{part}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Part:
    """One message of a notification, sent and recorded on its own."""

    name: str
    outs: list[Out]


class Scheduler:
    def __init__(
        self,
        core: Core,
        transports: Sequence[Transport],
        catalogs: Catalogs | None = None,
        *,
        owner: str | None = None,
        lease_s: float = 60.0,
        send_timeout_s: float | None = None,
        batch: int = 50,
        idle_s: float = 5.0,
        release_every_s: float = 60.0,
        hook: Hook = _no_hook,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.core = core
        self.transports = list(transports)
        self.catalogs = catalogs or Catalogs()
        self.owner = owner or f"sender-{uuid.uuid4().hex[:12]}"
        self.lease_s, self.batch, self.idle_s = lease_s, batch, idle_s
        # A send that outlived the lease could race the sender that took the row over.
        self.send_timeout_s = lease_s / 2 if send_timeout_s is None else send_timeout_s
        if not 0 < self.send_timeout_s < lease_s:
            raise ValueError("the send time limit must be shorter than the lease")
        self.release_every_s = release_every_s
        self.hook = hook  # test seam: called at each step of a delivery
        self.max_attempts = max_attempts
        self.sent = self.dropped = self.failed = self.retried = self.skipped = 0
        self._last_release = 0.0
        self._planned: date | None = None
        self._retained: date | None = None

    async def tick(self) -> int:
        """Deliver what is due now; returns how many notifications were handled.

        One notification that cannot be rendered or sent never holds up the others: it
        is put off with a growing delay, and given up after ``max_attempts``.
        """
        notes = await outbox.claim(self.core, self.owner, limit=self.batch, lease_s=self.lease_s)
        for note in notes:
            try:
                await self._at("claimed", note)
                await self._deliver(note)
            except Exception as exc:
                await self._not_delivered(note, exc)
        return len(notes)

    async def _not_delivered(self, note: Notification, exc: Exception) -> None:
        """Retry later, or mark failed: refused for good, or too many attempts.

        The log line names the notification and the error's type and origin, never the
        message, its payload or the error's own text (which may quote them).
        """
        why = _origin(exc)
        try:
            if isinstance(exc, Undeliverable) or note.attempts >= self.max_attempts:
                await outbox.finish(self.core, note, self.owner, NotificationStatus.FAILED)
                self.failed += 1
                log.error(
                    "gave up notification %d (%s) after %d attempt(s): %s",
                    note.id, note.kind, note.attempts, why,
                )  # fmt: skip
                return
            delay = backoff_s(note.attempts)
            await outbox.retry_later(self.core, note, self.owner, delay)
            self.retried += 1
            log.warning(
                "notification %d (%s) not delivered (%s); attempt %d, again in %.0f s",
                note.id, note.kind, why, note.attempts, delay,
            )  # fmt: skip
        except Exception as again:  # the database itself: the lease runs out, it is taken again
            log.error(
                "could not record the failure of notification %d: %s", note.id, _origin(again)
            )

    async def _deliver(self, note: Notification) -> None:
        now = self.core.now()
        if note.expires_at is not None and note.expires_at <= now:
            if await outbox.finish(self.core, note, self.owner, NotificationStatus.DROPPED):
                self.dropped += 1
                log.info("dropped a %s notification: its moment had passed", note.kind)
            return
        transport = next((t for t in self.transports if t.owns(note.channel)), None)
        if transport is None:
            raise LookupError("no transport for this channel")
        siblings: list[Notification] = []
        if note.group_key is not None:
            group = await outbox.group(self.core, note)
            if all(g.id != note.id for g in group):
                self.skipped += 1  # no longer pending: sent with another of its group
                return
            if group[0].id != note.id:
                # An earlier reminder of the same day and centre leads: it carries this
                # one. Put off (not counted as an attempt) until that one is done.
                await outbox.retry_later(self.core, note, self.owner, self.lease_s, counts=False)
                return
            siblings = group[1:]
        user = note.user_id or note.channel
        loaded = await conversations.load(self.core, note.channel, user)
        chosen = loaded.profile.language if loaded.profile else None
        previous = (loaded.state or {}).get("lang")
        lang = chosen or str(previous or self.core.network.default_language)
        choices: dict[str, dict[str, Any]] | None = None
        if note.kind == "digest":
            parts = await self._digest_parts(note, lang)
        else:
            prepared = notify.prepare(note, loaded.state, self.core.network, siblings)
            parts, choices = [Part("message", prepared.outs)], prepared.choices
        done = list(note.parts_sent)
        for part in parts:
            if part.name in done:
                continue  # accepted by the network before a failure: not again
            if not await outbox.renew(self.core, note, self.owner, self.lease_s):
                self.skipped += 1
                log.info("a %s notification is no longer ours to send: skipped", note.kind)
                return
            await self._at("sending", note)
            replies = [render(self.catalogs, out, lang) for out in part.outs]
            key = delivery_key(note, part.name, len(parts))
            async with asyncio.timeout(self.send_timeout_s):
                await self._send(transport, note.channel, replies, key)
            await self._at("sent", note)
            done.append(part.name)
            if len(done) < len(parts):
                await outbox.record_parts(self.core, note, self.owner, done)
        also = [s.id for s in siblings]
        if await outbox.finish(self.core, note, self.owner, NotificationStatus.SENT, also):
            self.sent += 1
        else:
            log.warning("lease on a %s lost before it was marked sent", note.kind)
        await self._at("marked", note)
        if choices:
            await self._leave_question(note.channel, user, choices)

    async def _leave_question(
        self, channel: str, user: str, choices: dict[str, dict[str, Any]]
    ) -> None:
        """Once the message went out: its buttons become answers the dialogue expects.

        Read and written in one transaction, from the state stored now (the person may
        have written meanwhile); a failure here loses the buttons, never the delivery.
        """

        async def body(uow: UnitOfWork) -> None:
            state = await uow.repo.get_conversation(channel, user)
            if (changed := notify.leave_question(state, choices)) is not None:
                await uow.repo.save_conversation(channel, user, changed, self.core.now())

        try:
            await self.core.uow().run(body)
        except Exception as exc:
            log.error("could not leave a reminder's question: %s", _origin(exc))

    async def _at(self, point: str, note: Notification) -> None:
        """The test seam: a hook may act (or await something) at each step."""
        if (pending := self.hook(point, note)) is not None:
            await pending

    @staticmethod
    async def _send(transport: Transport, channel: str, replies: list[Reply], key: str) -> None:
        """Hand the key over: a network that can deduplicate by it does (Matrix)."""
        await transport.send(channel, replies, key=key)

    async def _release(self) -> None:
        if self._last_release and time.monotonic() - self._last_release < self.release_every_s:
            return
        self._last_release = time.monotonic()
        released = await services.release_no_shows(self.core)
        if released:
            log.info("released %d booking(s) without check-in", len(released))

    async def run_once(self) -> int:
        """One pass: release no-shows and queue digests when it is time, then deliver."""
        await self._release()
        await self._plan_digests()
        await self._retention()
        return await self.tick()

    async def _retention(self) -> None:
        """Once a day: forget old dialogue states, anonymise long-inactive people, and
        delete the notifications done for as long (their payloads hold bookings and
        messages)."""
        today = self.core.now().date()
        if self._retained == today:
            return
        forgotten, anonymised = await privacy.apply_retention(self.core)
        purged = await outbox.purge(self.core)
        self._retained = today
        if forgotten or anonymised or purged:
            log.info(
                "retention: %d dialogue state(s) forgotten, %d person(s) anonymised, "
                "%d notification(s) deleted",
                forgotten,
                anonymised,
                purged,
            )

    async def _plan_digests(self) -> None:
        """Queue today's digest for each manager once; the key makes it once per network."""
        net = self.core.network
        now = self.core.now()
        if self._planned == now.date() or now.time() < time_of(net.reminders.digest):
            return
        weekly = WEEKDAYS[now.weekday()] == net.reminders.weekly_digest_day
        items = [
            NewNotification(
                key=f"digest:{now.date().isoformat()}:{who}",
                kind="digest",
                channel=await conversations.channel_of(self.core, who) or who,
                user_id=who,
                payload={"day": now.date().isoformat(), "centres": centres, "weekly": weekly},
                due_at=now,
                expires_at=net.at(now.date(), day_time(23, 59)),
            )
            for who, centres in reports.recipients(net).items()
        ]
        await outbox.enqueue(self.core, items)
        self._planned = now.date()

    async def _digest_parts(self, note: Notification, lang: str) -> list[Part]:
        """The digest's text (and on the weekly day its chart), computed when it is sent.

        Each part is named, so that a retry after a partial failure sends only the parts
        the network had not accepted, even if the figures changed in between.
        """
        net, day = self.core.network, date.fromisoformat(note.payload["day"])
        centres = list(note.payload["centres"])
        today = await reports.day_digests(self.core, centres, day)
        parts = [
            Part(
                "day",
                [Out(digest.render(self.catalogs, digest.day_digest_lines(net, today), lang))],
            )
        ]
        notes = [
            n
            for n in await directory.partner_job_notes(self.core)
            if n.usual_centre in (None, *centres)
        ]
        if notes:
            items = Lines(tuple(f"{n.display_name or '—'} : {n.note}" for n in notes))
            line = t("Conjoints cherchant un emploi :{items}", items=items)
            parts.append(Part("partners", [Out(self.catalogs.render(line, lang))]))
        if note.payload.get("weekly"):
            first = reports.previous_week(day)
            week = await reports.week_digest(self.core, centres, first)
            text = digest.render(self.catalogs, digest.week_digest_lines(net, week), lang)
            png = charts.weekly_chart(net, week.cells, first, self.catalogs, lang)
            chart = Attachment(f"occupation-{first}.png", "image/png", png, size=charts.PIXELS)
            parts.append(Part("week", [Out(text, files=(chart,))]))
            missing = await directory.missing_skills(self.core, day - timedelta(days=7))
            if missing:
                found = Lines(tuple(f"{m.label} ({m.searches})" for m in missing))
                line = t(
                    "Compétences cherchées sans personne pour les offrir :{items}", items=found
                )
                parts.append(Part("skills", [Out(self.catalogs.render(line, lang))]))
        return parts

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; an error in one tick never ends the loop."""
        while not stop.is_set():
            handled = 0
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("scheduler tick failed")
            if handled < self.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.idle_s)
