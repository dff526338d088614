"""A local Telegram Bot API for end-to-end tests: no Telegram server is reachable here.

It speaks just enough of the Bot API (getMe, deleteWebhook, setWebhook, getUpdates with
long polling and offsets, sendMessage, editMessageText, editMessageReplyMarkup,
answerCallbackQuery, setMyCommands) for the real python-telegram-bot stack to run
against it, and plays the people on the other side: it builds their updates, keeps the
bot's messages as a chat client would show them, and can answer 429 or hold one chat's
messages until the test releases them. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

JSON = dict[str, Any]
# Parameters that PTB sends JSON-encoded inside its form body.
_JSON_PARAMS = {"reply_markup", "allowed_updates", "commands", "reply_parameters", "scope"}
# The longest a held sendMessage waits for its release before the server gives up on it.
HOLD_LIMIT_S = 30.0


@dataclass
class Call:
    method: str
    params: JSON
    at: float  # time.perf_counter() when the server received it (for benchmarks)
    status: int = 0  # 0 while the call is being answered
    done: float = 0.0  # time.perf_counter() when it was answered (for benchmarks)
    # Positions in the server's one sequence of receipts and answers, to check what
    # happened before what without reading a clock (answered is 0 while being answered).
    received: int = 0
    answered: int = 0


@dataclass
class FakeBotApi:
    token: str
    bot_id: int = 4242
    username: str = "telecentre_test_bot"
    calls: list[Call] = field(default_factory=list)
    # The bot's messages as a client shows them now (edits applied), by (chat, message id).
    messages: dict[tuple[int, int], JSON] = field(default_factory=dict)
    commands: dict[str | None, list[JSON]] = field(default_factory=dict)
    webhook: JSON | None = None
    # Method -> retry_after values to answer with 429, one per call, before succeeding.
    flood: dict[str, list[int]] = field(default_factory=dict)
    # Chat id -> retry_after values: that chat's sendMessage calls get 429 first (a chat
    # throttled by Telegram while the others are not).
    flood_chats: dict[int, list[int]] = field(default_factory=dict)
    # Chat id -> event: a sendMessage to that chat is answered only once the event is set
    # (a slow chat whose pace the test controls; given up after HOLD_LIMIT_S with a 504).
    held_chats: dict[int, asyncio.Event] = field(default_factory=dict)
    # Chat id -> (status, description): every sendMessage to that chat is refused so (a
    # person who blocked the bot: 403 "Forbidden: bot was blocked by the user").
    refused_chats: dict[int, tuple[int, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self._sequence = itertools.count(1)
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -------------------------------------------------------------- server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"  # PTB appends the token; no trailing slash

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None)
        assert sockets
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        async with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        call = Call(method, await _params(request), time.perf_counter())
        await self._record(call)
        handler = getattr(self, f"_api_{method}", None)
        pending = self.flood.get(method)
        if not pending and method == "sendMessage" and "chat_id" in call.params:
            pending = self.flood_chats.get(int(call.params["chat_id"]))
        refused = (
            self.refused_chats.get(int(call.params["chat_id"]))
            if method == "sendMessage" and "chat_id" in call.params
            else None
        )
        if handler is None:
            response = _error(404, f"Not Found: method {method} is not faked")
        elif refused is not None:
            response = _error(*refused)
        elif pending:
            retry_after = pending.pop(0)
            response = _error(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        else:
            try:
                response = web.json_response({"ok": True, "result": await handler(call.params)})
            except TimeoutError:
                response = _error(504, f"Gateway Timeout: held over {HOLD_LIMIT_S:.0f}s")
        await self._answered(call, response.status)
        return response

    async def _record(self, call: Call) -> None:
        async with self._changed:
            call.received = next(self._sequence)
            self.calls.append(call)
            self._changed.notify_all()

    async def _answered(self, call: Call, status: int) -> None:
        async with self._changed:
            call.status, call.done = status, time.perf_counter()
            call.answered = next(self._sequence)
            self._changed.notify_all()

    # -------------------------------------------------------------- Bot API methods

    def me(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Télécentres",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getMe(self, params: JSON) -> JSON:
        return self.me()

    async def _api_deleteWebhook(self, params: JSON) -> bool:
        self.webhook = None
        return True

    async def _api_setWebhook(self, params: JSON) -> bool:
        self.webhook = params
        return True

    async def _api_setMyCommands(self, params: JSON) -> bool:
        self.commands[params.get("language_code")] = params["commands"]
        return True

    async def _api_getUpdates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            # Asking from an offset confirms every update before it, as Telegram does.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closing:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    break
            return list(self._updates[:limit])

    async def _api_sendMessage(self, params: JSON) -> JSON:
        chat_id = int(params["chat_id"])
        release = self.held_chats.get(chat_id)
        if release is not None:
            await asyncio.wait_for(release.wait(), HOLD_LIMIT_S)
        message = self._message(chat_id, params["text"], self.me())
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if params.get("reply_parameters"):
            message["reply_parameters"] = params["reply_parameters"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _api_editMessageText(self, params: JSON) -> JSON:
        message = self.messages[(int(params["chat_id"]), int(params["message_id"]))]
        message["text"] = params["text"]
        message["edit_date"] = int(time.time())
        # As on Telegram: an edit without a keyboard removes the keyboard.
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        return message

    async def _api_editMessageReplyMarkup(self, params: JSON) -> JSON:
        message = self.messages[(int(params["chat_id"]), int(params["message_id"]))]
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        return message

    async def _api_answerCallbackQuery(self, params: JSON) -> bool:
        return True

    async def _api_sendPhoto(self, params: JSON) -> JSON:
        """A picture uploaded as multipart form data; Telegram answers with its sizes."""
        chat_id = int(params["chat_id"])
        upload = params["photo"]
        assert isinstance(upload, dict), "sendPhoto without an uploaded file"
        message = self._message(chat_id, "", self.me())
        del message["text"]
        n = message["message_id"]
        message["photo"] = [
            {"file_id": f"photo{n}", "file_unique_id": f"uphoto{n}", "width": 90, "height": 45},
        ]
        self.messages[(chat_id, n)] = message
        return message

    async def _api_sendDocument(self, params: JSON) -> JSON:
        """A file uploaded as multipart form data; the call keeps its bytes (see _params)."""
        chat_id = int(params["chat_id"])
        upload = params["document"]
        assert isinstance(upload, dict), "sendDocument without an uploaded file"
        message = self._message(chat_id, "", self.me())
        del message["text"]
        message["document"] = {
            "file_id": f"doc{message['message_id']}",
            "file_unique_id": f"udoc{message['message_id']}",
            "file_name": upload["filename"],
            "mime_type": upload["content_type"],
            "file_size": len(upload["data"]),
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    # -------------------------------------------------------------- the people

    def user(self, user_id: int, language: str | None = "fr") -> JSON:
        person: JSON = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language:
            person["language_code"] = language
        return person

    def chat(self, chat_id: int) -> JSON:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": "Télétravailleurs du Lot"}

    def _message(self, chat_id: int, text: str, sender: JSON) -> JSON:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": sender,
            "text": text,
        }

    def text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language: str | None = "fr",
        reply_to: JSON | None = None,
        kind: str = "message",
    ) -> JSON:
        """An update carrying a person's message (``kind="edited_message"`` for an edit)."""
        message = self._message(chat_id, text, self.user(user_id or chat_id, language))
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if kind == "edited_message":
            message["edit_date"] = message["date"] + 5
        return {"update_id": next(self._update_ids), kind: message}

    def press(
        self, message: JSON, label: str, *, user_id: int | None = None, language: str = "fr"
    ) -> JSON:
        """An update for a press on the button of ``message`` whose label contains ``label``."""
        chat_id = int(message["chat"]["id"])
        buttons = [b for row in keyboard_of(message) for b in row]
        matching = [b for b in buttons if label in b["text"]]
        assert matching, f"no button {label!r} in {[b['text'] for b in buttons]}"
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cq{next(self._query_ids)}",
                "from": self.user(user_id or chat_id, language),
                "chat_instance": f"ci{chat_id}",
                "data": matching[0]["callback_data"],
                "message": json.loads(json.dumps(message)),  # as it is now
            },
        }

    async def push(self, *updates: JSON) -> None:
        """Make updates available to getUpdates at once (the same one twice: a redelivery)."""
        async with self._changed:
            self._updates.extend(updates)
            self._changed.notify_all()

    # -------------------------------------------------------------- looking

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "sendMessage"
            and c.status == 200
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def documents(self, chat_id: int) -> list[JSON]:
        """The files sent to a chat, in order: ``filename``, ``content_type`` and ``data``."""
        return [
            c.params["document"]
            for c in self.calls
            if c.method == "sendDocument"
            and c.status == 200
            and int(c.params["chat_id"]) == chat_id
        ]

    def photos(self, chat_id: int) -> list[JSON]:
        """The pictures sent to a chat, in order: ``filename``, ``content_type`` and ``data``."""
        return [
            c.params["photo"]
            for c in self.calls
            if c.method == "sendPhoto" and c.status == 200 and int(c.params["chat_id"]) == chat_id
        ]

    def sending(self, chat_id: int) -> list[Call]:
        """The sendMessage calls to a chat that the server has received but not answered."""
        return [
            c
            for c in self.calls
            if c.method == "sendMessage" and c.status == 0 and int(c.params["chat_id"]) == chat_id
        ]

    def last_message(self, chat_id: int) -> JSON:
        """The bot's latest message in a chat, as the person sees it now."""
        key = max(k for k in self.messages if k[0] == chat_id)
        return self.messages[key]

    async def wait_for(self, predicate: Callable[[], bool], what: str, within: float = 5.0) -> None:
        """Wait until the server has seen what ``predicate`` checks; fail after ``within`` s."""
        try:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            seen = [(c.method, c.status) for c in self.calls[-15:]]
            raise AssertionError(f"timed out waiting for {what}; last calls: {seen}") from None

    async def wait_sent(self, chat_id: int, count: int, within: float = 5.0) -> list[Call]:
        """Wait for the ``count``-th message to a chat; return the messages sent there."""
        await self.wait_for(
            lambda: len(self.sent(chat_id)) >= count, f"message {count} to {chat_id}", within
        )
        return self.sent(chat_id)


def keyboard_of(message: JSON) -> list[list[JSON]]:
    markup = message.get("reply_markup") or {}
    rows: list[list[JSON]] = markup.get("inline_keyboard", [])
    return rows


def labels_of(message: JSON) -> list[str]:
    return [str(b["text"]) for row in keyboard_of(message) for b in row]


async def _params(request: web.Request) -> JSON:
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if body else {}
    form = await request.post()
    params: JSON = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):  # an upload (a document, a photo): keep it whole
            params[key] = {
                "filename": value.filename,
                "content_type": value.content_type,
                "data": value.file.read(),
            }
            continue
        text = value if isinstance(value, str) else ""
        params[key] = json.loads(text) if key in _JSON_PARAMS else text
    return params


def _error(status: int, description: str, *, retry_after: int | None = None) -> web.Response:
    body: JSON = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


def run_environment(api: FakeBotApi, token: str, database: Path) -> dict[str, str]:
    """The environment of a `telecentre run` process that talks to ``api`` only: this
    machine's own chat settings left out, the fake server reachable without a proxy."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "MATRIX_", "DATABASE_URL", "TELECENTRE_"))
    }
    env.update(
        TELEGRAM_TOKEN=token,
        TELEGRAM_BASE_URL=api.base_url,
        DATABASE_URL=f"sqlite:///{database}",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env
