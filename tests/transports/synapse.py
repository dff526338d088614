"""A real Synapse homeserver for the Matrix end-to-end tests, started from the venv.

It listens on 127.0.0.1 only (client API, no TLS, no federation), keeps its SQLite
database in a fresh directory per test session (users persist across runs otherwise),
and has every rate limit raised so the tests measure the bot, not the limiter. Users are
registered through the shared-secret admin API, as an operator would with
``register_new_matrix_user``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import AsyncClient, JoinResponse, LoginResponse, RoomCreateResponse, RoomSendResponse
from nio import SyncResponse as NioSyncResponse

SERVER_NAME = "localhost"
START_TIMEOUT_S = 60.0
# No proxy for 127.0.0.1, whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

_UNLIMITED = {"per_second": 10_000, "burst_count": 10_000}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def config(directory: Path, port: int, shared_secret: str) -> dict[str, Any]:
    """The smallest homeserver.yaml that starts fast (about 2.5-4 s) and limits nothing."""
    return {
        "server_name": SERVER_NAME,
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(directory / "log.yaml"),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": shared_secret,
        "report_stats": False,
        "federation_domain_whitelist": [],
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "bcrypt_rounds": 4,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "enable_metrics": False,
        "user_directory": {"enabled": False},
        "rc_message": _UNLIMITED,
        "rc_login": {
            "address": _UNLIMITED,
            "account": _UNLIMITED,
            "failed_attempts": _UNLIMITED,
        },
        "rc_registration": _UNLIMITED,
        "rc_joins": {"local": _UNLIMITED, "remote": _UNLIMITED},
        "rc_joins_per_room": _UNLIMITED,
        "rc_invites": {
            "per_room": _UNLIMITED,
            "per_user": _UNLIMITED,
            "per_issuer": _UNLIMITED,
        },
        "rc_room_creation": _UNLIMITED,
    }


def log_config(path: Path) -> dict[str, Any]:
    """Warnings and errors only, to a file the fixture shows when the server fails."""
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": str(path), "formatter": "plain"}
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


def _write_signing_key(path: Path) -> None:
    """What ``--generate-keys`` writes, without paying Synapse's 3 s import for it."""
    from signedjson.key import generate_signing_key, write_signing_keys

    key = generate_signing_key("a_" + secrets.token_hex(2))
    with path.open("w") as out:
        write_signing_keys(out, [key])


def _request(url: str, body: dict[str, Any] | None = None, timeout: float = 10.0) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    with _OPENER.open(request, timeout=timeout) as resp:
        answer: dict[str, Any] = json.loads(resp.read())
        return answer


@dataclass
class Synapse:
    directory: Path
    port: int
    shared_secret: str
    process: subprocess.Popen[bytes] | None = None
    startup_s: float = 0.0
    users: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{SERVER_NAME}"

    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start the server and wait (bounded) until the client API answers."""
        (self.directory / "media").mkdir(parents=True, exist_ok=True)
        # YAML is a superset of JSON: both files are written with json.dumps.
        (self.directory / "log.yaml").write_text(
            json.dumps(log_config(self.directory / "homeserver.log"))
        )
        (self.directory / "homeserver.yaml").write_text(
            json.dumps(config(self.directory, self.port, self.shared_secret), indent=1)
        )
        _write_signing_key(self.directory / "signing.key")
        began = time.monotonic()
        output = (self.directory / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "synapse.app.homeserver",
                "-c",
                str(self.directory / "homeserver.yaml"),
            ],
            cwd=self.directory,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        output.close()
        deadline = began + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Synapse exited with {self.process.returncode} before answering:\n"
                    + self.log_tail()
                )
            try:
                _request(f"{self.url}/_matrix/client/versions", timeout=1.0)
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"Synapse did not answer within {timeout:.0f}s:\n" + self.log_tail()
                    ) from None
                time.sleep(0.05)
        self.startup_s = time.monotonic() - began

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for name in ("stdout.log", "homeserver.log"):
            path = self.directory / name
            if path.exists():
                text += "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text

    def register(self, localpart: str, password: str, *, admin: bool = False) -> str:
        """A new user through ``/_synapse/admin/v1/register`` (HMAC-SHA1 over a nonce)."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = str(_request(endpoint)["nonce"])
        message = "\x00".join([nonce, localpart, password, "admin" if admin else "notadmin"])
        mac = hmac.new(self.shared_secret.encode(), message.encode(), hashlib.sha1).hexdigest()
        answer = _request(
            endpoint,
            {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac,
            },
        )
        user_id = str(answer["user_id"])
        self.users[user_id] = password
        return user_id

    def login(self, user_id: str) -> str:
        """An access token for a registered user (a new device each time)."""
        answer = _request(
            f"{self.url}/_matrix/client/v3/login",
            {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user_id},
                "password": self.users[user_id],
            },
        )
        return str(answer["access_token"])

    def limit_messages(self, admin_token: str, user_id: str, per_second: int, burst: int) -> None:
        """Give one user a tight message rate limit (the admin ratelimit override API)."""
        quoted = urllib.parse.quote(user_id)
        request = urllib.request.Request(
            f"{self.url}/_synapse/admin/v1/users/{quoted}/override_ratelimit",
            data=json.dumps({"messages_per_second": per_second, "burst_count": burst}).encode(),
            method="POST",
        )
        request.add_header("Authorization", f"Bearer {admin_token}")
        request.add_header("Content-Type", "application/json")
        with _OPENER.open(request, timeout=10) as resp:
            resp.read()

    def devices(self, admin_token: str, user_id: str) -> list[str]:
        """The ids of a user's devices (the admin API), to see what logins leave behind."""
        request = urllib.request.Request(
            f"{self.url}/_synapse/admin/v2/users/{urllib.parse.quote(user_id)}/devices"
        )
        request.add_header("Authorization", f"Bearer {admin_token}")
        with _OPENER.open(request, timeout=10) as resp:
            answer = json.loads(resp.read())
        return sorted(str(d["device_id"]) for d in answer["devices"])

    def stop(self) -> None:
        """Terminate, then kill if it does not stop within ten seconds."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_synapse(directory: Path) -> Synapse:
    server = Synapse(directory, free_port(), secrets.token_hex(16))
    server.start()
    return server


# ---------------------------------------------------------------- the people

BOT = "bot"
SLOW_BOT = "slowbot"  # a bot account with a tight rate limit, for one test
PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "mallory")
WAIT_S = 15.0
QUIET_S = 1.5


class Person:
    """A teleworker on a plain nio client: writes, reacts, and reads what arrives."""

    def __init__(self, synapse: Synapse, localpart: str) -> None:
        self.user_id = synapse.user_id(localpart)
        self.password = synapse.users[self.user_id]
        self.client = AsyncClient(synapse.url, self.user_id)
        self.seen: list[dict[str, Any]] = []  # others' timeline events, with room_id
        self.invites: list[str] = []

    async def login(self) -> None:
        resp = await self.client.login(self.password, device_name="test")
        assert isinstance(resp, LoginResponse), resp
        await self.sync(0)

    async def sync(self, timeout_ms: int = 500) -> None:
        resp = await self.client.sync(timeout=timeout_ms, sync_filter={"presence": {"types": []}})
        assert isinstance(resp, NioSyncResponse), resp
        for room_id, info in resp.rooms.join.items():
            for event in info.timeline.events:
                source = dict(event.source)
                if source.get("sender") != self.user_id:
                    self.seen.append({**source, "room_id": room_id})
        self.invites += list(resp.rooms.invite)

    async def expect(
        self, matches: Callable[[dict[str, Any]], bool], after: int = 0, within: float = WAIT_S
    ) -> dict[str, Any]:
        """The first event (from index ``after``) that matches, syncing until it arrives."""
        async with asyncio.timeout(within):
            while True:
                for event in self.seen[after:]:
                    if matches(event):
                        return event
                await self.sync()

    async def quiet(self, seconds: float = QUIET_S) -> list[dict[str, Any]]:
        """Everything that arrives during ``seconds``."""
        start = len(self.seen)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await self.sync(200)
        return self.seen[start:]

    async def open_dm(self, bot: str, **extra: Any) -> str:
        resp = await self.client.room_create(is_direct=True, invite=[bot], **extra)
        assert isinstance(resp, RoomCreateResponse), resp
        room_id = str(resp.room_id)
        await self.expect(lambda e: joined(e, bot, room_id))
        return room_id

    async def say(self, room_id: str, text: str) -> int:
        """Send a text; returns the index in ``seen`` from which answers are new."""
        mark = len(self.seen)
        resp = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": text}
        )
        assert isinstance(resp, RoomSendResponse), resp
        return mark

    async def accept_invite(self) -> str:
        async with asyncio.timeout(WAIT_S):
            while not self.invites:
                await self.sync()
        room_id = self.invites.pop(0)
        resp = await self.client.join(room_id)
        assert isinstance(resp, JoinResponse), resp
        return room_id

    async def close(self) -> None:
        await self.client.close()


def joined(event: dict[str, Any], user: str, room_id: str) -> bool:
    return (
        event.get("room_id") == room_id
        and event.get("type") == "m.room.member"
        and event.get("state_key") == user
        and event.get("content", {}).get("membership") == "join"
    )


def notice(room_id: str, contains: str = "") -> Callable[[dict[str, Any]], bool]:
    def matches(event: dict[str, Any]) -> bool:
        content = event.get("content", {})
        return (
            event.get("room_id") == room_id
            and event.get("type") == "m.room.message"
            and contains in str(content.get("body", ""))
        )

    return matches


def reacted(event_id: str, key: str) -> Callable[[dict[str, Any]], bool]:
    """The bot's keycap reaction ``key`` on the question ``event_id``."""

    def matches(event: dict[str, Any]) -> bool:
        relates = event.get("content", {}).get("m.relates_to")
        return event.get("type") == "m.reaction" and relates == {
            "rel_type": "m.annotation",
            "event_id": event_id,
            "key": key,
        }

    return matches


def bodies(events: list[dict[str, Any]]) -> list[str]:
    return [str(e["content"].get("body")) for e in events if e.get("type") == "m.room.message"]
