"""The Telegram transport: python-telegram-bot 22, run with its manual lifecycle.

The ``Application`` is driven by hand (``initialize``, ``start``, ``updater.start_polling``
or ``start_webhook``) rather than ``run_polling`` so that it shares the bot's one event
loop with the other transports and the scheduler.

What Telegram means is decided by pure functions (:func:`translate`, :func:`render`,
:func:`chunks`, :func:`chosen_text`), so the protocol rules are unit-tested without any
network; :class:`TelegramTransport` only does I/O around them. Filtering happens here,
before the router ever sees an update: edited messages, updates delivered twice, bots,
group chatter that is not addressed to us, and presses on a keyboard that is no longer
the open question (its numbers would answer whatever is being asked now).

Flood limits are :class:`PerChatRateLimiter` (about one message a second per chat with a
short burst, 20 a minute per group, 30 a second overall; see ``bot/transports/flood.py``).
A 429 is waited out for its ``retry_after`` and retried, so a reply is delayed, not lost,
and only in the chat it concerns: PTB's ``AIORateLimiter`` pauses every request of the
bot on any 429. Updates are processed concurrently across chats and in order within a
chat, so a chat that is being throttled does not hold up the others.

This is the only module that imports ``telegram``. The token never reaches a log line:
httpx logs every request URL (which contains the token) at INFO and PTB logs the API URL
at DEBUG, so their loggers are held at WARNING and INFO respectively, and the one PTB
error that quotes the token (a refused token at start-up) is replaced by a plain one.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
import traceback
import warnings
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseRateLimiter,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)

from bot.settings import Settings
from bot.transports.base import Handler, TransportStartError
from bot.transports.flood import Chat, FloodLimits
from handlers.i18n import Catalogs, Msg, t
from handlers.messages import Attachment, IncomingMessage, Reply, Undeliverable

log = logging.getLogger(__name__)

PREFIX: Final = "telegram:"
# Telegram refuses longer texts (4096 characters after entity parsing, counted in UTF-16
# code units); the margin keeps emoji, which count twice, on the safe side.
MAX_TEXT: Final = 4000
MAX_CALLBACK_DATA: Final = 64  # bytes, Telegram's limit for a button's callback_data
PHOTO_MAX_BYTES: Final = 10 * 1024 * 1024  # sendPhoto's limit; documents may be larger
# Edited messages are not even requested; they are still dropped if one arrives.
ALLOWED_UPDATES: Final = ("message", "callback_query")
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# (command, French description, English description); French is the default list.
COMMANDS: Final = (
    # (French command, English command, French description, English description): each
    # menu names the commands in its language; the conversation knows both names.
    ("start", "start", "Commencer", "Get started"),
    ("aide", "help", "Ce que je sais faire", "What I can do"),
    ("reserver", "book", "Réserver un bureau ou une salle", "Book a desk or a room"),
    ("mesreservations", "mybookings", "Mes réservations à venir", "My upcoming bookings"),
    ("annuler", "cancel", "Annuler une réservation", "Cancel a booking"),
    ("modifier", "change", "Modifier une réservation", "Change a booking"),
    ("langue", "language", "Changer de langue", "Change language"),
    ("profil", "profile", "Mon télécentre habituel", "My usual telecentre"),
    ("mesdonnees", "mydata", "Voir mes données", "See my data"),
    ("oublier", "forget", "Effacer mes données", "Erase my data"),
)

# The few sentences the transport says itself, rendered in the reader's catalog.
PRIVATE_NOTE: Final = t("Pour réserver ou gérer vos réservations, écrivez-moi en privé.")
PRIVATE_BUTTON: Final = t("Écrire en privé")
CLOSED_NOTE: Final = t("Cette question est close.")
ERROR_NOTE: Final = t("Désolé, quelque chose s'est mal passé. Réessayez dans un instant.")


class TelegramStartError(TransportStartError):
    """Telegram could not be started; the message is plain words and never holds the token."""


# ---------------------------------------------------------------- pure translation


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, to recognise mentions of it and replies to it in groups."""

    id: int
    username: str


@dataclass(frozen=True)
class ToRouter:
    """A message for the conversation, answered in ``chat_id``."""

    chat_id: int
    message: IncomingMessage


@dataclass(frozen=True)
class AskPrivate:
    """Someone addressed the bot in a group: personal actions belong in a private chat."""

    chat_id: int
    reply_to: int
    locale: str | None


@dataclass(frozen=True)
class Pressed:
    """A button press. ``message`` is None when it must only be acknowledged (a group)."""

    query_id: str
    chat_id: int | None
    question_id: int | None  # the message carrying the keyboard, None if inaccessible
    question: str | None  # its text
    label: str  # the pressed button's label
    locale: str | None
    message: IncomingMessage | None


Event = ToRouter | AskPrivate | Pressed


def channel_of(chat_id: int) -> str:
    return f"{PREFIX}{chat_id}"


def chat_id_of(channel: str) -> int:
    """The chat id inside a ``telegram:<chat_id>`` reference."""
    if not channel.startswith(PREFIX):
        raise ValueError(f"not a Telegram channel: {channel!r}")
    return int(channel.removeprefix(PREFIX))


def locale_of(language_code: str | None) -> str | None:
    """Telegram's IETF tag (``en-GB``, ``pt-br``) reduced to the language the catalogs know."""
    if not language_code:
        return None
    return language_code.replace("_", "-").split("-", 1)[0].lower() or None


def addressed(message: Message, me: BotIdentity) -> bool:
    """In a group, the bot speaks only when spoken to: a mention, ``/cmd@bot``, or a reply."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == me.id:
        return True
    text = message.text or message.caption or ""
    # "@bot" as a mention and "/cmd@bot" alike; usernames are case-insensitive.
    return re.search(rf"@{re.escape(me.username)}(?!\w)", text, re.IGNORECASE) is not None


MENU: Final = frozenset(name for row in COMMANDS for name in row[:2])
_COMMAND = re.compile(r"/(\w{1,32})(@\w+)?(?:\s|$)")


def menu_command(text: str) -> bool:
    """A command of the bot's menu written bare, without ``@bot`` (``/reserver``).

    In a group Telegram's menu sends the bare form when the bot is the only one there,
    and people type it so anyway; with privacy mode on it is delivered to every bot of
    the group. A command of the menu is ours; any other bare command is someone else's,
    and ``/cmd@otherbot`` always is.
    """
    found = _COMMAND.match(text)
    return found is not None and found.group(2) is None and found.group(1).lower() in MENU


def translate(update: Update, me: BotIdentity) -> Event | None:
    """Decide what an update means; None for everything the router must never see."""
    if update.callback_query is not None:
        return _pressed(update.callback_query)
    message = update.message  # edited messages, channel posts and the rest stay out
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    text = message.text if message.text is not None else message.caption
    if not text:
        return None
    user = message.from_user
    locale = locale_of(user.language_code)
    chat = message.chat
    if chat.type == ChatType.PRIVATE:
        incoming = IncomingMessage(
            channel=channel_of(chat.id),
            user=f"{PREFIX}{user.id}",
            text=text,
            message_id=f"{PREFIX}{chat.id}:{message.message_id}",
            locale=locale,
        )
        return ToRouter(chat.id, incoming)
    in_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if in_group and (addressed(message, me) or menu_command(text)):
        # Booking is personal: every request made in a group is pointed to the private chat.
        return AskPrivate(chat.id, message.message_id, locale)
    return None


def label_of(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The label of the button that carries ``data``, as the person saw it."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def _pressed(query: CallbackQuery) -> Pressed:
    data = query.data or ""
    locale = locale_of(query.from_user.language_code)
    accessible = isinstance(query.message, Message) and query.message.is_accessible
    question = query.message if accessible and isinstance(query.message, Message) else None
    chat_id = query.message.chat.id if query.message is not None else None
    label = (label_of(question.reply_markup, data) if question else None) or data
    incoming = None
    if (
        data
        and query.message is not None
        and query.message.chat.type == ChatType.PRIVATE
        and chat_id is not None
    ):
        incoming = IncomingMessage(
            channel=channel_of(chat_id),
            user=f"{PREFIX}{query.from_user.id}",
            text=data,
            message_id=f"{PREFIX}callback:{query.id}",
            locale=locale,
            choice=data,
        )
    return Pressed(
        query_id=query.id,
        chat_id=chat_id,
        question_id=question.message_id if question is not None else None,
        question=question.text if question is not None else None,
        label=label,
        locale=locale,
        message=incoming,
    )


def chosen_text(question: str, label: str) -> str:
    """The question as it reads once answered: the keyboard goes, the answer stays."""
    return f"{question}\n\n→ {label}"


def keyboard(reply: Reply) -> InlineKeyboardMarkup:
    """Choices as inline buttons: a short list on one row, otherwise one per row."""
    buttons = [InlineKeyboardButton(c.label, callback_data=c.value) for c in reply.choices]
    if len(buttons) <= 3 and sum(len(c.label) for c in reply.choices) <= 36:
        return InlineKeyboardMarkup([buttons])
    return InlineKeyboardMarkup([[button] for button in buttons])


def render(reply: Reply) -> tuple[str, InlineKeyboardMarkup | None]:
    """A reply as Telegram text and keyboard; choices too long for a button become lines."""
    if not reply.choices:
        return reply.text, None
    if all(0 < len(c.value.encode()) <= MAX_CALLBACK_DATA for c in reply.choices):
        return reply.text, keyboard(reply)
    lines = [reply.text, *(f"{c.value}. {c.label}" for c in reply.choices)]
    return "\n".join(lines), None


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text into messages Telegram accepts, at line breaks when possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def document(file: Attachment) -> InputFile:
    """An attachment as an upload: its bytes, its name, and the type the conversation gave.

    PTB guesses the type from the file name; the attachment's own type is kept instead,
    so a calendar file is ``text/calendar`` whatever its name ends with.
    """
    upload = InputFile(file.data, filename=file.filename)
    upload.mimetype = file.mime_type
    return upload


def is_photo(file: Attachment) -> bool:
    """Whether Telegram takes this file as a photo, shown in the chat, not as a download.

    Telegram's limits for ``sendPhoto``: at most 10 MB, width plus height at most
    10,000 pixels, a ratio of at most 20. Anything else is sent as a document, which has
    none of these limits; an image of unknown size is tried as a photo only if small.
    """
    if not file.is_image or len(file.data) > PHOTO_MAX_BYTES:
        return False
    if file.size is None:
        return len(file.data) <= PHOTO_MAX_BYTES // 10
    width, height = file.size
    return 0 < width + height <= 10_000 and max(width, height) <= 20 * min(width, height)


def private_note(
    locale: str | None, me: BotIdentity, catalogs: Catalogs
) -> tuple[str, InlineKeyboardMarkup]:
    """The group answer: a sentence and a button that opens the private chat."""
    lang = catalogs.language(locale)
    button = InlineKeyboardButton(
        catalogs.render(PRIVATE_BUTTON, lang), url=f"https://t.me/{me.username}"
    )
    return catalogs.render(PRIVATE_NOTE, lang), InlineKeyboardMarkup([[button]])


def commands(language: str) -> list[BotCommand]:
    """The command menu in one language (``fr`` or ``en``)."""
    english = language != "fr"
    return [BotCommand(row[int(english)], row[2 + int(english)]) for row in COMMANDS]


# ---------------------------------------------------------------- small bounded memories


class RecentIds:
    """The last ``size`` update ids, so an update delivered twice is processed once."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


class OpenQuestions:
    """Which message holds each chat's open question: only its buttons still answer.

    Choice values are numbers reused by every question, so a press on an older keyboard
    would answer the current question; and two quick presses on one keyboard would
    answer two questions. Each turn ends by naming its last keyboard, or none: a reply
    without buttons closes the question before it. A chat the bot knows nothing about
    (after a restart) is given the benefit of the doubt, and the router still checks the
    choice against its state.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._open: OrderedDict[int, int | None] = OrderedDict()

    def _put(self, chat_id: int, message_id: int | None) -> None:
        self._open[chat_id] = message_id
        self._open.move_to_end(chat_id)
        if len(self._open) > self._size:
            self._open.popitem(last=False)

    def asked(self, chat_id: int, message_id: int | None) -> int | None:
        """A turn ended on this keyboard (None: on no keyboard); the one it supersedes."""
        previous = self._open.get(chat_id)
        self._put(chat_id, message_id)
        return previous if previous != message_id else None

    def take(self, chat_id: int, message_id: int) -> bool:
        """Whether this press answers the open question; it is then answered."""
        if chat_id in self._open and self._open[chat_id] != message_id:
            return False
        self._put(chat_id, None)
        return True


class PerChatOrder(BaseUpdateProcessor):
    """Run chats concurrently, each chat's updates one at a time in arrival order.

    A conversation is a state machine stored per chat: two of its messages at once would
    race on it, while another chat waiting for a throttled one would freeze for nothing.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then process this one."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        key = chat.id
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Allocate nothing: locks are made when a chat first needs one."""

    async def shutdown(self) -> None:
        """Release nothing: a chat's lock is dropped once nobody waits on it."""


def chat_of(data: dict[str, Any]) -> Chat | None:
    """The chat a Bot API request writes to, from its parameters (None: no chat)."""
    value = data.get("chat_id")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    try:
        return int(text)
    except ValueError:
        return text or None  # "@channelname"


def retry_seconds(error: RetryAfter) -> float:
    """A 429's wait in seconds (PTB 22 returns an int or a timedelta, and warns about it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


ApiCall = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class PerChatRateLimiter(BaseRateLimiter[int]):
    """Throttle each request to Telegram's flood limits, and wait out a 429 where it applies.

    A request waits for its chat's limits and the overall one, then goes; a 429 holds back
    that chat only until its ``retry_after`` (a 429 that names no chat, e.g. on
    getUpdates, pauses everything). The requests of one chat start in the order they were
    made. ``rate_limit_args`` is the number of retries, as for PTB's ``AIORateLimiter``.
    """

    def __init__(
        self,
        limits: FloodLimits | None = None,
        *,
        max_retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or FloodLimits()
        self._max_retries = max_retries
        self._clock, self._sleep = clock, sleep
        self._queues: dict[Chat | None, asyncio.Lock] = {}
        self._waiting: Counter[Chat | None] = Counter()

    async def initialize(self) -> None:
        """Nothing to open: the limits are plain bookkeeping."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def _slot(self, chat: Chat | None) -> None:
        """Wait, in the chat's queue, until every limit lets one more request go."""
        lock = self._queues.setdefault(chat, asyncio.Lock())
        self._waiting[chat] += 1
        try:
            async with lock:
                while (delay := self.limits.wait(chat, self._clock())) > 0:
                    await self._sleep(delay)
                self.limits.take(chat, self._clock())
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat], self._queues[chat]

    async def process_request(
        self,
        callback: ApiCall,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Make the call when the limits allow; retry after a 429, up to the retries allowed."""
        chat = chat_of(data)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            await self._slot(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt >= retries:
                    raise
                attempt += 1
                wait = retry_seconds(error)
                log.info("telegram: %s limited for %.0f s (chat %s)", endpoint, wait, chat)
                now = self._clock()
                self.limits.retry_after(chat, now + wait, now)


# ---------------------------------------------------------------- logging hygiene


def quiet_library_logs() -> None:
    """Keep the loggers that print the token (in URLs) below the levels that would show it.

    Only ever raises a level: a stricter setting made elsewhere is left alone.
    """
    for name, floor in (
        ("httpx", logging.WARNING),
        ("httpcore", logging.WARNING),
        ("telegram", logging.INFO),
    ):
        logger = logging.getLogger(name)
        if logger.level < floor:
            logger.setLevel(floor)


def redact(exc: BaseException, token: str) -> str:
    """An exception as one log-safe line: PTB quotes the token in some messages."""
    return f"{type(exc).__name__}: {exc}".replace(token, "<token>")


# ---------------------------------------------------------------- the transport

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramTransport:
    """Telegram for the bot: long polling, or a webhook when a public URL is configured."""

    name = "telegram"

    def __init__(
        self,
        settings: Settings,
        *,
        poll_timeout: float = 30.0,
        catalogs: Catalogs | None = None,
    ) -> None:
        if not settings.telegram_enabled or settings.telegram_token is None:
            raise TelegramStartError("no Telegram token is configured (TELEGRAM_TOKEN)")
        quiet_library_logs()
        self._settings = settings
        self._catalogs = catalogs
        self._token = settings.telegram_token
        self._poll_timeout = poll_timeout
        self._app: TelegramApp | None = None
        self._handle: Handler | None = None
        self._me: BotIdentity | None = None
        self._seen = RecentIds()
        self._questions = OpenQuestions()

    # -------------------------------------------------------------- protocol

    def owns(self, channel: str) -> bool:
        return channel.startswith(PREFIX)

    @property
    def identity(self) -> BotIdentity | None:
        return self._me

    async def start(self, handle: Handler) -> None:
        """Connect, register the command menus, and start polling or the webhook."""
        if self._app is not None:
            raise RuntimeError("the Telegram transport is already started")
        quiet_library_logs()
        self._handle = handle
        if self._catalogs is None:
            self._catalogs = Catalogs()
        webhook = self._settings.telegram_webhook_url
        secret = self._webhook_secret() if webhook else None
        app = self._build()
        self._app = app
        try:
            await self._initialize(app)
            await self._register_commands(app)
            app.add_handler(TypeHandler(Update, self._on_update))
            app.add_error_handler(self._on_error)
            await app.start()
            updater = app.updater
            assert updater is not None  # built with the default updater
            if webhook:
                await updater.start_webhook(
                    listen=self._settings.telegram_webhook_listen,
                    port=self._settings.telegram_webhook_port,
                    url_path=urlsplit(webhook).path,
                    webhook_url=webhook,
                    secret_token=secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
                log.info("telegram: webhook listening for @%s", self._username())
            else:
                await updater.start_polling(
                    timeout=timedelta(seconds=self._poll_timeout),
                    allowed_updates=list(ALLOWED_UPDATES),
                    error_callback=self._on_poll_error,
                )
                log.info("telegram: polling for @%s", self._username())
        except TelegramError as exc:
            await self.stop()
            raise TelegramStartError(f"Telegram could not start: {self._redact(exc)}") from None
        except BaseException:
            await self.stop()
            raise

    async def send(self, channel: str, replies: list[Reply], *, key: str | None = None) -> None:
        """Deliver replies outside a conversation turn (reminders, digests).

        ``key`` is unused: the Bot API has no idempotency id, so a resend after a crash
        between the send and its mark is the one duplicate Telegram can show.

        A reminder with buttons is the chat's question from then on; one without leaves
        the question as it was (the scheduler keeps the dialogue's question alike).
        """
        chat_id = chat_id_of(channel)
        keyboards: list[int] = []
        try:
            await self._deliver(chat_id, replies, keyboards)
        except Forbidden as exc:  # blocked by the person, or removed from the group
            raise Undeliverable(f"telegram refuses this chat for good: {exc.message}") from None
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                raise Undeliverable("telegram: chat not found") from None
            raise
        finally:
            if keyboards:
                await self._close_superseded(chat_id, keyboards[-1])

    async def stop(self) -> None:
        """Stop fetching, let the updates already received finish, then disconnect."""
        app = self._app
        if app is None:
            return
        try:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()  # waits for the updates already received
        finally:
            self._app = None
            await app.shutdown()
        log.info("telegram: stopped")

    # -------------------------------------------------------------- set-up

    def _build(self) -> TelegramApp:
        builder = (
            Application.builder()
            .token(self._token.get_secret_value())
            .rate_limiter(PerChatRateLimiter(max_retries=5))
            .concurrent_updates(PerChatOrder())
            .job_queue(None)
            # A long poll cancelled by stop() can hold its connection a moment longer, and
            # the last getUpdates (which confirms the offset) then needs a second one.
            .get_updates_connection_pool_size(2)
        )
        if self._settings.telegram_base_url:
            builder = builder.base_url(self._settings.telegram_base_url)
        return builder.build()

    def _webhook_secret(self) -> str:
        """The configured secret token, or a fresh one (Telegram echoes whatever we set)."""
        configured = self._settings.telegram_webhook_secret
        if configured is None or not configured.get_secret_value():
            return secrets.token_urlsafe(32)
        value = configured.get_secret_value()
        if not _SECRET_CHARS.match(value):
            raise TelegramStartError(
                "TELEGRAM_WEBHOOK_SECRET must be 1 to 256 letters, digits, '_' or '-'"
            )
        return value

    async def _initialize(self, app: TelegramApp) -> None:
        refused = False
        try:
            await app.initialize()  # getMe: checks the token
        except InvalidToken:  # its message quotes the token
            refused = True
        if refused:
            raise TelegramStartError("Telegram refused the bot token (check TELEGRAM_TOKEN)")
        self._me = BotIdentity(app.bot.id, app.bot.username)

    async def _register_commands(self, app: TelegramApp) -> None:
        """Publish the command menu in French (the default) and English; best effort."""
        try:
            await app.bot.set_my_commands(commands("fr"))
            await app.bot.set_my_commands(commands("en"), language_code="en")
        except TelegramError as exc:
            log.warning("telegram: the command menu was not registered: %s", self._redact(exc))

    # -------------------------------------------------------------- turns

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Route one update, unless it was seen already or is not for the conversation."""
        if not self._seen.first_time(update.update_id):
            log.info("telegram: update %s delivered twice, ignored", update.update_id)
            return
        assert self._me is not None
        event = translate(update, self._me)
        if isinstance(event, ToRouter):
            await self._turn(event.chat_id, event.message)
        elif isinstance(event, Pressed):
            await self._on_press(event)
        elif isinstance(event, AskPrivate):
            text, markup = private_note(event.locale, self._me, self._strings())
            await self._bot().send_message(
                event.chat_id,
                text,
                reply_markup=markup,
                reply_parameters=ReplyParameters(event.reply_to),
            )

    async def _on_press(self, press: Pressed) -> None:
        bot = self._bot()
        fresh = (
            press.message is not None
            and press.chat_id is not None
            and press.question_id is not None
            and self._questions.take(press.chat_id, press.question_id)
        )
        notice = None if fresh or press.message is None else self._note(CLOSED_NOTE, press.locale)
        await self._quietly(bot.answer_callback_query(press.query_id, text=notice))
        if press.chat_id is None or press.question_id is None:
            return
        if not fresh:
            if press.message is not None:
                await self._quietly(bot.edit_message_reply_markup(press.chat_id, press.question_id))
            return
        if press.question is not None:
            await self._quietly(
                bot.edit_message_text(
                    chosen_text(press.question, press.label), press.chat_id, press.question_id
                )
            )
        assert press.message is not None
        await self._turn(press.chat_id, press.message)

    async def _turn(self, chat_id: int, message: IncomingMessage) -> None:
        assert self._handle is not None
        try:
            replies = await self._handle(message)
        except Exception:
            log.exception("telegram: the conversation failed on a message")
            replies = [Reply(self._note(ERROR_NOTE, message.locale))]
        keyboards: list[int] = []
        try:
            await self._deliver(chat_id, replies, keyboards)
        finally:
            # Whatever went out, the turn is over: only its last keyboard still answers.
            await self._close_superseded(chat_id, keyboards[-1] if keyboards else None)

    async def _close_superseded(self, chat_id: int, asked: int | None) -> None:
        """Make ``asked`` the open question; the keyboard it replaces loses its buttons."""
        superseded = self._questions.asked(chat_id, asked)
        if superseded is not None:
            await self._quietly(self._bot().edit_message_reply_markup(chat_id, superseded))

    async def _deliver(
        self, chat_id: int, replies: list[Reply], keyboards: list[int] | None = None
    ) -> None:
        """Send each reply's text, then its files (photos or documents), in order.

        The files come after the text they belong to (the text says what they are); a
        reply made only of files sends no empty message, which Telegram would refuse.
        The messages that carry a keyboard are added to ``keyboards`` as they go out.
        """
        bot = self._bot()
        for reply in replies:
            text, markup = render(reply)
            parts = chunks(text) if text or markup is not None or not reply.files else []
            for n, part in enumerate(parts, 1):
                last = n == len(parts)
                sent = await bot.send_message(chat_id, part, reply_markup=markup if last else None)
                if last and markup is not None and keyboards is not None:
                    keyboards.append(sent.message_id)
            for file in reply.files:
                if is_photo(file):
                    await bot.send_photo(chat_id, document(file))
                else:
                    await bot.send_document(chat_id, document(file))

    # -------------------------------------------------------------- helpers

    def _strings(self) -> Catalogs:
        if self._catalogs is None:
            self._catalogs = Catalogs()
        return self._catalogs

    def _note(self, note: Msg, locale: str | None) -> str:
        catalogs = self._strings()
        return catalogs.render(note, catalogs.language(locale))

    def _bot(self) -> Bot:
        if self._app is None:
            raise RuntimeError("the Telegram transport is not started")
        bot: Bot = self._app.bot
        return bot

    async def _quietly(self, call: Awaitable[Any]) -> None:
        """Make a cosmetic call (acknowledge, edit) whose failure must not stop the turn."""
        try:
            await call
        except TelegramError as exc:
            log.warning("telegram: %s", self._redact(exc))

    def _username(self) -> str:
        return self._me.username if self._me else "?"

    def _redact(self, exc: BaseException) -> str:
        return redact(exc, self._token.get_secret_value())

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log an error raised while processing an update, with its trace, without the token."""
        error = context.error
        if error is not None:
            trace = "".join(traceback.format_exception(error))
            log.error(
                "telegram: an update failed: %s",
                trace.replace(self._token.get_secret_value(), "<token>"),
            )

    def _on_poll_error(self, error: TelegramError) -> None:
        """Log a polling error without the token; PTB retries by itself."""
        log.warning("telegram: polling: %s", self._redact(error))


def from_settings(settings: Settings, catalogs: Catalogs | None = None) -> TelegramTransport:
    """The transport for ``bot.transports.configured_transports``."""
    return TelegramTransport(settings, catalogs=catalogs)


async def check(settings: Settings) -> str | None:
    """What is wrong with the Telegram settings, in plain words, or None (for the doctor)."""
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    if not token:
        return "TELEGRAM_TOKEN is not set: create the bot with @BotFather and copy its token"
    webhook = settings.telegram_webhook_url
    if webhook and urlsplit(webhook).scheme != "https":
        return "TELEGRAM_WEBHOOK_URL must be an https:// address: Telegram calls nothing else"
    secret = settings.telegram_webhook_secret
    if webhook and secret is not None and not _SECRET_CHARS.match(secret.get_secret_value()):
        return "TELEGRAM_WEBHOOK_SECRET must be 1 to 256 letters, digits, '_' or '-'"
    quiet_library_logs()  # a Bot logs its API URL, token included, at DEBUG
    bot = (
        Bot(token, base_url=settings.telegram_base_url)
        if settings.telegram_base_url
        else Bot(token)
    )
    refused = False
    try:
        async with bot:  # getMe
            pass
    except InvalidToken:
        refused = True
    except TelegramError as exc:
        return f"Telegram could not be reached ({redact(exc, token)})"
    if refused:
        return "Telegram refused TELEGRAM_TOKEN: check it with @BotFather (/token)"
    return None


__all__ = [
    "AskPrivate",
    "BotIdentity",
    "OpenQuestions",
    "PerChatOrder",
    "PerChatRateLimiter",
    "Pressed",
    "RecentIds",
    "TelegramStartError",
    "TelegramTransport",
    "ToRouter",
    "check",
    "chosen_text",
    "chunks",
    "commands",
    "document",
    "from_settings",
    "menu_command",
    "render",
    "translate",
]
