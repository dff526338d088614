"""The Matrix transport: its pure protocol functions, then the whole bot against Synapse.

The end-to-end tests (marked ``e2e``) start a real Synapse on 127.0.0.1 with a SQLite
database in a fresh directory, register the bot and a few teleworkers through the
shared-secret admin API, and talk to the real router on a real SQLite booking database,
with matrix-nio on both sides: the bot through :class:`MatrixTransport`, each person
through a plain ``AsyncClient``. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from nio import (
    AsyncClient,
    LoginResponse,
    MemoryDownloadResponse,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomLeaveError,
    RoomSendError,
    RoomSendResponse,
    UploadError,
    UploadResponse,
)
from pydantic import SecretStr

from booking_core.network import Network
from bot.settings import Settings
from bot.transports.matrix import (
    APOLOGY,
    ENCRYPTED_DIRECT,
    ENCRYPTED_GROUP,
    HTML_FORMAT,
    KEYCAPS,
    EncryptedRoomError,
    MatrixError,
    MatrixState,
    MatrixTransport,
    Question,
    addressed_text,
    attachment_content,
    channel_of,
    check,
    file_content,
    in_every_language,
    is_allowed,
    is_encrypted_message,
    keycap_index,
    reaction_choice,
    reaction_content,
    reaction_to_incoming,
    render,
    retry_delay,
    room_of,
    start_mark,
    strip_reply_fallback,
    to_incoming,
)
from bot.wiring import open_runtime
from handlers.i18n import Catalogs
from handlers.messages import Attachment, Choice, IncomingMessage, Reply, Undeliverable
from handlers.router import Router
from tests.conftest import Clock
from tests.transports.synapse import (
    BOT,
    SLOW_BOT,
    WAIT_S,
    Person,
    Synapse,
    bodies,
    free_port,
    joined,
    notice,
    reacted,
)

ME = "@bot:example.org"
ALICE = "@alice:example.org"
ROOM = "!room:example.org"
START = 1_800_000_000_000  # the bot's start, in ms


def text_event(body: str, **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "m.room.message",
        "sender": ALICE,
        "event_id": "$e1",
        "origin_server_ts": START + 10,
        "content": {"msgtype": "m.text", "body": body},
    }
    event.update(overrides)
    return event


def reaction_event(key: str, on: str = "$q", **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "m.reaction",
        "sender": ALICE,
        "event_id": "$r1",
        "origin_server_ts": START + 20,
        "content": reaction_content(on, key),
    }
    event.update(overrides)
    return event


# ---------------------------------------------------------------- pure functions


def test_channel_references_round_trip() -> None:
    assert channel_of(ROOM) == "matrix:!room:example.org"
    assert room_of(channel_of(ROOM)) == ROOM
    assert room_of("telegram:123") is None
    assert room_of("matrix:@alice:example.org") is None


def test_text_becomes_an_incoming_message() -> None:
    msg = to_incoming(text_event("un bureau à Figeac"), ROOM, me=ME, since_ms=START)
    assert msg == IncomingMessage(
        "matrix:!room:example.org",
        "matrix:@alice:example.org",
        "un bureau à Figeac",
        message_id="matrix:$e1",
    )


@pytest.mark.parametrize(
    ("event", "why"),
    [
        (text_event("hello", sender=ME), "the bot's own message"),
        (text_event("hello", origin_server_ts=START - 1), "history from before the start"),
        (text_event("hello", origin_server_ts=None), "no timestamp"),
        (
            text_event(
                "* hello",
                content={
                    "msgtype": "m.text",
                    "body": "* hello",
                    "m.new_content": {"msgtype": "m.text", "body": "hello"},
                    "m.relates_to": {"rel_type": "m.replace", "event_id": "$e0"},
                },
            ),
            "an edit",
        ),
        (text_event("x", content={"msgtype": "m.notice", "body": "beep"}), "another bot"),
        (text_event("x", content={"msgtype": "m.image", "body": "a.png"}), "not text"),
        (text_event("x", content={}), "redacted"),
        (text_event("   "), "blank"),
        (text_event("x", type="m.sticker"), "not a message"),
    ],
)
def test_what_never_reaches_the_router(event: dict[str, Any], why: str) -> None:
    assert to_incoming(event, ROOM, me=ME, since_ms=START) is None, why


def test_reply_fallback_is_cut() -> None:
    body = "> <@bot:example.org> C'est bon ?\n> 1. Oui\n\noui"
    event = text_event(
        body,
        content={
            "msgtype": "m.text",
            "body": body,
            "m.relates_to": {"m.in_reply_to": {"event_id": "$q"}},
        },
    )
    msg = to_incoming(event, ROOM, me=ME, since_ms=START)
    assert msg is not None
    assert msg.text == "oui"
    assert strip_reply_fallback("no quote") == "no quote"


def test_reply_renders_plain_and_html_with_numbered_choices() -> None:
    content = render(
        Reply("C'est bon ?\n<ok>", (Choice("Oui, réserver", "1"), Choice("Non & après", "2")))
    )
    assert content["msgtype"] == "m.notice"
    assert content["format"] == HTML_FORMAT
    assert content["body"] == "C'est bon ?\n<ok>\n\n1. Oui, réserver\n2. Non & après"
    assert content["formatted_body"] == (
        "C'est bon ?<br>&lt;ok&gt;<br><br><b>1.</b> Oui, réserver<br><b>2.</b> Non &amp; après"
    )
    assert render(Reply("Merci"))["body"] == "Merci"


def test_keycaps_map_to_positions_with_or_without_variation_selector() -> None:
    assert keycap_index("1️⃣") == 0
    assert keycap_index("2\u20e3") == 1  # a client that drops U+FE0F
    assert keycap_index("🔟") == 9
    assert keycap_index("👍") is None
    assert len(KEYCAPS) == 10


def test_reaction_on_the_current_question_picks_its_choice() -> None:
    question = Question("$q", ("1", "2"))
    assert reaction_choice(reaction_event("2️⃣"), question) == "2"
    assert reaction_choice(reaction_event("3️⃣"), question) is None  # no third choice
    assert reaction_choice(reaction_event("1️⃣", on="$older"), question) is None
    assert reaction_choice(reaction_event("1️⃣"), None) is None
    assert reaction_choice(text_event("1"), question) is None
    msg = reaction_to_incoming(reaction_event("1️⃣"), ROOM, question, me=ME, since_ms=START)
    assert msg == IncomingMessage(
        channel_of(ROOM), "matrix:" + ALICE, "1", message_id="matrix:$r1", choice="1"
    )
    own = reaction_event("1️⃣", sender=ME)
    assert reaction_to_incoming(own, ROOM, question, me=ME, since_ms=START) is None
    old = reaction_event("1️⃣", origin_server_ts=START - 5)
    assert reaction_to_incoming(old, ROOM, question, me=ME, since_ms=START) is None


@pytest.mark.parametrize(
    ("user", "allow", "expected"),
    [
        (ALICE, "", False),  # closed by default
        (ALICE, "@alice:example.org", True),
        (ALICE, "@bob:example.org", False),
        (ALICE, ":example.org", True),
        ("@alice:EXAMPLE.org", ":example.org", True),
        ("@eve:example.org.evil", ":example.org", False),
        ("@eve:evil.org", ":example.org, @bob:x.org", False),
        ("not-a-user", ":example.org", False),
        (ALICE, ":", False),
    ],
)
def test_invitation_allow_list(user: str, allow: str, expected: bool) -> None:
    entries = [item for item in allow.split(",") if item.strip()]
    assert is_allowed(user, entries) is expected


def test_group_messages_count_only_when_addressed() -> None:
    assert addressed_text(text_event("un bureau demain"), ME, ["Bot"]) is None
    assert addressed_text(text_event("le robot est là"), ME, ["bot"]) is None
    assert addressed_text(text_event("Bot: un bureau demain"), ME, ["Bot"]) == "un bureau demain"
    assert addressed_text(text_event(f"{ME} un bureau"), ME) == "un bureau"
    mentioned = text_event(
        "un bureau demain",
        content={"msgtype": "m.text", "body": "un bureau", "m.mentions": {"user_ids": [ME]}},
    )
    assert addressed_text(mentioned, ME) == "un bureau"
    pill = text_event(
        "x",
        content={
            "msgtype": "m.text",
            "body": "Le bot, un bureau",
            "format": HTML_FORMAT,
            "formatted_body": '<a href="https://matrix.to/#/%40bot:example.org">Le bot</a>, un',
        },
    )
    assert addressed_text(pill, ME, ["Le bot"]) == "un bureau"


def test_encrypted_events_are_recognised() -> None:
    event = {"type": "m.room.encrypted", "sender": ALICE, "origin_server_ts": START + 1}
    assert is_encrypted_message(event, me=ME, since_ms=START)
    assert not is_encrypted_message({**event, "sender": ME}, me=ME, since_ms=START)
    assert not is_encrypted_message(text_event("x"), me=ME, since_ms=START)


def test_rate_limits_are_waited_out_as_asked() -> None:
    assert retry_delay("M_LIMIT_EXCEEDED", 1500) == 1.5
    assert retry_delay("M_LIMIT_EXCEEDED", None) == 1.0
    assert retry_delay("M_LIMIT_EXCEEDED", 10_000_000) == 300.0
    assert retry_delay("M_FORBIDDEN", 1500) is None
    assert retry_delay(None, None) is None


def test_state_file_round_trips_and_survives_garbage(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "matrix.json"
    state = MatrixState(path, next_batch="s1", device_id="DEV")
    state.warned.add(ALICE)
    state.questions[ROOM] = Question("$q", ("1", "2"))
    state.dms[ALICE] = ROOM
    state.save()
    again = MatrixState.load(path)
    assert (again.next_batch, again.device_id, again.warned) == ("s1", "DEV", {ALICE})
    assert again.questions == {ROOM: Question("$q", ("1", "2"))}
    assert again.dms == {ALICE: ROOM}
    path.write_text("{not json")
    assert MatrixState.load(path).next_batch is None
    assert MatrixState.load(tmp_path / "missing.json").next_batch is None


def test_transport_needs_credentials() -> None:
    with pytest.raises(ValueError, match="MATRIX_PASSWORD"):
        MatrixTransport(Settings(_env_file=None, matrix_homeserver="http://x", matrix_user=ME))
    transport = MatrixTransport(
        Settings(
            _env_file=None,
            matrix_homeserver="http://x",
            matrix_user=ME,
            matrix_access_token=SecretStr("t"),
        )
    )
    assert transport.owns("matrix:!r:x")
    assert not transport.owns("telegram:1")


class LimitedClient:
    """Stands in for nio's client: rate-limits the first sends, then accepts."""

    def __init__(self, refusals: int, errcode: str = "M_LIMIT_EXCEEDED") -> None:
        self.refusals = refusals
        self.errcode = errcode
        self.tx_ids: list[str | None] = []

    async def room_send(
        self, room_id: str, kind: str, content: dict[str, Any], tx_id: str | None = None
    ) -> RoomSendResponse | RoomSendError:
        self.tx_ids.append(tx_id)
        if len(self.tx_ids) <= self.refusals:
            return RoomSendError("slow down", self.errcode, 10, False, room_id)
        return RoomSendResponse("$sent", room_id)


def offline_transport(tmp_path: Path) -> MatrixTransport:
    return MatrixTransport(
        Settings(
            _env_file=None,
            matrix_homeserver="http://127.0.0.1:9",
            matrix_user=ME,
            matrix_access_token=SecretStr("t"),
            matrix_store=str(tmp_path / "matrix.json"),
        )
    )


async def test_a_rate_limited_send_is_retried_once_posted(tmp_path: Path) -> None:
    transport = offline_transport(tmp_path)
    client = LimitedClient(refusals=2)
    transport.client = client
    assert await transport._send_event(ROOM, "m.room.message", {"body": "x"}) == "$sent"
    assert len(client.tx_ids) == 3
    assert len(set(client.tx_ids)) == 1  # the same transaction: the server posts it once


async def test_a_keyed_delivery_uses_the_same_transaction_ids_every_time(
    tmp_path: Path,
) -> None:
    transport = offline_transport(tmp_path)
    client = UploadingClient()
    transport.client = client
    twice = [Reply("Rappel."), Reply("Et ceci.")]
    for _ in range(2):
        await transport.send(channel_of(ROOM), twice, key="note-7")
    first, second = client.tx_ids[:2], client.tx_ids[2:]
    assert first == second, "a resend reuses them: the homeserver posts it once"
    assert len(set(first)) == 2, "one per event"
    await transport.send(channel_of(ROOM), twice)
    await transport.send(channel_of(ROOM), twice)
    assert len(set(client.tx_ids[4:])) == 4, "without a key, fresh ones"
    assert not any("note-7" in str(tx) for tx in client.tx_ids), "the key itself stays home"


async def test_other_send_errors_are_raised_not_ignored(tmp_path: Path) -> None:
    transport = offline_transport(tmp_path)
    transport.client = LimitedClient(refusals=1, errcode="M_FORBIDDEN")
    with pytest.raises(Undeliverable, match="M_FORBIDDEN"):  # out of the room: for good
        await transport._send_event(ROOM, "m.room.message", {"body": "x"})
    transport.client = LimitedClient(refusals=1, errcode="M_UNKNOWN")
    with pytest.raises(MatrixError, match="M_UNKNOWN") as other:
        await transport._send_event(ROOM, "m.room.message", {"body": "x"})
    assert not isinstance(other.value, Undeliverable), "anything else is tried again later"


ICS = Attachment("reservation-123.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


def test_a_file_is_an_m_file_pointing_at_its_upload() -> None:
    assert file_content(ICS, "mxc://example.org/abc") == {
        "msgtype": "m.file",
        "body": "reservation-123.ics",
        "filename": "reservation-123.ics",
        "url": "mxc://example.org/abc",
        "info": {"mimetype": "text/calendar", "size": len(ICS.data)},
    }


CHART = Attachment("occupation-2026-11-23.png", "image/png", b"\x89PNG\r\n", size=(900, 450))


def test_an_image_is_an_m_image_with_its_size_and_other_files_m_file() -> None:
    assert attachment_content(CHART, "mxc://example.org/png") == {
        "msgtype": "m.image",
        "body": CHART.filename,
        "filename": CHART.filename,
        "url": "mxc://example.org/png",
        "info": {"mimetype": "image/png", "size": len(CHART.data), "w": 900, "h": 450},
    }
    unsized = Attachment("photo.jpg", "image/jpeg", b"\xff\xd8")
    assert attachment_content(unsized, "mxc://e/j")["info"] == {"mimetype": "image/jpeg", "size": 2}
    assert attachment_content(ICS, "mxc://e/i") == file_content(ICS, "mxc://e/i")


class UploadingClient:
    """Stands in for nio's client in one room: takes uploads and sends, refusing some."""

    def __init__(
        self, *, encrypted: bool = False, refusals: int = 0, errcode: str = "M_LIMIT_EXCEEDED"
    ) -> None:
        self.rooms = {ROOM: SimpleNamespace(encrypted=encrypted)}
        self.refusals = refusals
        self.errcode = errcode
        self.uploads: list[dict[str, Any]] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.tx_ids: list[str | None] = []

    async def upload(
        self,
        data_provider: Callable[[int, int], bytes],
        content_type: str = "application/octet-stream",
        filename: str | None = None,
        encrypt: bool = False,
        filesize: int | None = None,
    ) -> tuple[UploadResponse | UploadError, None]:
        self.uploads.append(
            {
                "data": data_provider(len(self.uploads), 0),  # read again on every try
                "content_type": content_type,
                "filename": filename,
                "encrypt": encrypt,
                "filesize": filesize,
            }
        )
        if len(self.uploads) <= self.refusals:
            return UploadError("no", self.errcode, 10), None
        return UploadResponse("mxc://example.org/abc"), None

    async def room_send(
        self, room_id: str, kind: str, content: dict[str, Any], tx_id: str | None = None
    ) -> RoomSendResponse:
        self.sent.append((kind, content))
        self.tx_ids.append(tx_id)
        return RoomSendResponse(f"$e{len(self.sent)}", room_id)


async def test_files_are_uploaded_then_sent_after_their_text(tmp_path: Path) -> None:
    transport = offline_transport(tmp_path)
    client = UploadingClient(refusals=1)  # rate-limited once: waited out, data read again
    transport.client = client
    await transport.send(channel_of(ROOM), [Reply("C'est réservé.", files=(ICS,))])
    assert [c["msgtype"] for _, c in client.sent] == ["m.notice", "m.file"]
    assert client.sent[1][1] == file_content(ICS, "mxc://example.org/abc")
    expected = {
        "data": ICS.data,
        "content_type": "text/calendar",
        "filename": ICS.filename,
        "encrypt": False,
        "filesize": len(ICS.data),
    }
    assert client.uploads == [expected, expected]

    client.sent.clear()
    await transport.send(channel_of(ROOM), [Reply("", files=(ICS,))])
    assert [c["msgtype"] for _, c in client.sent] == ["m.file"], "no empty notice"


async def test_a_refused_upload_is_an_error_and_sends_no_file(tmp_path: Path) -> None:
    transport = offline_transport(tmp_path)
    client = UploadingClient(refusals=1, errcode="M_TOO_LARGE")
    transport.client = client
    with pytest.raises(MatrixError, match=r"uploading reservation-123\.ics failed.*M_TOO_LARGE"):
        await transport.send(channel_of(ROOM), [Reply("C'est réservé.", files=(ICS,))])
    assert [c["msgtype"] for _, c in client.sent] == ["m.notice"]


async def test_no_file_goes_to_an_encrypted_room_not_even_uploaded(tmp_path: Path) -> None:
    transport = offline_transport(tmp_path)
    client = UploadingClient(encrypted=True)
    transport.client = client
    with pytest.raises(EncryptedRoomError):
        await transport.send(channel_of(ROOM), [Reply("C'est réservé.", files=(ICS,))])
    assert client.uploads == []
    assert client.sent == []


class TurnClient(UploadingClient):
    """One unencrypted room; refuses reactions when asked to, and every leave."""

    def __init__(self, *, refuse_reactions: bool = False) -> None:
        super().__init__()
        self.refuse_reactions = refuse_reactions

    async def room_send(
        self, room_id: str, kind: str, content: dict[str, Any], tx_id: str | None = None
    ) -> Any:
        if kind == "m.reaction" and self.refuse_reactions:
            return RoomSendError("reactions are disabled here", "M_FORBIDDEN", None, False, room_id)
        return await super().room_send(room_id, kind, content, tx_id)


async def test_a_failing_conversation_gets_an_apology_not_silence(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    transport = offline_transport(tmp_path)
    client = TurnClient()
    transport.client = client

    async def broken(message: IncomingMessage) -> list[Reply]:
        raise RuntimeError("the database is gone")

    transport._handle = broken
    await transport._turn(ROOM, IncomingMessage(channel_of(ROOM), "matrix:" + ALICE, "/aide"))
    assert [c["body"] for _, c in client.sent] == [in_every_language(Catalogs(), APOLOGY)]
    assert client.sent[0][1]["body"].startswith("Désolé, quelque chose s'est mal passé.")
    assert "\nSorry, something went wrong." in client.sent[0][1]["body"]
    assert "the database is gone" in caplog.text


async def test_a_refused_reaction_does_not_stop_the_replies_after_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    transport = offline_transport(tmp_path)
    client = TurnClient(refuse_reactions=True)
    transport.client = client
    question = Reply("C'est bon ?", (Choice("Oui", "1"), Choice("Non", "2")))
    await transport.send(channel_of(ROOM), [question, Reply("Autre chose ?", files=(ICS,))])
    assert [(kind, c.get("msgtype")) for kind, c in client.sent] == [
        ("m.room.message", "m.notice"),
        ("m.room.message", "m.notice"),
        ("m.room.message", "m.file"),
    ]
    assert transport.state.questions[ROOM].values == ("1", "2"), "numbers still answer"
    assert "keycaps under $e1 not added" in caplog.text


class EncryptingServer(TurnClient):
    """A homeserver that encrypts every new room, and refuses to let the bot leave."""

    async def room_create(self, **kwargs: Any) -> RoomCreateResponse:
        return RoomCreateResponse("!new:example.org")

    async def room_get_state_event(self, room_id: str, kind: str) -> RoomGetStateEventResponse:
        return RoomGetStateEventResponse({"algorithm": "m.megolm.v1.aes-sha2"}, kind, "", room_id)

    async def room_leave(self, room_id: str) -> RoomLeaveError:
        return RoomLeaveError("not now", "M_UNKNOWN")


async def test_a_failed_leave_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    transport = offline_transport(tmp_path)
    transport.client = EncryptingServer()
    transport.client.rooms = {}
    assert await transport._direct_room(ALICE) is None
    assert "could not leave !new:example.org" in caplog.text
    assert ALICE not in transport.state.dms


def test_events_from_a_server_clock_slightly_behind_still_count() -> None:
    since = start_mark(START / 1000)
    assert since < START
    skewed = text_event("un bureau demain", origin_server_ts=START - 30_000)
    assert to_incoming(skewed, ROOM, me=ME, since_ms=since) is not None
    ancient = text_event("un bureau demain", origin_server_ts=START - 3_600_000)
    assert to_incoming(ancient, ROOM, me=ME, since_ms=since) is None


def test_the_state_is_on_disk_before_it_replaces_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        done.append("fsync")
        real_fsync(fd)

    def replace_file(src: str, dst: Path) -> None:
        done.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr("bot.transports.matrix.os.fsync", fsync)
    monkeypatch.setattr("bot.transports.matrix.os.replace", replace_file)
    MatrixState(tmp_path / "matrix.json", next_batch="s9").save()
    assert done[:2] == ["fsync", "replace"]
    assert MatrixState.load(tmp_path / "matrix.json").next_batch == "s9"


# ---------------------------------------------------------------- end to end on Synapse


def bookings(database: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(
            "SELECT user_id, centre_id, day, period, status FROM bookings ORDER BY id"
        ).fetchall()


StartBot = Callable[..., Awaitable[MatrixTransport]]


@pytest.fixture
async def router(tmp_path: Path, network: Network) -> AsyncIterator[Router]:
    """The real router on a real SQLite file, the clock frozen on 2026-12-03 10:00 Paris."""
    runtime = await open_runtime(
        network=network, url=f"sqlite:///{tmp_path / 'telecentre.db'}", clock=Clock()
    )
    yield Router(runtime.core, Catalogs())
    await runtime.close()


@pytest.fixture
async def start_bot(synapse: Synapse, router: Router, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start the bot as `telecentre run` would; every transport started is stopped after."""
    started: list[MatrixTransport] = []

    async def start(
        allowed: str = "@alice:localhost,@bob:localhost,:localhost",
        *,
        user: str = BOT,
        token: bool = False,
        password: str | None = None,
    ) -> MatrixTransport:
        user_id = synapse.user_id(user)
        secret = SecretStr(password or synapse.users[user_id])
        settings = Settings(
            _env_file=None,
            matrix_homeserver=synapse.url,
            matrix_user=user_id,
            matrix_password=None if token else secret,
            matrix_access_token=SecretStr(synapse.login(user_id)) if token else None,
            matrix_allowed=allowed,
            matrix_store=str(tmp_path / "state" / f"{user}.json"),
        )
        transport = MatrixTransport(settings)
        await asyncio.wait_for(transport.start(router.handle), WAIT_S)
        started.append(transport)
        return transport

    yield start
    for transport in started:
        await transport.stop()


@pytest.mark.e2e
async def test_booking_by_number_survives_a_restart_without_answering_twice(
    synapse: Synapse, start_bot: StartBot, people: dict[str, Person], tmp_path: Path
) -> None:
    bot_id = synapse.user_id(BOT)
    alice = people["alice"]
    async with asyncio.timeout(120):
        first = await start_bot()
        room = await alice.open_dm(bot_id)

        mark = await alice.say(room, "un bureau à Figeac jeudi matin")
        question = await alice.expect(notice(room, "C'est bon ?"), after=mark)
        content = question["content"]
        assert content["format"] == "org.matrix.custom.html"
        assert "<b>1.</b> Oui, réserver" in content["formatted_body"]
        assert "1. Oui, réserver\n2. Non" in content["body"]
        for key in KEYCAPS[:2]:
            await alice.expect(reacted(question["event_id"], key), after=mark)

        mark = await alice.say(room, "1")
        done = await alice.expect(notice(room, "C'est réservé"), after=mark)
        assert "jeudi 10 décembre, matin, à Figeac" in done["content"]["body"]
        rows = bookings(tmp_path / "telecentre.db")
        assert rows == [("matrix:@alice:localhost", "figeac", "2026-12-10", "morning", "active")]

        await alice.expect(notice(room, "/annuler"), after=mark)
        calendar = await alice.expect(  # the end of that turn: the booking's calendar file
            lambda e: e.get("room_id") == room and e["content"].get("msgtype") == "m.file",
            after=mark,
        )
        assert calendar["content"]["body"] == "reservation-1.ics"

        # The bot's own account writing from another device is never answered.
        twin = AsyncClient(synapse.url, bot_id)
        try:
            assert isinstance(await twin.login(synapse.users[bot_id]), LoginResponse)
            sent = await twin.room_send(
                room, "m.room.message", {"msgtype": "m.text", "body": "un bureau à Figeac demain"}
            )
            assert isinstance(sent, RoomSendResponse), sent
        finally:
            await twin.close()
        after_own = await alice.quiet()
        assert bodies(after_own) == ["un bureau à Figeac demain"]  # only the twin's own line

        # A reminder from the scheduler goes through send().
        mark = len(alice.seen)
        await first.send(channel_of(room), [Reply("Rappel : jeudi matin à Figeac.")])
        await alice.expect(notice(room, "Rappel"), after=mark)
        # Sent again under its key (a crash between the send and its mark): posted once.
        for _ in range(2):
            await first.send(channel_of(room), [Reply("Rappel : à demain.")], key="k1")
        await alice.expect(notice(room, "Rappel : à demain."), after=mark)
        await alice.quiet(1.0)
        assert sum(b == "Rappel : à demain." for b in bodies(alice.seen)) == 1

        # Restart: what was said while the bot was away is history, and nothing is redone.
        await first.stop()
        stored = MatrixState.load(tmp_path / "state" / f"{BOT}.json")
        assert stored.next_batch
        assert stored.device_id
        await alice.say(room, "un bureau à Figeac vendredi matin")
        await start_bot()
        assert bodies(await alice.quiet(2.0)) == []
        mark = await alice.say(room, "mes réservations")
        listing = await alice.expect(notice(room, "Figeac"), after=mark)
        assert "jeudi 10 décembre" in listing["content"]["body"]
        await alice.quiet(0.5)
        everything = bodies(alice.seen)
        assert sum("C'est réservé" in b for b in everything) == 1
        assert sum("C'est bon ?" in b for b in everything) == 1
        assert sum("vendredi" in b for b in everything) == 0
        assert len(bookings(tmp_path / "telecentre.db")) == 1


@pytest.mark.e2e
async def test_a_choice_can_be_answered_by_reaction(
    synapse: Synapse, start_bot: StartBot, people: dict[str, Person], tmp_path: Path
) -> None:
    bob = people["bob"]
    async with asyncio.timeout(60):
        await start_bot(token=True)  # logged in with an access token this time
        room = await bob.open_dm(synapse.user_id(BOT))
        mark = await bob.say(room, "un bureau à Figeac jeudi matin")
        question = await bob.expect(notice(room, "C'est bon ?"), after=mark)
        sent = await bob.client.room_send(
            room, "m.reaction", reaction_content(question["event_id"], "1️⃣")
        )
        assert isinstance(sent, RoomSendResponse), sent
        await bob.expect(notice(room, "C'est réservé"), after=mark)
        rows = bookings(tmp_path / "telecentre.db")
        assert [(r[0], r[2], r[3]) for r in rows] == [
            ("matrix:@bob:localhost", "2026-12-10", "morning")
        ]


@pytest.mark.e2e
async def test_invitation_from_someone_not_allowed_is_refused(
    synapse: Synapse, start_bot: StartBot, people: dict[str, Person]
) -> None:
    mallory = people["mallory"]
    bot_id = synapse.user_id(BOT)
    async with asyncio.timeout(60):
        await start_bot(allowed="@alice:localhost")
        resp = await mallory.client.room_create(is_direct=True, invite=[bot_id])
        assert isinstance(resp, RoomCreateResponse), resp
        room = str(resp.room_id)
        rejected = await mallory.expect(
            lambda e: (
                e.get("room_id") == room
                and e.get("type") == "m.room.member"
                and e.get("state_key") == bot_id
                and e["content"].get("membership") == "leave"
            )
        )
        assert rejected["sender"] == bot_id
        await mallory.say(room, "un bureau à Figeac jeudi matin")
        arrived = await mallory.quiet()
        assert not any(joined(e, bot_id, room) for e in mallory.seen)
        assert bodies(arrived) == []


@pytest.mark.e2e
async def test_encrypted_room_gets_no_plaintext_and_one_explanation_elsewhere(
    synapse: Synapse, start_bot: StartBot, people: dict[str, Person]
) -> None:
    carol = people["carol"]
    bot_id = synapse.user_id(BOT)
    encryption = {
        "type": "m.room.encryption",
        "state_key": "",
        "content": {"algorithm": "m.megolm.v1.aes-sha2"},
    }
    ciphertext = {
        "algorithm": "m.megolm.v1.aes-sha2",
        "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg",
        "device_id": "CAROLDEV",
        "sender_key": "IlRMeOPX2e0MurIyfWEucYBRVOEEUMrOHqn/8mLqMjA",
        "session_id": "X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ",
    }
    async with asyncio.timeout(90):
        bot = await start_bot()
        secret_room = await carol.open_dm(bot_id, initial_state=[encryption])
        # nio without olm sends this as it is: what an end-to-end client would send.
        for _ in range(2):
            sent = await carol.client.room_send(secret_room, "m.room.encrypted", ciphertext)
            assert isinstance(sent, RoomSendResponse), sent
        await carol.say(secret_room, "un bureau à Figeac jeudi matin")  # plaintext by mistake

        plain_room = await carol.accept_invite()
        assert plain_room != secret_room
        explained = await carol.expect(notice(plain_room, "chiffrés"))
        assert explained["content"]["body"] == in_every_language(Catalogs(), ENCRYPTED_DIRECT)
        assert explained["content"]["body"].startswith("🔒 Je ne sais pas lire")
        assert "\n🔒 I can't read encrypted rooms" in explained["content"]["body"]
        rest = await carol.quiet(2.0)
        assert bodies(rest) == []
        from_bot_in_secret = [
            e
            for e in carol.seen
            if e["room_id"] == secret_room
            and e["sender"] == bot_id
            and e["type"] in ("m.room.message", "m.reaction")
        ]
        assert from_bot_in_secret == []
        with pytest.raises(EncryptedRoomError):
            await bot.send(channel_of(secret_room), [Reply("Rappel : jeudi matin.")])

        # The unencrypted chat is then a booking channel like any other.
        mark = await carol.say(plain_room, "un bureau à Figeac jeudi matin")
        await carol.expect(notice(plain_room, "C'est bon ?"), after=mark)


ENCRYPTION = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}
CIPHERTEXT = {
    "algorithm": "m.megolm.v1.aes-sha2",
    "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg",
    "device_id": "SOMEDEV",
    "sender_key": "IlRMeOPX2e0MurIyfWEucYBRVOEEUMrOHqn/8mLqMjA",
    "session_id": "X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ",
}


@pytest.mark.e2e
async def test_an_encrypted_group_is_explained_once_to_the_inviter_and_nobody_else(
    synapse: Synapse, start_bot: StartBot, people: dict[str, Person]
) -> None:
    frank, grace = people["frank"], people["grace"]
    bot_id = synapse.user_id(BOT)
    async with asyncio.timeout(90):
        await start_bot()
        resp = await frank.client.room_create(
            name="Coworking Figeac",
            invite=[bot_id, grace.user_id],
            initial_state=[ENCRYPTION],
        )
        assert isinstance(resp, RoomCreateResponse), resp
        group = str(resp.room_id)
        await frank.expect(lambda e: joined(e, bot_id, group))
        assert await grace.accept_invite() == group
        for person in (grace, frank, grace):  # everyone speaks, some twice
            sent = await person.client.room_send(group, "m.room.encrypted", CIPHERTEXT)
            assert isinstance(sent, RoomSendResponse), sent
        await grace.say(group, "bot: un bureau à Figeac jeudi matin")  # plaintext by mistake

        private = await frank.accept_invite()
        explained = await frank.expect(notice(private, "Coworking Figeac"))
        body = explained["content"]["body"]
        note = replace(ENCRYPTED_GROUP, params=(("room", "Coworking Figeac"),))
        assert body == in_every_language(Catalogs(), note)
        assert "The room “Coworking Figeac” you invited me to is encrypted" in body
        await frank.quiet(2.0)
        assert bodies([e for e in frank.seen if e["room_id"] == private]) == [body], "once"
        await grace.quiet(0.5)
        assert grace.invites == [], "the others are not written to"
        from_bot_in_group = [
            e
            for e in frank.seen + grace.seen
            if e["room_id"] == group
            and e["sender"] == bot_id
            and e["type"] in ("m.room.message", "m.reaction")
        ]
        assert from_bot_in_group == []


@pytest.mark.e2e
async def test_an_encrypted_message_in_a_plain_room_is_explained_not_routed(
    synapse: Synapse, start_bot: StartBot, people: dict[str, Person]
) -> None:
    bob = people["bob"]
    async with asyncio.timeout(60):
        await start_bot()
        room = await bob.open_dm(synapse.user_id(BOT))
        mark = len(bob.seen)
        sent = await bob.client.room_send(room, "m.room.encrypted", CIPHERTEXT)
        assert isinstance(sent, RoomSendResponse), sent
        # In an unencrypted direct chat with Bob: this one, or one from an earlier test.
        explained = await bob.expect(
            lambda e: "chiffrés" in str(e.get("content", {}).get("body")), after=mark
        )
        assert explained["sender"] == synapse.user_id(BOT)
        assert explained["content"]["body"] == in_every_language(Catalogs(), ENCRYPTED_DIRECT)
        assert not [e for e in bob.seen[mark:] if "C'est bon" in str(e["content"].get("body"))]


@pytest.mark.e2e
async def test_in_a_group_the_bot_answers_only_when_addressed_and_in_private(
    synapse: Synapse, start_bot: StartBot, people: dict[str, Person]
) -> None:
    dave, erin = people["dave"], people["erin"]
    bot_id = synapse.user_id(BOT)
    async with asyncio.timeout(90):
        await start_bot()
        resp = await dave.client.room_create(invite=[bot_id, erin.user_id])
        assert isinstance(resp, RoomCreateResponse), resp
        group = str(resp.room_id)
        await dave.expect(lambda e: joined(e, bot_id, group))
        await dave.say(group, "un bureau à Figeac jeudi matin")
        assert bodies(await dave.quiet()) == []

        await dave.say(group, "bot: un bureau à Figeac jeudi matin")
        private = await dave.accept_invite()
        await dave.expect(notice(private, "C'est bon ?"))
        assert not any(
            e["room_id"] == group and e["sender"] == bot_id and e["type"] == "m.room.message"
            for e in dave.seen
        )


@pytest.mark.e2e
async def test_rate_limits_are_waited_out_and_nothing_is_lost(
    synapse: Synapse,
    start_bot: StartBot,
    people: dict[str, Person],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bot account limited to one message a second still delivers every reply, in order."""
    bob = people["bob"]
    slow = synapse.user_id(SLOW_BOT)
    synapse.limit_messages(synapse.login(synapse.user_id("admin")), slow, per_second=1, burst=1)
    caplog.set_level(logging.WARNING, logger="bot.transports.matrix")
    async with asyncio.timeout(60):
        await start_bot(user=SLOW_BOT)
        room = await bob.open_dm(slow)
        mark = await bob.say(room, "un bureau à Figeac jeudi matin")
        question = await bob.expect(notice(room, "C'est bon ?"), after=mark)
        for key in KEYCAPS[:2]:
            await bob.expect(reacted(question["event_id"], key), after=mark)
        said = bodies(bob.seen[mark:])
        assert [b.split(",")[0] for b in said[:2]] == [
            "Bonjour",
            "Je ne garde que vos réservations",
        ]
        assert "C'est bon ?" in said[2]
    assert any("rate-limited" in r.getMessage() for r in caplog.records)


@pytest.mark.e2e
async def test_a_wrong_password_is_reported_without_the_secret(start_bot: StartBot) -> None:
    with pytest.raises(MatrixError, match="login failed") as refused:
        await start_bot(password="not-the-password")
    assert "not-the-password" not in str(refused.value)


@pytest.mark.e2e
async def test_files_reach_the_person_as_m_file_and_pictures_as_m_image(
    synapse: Synapse, start_bot: StartBot, people: dict[str, Person]
) -> None:
    erin = people["erin"]
    async with asyncio.timeout(60):
        bot = await start_bot()
        room = await erin.open_dm(synapse.user_id(BOT))
        mark = len(erin.seen)
        await bot.send(channel_of(room), [Reply("C'est réservé.", files=(ICS,))])
        sent = await erin.expect(
            lambda e: e.get("room_id") == room and e["content"].get("msgtype") == "m.file",
            after=mark,
        )
        content = sent["content"]
        assert (content["body"], content["filename"]) == (ICS.filename, ICS.filename)
        assert content["info"] == {"mimetype": "text/calendar", "size": len(ICS.data)}
        assert content["url"].startswith("mxc://localhost/")
        said = [
            e for e in erin.seen[mark:] if e.get("room_id") == room and "msgtype" in e["content"]
        ]
        assert [e["content"]["msgtype"] for e in said] == ["m.notice", "m.file"]
        downloaded = await erin.client.download(content["url"])
        assert isinstance(downloaded, MemoryDownloadResponse), downloaded
        assert downloaded.body == ICS.data

        # A chart is a picture shown in the timeline, with its size for the layout.
        mark = len(erin.seen)
        await bot.send(channel_of(room), [Reply("Semaine du 23 novembre.", files=(CHART,))])
        shown = await erin.expect(
            lambda e: e.get("room_id") == room and e["content"].get("msgtype") == "m.image",
            after=mark,
        )
        info = shown["content"]["info"]
        assert (info["w"], info["h"], info["mimetype"]) == (900, 450, "image/png")
        picture = await erin.client.download(shown["content"]["url"])
        assert isinstance(picture, MemoryDownloadResponse), picture
        assert picture.body == CHART.data


# ---------------------------------------------------------------- the doctor's check


def _doctor_settings(synapse: Synapse, tmp_path: Path, **extra: Any) -> Settings:
    user = synapse.user_id(BOT)
    values: dict[str, Any] = {
        "matrix_homeserver": synapse.url,
        "matrix_user": user,
        "matrix_password": SecretStr(synapse.users[user]),
        "matrix_access_token": None,
        "matrix_store": str(tmp_path / "doctor" / "matrix.json"),
        **extra,
    }
    return Settings(_env_file=None, **values)


@pytest.mark.e2e
async def test_the_doctor_checks_a_password_without_leaving_a_device(
    synapse: Synapse, tmp_path: Path
) -> None:
    admin = synapse.login(synapse.user_id("admin"))
    bot_id = synapse.user_id(BOT)
    before = synapse.devices(admin, bot_id)
    for _ in range(2):  # the doctor runs every minute: nothing may pile up
        assert await check(_doctor_settings(synapse, tmp_path)) is None
    assert synapse.devices(admin, bot_id) == before

    wrong = await check(
        _doctor_settings(synapse, tmp_path, matrix_password=SecretStr("not-the-password"))
    )
    assert wrong is not None
    assert "refused MATRIX_PASSWORD" in wrong
    assert "not-the-password" not in wrong


@pytest.mark.e2e
async def test_the_doctor_checks_an_access_token(synapse: Synapse, tmp_path: Path) -> None:
    bot_id = synapse.user_id(BOT)
    good = _doctor_settings(
        synapse,
        tmp_path,
        matrix_password=None,
        matrix_access_token=SecretStr(synapse.login(bot_id)),
    )
    assert await check(good) is None
    bad_token = "syt_not_a_real_token_at_all"
    bad = await check(
        _doctor_settings(
            synapse, tmp_path, matrix_password=None, matrix_access_token=SecretStr(bad_token)
        )
    )
    assert bad is not None
    assert "MATRIX_ACCESS_TOKEN" in bad
    assert "M_UNKNOWN_TOKEN" in bad
    assert bad_token not in bad
    someone_else = _doctor_settings(
        synapse,
        tmp_path,
        matrix_password=None,
        matrix_access_token=SecretStr(synapse.login(synapse.user_id("erin"))),
    )
    assert "belongs to @erin:localhost" in (await check(someone_else) or "")


@pytest.mark.e2e
async def test_the_doctor_uses_the_session_the_bot_stored(
    synapse: Synapse,
    start_bot: StartBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await start_bot()
    store = tmp_path / "state" / f"{BOT}.json"
    assert MatrixState.load(store).access_token
    assert store.stat().st_mode & 0o077 == 0, "the session is readable by its owner only"

    logins: list[str] = []
    real_login = AsyncClient.login

    async def counting(self: AsyncClient, *args: Any, **kwargs: Any) -> Any:
        logins.append(self.user)
        return await real_login(self, *args, **kwargs)

    monkeypatch.setattr(AsyncClient, "login", counting)
    settings = _doctor_settings(synapse, tmp_path, matrix_store=str(store))
    assert await check(settings) is None
    assert logins == [], "whoami on the stored session, no login"


async def test_the_doctor_says_when_the_homeserver_cannot_be_reached(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    settings = Settings(
        _env_file=None,
        matrix_homeserver=closed,
        matrix_user="@bot:localhost",
        matrix_password=SecretStr("bot-password"),
        matrix_store=str(tmp_path / "m.json"),
    )
    problem = await check(settings)
    assert problem is not None
    assert problem.startswith(f"the homeserver {closed} could not be reached")
    assert "bot-password" not in problem
    short = Settings(
        _env_file=None,
        matrix_homeserver=closed,
        matrix_user="bot",
        matrix_password=SecretStr("x"),
    )
    assert "full id" in (await check(short) or "")
