"""The Matrix transport: rooms on a homeserver, through matrix-nio's ``AsyncClient``.

This is the only module that imports ``nio``. It is split in two halves so the protocol
can be tested without a homeserver:

* pure functions that read a raw event (the JSON dict of the Client-Server API) and
  return an :class:`IncomingMessage` or ``None``, render a :class:`Reply` as the content
  of an ``m.room.message`` (each of its files as an ``m.image`` or an ``m.file``), and
  map a keycap reaction to a choice;
* :class:`MatrixTransport`, the I/O: login, the sync loop, joins, uploads, sends, rate
  limits.

Rules the transport enforces before anything reaches the router:

* History is never replayed. The sync token (``next_batch``) is kept in a small JSON
  file; at start the bot does one full-state sync and throws its timeline away, and only
  then listens. Events older than the start, and the bot's own events, are dropped too.
* Rooms are joined only on invitation from an allowed user or homeserver
  (``MATRIX_ALLOWED``); an empty list refuses everyone. Other invitations are rejected.
* Direct chats (at most two members) are the booking channel. In a larger room the bot
  answers only when mentioned, and then in a direct chat with that person.
* Without end-to-end support (none is set up here), an encrypted room never receives
  plaintext. Who wrote in an encrypted direct chat is told once, in an unencrypted
  direct chat if one can be had; of an encrypted group, only the person who invited the
  bot (else its creator) is told, once; otherwise the bot stays silent.
* A conversation that fails is answered with an apology, and a refused keycap reaction
  (a shortcut for the numbered lines) stops no reply.
* Every nio call returns a value that may be an error: each is checked; a
  ``M_LIMIT_EXCEEDED`` is waited out for ``retry_after_ms`` and the call made again, with
  the same transaction id so a retried message is never posted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import itertools
import json
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    Event,
    InviteMemberEvent,
    JoinResponse,
    LoginResponse,
    MatrixRoom,
    RoomCreateResponse,
    RoomGetStateEventError,
    RoomGetStateEventResponse,
    RoomLeaveResponse,
    RoomPreset,
    RoomSendResponse,
    SyncError,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)

from bot import logs
from bot.settings import Settings
from bot.transports.base import Handler, TransportStartError
from handlers.i18n import SUPPORTED, Catalogs, Msg, t
from handlers.messages import Attachment, IncomingMessage, Reply, Undeliverable

log = logging.getLogger(__name__)

PREFIX = "matrix:"
HTML_FORMAT = "org.matrix.custom.html"
# Keycaps offered as reactions under a question, in choice order (at most ten).
KEYCAPS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")
# Said once, in an unencrypted direct chat, to whoever writes to the bot in an encrypted
# direct chat; for an encrypted group, once to the person who invited the bot there.
ENCRYPTED_DIRECT = t(
    "🔒 Je ne sais pas lire les salons chiffrés, et je n'y écris jamais en clair. "
    "Écrivez-moi ici, dans cette conversation non chiffrée, pour réserver."
)
APOLOGY = t("Désolé, quelque chose s'est mal passé. Réessayez dans un instant.")
ENCRYPTED_GROUP = t(
    "🔒 Le salon « {room} » où vous m'avez invité est chiffré : je ne peux pas y lire les "
    "messages, et je n'y écris jamais en clair. Pour réserver, chacun peut m'écrire dans une "
    "conversation directe non chiffrée, comme celle-ci."
)
LIMIT_EXCEEDED = "M_LIMIT_EXCEEDED"
# A rate-limited call is tried again this many times, each after the wait the server asks.
MAX_RATE_RETRIES = 10
DEFAULT_RETRY_S = 1.0
MAX_RETRY_S = 300.0
# Events stamped up to this long before the start still count as new: origin_server_ts
# is the server's clock, and a bot whose clock runs ahead would drop fresh messages.
# History is kept out by dropping the first sync's timeline, not by this comparison.
CLOCK_MARGIN_MS = 5 * 60 * 1000
POLL_MS = 30_000  # long-poll of one sync; the server answers as soon as an event arrives
# A batch being handled gets this long to finish; shorter than bot.app.STOP_TIMEOUT_S, so
# the transport closes its client itself instead of being cancelled.
STOP_GRACE_S = 5.0
SEEN_EVENTS = 2000  # event ids remembered against a batch delivered twice
# Later syncs: no presence, and a timeline long enough that a burst has no gap.
SYNC_FILTER: dict[str, Any] = {
    "presence": {"types": []},
    "room": {"timeline": {"limit": 50}},
}
# The first sync only learns the rooms' state; its timeline is history and is dropped.
FIRST_SYNC_FILTER: dict[str, Any] = {
    "presence": {"types": []},
    "room": {"timeline": {"limit": 1}},
}


# ---------------------------------------------------------------- pure protocol


def channel_of(room_id: str) -> str:
    return PREFIX + room_id


def room_of(channel: str) -> str | None:
    """The room id in a ``matrix:!room:server`` channel reference, if it is one."""
    if channel.startswith(PREFIX + "!"):
        return channel[len(PREFIX) :]
    return None


def server_of(user_id: str) -> str:
    """The homeserver part of ``@user:server`` (the part after the first colon)."""
    _, _, server = user_id.partition(":")
    return server.lower()


def is_allowed(user_id: str, allow_list: Iterable[str]) -> bool:
    """Whether an invitation from ``user_id`` may be accepted.

    Entries are exact user ids (``@alice:example.org``) or whole homeservers
    (``:example.org``). An empty list allows no one: a bot that anyone on the federation
    could pull into a room would answer strangers with the network's data.
    """
    if not user_id.startswith("@") or ":" not in user_id:
        return False
    for entry in allow_list:
        entry = entry.strip()
        if entry.startswith(":") and len(entry) > 1:
            if server_of(user_id) == entry[1:].lower():
                return True
        elif entry and entry == user_id:
            return True
    return False


def render(reply: Reply) -> dict[str, Any]:
    """A reply as ``m.room.message`` content: plain ``body`` and escaped HTML.

    Choices become numbered lines; answering with the number is understood by the router,
    and the transport also puts keycap reactions under the message. ``m.notice`` is what
    the spec asks of automated senders: other bots must not answer it.
    """
    body = reply.text
    markup = html.escape(reply.text, quote=False).replace("\n", "<br>")
    if reply.choices:
        body += "\n\n" + "\n".join(f"{c.value}. {c.label}" for c in reply.choices)
        markup += "<br><br>" + "<br>".join(
            f"<b>{html.escape(c.value, quote=False)}.</b> {html.escape(c.label, quote=False)}"
            for c in reply.choices
        )
    return {"msgtype": "m.notice", "body": body, "format": HTML_FORMAT, "formatted_body": markup}


def file_content(file: Attachment, content_uri: str) -> dict[str, Any]:
    """An ``m.file`` message for an attachment already uploaded to ``content_uri`` (mxc://).

    ``body`` and ``filename`` are both the file's name: clients show ``body`` as the
    caption and offer ``filename`` when saving; the size and type let them say what the
    file is before it is downloaded.
    """
    return {
        "msgtype": "m.file",
        "body": file.filename,
        "filename": file.filename,
        "url": content_uri,
        "info": {"mimetype": file.mime_type, "size": len(file.data)},
    }


def image_content(file: Attachment, content_uri: str) -> dict[str, Any]:
    """An ``m.image`` message: clients show the picture inline instead of a download.

    The size in pixels, when the producer knows it, lets clients reserve the picture's
    place before it arrives; the rest is as for :func:`file_content`.
    """
    info: dict[str, Any] = {"mimetype": file.mime_type, "size": len(file.data)}
    if file.size is not None:
        info["w"], info["h"] = file.size
    return {
        "msgtype": "m.image",
        "body": file.filename,
        "filename": file.filename,
        "url": content_uri,
        "info": info,
    }


def attachment_content(file: Attachment, content_uri: str) -> dict[str, Any]:
    """The message for an uploaded attachment: an image inline, any other file to save."""
    return (image_content if file.is_image else file_content)(file, content_uri)


def reaction_content(event_id: str, key: str) -> dict[str, Any]:
    """An ``m.reaction`` annotating ``event_id`` with ``key``."""
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


def keycap_index(key: str) -> int | None:
    """The position (0-based) a keycap reaction stands for; clients differ on U+FE0F."""
    bare = key.replace("\ufe0f", "")
    for index, cap in enumerate(KEYCAPS):
        if cap.replace("\ufe0f", "") == bare:
            return index
    return None


def strip_reply_fallback(body: str) -> str:
    """Drop the quoted ``> `` lines a client puts before the text of a reply."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    return "\n".join(lines[index:]).strip()


def _fresh(event: Mapping[str, Any], me: str, since_ms: int) -> bool:
    """An event someone else sent after the bot started."""
    sender = event.get("sender")
    stamp = event.get("origin_server_ts")
    if not isinstance(sender, str) or sender == me:
        return False
    return isinstance(stamp, int) and stamp >= since_ms


@dataclass(frozen=True)
class Question:
    """The bot's last message with choices in a room: reactions on it pick a choice."""

    event_id: str
    values: tuple[str, ...]


def to_incoming(
    event: Mapping[str, Any], room_id: str, *, me: str, since_ms: int
) -> IncomingMessage | None:
    """A person's text message as an :class:`IncomingMessage`, or ``None`` to ignore it.

    Ignored: the bot's own events, events from before the start (history), edits (an
    edited message must never book twice), notices (other bots), anything that is not
    text, and redacted events.
    """
    if event.get("type") != "m.room.message" or not _fresh(event, me, since_ms):
        return None
    content = event.get("content")
    if not isinstance(content, Mapping):
        return None
    relates = content.get("m.relates_to")
    if "m.new_content" in content or (
        isinstance(relates, Mapping) and relates.get("rel_type") == "m.replace"
    ):
        return None
    body = content.get("body")
    if content.get("msgtype") != "m.text" or not isinstance(body, str):
        return None
    if isinstance(relates, Mapping) and "m.in_reply_to" in relates:
        body = strip_reply_fallback(body)
    event_id = event.get("event_id")
    if not body.strip() or not isinstance(event_id, str):
        return None
    sender = str(event["sender"])
    return IncomingMessage(channel_of(room_id), PREFIX + sender, body, message_id=PREFIX + event_id)


def reaction_choice(event: Mapping[str, Any], question: Question | None) -> str | None:
    """The choice value a keycap reaction on the current question stands for."""
    if question is None or event.get("type") != "m.reaction":
        return None
    content = event.get("content")
    relates = content.get("m.relates_to") if isinstance(content, Mapping) else None
    if not isinstance(relates, Mapping) or relates.get("rel_type") != "m.annotation":
        return None
    if relates.get("event_id") != question.event_id:
        return None  # an older question: its choices no longer mean anything
    key = relates.get("key")
    index = keycap_index(key) if isinstance(key, str) else None
    if index is None or index >= len(question.values):
        return None
    return question.values[index]


def reaction_to_incoming(
    event: Mapping[str, Any],
    room_id: str,
    question: Question | None,
    *,
    me: str,
    since_ms: int,
) -> IncomingMessage | None:
    """A keycap reaction on the room's current question, as the choice it picks."""
    if not _fresh(event, me, since_ms):
        return None
    value = reaction_choice(event, question)
    event_id = event.get("event_id")
    if value is None or not isinstance(event_id, str):
        return None
    return IncomingMessage(
        channel_of(room_id),
        PREFIX + str(event["sender"]),
        value,
        message_id=PREFIX + event_id,
        choice=value,
    )


def addressed_text(event: Mapping[str, Any], me: str, names: Sequence[str] = ()) -> str | None:
    """In a room with several people: the text meant for the bot, or ``None``.

    A message is for the bot when it mentions it: ``m.mentions``, a pill linking to its
    user id, its id anywhere in the text, or its display name at the start (anywhere
    would match ordinary words). A leading mention is cut so the parser reads only the
    request.
    """
    content = event.get("content")
    if not isinstance(content, Mapping):
        return None
    body = content.get("body")
    if not isinstance(body, str):
        return None
    mentions = content.get("m.mentions")
    users = mentions.get("user_ids") if isinstance(mentions, Mapping) else None
    formatted = content.get("formatted_body")
    pill = isinstance(formatted, str) and (me in formatted or me.replace("@", "%40") in formatted)
    text = body.strip()
    lead = next(
        (label for label in (me, *names) if label and text.lower().startswith(label.lower())),
        None,
    )
    if lead is not None:
        text = text[len(lead) :].lstrip(" :,")
    elif not (pill or me in body or (isinstance(users, list) and me in users)):
        return None
    return text or None


def is_encrypted_message(event: Mapping[str, Any], *, me: str, since_ms: int) -> bool:
    """A person wrote in a way the bot cannot read (``m.room.encrypted``)."""
    return event.get("type") == "m.room.encrypted" and _fresh(event, me, since_ms)


def in_every_language(catalogs: Catalogs, note: Msg) -> str:
    """A note the transport says itself, in each catalog's language, one after the other.

    Matrix tells the bot nothing of a person's language, and these notes are said before
    any conversation (where the person's language would be known) has begun.
    """
    return "\n".join(catalogs.render(note, lang) for lang in SUPPORTED)


def start_mark(now_s: float) -> int:
    """The ``origin_server_ts`` from which events are new, for a start at ``now_s``."""
    return int(now_s * 1000) - CLOCK_MARGIN_MS


def retry_delay(status_code: str | None, retry_after_ms: int | None) -> float | None:
    """Seconds to wait before trying a rate-limited call again; ``None`` if not limited."""
    if status_code != LIMIT_EXCEEDED:
        return None
    if retry_after_ms is None or retry_after_ms <= 0:
        return DEFAULT_RETRY_S
    return min(retry_after_ms / 1000, MAX_RETRY_S)


# ---------------------------------------------------------------- persisted state


@dataclass
class MatrixState:
    """What must survive a restart: the sync token, and what the bot already said.

    ``warned`` holds the people (and the group rooms) already explained that encrypted
    rooms cannot be read (told once), ``inviters`` who invited the bot to each room,
    ``questions`` the last question with choices per room (so a reaction still maps to
    its choice after a restart), ``dms`` the unencrypted direct chat per person.
    ``access_token`` is the session of the last password login, for ``user``: the doctor
    checks it with ``whoami`` instead of logging in (a login and a logout every minute
    would announce a new device to everyone sharing a room with the bot). The file is
    created readable by its owner only.
    """

    path: Path
    next_batch: str | None = None
    device_id: str | None = None
    user: str | None = None
    access_token: str | None = None
    warned: set[str] = field(default_factory=set)
    inviters: dict[str, str] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    dms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> MatrixState:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            # Starting over costs only the warned list: history is still not replayed,
            # because the first sync's timeline is always dropped.
            log.warning("matrix store %s unreadable (%s); starting afresh", path, exc)
            return cls(path)
        questions = {
            room: Question(str(q["event_id"]), tuple(str(v) for v in q["values"]))
            for room, q in dict(raw.get("questions") or {}).items()
        }
        return cls(
            path,
            next_batch=raw.get("next_batch"),
            device_id=raw.get("device_id"),
            user=raw.get("user"),
            access_token=raw.get("access_token"),
            warned=set(raw.get("warned") or ()),
            inviters=dict(raw.get("inviters") or {}),
            questions=questions,
            dms=dict(raw.get("dms") or {}),
        )

    def save(self) -> None:
        """Write atomically: a temporary file, synced to disk, then renamed over the old one.

        A crash leaves the old file or the new one whole, never an empty one (without the
        sync, a rename can reach the disk before the data it names).
        """
        data = {
            "next_batch": self.next_batch,
            "device_id": self.device_id,
            "user": self.user,
            "access_token": self.access_token,
            "warned": sorted(self.warned),
            "inviters": self.inviters,
            "questions": {
                room: {"event_id": q.event_id, "values": list(q.values)}
                for room, q in self.questions.items()
            },
            "dms": self.dms,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".matrix-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())  # on disk before the rename makes it the file
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def default_store_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("telecentre")) / "matrix.json"


# ---------------------------------------------------------------- I/O


class MatrixError(RuntimeError):
    """A homeserver refused a request; the message carries its errcode, never a secret."""


class UndeliverableRoom(MatrixError, Undeliverable):
    """The homeserver refuses the bot in this room for good: no point retrying."""


class MatrixStartError(MatrixError, TransportStartError):
    """Matrix could not be started (refused login, unreachable homeserver), said plainly."""


class EncryptedRoomError(MatrixError):
    """Sending would put plaintext in an encrypted room, so nothing was sent."""


class MatrixTransport:
    """Matrix through one ``AsyncClient``, sharing the bot's event loop."""

    name = "matrix"

    def __init__(self, settings: Settings, *, catalogs: Catalogs | None = None) -> None:
        if not (settings.matrix_homeserver and settings.matrix_user):
            raise ValueError("MATRIX_HOMESERVER and MATRIX_USER are required")
        if settings.matrix_password is None and settings.matrix_access_token is None:
            raise ValueError("MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN is required")
        self.settings = settings
        self._catalogs = catalogs
        self.allow_list = settings.matrix_allow_list
        store = Path(settings.matrix_store) if settings.matrix_store else default_store_path()
        self.state = MatrixState(store)
        # Rate limits come back to us (max_limit_exceeded=0) so they are waited out here,
        # bounded and logged, with the same transaction id on every try.
        self.client = AsyncClient(
            settings.matrix_homeserver,
            settings.matrix_user,
            config=AsyncClientConfig(max_limit_exceeded=0, max_timeouts=3),
        )
        self.me = settings.matrix_user
        self.since_ms = 0
        self._handle: Handler | None = None
        self._pending: list[tuple[MatrixRoom, Any]] = []
        self._handled: dict[str, None] = {}  # recent event ids, oldest first
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- the Transport protocol

    def owns(self, channel: str) -> bool:
        return channel.startswith(PREFIX)

    async def start(self, handle: Handler) -> None:
        """Log in, sync once to learn the rooms (dropping history), then listen."""
        self._handle = handle
        self._strings()  # the catalogs, loaded before the first message needs them
        self.state = MatrixState.load(self.state.path)
        self.since_ms = start_mark(time.time())
        try:
            await self._login()
            first = await self._call(
                lambda: self.client.sync(
                    timeout=0,
                    since=self.state.next_batch,
                    full_state=True,
                    sync_filter=FIRST_SYNC_FILTER,
                ),
                "first sync",
            )
            if not isinstance(first, SyncResponse):
                raise MatrixError(f"first sync failed: {first}")
            self.state.next_batch = first.next_batch
            self.state.save()
            # Only now does the bot listen: nothing of the first sync's timeline is handled.
            self.client.add_event_callback(self._collect, (Event, InviteMemberEvent))
            for room_id, room in list(self.client.invited_rooms.items()):
                if room.inviter:
                    await self._on_invite(room_id, room.inviter)
        except MatrixError as exc:
            await self.client.close()
            raise MatrixStartError(f"Matrix could not start: {exc}") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self.client.close()
            homeserver = self.settings.matrix_homeserver
            raise MatrixStartError(
                f"the Matrix homeserver {homeserver} could not be reached "
                f"({type(exc).__name__}: {exc})"
            ) from None
        except BaseException:
            await self.client.close()
            raise
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="matrix-sync")
        log.info("matrix: listening as %s", self.me)

    async def send(self, channel: str, replies: list[Reply], *, key: str | None = None) -> None:
        """Deliver replies outside a turn; raises :class:`MatrixError` when it cannot.

        With the notification's ``key``, each event's transaction id is derived from it:
        a notification sent again after a crash between the send and its mark is then
        posted once by the homeserver, which remembers transaction ids for a while.
        """
        room_id = room_of(channel)
        if room_id is None:
            raise ValueError(f"not a Matrix channel: {channel!r}")
        await self._deliver(room_id, replies, key=key)

    async def stop(self) -> None:
        """Stop listening: a batch being handled is finished, a waiting sync is dropped."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, STOP_GRACE_S)
            except TimeoutError:
                log.warning("matrix: stop timed out; the last batch may be re-synced")
            except Exception:
                log.exception("matrix: sync loop ended with an error")
        await self.client.close()

    # -- login and sync

    async def _login(self) -> None:
        settings = self.settings
        device = settings.matrix_device_id or self.state.device_id
        if settings.matrix_access_token is not None:
            self.client.access_token = settings.matrix_access_token.get_secret_value()
            self.client.user_id = self.me
            if device:
                self.client.device_id = device
            who = await self._call(self.client.whoami, "whoami")
            if not isinstance(who, WhoamiResponse):
                raise MatrixError(f"the access token was refused: {who}")
            if who.user_id != self.me:
                raise MatrixError(f"the access token belongs to {who.user_id}, not {self.me}")
            self.client.device_id = who.device_id or device
        else:
            assert settings.matrix_password is not None
            password = settings.matrix_password.get_secret_value()
            self.client.device_id = device
            resp = await self._call(
                lambda: self.client.login(password, device_name="telecentre bot"), "login"
            )
            if not isinstance(resp, LoginResponse):
                raise MatrixError(f"login failed: {resp}")
            self.me = resp.user_id
            self.state.user, self.state.access_token = self.me, resp.access_token
            logs.add_secret(resp.access_token)
        self.state.device_id = self.client.device_id

    async def _run(self) -> None:
        """Sync until stopped; each batch is handled fully before its token is saved."""
        stopper = asyncio.ensure_future(self._stopping.wait())
        try:
            backoff = 1.0
            while not self._stopping.is_set():
                sync = asyncio.ensure_future(
                    self._call(
                        lambda: self.client.sync(timeout=POLL_MS, sync_filter=SYNC_FILTER),
                        "sync",
                    )
                )
                await asyncio.wait({sync, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if not sync.done():  # stopping while waiting: nothing was received yet
                    sync.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sync
                    break
                if await self._sync_failed(sync, backoff):
                    self._pending.clear()
                    await self._pause(backoff)
                    backoff = min(backoff * 2, 60.0)
                    continue
                backoff = 1.0
                try:
                    await self._process(self._take_pending())
                    self.state.next_batch = sync.result().next_batch
                    self.state.save()
                except Exception:
                    log.exception("matrix: a sync batch was not fully handled")
        finally:
            stopper.cancel()

    async def _sync_failed(self, sync: asyncio.Future[Any], backoff: float) -> bool:
        """Check a finished sync; on an expired login, log in again if a password allows."""
        try:
            resp = sync.result()
        except Exception as exc:  # network trouble: nio already retried a few times
            log.warning("matrix: sync failed (%s); retrying in %.0fs", exc, backoff)
            return True
        if not isinstance(resp, SyncError):
            return False
        if resp.status_code != "M_UNKNOWN_TOKEN":
            log.warning("matrix: %s; retrying in %.0fs", resp, backoff)
            return True
        if self.settings.matrix_password is None:
            raise MatrixError(f"the homeserver no longer accepts the access token: {resp}")
        log.warning("matrix: the login expired (%s); logging in again", resp)
        try:
            await self._login()
        except MatrixError as exc:
            log.error("matrix: %s", exc)
        return True

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _collect(self, room: MatrixRoom, event: Any) -> None:
        """nio's event callback: only note the event; the batch is handled after the sync."""
        self._pending.append((room, event))

    def _take_pending(self) -> list[tuple[MatrixRoom, Any]]:
        pending, self._pending = self._pending, []
        return pending

    async def _process(self, pending: list[tuple[MatrixRoom, Any]]) -> None:
        """Invitations first, then each room's events in order, rooms side by side."""
        by_room: dict[str, list[tuple[MatrixRoom, Any]]] = {}
        for room, event in pending:
            if isinstance(event, InviteMemberEvent):
                if event.state_key == self.me and event.membership == "invite":
                    try:
                        await self._on_invite(room.room_id, event.sender)
                    except Exception:
                        log.exception("matrix: invitation to %s not handled", room.room_id)
                continue
            by_room.setdefault(room.room_id, []).append((room, event))
        async with asyncio.TaskGroup() as group:
            for events in by_room.values():
                group.create_task(self._process_room(events))

    async def _process_room(self, events: list[tuple[MatrixRoom, Any]]) -> None:
        for room, event in events:
            try:
                await self._on_event(room, event)
            except Exception:
                log.exception("matrix: event %s not handled", getattr(event, "event_id", "?"))

    async def _on_event(self, room: MatrixRoom, event: Any) -> None:
        raw = getattr(event, "source", None)
        if not isinstance(raw, dict) or not self._first_time(raw.get("event_id")):
            return
        room_id = room.room_id
        kind = raw.get("type")
        if kind not in ("m.room.message", "m.room.encrypted", "m.reaction"):
            return
        if not _fresh(raw, self.me, self.since_ms):
            return
        encrypted = room.encrypted or is_encrypted_message(raw, me=self.me, since_ms=self.since_ms)
        if encrypted and not self._e2e_ready():
            if kind != "m.reaction":
                await self._explain_encryption(room, str(raw["sender"]))
            return
        direct = room.member_count <= 2
        if kind == "m.reaction":
            question = self.state.questions.get(room_id)
            msg = reaction_to_incoming(raw, room_id, question, me=self.me, since_ms=self.since_ms)
            if msg is not None and direct:
                await self._turn(room_id, msg)
            return
        msg = to_incoming(raw, room_id, me=self.me, since_ms=self.since_ms)
        if msg is None:
            return
        if direct:
            await self._turn(room_id, msg)
            return
        names = [room.user_name(self.me) or ""]
        text = addressed_text(raw, self.me, names)
        if text is None:
            return
        dm = await self._direct_room(str(raw["sender"]))
        if dm is not None:
            await self._turn(dm, replace(msg, channel=channel_of(dm), text=text))

    def _first_time(self, event_id: object) -> bool:
        """False for an event already seen (a sync retried after a failure resends it)."""
        if not isinstance(event_id, str):
            return True
        if event_id in self._handled:
            return False
        self._handled[event_id] = None
        if len(self._handled) > SEEN_EVENTS:
            del self._handled[next(iter(self._handled))]
        return True

    async def _turn(self, room_id: str, msg: IncomingMessage) -> None:
        """One message through the router, and its replies back into the room."""
        assert self._handle is not None
        try:
            replies = await self._handle(msg)
        except Exception:
            log.exception("matrix: the conversation failed on a message")
            replies = [Reply(in_every_language(self._strings(), APOLOGY))]
        if not replies:
            return
        try:
            await self._deliver(room_id, replies)
        except MatrixError as exc:
            log.error("matrix: replies to %s not delivered: %s", room_id, exc)

    # -- invitations, direct chats, encryption

    async def _on_invite(self, room_id: str, inviter: str) -> None:
        if not is_allowed(inviter, self.allow_list):
            log.info("matrix: invitation from %s refused (not in MATRIX_ALLOWED)", inviter)
            left = await self._call(lambda: self.client.room_leave(room_id), "reject invite")
            if not isinstance(left, RoomLeaveResponse):
                log.warning("matrix: could not reject the invitation to %s: %s", room_id, left)
            return
        joined = await self._call(lambda: self.client.join(room_id), "join")
        if not isinstance(joined, JoinResponse):
            log.error("matrix: could not join %s: %s", room_id, joined)
            return
        self.state.inviters[room_id] = inviter
        self.state.save()
        log.info("matrix: joined %s on invitation from %s", room_id, inviter)

    def _e2e_ready(self) -> bool:
        """End-to-end support needs olm and a key store; this transport sets up neither."""
        return False

    async def _is_encrypted(self, room_id: str) -> bool:
        """Whether a room is encrypted; unknown counts as encrypted (fail closed)."""
        room = self.client.rooms.get(room_id)
        if room is not None:
            return bool(room.encrypted)
        resp = await self._call(
            lambda: self.client.room_get_state_event(room_id, "m.room.encryption"),
            "room state",
        )
        if isinstance(resp, RoomGetStateEventResponse):
            return bool(resp.content)
        if isinstance(resp, RoomGetStateEventError) and resp.status_code == "M_NOT_FOUND":
            return False
        log.warning(
            "matrix: encryption of %s unknown (%s); treating it as encrypted", room_id, resp
        )
        return True

    def _find_direct(self, user_id: str) -> str | None:
        """A known unencrypted room shared only with this person."""
        known = self.state.dms.get(user_id)
        candidates = [known] if known else []
        candidates += sorted(self.client.rooms)
        for room_id in candidates:
            room = self.client.rooms.get(room_id)
            if room is None or room.encrypted:
                continue
            members = set(room.users) | set(room.invited_users)
            if members == {self.me, user_id}:
                return room_id
        if known and known not in self.client.rooms:
            return known  # created but not synced yet
        return None

    async def _direct_room(self, user_id: str) -> str | None:
        """An unencrypted direct chat with this person, created if there is none."""
        found = self._find_direct(user_id)
        if found is not None:
            return found
        created = await self._call(
            lambda: self.client.room_create(
                is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat
            ),
            "create direct chat",
        )
        if not isinstance(created, RoomCreateResponse):
            log.error("matrix: could not open a direct chat with %s: %s", user_id, created)
            return None
        room_id = str(created.room_id)
        if await self._is_encrypted(room_id):
            # The server encrypts new rooms: there is no unencrypted place to talk.
            log.warning("matrix: the homeserver encrypts new rooms; leaving %s", room_id)
            left = await self._call(lambda: self.client.room_leave(room_id), "leave")
            if not isinstance(left, RoomLeaveResponse):
                log.warning("matrix: could not leave %s: %s", room_id, left)
            return None
        self.state.dms[user_id] = room_id
        self.state.save()
        return room_id

    async def _explain_encryption(self, room: MatrixRoom, sender: str) -> None:
        """Say once why the bot is silent in an encrypted room, never in that room.

        A direct chat: its person is told, in an unencrypted direct chat. A group: only
        the person who invited the bot (else the room's creator) is told, once for the
        room; messaging everyone who speaks there would be spam, and the group itself
        must never receive plaintext.
        """
        target: str | None
        if room.member_count <= 2:
            key, target = sender, sender
            text = in_every_language(self._strings(), ENCRYPTED_DIRECT)
        else:
            key = room.room_id
            target = self.state.inviters.get(key) or (
                room.creator if room.creator in room.users else None
            )
            note = replace(ENCRYPTED_GROUP, params=(("room", room.display_name),))
            text = in_every_language(self._strings(), note)
        if key in self.state.warned:
            return
        if target is not None:
            dm = await self._direct_room(target)
            if dm is not None:
                try:
                    await self._deliver(dm, [Reply(text)], remember=False)
                except MatrixError as exc:
                    log.warning("matrix: could not explain encryption to %s: %s", target, exc)
                    return
        else:
            log.info("matrix: %s is encrypted and nobody to tell is known", key)
        self.state.warned.add(key)
        self.state.save()

    def _strings(self) -> Catalogs:
        if self._catalogs is None:
            self._catalogs = Catalogs()
        return self._catalogs

    # -- sending

    async def _deliver(
        self,
        room_id: str,
        replies: list[Reply],
        *,
        remember: bool = True,
        key: str | None = None,
    ) -> None:
        """Send replies in order; the last one with choices becomes the room's question."""
        if await self._is_encrypted(room_id) and not self._e2e_ready():
            raise EncryptedRoomError(f"{room_id} is encrypted: not sending plaintext")
        question: Question | None = None
        txns = transaction_ids(key)
        for reply in replies:
            if reply.text or reply.choices or not reply.files:  # no empty notice before files
                event_id = await self._send_event(
                    room_id, "m.room.message", render(reply), next(txns)
                )
            if reply.choices:
                question = Question(event_id, tuple(c.value for c in reply.choices))
                await self._add_keycaps(room_id, event_id, len(reply.choices))
            for file in reply.files:
                content_uri = await self._upload(file)
                content = attachment_content(file, content_uri)
                await self._send_event(room_id, "m.room.message", content, next(txns))
        if not remember:
            return
        if question is not None:
            self.state.questions[room_id] = question
        else:
            self.state.questions.pop(room_id, None)
        self.state.save()

    async def _add_keycaps(self, room_id: str, event_id: str, count: int) -> None:
        """The keycap reactions under a question: a shortcut, so a failure stops nothing.

        The numbered lines already say how to answer; a refused reaction must not keep
        the replies after it from being sent.
        """
        for key in KEYCAPS[:count]:
            try:
                await self._send_event(room_id, "m.reaction", reaction_content(event_id, key))
            except MatrixError as exc:
                log.warning("matrix: keycaps under %s not added: %s", event_id, exc)
                return

    async def _upload(self, file: Attachment) -> str:
        """Put a file in the homeserver's media repository; its ``mxc://`` address.

        Only ever called by :meth:`_deliver` after its encryption check, so the upload is
        in clear only for a room that is in clear. The data is handed over as a callable
        so that nio can read it again from the start when a rate-limited upload is retried.
        """

        async def request() -> Any:
            resp, _keys = await self.client.upload(
                lambda _limited, _timeouts: file.data,
                content_type=file.mime_type,
                filename=file.filename,
                encrypt=False,
                filesize=len(file.data),
            )
            return resp

        resp = await self._call(request, "upload")
        if not isinstance(resp, UploadResponse):
            raise MatrixError(f"uploading {file.filename} failed: {resp}")
        return str(resp.content_uri)

    async def _send_event(
        self, room_id: str, kind: str, content: dict[str, Any], tx_id: str | None = None
    ) -> str:
        tx_id = tx_id or uuid.uuid4().hex  # the same on every retry: the server posts it once
        resp = await self._call(
            lambda: self.client.room_send(room_id, kind, content, tx_id=tx_id), f"send {kind}"
        )
        if not isinstance(resp, RoomSendResponse):
            if getattr(resp, "status_code", None) == "M_FORBIDDEN":
                # Not in the room any more (left, kicked, or the person left a DM).
                raise UndeliverableRoom(f"sending to {room_id} is forbidden: {resp}")
            raise MatrixError(f"sending to {room_id} failed: {resp}")
        return str(resp.event_id)

    async def _call(self, request: Callable[[], Awaitable[Any]], what: str) -> Any:
        """Make a nio call, waiting out rate limits; other errors are returned to check."""
        resp: Any = None
        for _ in range(MAX_RATE_RETRIES + 1):
            resp = await request()
            if not isinstance(resp, ErrorResponse):
                return resp
            delay = retry_delay(resp.status_code, resp.retry_after_ms)
            if delay is None:
                return resp
            log.warning("matrix: %s rate-limited; waiting %.1fs", what, delay)
            await asyncio.sleep(delay)
        return resp


def transaction_ids(key: str | None) -> Iterator[str | None]:
    """One transaction id per event of a delivery: from its key when it has one (stable
    across a resend), else None (a fresh random id each)."""
    if key is None:
        return itertools.repeat(None)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return (f"tc{digest}.{n}" for n in itertools.count())


def from_settings(settings: Settings, catalogs: Catalogs | None = None) -> MatrixTransport:
    """The transport for ``bot.transports.configured_transports``."""
    return MatrixTransport(settings, catalogs=catalogs)


# ---------------------------------------------------------------- the doctor

# The doctor's own device: logging in on it again replaces it, and the logout deletes it,
# so health checks never pile devices up on the bot's account.
DOCTOR_DEVICE = "TELECENTRE_DOCTOR"
CHECK_TIMEOUT_S = 10.0


async def _versions(homeserver: str) -> str | None:
    """Whether ``homeserver`` answers as a Matrix homeserver (``/_matrix/client/versions``)."""
    url = homeserver.rstrip("/") + "/_matrix/client/versions"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT_S)) as http,
            http.get(url) as resp,
        ):
            body = await resp.json(content_type=None) if resp.status == 200 else None
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        return f"the homeserver {homeserver} could not be reached ({type(exc).__name__}: {exc})"
    if not isinstance(body, dict) or "versions" not in body:
        return f"{homeserver} does not answer as a Matrix homeserver: check MATRIX_HOMESERVER"
    return None


async def _whoami(client: AsyncClient, token: str, user: str) -> str | None:
    client.access_token, client.user_id = token, user
    who = await client.whoami()
    if not isinstance(who, WhoamiResponse):
        return f"refused ({who.status_code})"
    if who.user_id != user:
        return f"it belongs to {who.user_id}, not MATRIX_USER {user}"
    return None


async def check(settings: Settings) -> str | None:
    """What is wrong with the Matrix settings, in plain words, or None (for the doctor).

    An access token is checked with ``whoami``. With a password, the session the bot
    stored at its last login is checked the same way; without one (or if it is refused)
    the doctor logs in on its own device and logs out again.
    """
    homeserver, user = settings.matrix_homeserver, settings.matrix_user
    if not homeserver or not user:
        return "MATRIX_HOMESERVER and MATRIX_USER must both be set"
    if not user.startswith("@") or ":" not in user:
        return f"MATRIX_USER must be a full id such as @telecentre:example.org, not {user!r}"
    problem = await _versions(homeserver)
    if problem is not None:
        return problem
    client = AsyncClient(
        homeserver, user, config=AsyncClientConfig(max_limit_exceeded=0, max_timeouts=1)
    )
    try:
        if settings.matrix_access_token is not None:
            refused = await _whoami(client, settings.matrix_access_token.get_secret_value(), user)
            return None if refused is None else f"MATRIX_ACCESS_TOKEN: {refused}"
        assert settings.matrix_password is not None
        store = Path(settings.matrix_store) if settings.matrix_store else default_store_path()
        state = MatrixState.load(store)
        if state.access_token and state.user == user:
            if await _whoami(client, state.access_token, user) is None:
                return None
            client.access_token = ""
        client.device_id = DOCTOR_DEVICE
        login = await client.login(
            settings.matrix_password.get_secret_value(), device_name="telecentre doctor"
        )
        if not isinstance(login, LoginResponse):
            return f"the homeserver refused MATRIX_PASSWORD for {user} ({login.status_code})"
        await client.logout()
        return None
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return f"the homeserver {homeserver} could not be reached ({type(exc).__name__}: {exc})"
    finally:
        await client.close()


__all__ = [
    "APOLOGY",
    "ENCRYPTED_DIRECT",
    "ENCRYPTED_GROUP",
    "KEYCAPS",
    "EncryptedRoomError",
    "MatrixError",
    "MatrixStartError",
    "MatrixState",
    "MatrixTransport",
    "Question",
    "addressed_text",
    "channel_of",
    "check",
    "file_content",
    "from_settings",
    "in_every_language",
    "is_allowed",
    "is_encrypted_message",
    "keycap_index",
    "reaction_choice",
    "reaction_content",
    "reaction_to_incoming",
    "render",
    "retry_delay",
    "room_of",
    "start_mark",
    "strip_reply_fallback",
    "to_incoming",
]
