"""`telecentre doctor`: what is wrong with this deployment, in plain words.

Each check says what it looked at and, when it fails, what to do. Secrets are never
printed, only whether they are set.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from alembic.script import ScriptDirectory

from booking_core.db import alembic_config, create_engine, current_revision, database_url, is_sqlite
from booking_core.network import NetworkConfigError
from bot.settings import Settings
from bot.transports import NETWORKS
from bot.wiring import network_from_env

Check = tuple[bool, str]


async def _network(settings: Settings) -> Check:
    try:
        network = network_from_env(settings.telecentre_network)
    except NetworkConfigError as exc:
        return False, f"network file: {exc}"
    return True, f"network: {network.name}, {len(network.centres)} centres"


async def _database(settings: Settings) -> Check:
    try:
        url = database_url(settings.database_url)
    except ValueError as exc:
        return False, f"database: {exc}"
    shown = url.render_as_string(hide_password=True)
    engine = create_engine(url)
    try:
        revision = await current_revision(engine)
    except Exception as exc:  # any driver error is the answer here
        return False, f"database {shown}: cannot connect ({type(exc).__name__}: {exc})"
    finally:
        await engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    if revision == head:
        return True, f"database {shown}: schema at {head}"
    if is_sqlite(url):
        return True, f"database {shown}: will be migrated to {head} on first run"
    return (
        False,
        f"database {shown}: schema at {revision}, code needs {head}: run `telecentre db upgrade`",
    )


async def _transports(settings: Settings) -> list[Check]:
    found: list[Check] = []
    for flag, name in NETWORKS:
        network = name.rsplit(".", 1)[-1]
        if not getattr(settings, flag):
            found.append((True, f"{network}: not configured"))
            continue
        # Every network module has check(): a test holds each one in NETWORKS to it.
        check: Callable[[Settings], Awaitable[str | None]] = importlib.import_module(name).check
        problem = await check(settings)
        found.append((problem is None, f"{network}: " + (problem or "credentials accepted")))
    return found


async def doctor(settings: Settings) -> list[Check]:
    checks = [await _network(settings), await _database(settings)]
    checks += await _transports(settings)
    if not (settings.telegram_enabled or settings.matrix_enabled):
        checks.append((False, "no chat network configured: set TELEGRAM_TOKEN or MATRIX_*"))
    return checks
