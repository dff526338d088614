"""The Telegram transport: its pure translation and rendering, then the real
python-telegram-bot stack end to end against a local Bot API (tests/transports/fake_telegram).

The end-to-end tests run the real ``Application`` (polling or webhook, the rate limiter,
the update processor) and the real router on a fake store, with the clock frozen on
Thursday 3 December 2026 at 10:00 in Paris.
"""

from __future__ import annotations

import ast
import asyncio
import copy
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.error import TelegramError

from booking_core.domain import BookingStatus
from booking_core.network import Network, Period
from booking_core.services import Core
from bot.settings import Settings
from bot.transports.telegram import (
    COMMANDS,
    MAX_CALLBACK_DATA,
    AskPrivate,
    BotIdentity,
    OpenQuestions,
    PerChatOrder,
    Pressed,
    RecentIds,
    TelegramStartError,
    TelegramTransport,
    ToRouter,
    chat_id_of,
    check,
    chosen_text,
    chunks,
    commands,
    document,
    from_settings,
    is_photo,
    locale_of,
    private_note,
    quiet_library_logs,
    render,
    translate,
)
from handlers.dialogue import command_of
from handlers.i18n import Catalogs
from handlers.messages import Attachment, Choice, IncomingMessage, Reply, Undeliverable
from handlers.router import Router
from tests.conftest import Clock
from tests.fakes import FakeStore
from tests.transports.fake_telegram import JSON, FakeBotApi, keyboard_of, labels_of

TOKEN = "123456:TEST-token-that-must-never-be-logged"
ME = BotIdentity(4242, "telecentre_test_bot")
ALICE = 111
BOB = 222
GROUP = -1001234

# ---------------------------------------------------------------- pure functions


def _update(data: JSON) -> Update:
    update = Update.de_json(data, None)
    assert update is not None
    return update


def _message(chat: JSON, text: str | None = "bonjour", **extra: Any) -> JSON:
    message: JSON = {
        "message_id": 7,
        "date": 1_790_000_000,
        "chat": chat,
        "from": {"id": ALICE, "is_bot": False, "first_name": "Alice", "language_code": "en-GB"},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return message


PRIVATE = {"id": ALICE, "type": "private", "first_name": "Alice"}
SUPERGROUP = {"id": GROUP, "type": "supergroup", "title": "Télétravailleurs"}
KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "matin", "callback_data": "1"},
            {"text": "après-midi", "callback_data": "2"},
        ]
    ]
}


def test_a_private_message_becomes_an_incoming_message() -> None:
    event = translate(_update({"update_id": 1, "message": _message(PRIVATE)}), ME)
    assert event == ToRouter(
        ALICE,
        IncomingMessage(
            channel=f"telegram:{ALICE}",
            user=f"telegram:{ALICE}",
            text="bonjour",
            message_id=f"telegram:{ALICE}:7",
            locale="en",
        ),
    )


def test_a_caption_is_read_as_text() -> None:
    message = _message(PRIVATE, None, caption="bureau demain", photo=[])
    event = translate(_update({"update_id": 1, "message": message}), ME)
    assert isinstance(event, ToRouter)
    assert event.message.text == "bureau demain"


@pytest.mark.parametrize(
    "data",
    [
        {"update_id": 1, "edited_message": _message(PRIVATE)},
        {"update_id": 1, "channel_post": _message({"id": -100, "type": "channel", "title": "c"})},
        {"update_id": 1, "message": _message(PRIVATE, None, sticker=None)},
        {
            "update_id": 1,
            "message": {
                **_message(PRIVATE),
                "from": {"id": 9, "is_bot": True, "first_name": "Other bot"},
            },
        },
    ],
    ids=["edited", "channel-post", "no-text", "from-a-bot"],
)
def test_what_never_reaches_the_router(data: JSON) -> None:
    assert translate(_update(data), ME) is None


@pytest.mark.parametrize(
    ("extra", "addressed"),
    [
        ({"text": "qui réserve jeudi ?"}, False),
        ({"text": "@telecentre_test_bot un bureau jeudi"}, True),
        ({"text": "@TELECENTRE_TEST_BOT un bureau jeudi"}, True),
        ({"text": "/reserver@telecentre_test_bot"}, True),
        ({"text": "@telecentre_test_bot2 un bureau"}, False),
        ({"text": "/reserver@another_bot"}, False),
        ({"text": "/reserver"}, True),  # bare: a command of our menu
        ({"text": "/MesReservations demain"}, True),
        ({"text": "/sondage lundi"}, False),  # another bot's command
        ({"text": "/reserverx"}, False),
        ({"text": "réserver /reserver"}, False),
        (
            {
                "text": "oui",
                "reply_to_message": {
                    "message_id": 3,
                    "date": 1_790_000_000,
                    "chat": SUPERGROUP,
                    "from": {"id": ME.id, "is_bot": True, "first_name": "T"},
                    "text": "Pour réserver...",
                },
            },
            True,
        ),
    ],
)
def test_in_a_group_the_bot_answers_only_when_addressed(extra: JSON, addressed: bool) -> None:
    message = {**_message(SUPERGROUP), **extra}
    event = translate(_update({"update_id": 1, "message": message}), ME)
    if addressed:
        assert event == AskPrivate(GROUP, 7, "en")
    else:
        assert event is None


def test_a_group_is_pointed_to_the_private_chat_in_the_persons_language() -> None:
    catalogs = Catalogs()
    text, markup = private_note("en", ME, catalogs)
    assert text == "To book or manage your bookings, write to me in a private chat."
    assert markup.inline_keyboard[0][0].text == "Write in private"
    assert markup.inline_keyboard[0][0].url == "https://t.me/telecentre_test_bot"
    text, markup = private_note(None, ME, catalogs)
    assert text == "Pour réserver ou gérer vos réservations, écrivez-moi en privé."
    assert markup.inline_keyboard[0][0].text == "Écrire en privé"


def _press(chat: JSON, data: str = "2", **message_extra: Any) -> Update:
    message = {**_message(chat, "Le matin ou l'après-midi ?"), "reply_markup": KEYBOARD}
    message.update(message_extra)
    return _update(
        {
            "update_id": 5,
            "callback_query": {
                "id": "q42",
                "from": {"id": ALICE, "is_bot": False, "first_name": "A", "language_code": "fr"},
                "chat_instance": "x",
                "data": data,
                "message": message,
            },
        }
    )


def test_a_button_press_becomes_a_choice_with_the_label_seen() -> None:
    event = translate(_press(PRIVATE), ME)
    assert event == Pressed(
        query_id="q42",
        chat_id=ALICE,
        question_id=7,
        question="Le matin ou l'après-midi ?",
        label="après-midi",
        locale="fr",
        message=IncomingMessage(
            channel=f"telegram:{ALICE}",
            user=f"telegram:{ALICE}",
            text="2",
            message_id="telegram:callback:q42",
            locale="fr",
            choice="2",
        ),
    )


def test_a_press_in_a_group_is_only_acknowledged() -> None:
    event = translate(_press(SUPERGROUP), ME)
    assert isinstance(event, Pressed)
    assert event.message is None


def test_a_press_on_an_inaccessible_message_has_no_question() -> None:
    inaccessible = {"message_id": 7, "date": 0, "chat": PRIVATE}
    update = _update(
        {
            "update_id": 5,
            "callback_query": {
                "id": "q1",
                "from": {"id": ALICE, "is_bot": False, "first_name": "A"},
                "chat_instance": "x",
                "data": "1",
                "message": inaccessible,
            },
        }
    )
    event = translate(update, ME)
    assert isinstance(event, Pressed)
    assert (event.question_id, event.question, event.label) == (None, None, "1")


def test_an_answered_question_shows_the_choice() -> None:
    assert chosen_text("Le matin ?", "matin") == "Le matin ?\n\n→ matin"


def test_locale_hint_is_the_primary_language() -> None:
    assert [locale_of(c) for c in ("fr", "en-GB", "pt_BR", "", None)] == [
        "fr",
        "en",
        "pt",
        None,
        None,
    ]


def test_channel_references() -> None:
    assert chat_id_of("telegram:-100123") == -100123
    with pytest.raises(ValueError, match="not a Telegram channel"):
        chat_id_of("matrix:!room:server")


def test_a_reply_without_choices_has_no_keyboard() -> None:
    assert render(Reply("Bonjour")) == ("Bonjour", None)


def test_few_short_choices_share_a_row_and_long_lists_take_one_row_each() -> None:
    short = Reply("?", (Choice("Oui, réserver", "1"), Choice("Non", "2")))
    text, markup = render(short)
    assert text == "?"
    assert markup is not None
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [("Oui, réserver", "1"), ("Non", "2")]
    ]
    many = Reply("?", tuple(Choice(f"Centre numéro {n}", str(n)) for n in range(1, 6)))
    _, markup = render(many)
    assert markup is not None
    assert [len(row) for row in markup.inline_keyboard] == [1] * 5


def test_choices_too_long_for_a_button_become_numbered_lines() -> None:
    reply = Reply("Lequel ?", (Choice("A", "x" * (MAX_CALLBACK_DATA + 1)), Choice("B", "2")))
    text, markup = render(reply)
    assert markup is None
    assert text.splitlines() == ["Lequel ?", f"{'x' * (MAX_CALLBACK_DATA + 1)}. A", "2. B"]


def test_long_texts_are_split_at_line_breaks() -> None:
    assert chunks("court") == ["court"]
    text = "\n".join(f"ligne {n:04d} " + "x" * 40 for n in range(300))
    parts = chunks(text, 1000)
    assert all(len(part) <= 1000 for part in parts)
    assert "\n".join(parts) == text
    assert chunks("y" * 25, 10) == ["y" * 10, "y" * 10, "y" * 5]


def test_each_menu_names_the_commands_in_its_language() -> None:
    french, english = commands("fr"), commands("en")
    assert [c.command for c in french][:4] == ["start", "aide", "reserver", "mesreservations"]
    assert [c.command for c in english][:4] == ["start", "help", "book", "mybookings"]
    assert [c.description for c in french] != [c.description for c in english]
    for names in (french, english):
        # Every name in a menu is one the conversation understands.
        assert all(command_of(f"/{c.command}") not in (None, "unknown_command") for c in names)
    for row in COMMANDS:
        assert all(name.islower() and 1 <= len(name) <= 32 for name in row[:2])
        assert all(1 <= len(d) <= 256 for d in row[2:])


def test_recent_update_ids_are_remembered_within_a_bound() -> None:
    seen = RecentIds(size=3)
    assert [seen.first_time(n) for n in (1, 2, 1, 3, 4, 1)] == [
        True,
        True,
        False,
        True,
        True,
        True,  # 1 was forgotten: the memory is bounded
    ]


def test_only_the_open_question_can_be_answered_by_button() -> None:
    questions = OpenQuestions(size=2)
    assert questions.take(ALICE, 10), "a chat never seen (after a restart) gets the doubt"
    assert not questions.take(ALICE, 10), "but only once"
    assert questions.asked(ALICE, 20) is None, "nothing open to supersede"
    assert not questions.take(ALICE, 10), "an older keyboard no longer answers"
    assert questions.take(ALICE, 20)
    assert not questions.take(ALICE, 20), "a second press on the same keyboard"
    questions.asked(ALICE, 21)
    assert questions.asked(ALICE, None) == 21, "a turn without buttons closes the question"
    assert not questions.take(ALICE, 21)
    assert questions.asked(ALICE, 22) is None
    assert questions.asked(ALICE, 22) is None, "the same keyboard supersedes nothing"
    questions.asked(BOB, 30)
    questions.asked(3, 40)
    assert questions.take(ALICE, 99), "Alice was evicted: the memory is bounded"


def test_library_loggers_are_kept_above_the_levels_that_show_the_token() -> None:
    httpx_logger, ptb_logger = logging.getLogger("httpx"), logging.getLogger("telegram")
    before = httpx_logger.level, ptb_logger.level
    try:
        httpx_logger.setLevel(logging.DEBUG)
        ptb_logger.setLevel(logging.ERROR)
        quiet_library_logs()
        assert httpx_logger.level == logging.WARNING
        assert ptb_logger.level == logging.ERROR, "a stricter level is left alone"
    finally:
        httpx_logger.setLevel(before[0])
        ptb_logger.setLevel(before[1])


async def test_updates_of_one_chat_run_in_order_and_chats_run_side_by_side() -> None:
    processor = PerChatOrder()
    log: list[str] = []

    async def work(name: str, delay: float) -> None:
        log.append(f"{name} start")
        await asyncio.sleep(delay)
        log.append(f"{name} end")

    def update(chat_id: int) -> Update:
        return _update({"update_id": 1, "message": _message({**PRIVATE, "id": chat_id})})

    async with asyncio.timeout(5):
        await asyncio.gather(
            processor.process_update(update(1), work("a1", 0.05)),
            processor.process_update(update(1), work("a2", 0)),
            processor.process_update(update(2), work("b1", 0)),
        )
    assert log.index("a1 end") < log.index("a2 start"), "one chat, one at a time"
    assert log.index("b1 end") < log.index("a1 end"), "another chat did not wait"


# ---------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs()


@pytest.fixture
def router(network: Network, store: FakeStore, clock: Clock, catalogs: Catalogs) -> Router:
    return Router(Core(network, store.uow, clock), catalogs)


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotApi]:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    server = FakeBotApi(TOKEN)
    await server.start()
    yield server
    await server.stop()


def _settings(api: FakeBotApi, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_token": SecretStr(TOKEN),
        "telegram_base_url": api.base_url,
        "telegram_webhook_url": None,
        "telegram_webhook_secret": None,
        **extra,
    }
    return Settings.model_validate(values)


class Counting:
    """The router's ``handle``, counting the messages that reach it."""

    def __init__(self, handle: Callable[[IncomingMessage], Awaitable[list[Reply]]]) -> None:
        self.handle = handle
        self.seen: list[IncomingMessage] = []

    async def __call__(self, message: IncomingMessage) -> list[Reply]:
        self.seen.append(message)
        return await self.handle(message)


@pytest.fixture
async def handled(router: Router) -> Counting:
    return Counting(router.handle)


@pytest.fixture
async def telegram(api: FakeBotApi, handled: Counting) -> AsyncIterator[TelegramTransport]:
    transport = TelegramTransport(_settings(api), poll_timeout=5)
    await asyncio.wait_for(transport.start(handled), 10)
    yield transport
    await asyncio.wait_for(transport.stop(), 10)


def _with_button(api: FakeBotApi, chat_id: int, label: str) -> Callable[[], bool]:
    return lambda: any(
        label in " ".join(labels_of(m)) for k, m in api.messages.items() if k[0] == chat_id
    )


def _said(api: FakeBotApi, chat_id: int) -> str:
    return "\n".join(str(c.params["text"]) for c in api.sent(chat_id))


def _active(store: FakeStore) -> list[tuple[str, date, Period | None]]:
    return [
        (b.centre_id, b.day, b.period)
        for b in store.state.bookings.values()
        if b.status == BookingStatus.ACTIVE
    ]


@pytest.mark.e2e
async def test_a_whole_booking_with_text_and_buttons(
    api: FakeBotApi,
    telegram: TelegramTransport,
    store: FakeStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert telegram.identity == ME
    assert api.of("deleteWebhook"), "polling starts by removing any webhook"
    await api.wait_for(lambda: bool(api.of("getUpdates")), "the first poll")
    polls = api.of("getUpdates")
    assert "edited_message" not in polls[-1].params["allowed_updates"]
    assert [c["command"] for c in api.commands[None]] == [c[0] for c in COMMANDS]
    assert api.commands["en"][2] == {"command": "book", "description": "Book a desk or a room"}

    await api.push(api.text(ALICE, "un bureau à Figeac jeudi"))
    await api.wait_for(_with_button(api, ALICE, "toute la journée"), "the period question")
    question = api.last_message(ALICE)
    assert labels_of(question) == ["matin", "après-midi", "toute la journée"]
    assert not _active(store)

    await api.push(api.press(question, "matin"))
    await api.wait_for(_with_button(api, ALICE, "Oui, réserver"), "the confirmation")
    answered = api.messages[(ALICE, question["message_id"])]
    assert answered["text"].endswith("\n\n→ matin"), "the question shows what was chosen"
    assert "reply_markup" not in answered, "and its keyboard is gone"
    assert api.of("answerCallbackQuery")[0].params == {"callback_query_id": "cq1"}
    confirm = api.last_message(ALICE)
    assert "jeudi 10 décembre, matin, à Figeac" in confirm["text"]
    assert not _active(store), "nothing is written before the confirmation"

    await api.push(api.press(confirm, "Oui, réserver"))
    await api.wait_for(lambda: "C'est réservé" in _said(api, ALICE), "the booking")
    assert "C'est réservé : jeudi 10 décembre, matin, à Figeac." in _said(api, ALICE)
    assert _active(store) == [("figeac", date(2026, 12, 10), Period.MORNING)]
    assert all(b.user_id == f"telegram:{ALICE}" for b in store.state.bookings.values())

    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(r.args) for r in caplog.records)


@pytest.mark.e2e
async def test_an_old_keyboard_or_a_second_press_answers_nothing(
    api: FakeBotApi, telegram: TelegramTransport, handled: Counting, store: FakeStore
) -> None:
    await api.push(api.text(ALICE, "un bureau à Figeac jeudi"))
    await api.wait_for(_with_button(api, ALICE, "toute la journée"), "the period question")
    periods = copy.deepcopy(api.last_message(ALICE))  # as the person's client still shows it
    await api.push(api.text(ALICE, "matin"))  # answered by text
    await api.wait_for(_with_button(api, ALICE, "Oui, réserver"), "the confirmation")
    confirm = api.last_message(ALICE)
    await api.wait_for(
        lambda: "reply_markup" not in api.messages[(ALICE, periods["message_id"])],
        "the superseded keyboard removed",
    )
    routed = len(handled.seen)

    await api.push(api.press(periods, "matin"))  # a client that still shows it: "1" = "yes"
    await api.wait_for(lambda: len(api.of("answerCallbackQuery")) == 1, "the acknowledgement")
    assert api.of("answerCallbackQuery")[0].params["text"] == "Cette question est close."
    assert len(handled.seen) == routed
    assert not _active(store)

    yes = api.press(confirm, "Oui, réserver")
    again = {**api.press(confirm, "Oui, réserver"), "update_id": yes["update_id"] + 1}
    await api.push(yes, again)
    await api.wait_for(lambda: len(api.of("answerCallbackQuery")) == 3, "both acknowledgements")
    await api.wait_for(lambda: "C'est réservé" in _said(api, ALICE), "the booking")
    assert len(handled.seen) == routed + 1, "the second press on the same keyboard is stale"
    assert len(_active(store)) == 1


@pytest.mark.e2e
async def test_a_reply_without_buttons_closes_the_question_before_it(
    api: FakeBotApi, telegram: TelegramTransport, handled: Counting, store: FakeStore
) -> None:
    await api.push(api.text(ALICE, "un bureau à Figeac jeudi matin", language="en"))
    await api.wait_for(_with_button(api, ALICE, "Oui, réserver"), "the confirmation")
    confirm = copy.deepcopy(api.last_message(ALICE))  # as the person's client still shows it
    # A new request (not a question asked in passing, after which the booking resumes).
    await api.push(api.text(ALICE, "annuler ma réservation de lundi", language="en"))
    await api.wait_for(
        lambda: "reply_markup" not in api.messages[(ALICE, confirm["message_id"])],
        "the closed question's keyboard removed",
    )
    answered = api.last_message(ALICE)
    assert answered["message_id"] != confirm["message_id"]
    assert not keyboard_of(answered), "the answer itself has no buttons"
    routed = len(handled.seen)

    await api.push(api.press(confirm, "Oui, réserver", language="en"))  # a client not updated
    await api.wait_for(lambda: bool(api.of("answerCallbackQuery")), "the acknowledgement")
    assert api.of("answerCallbackQuery")[0].params["text"] == "This question is closed."
    await api.push(api.text(ALICE, "/aide", language="en"))  # to know the press was handled
    await api.wait_for(lambda: len(handled.seen) == routed + 1, "the later message")
    assert [m.text for m in handled.seen[routed:]] == ["/aide"], "no number was routed"
    assert not _active(store)


@pytest.mark.e2e
# PTB 22 warns from inside RetryAfter itself that retry_after will become a timedelta.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_a_429_is_waited_out_and_the_message_still_delivered(
    api: FakeBotApi, telegram: TelegramTransport
) -> None:
    api.flood["sendMessage"] = [1]
    await api.push(api.text(ALICE, "/aide"))
    sent = await api.wait_sent(ALICE, 1, within=6)
    refused, retried = api.of("sendMessage")[:2]
    assert (refused.status, retried.status) == (429, 200)
    assert retried is sent[0]
    assert retried.received > refused.answered, "the retry came only after the 429 was answered"
    assert retried.params["text"] == refused.params["text"]


@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_a_429_in_one_chat_does_not_hold_up_the_others(
    api: FakeBotApi, telegram: TelegramTransport
) -> None:
    api.flood_chats[ALICE] = [2]  # Telegram throttles Alice's chat for 2 s
    await api.push(api.text(ALICE, "/aide"))
    await api.wait_for(lambda: any(c.status == 429 for c in api.of("sendMessage")), "Alice's 429")
    await api.push(api.text(BOB, "/aide"))
    bob = await api.wait_sent(BOB, 1)
    alice = await api.wait_sent(ALICE, 1, within=6)
    refused = next(c for c in api.of("sendMessage") if c.status == 429)
    assert int(refused.params["chat_id"]) == ALICE
    assert bob[0].answered < alice[0].received, "Bob was answered while Alice waited"
    assert alice[0].received > refused.answered, "Alice's retry came after her 429"
    assert alice[0].params["text"] == refused.params["text"]


@pytest.mark.e2e
async def test_a_slow_chat_does_not_hold_up_the_others(
    api: FakeBotApi, telegram: TelegramTransport
) -> None:
    release = api.held_chats[ALICE] = asyncio.Event()
    await api.push(api.text(ALICE, "/aide"), api.text(BOB, "/aide"))
    await api.wait_for(lambda: bool(api.sending(ALICE)), "Alice's reply reaching the server")
    await api.wait_sent(BOB, 1)  # times out if Bob's reply waits behind Alice's
    assert api.sending(ALICE), "Bob was answered while Alice's reply was held"
    assert not api.sent(ALICE)

    release.set()
    alice = await api.wait_sent(ALICE, 1)
    assert alice[0].params["text"] == api.sent(BOB)[0].params["text"], "the same /aide reply"


@pytest.mark.e2e
async def test_an_update_delivered_twice_is_processed_once(
    api: FakeBotApi, telegram: TelegramTransport, handled: Counting
) -> None:
    update = api.text(ALICE, "/aide")
    await api.push(update, update)
    await api.push(api.text(ALICE, "/langue"))  # a later message, to know both were read
    await api.wait_for(lambda: len(handled.seen) == 2, "the later message")
    assert [m.text for m in handled.seen] == ["/aide", "/langue"]


@pytest.mark.e2e
async def test_an_edited_message_never_reaches_the_conversation(
    api: FakeBotApi, telegram: TelegramTransport, handled: Counting, store: FakeStore
) -> None:
    await api.push(api.text(ALICE, "un bureau à Figeac jeudi matin", kind="edited_message"))
    await api.push(api.text(ALICE, "/aide"))
    await api.wait_sent(ALICE, 1)
    assert [m.text for m in handled.seen] == ["/aide"]
    assert len(api.sent(ALICE)) == 1
    assert not store.state.bookings


@pytest.mark.e2e
async def test_in_a_group_only_an_addressed_message_is_answered_and_sent_to_private(
    api: FakeBotApi, telegram: TelegramTransport, handled: Counting, store: FakeStore
) -> None:
    await api.push(api.text(GROUP, "quelqu'un à Figeac jeudi ?", user_id=ALICE))
    mention = api.text(GROUP, "@telecentre_test_bot un bureau jeudi", user_id=ALICE)
    await api.push(mention)
    sent = await api.wait_sent(GROUP, 1)
    assert len(sent) == 1
    assert "écrivez-moi en privé" in sent[0].params["text"]
    assert sent[0].params["reply_parameters"]["message_id"] == mention["message"]["message_id"]
    button = keyboard_of(api.last_message(GROUP))[0][0]
    assert button["url"] == "https://t.me/telecentre_test_bot"
    assert not handled.seen
    assert not store.state.conversations


@pytest.mark.e2e
async def test_a_bare_command_in_a_group_gets_the_private_pointer(
    api: FakeBotApi, telegram: TelegramTransport, handled: Counting
) -> None:
    command = api.text(GROUP, "/reserver", user_id=BOB, language="en")
    await api.push(api.text(GROUP, "/sondage lundi", user_id=ALICE), command)
    sent = await api.wait_sent(GROUP, 1)
    assert sent[0].params["text"] == (
        "To book or manage your bookings, write to me in a private chat."
    )
    assert sent[0].params["reply_parameters"]["message_id"] == command["message"]["message_id"]
    await api.push(api.text(BOB, "/aide"))  # a later message, to know the group was read
    await api.wait_sent(BOB, 1)
    assert len(api.sent(GROUP)) == 1, "another bot's command is not answered"
    assert [m.text for m in handled.seen] == ["/aide"], "nothing from the group was routed"


@pytest.mark.e2e
async def test_send_delivers_a_reminder_with_its_buttons(
    api: FakeBotApi, telegram: TelegramTransport
) -> None:
    assert telegram.owns("telegram:222")
    assert not telegram.owns("matrix:!a:b")
    reminder = Reply("Rappel : demain matin à Figeac.", (Choice("J'y serai", "1"),))
    await telegram.send(f"telegram:{BOB}", [reminder])
    message = api.last_message(BOB)
    assert message["text"] == reminder.text
    assert labels_of(message) == ["J'y serai"]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "refusal",
    [(403, "Forbidden: bot was blocked by the user"), (400, "Bad Request: chat not found")],
)
async def test_a_chat_that_refuses_for_good_is_undeliverable(
    api: FakeBotApi, telegram: TelegramTransport, refusal: tuple[int, str]
) -> None:
    api.refused_chats[BOB] = refusal
    with pytest.raises(Undeliverable):
        await telegram.send(f"telegram:{BOB}", [Reply("Rappel : demain matin à Figeac.")])
    api.refused_chats[BOB] = (400, "Bad Request: message text is empty")
    with pytest.raises(TelegramError) as other:
        await telegram.send(f"telegram:{BOB}", [Reply("Rappel.")])
    assert not isinstance(other.value, Undeliverable), "a passing failure is retried"


ICS = Attachment("reservation-123.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


def test_an_attachment_is_uploaded_with_its_name_and_own_type() -> None:
    chart = Attachment("occupation.bin", "image/png", b"\x89PNG")
    upload = document(chart)
    assert (upload.filename, upload.mimetype) == ("occupation.bin", "image/png")
    assert upload.input_file_content == b"\x89PNG"
    assert document(ICS).mimetype == "text/calendar"


@pytest.mark.e2e
async def test_a_reply_with_files_sends_each_as_a_document_after_its_text(
    api: FakeBotApi, telegram: TelegramTransport
) -> None:
    other = Attachment("reservations.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n" * 3)
    confirmed = Reply("C'est réservé.", (Choice("Mes réservations", "1"),), (ICS, other))
    await telegram.send(f"telegram:{BOB}", [confirmed, Reply("Bonne journée !")])
    assert api.documents(BOB) == [
        {"filename": ICS.filename, "content_type": "text/calendar", "data": ICS.data},
        {"filename": other.filename, "content_type": "text/calendar", "data": other.data},
    ]
    order = [
        c.params.get("text") or c.params["document"]["filename"]
        for c in api.calls
        if c.method in ("sendMessage", "sendDocument")
    ]
    assert order == ["C'est réservé.", ICS.filename, other.filename, "Bonne journée !"]
    shown = [api.messages[key] for key in sorted(k for k in api.messages if k[0] == BOB)]
    assert [m.get("text") or m["document"]["file_name"] for m in shown] == order
    assert labels_of(shown[0]) == ["Mes réservations"], "the question keeps its buttons"


CHART = Attachment("occupation-2026-11-23.png", "image/png", b"\x89PNG\r\n", size=(900, 450))


@pytest.mark.e2e
async def test_an_image_is_sent_as_a_photo_shown_in_the_chat(
    api: FakeBotApi, telegram: TelegramTransport
) -> None:
    week = Reply("Semaine du 23 novembre : 41 %.", files=(CHART, ICS))
    await telegram.send(f"telegram:{BOB}", [week])
    assert api.photos(BOB) == [
        {"filename": CHART.filename, "content_type": "image/png", "data": CHART.data}
    ]
    assert [d["filename"] for d in api.documents(BOB)] == [ICS.filename], "others stay files"
    order = [c.method for c in api.calls if c.method.startswith("send")]
    assert order == ["sendMessage", "sendPhoto", "sendDocument"]


@pytest.mark.parametrize(
    ("file", "photo"),
    [
        (CHART, True),
        (ICS, False),
        (Attachment("a.png", "image/png", b"x", size=(9_000, 1_001)), False),  # w + h > 10,000
        (Attachment("a.png", "image/png", b"x", size=(2_100, 100)), False),  # ratio over 20
        (Attachment("a.jpg", "image/jpeg", b"x" * (10 * 1024 * 1024 + 1)), False),  # > 10 MB
        (Attachment("a.jpg", "image/jpeg", b"x" * 1024), True),  # small, size unknown
        (Attachment("a.gif", "image/gif", b"x", size=(10, 10)), False),  # not PNG or JPEG
    ],
)
def test_only_images_within_telegram_photo_limits_are_photos(file: Attachment, photo: bool) -> None:
    assert is_photo(file) is photo


@pytest.mark.e2e
async def test_a_reply_made_only_of_files_sends_no_empty_message(
    api: FakeBotApi, telegram: TelegramTransport
) -> None:
    await telegram.send(f"telegram:{BOB}", [Reply("", files=(ICS,))])
    assert [d["data"] for d in api.documents(BOB)] == [ICS.data]
    assert not api.of("sendMessage")


@pytest.mark.e2e
async def test_stop_finishes_a_message_already_received(api: FakeBotApi, router: Router) -> None:
    entered = asyncio.Event()

    async def slow(message: IncomingMessage) -> list[Reply]:
        entered.set()
        await asyncio.sleep(0.5)
        return await router.handle(message)

    transport = TelegramTransport(_settings(api), poll_timeout=5)
    await asyncio.wait_for(transport.start(slow), 10)
    try:
        await api.push(api.text(ALICE, "/aide"))
        await asyncio.wait_for(entered.wait(), 5)
    finally:
        await asyncio.wait_for(transport.stop(), 10)
    assert api.sent(ALICE), "the reply went out before stop returned"


@pytest.mark.e2e
async def test_a_refused_token_is_said_plainly_and_never_shown(
    api: FakeBotApi, router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.token = "999:another"  # the server no longer knows our token
    transport = TelegramTransport(_settings(api))
    with pytest.raises(TelegramStartError, match="refused the bot token") as raised:
        await asyncio.wait_for(transport.start(router.handle), 10)
    assert TOKEN not in repr(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None
    assert TOKEN not in caplog.text


# ---------------------------------------------------------------- webhook


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def webhook(
    api: FakeBotApi, handled: Counting
) -> AsyncIterator[tuple[TelegramTransport, str]]:
    port = _free_port()
    settings = _settings(
        api,
        telegram_webhook_url="https://bot.example.org/telegram/hook",
        telegram_webhook_secret=SecretStr("s3cret-Token_1"),
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
    )
    transport = TelegramTransport(settings)
    await asyncio.wait_for(transport.start(handled), 10)
    yield transport, f"http://127.0.0.1:{port}/telegram/hook"
    await asyncio.wait_for(transport.stop(), 10)


@pytest.mark.e2e
async def test_the_webhook_refuses_a_post_without_the_secret_and_takes_one_with_it(
    api: FakeBotApi,
    webhook: tuple[TelegramTransport, str],
    handled: Counting,
    store: FakeStore,
) -> None:
    _, url = webhook
    assert api.webhook is not None
    assert api.webhook["url"] == "https://bot.example.org/telegram/hook"
    assert api.webhook["secret_token"] == "s3cret-Token_1"
    assert "edited_message" not in api.webhook["allowed_updates"]
    assert not api.of("getUpdates"), "no polling in webhook mode"

    update = api.text(ALICE, "/aide")
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 403
        await asyncio.sleep(0.1)
        assert not handled.seen
        assert not api.sent()
        assert not store.state.conversations

        secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
        for _ in range(2):  # Telegram redelivers when unsure: the second is ignored
            async with http.post(url, json=update, headers=secret) as response:
                assert response.status == 200
    await api.wait_sent(ALICE, 1)
    follow = api.text(ALICE, "/langue")
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.post(url, json=follow, headers=secret) as response,
    ):
        assert response.status == 200
    await api.wait_for(lambda: len(handled.seen) == 2, "the follow-up")
    assert [m.text for m in handled.seen] == ["/aide", "/langue"]


async def test_a_webhook_secret_telegram_would_refuse_is_said_at_start(
    api: FakeBotApi, router: Router
) -> None:
    settings = _settings(
        api,
        telegram_webhook_url="https://bot.example.org/hook",
        telegram_webhook_secret=SecretStr("not allowed!"),
    )
    with pytest.raises(TelegramStartError, match="TELEGRAM_WEBHOOK_SECRET"):
        await TelegramTransport(settings).start(router.handle)
    assert not api.calls


# ---------------------------------------------------------------- the rest of the contract

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_telegram_transport_imports_telegram() -> None:
    importers = set()
    for package in ("bot", "handlers", "booking_core"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                if any(name == "telegram" or name.startswith("telegram.") for name in names):
                    importers.add(path.relative_to(ROOT).as_posix())
    assert importers == {"bot/transports/telegram.py"}


@pytest.mark.e2e
async def test_the_doctor_check_says_what_is_wrong_in_plain_words(api: FakeBotApi) -> None:
    assert await check(_settings(api)) is None
    assert isinstance(from_settings(_settings(api)), TelegramTransport)

    refused = await check(_settings(api, telegram_token=SecretStr("999:wrong")))
    assert refused is not None
    assert "refused TELEGRAM_TOKEN" in refused
    assert "999:wrong" not in refused

    closed = f"http://127.0.0.1:{_free_port()}/bot"
    unreachable = await check(_settings(api, telegram_base_url=closed))
    assert unreachable is not None
    assert unreachable.startswith("Telegram could not be reached")
    assert TOKEN not in unreachable

    plain = _settings(api, telegram_webhook_url="http://bot.example.org/hook")
    assert "https://" in (await check(plain) or "")


@pytest.mark.e2e
async def test_a_failing_conversation_gets_an_apology_not_silence(
    api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(message: IncomingMessage) -> list[Reply]:
        raise RuntimeError("the database is gone")

    transport = TelegramTransport(_settings(api), poll_timeout=5)
    await asyncio.wait_for(transport.start(broken), 10)
    try:
        await api.push(api.text(ALICE, "/aide", language="en"))
        sent = await api.wait_sent(ALICE, 1)
    finally:
        await asyncio.wait_for(transport.stop(), 10)
    assert sent[0].params["text"].startswith("Sorry, something went wrong")
    assert "the database is gone" in caplog.text
