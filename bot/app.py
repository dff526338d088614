"""`telecentre run`: the database, the router, the scheduler and every configured transport
in one loop.

SIGTERM and Ctrl-C set one event; the transports then stop side by side, each no longer
taking messages and finishing those it already acknowledged, all under one deadline
(shorter than the grace Docker gives before SIGKILL), before the database is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime

from bot import logs
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.transports import configured_transports
from bot.transports.base import Transport
from bot.wiring import network_from_env, open_runtime, system_clock
from handlers.i18n import Catalogs
from handlers.router import Router

log = logging.getLogger(__name__)
# All transports together; compose.yaml's stop_grace_period leaves room above it.
STOP_TIMEOUT_S = 8.0


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.telegram_token,
        settings.telegram_webhook_secret,
        settings.matrix_password,
        settings.matrix_access_token,
    ]
    return [v.get_secret_value() for v in values if v is not None]


async def run(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = system_clock,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Serve until stopped; returns the process exit code."""
    began = time.perf_counter()
    catalogs = Catalogs()
    transports = configured_transports(settings, catalogs)
    if not transports:
        log.error("no chat network configured: set TELEGRAM_TOKEN or MATRIX_* (see README)")
        return 2
    runtime = await open_runtime(
        network=network_from_env(settings.telecentre_network),
        url=settings.database_url,
        clock=clock,
    )
    router = Router(runtime.core, catalogs)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not main thread/Unix
            loop.add_signal_handler(sig, stop.set)
    started: list[Transport] = []
    try:
        for transport in transports:
            await transport.start(router.handle)
            started.append(transport)
            log.info("%s transport running", transport.name)
        scheduler = Scheduler(runtime.core, started, router.catalogs)
        log.info("ready in %.2f s", time.perf_counter() - began)
        if ready is not None:
            ready.set()
        async with asyncio.TaskGroup() as group:
            group.create_task(scheduler.run(stop))
            await stop.wait()
        log.info("stopping")
    finally:
        await stop_all(started)
        await runtime.close()
    return 0


async def stop_all(transports: list[Transport]) -> None:
    """Stop every transport at once; whatever is still stopping at the deadline is cancelled.

    One after the other, each with its own timeout, the worst case would be the sum.
    """
    deadline = STOP_TIMEOUT_S
    stopping = {asyncio.ensure_future(t.stop()): t for t in transports}
    if not stopping:
        return
    done, late = await asyncio.wait(stopping, timeout=deadline)
    for task in late:
        log.warning("%s transport did not stop within %.0f s", stopping[task].name, deadline)
        task.cancel()
    if late:
        await asyncio.wait(late, timeout=1.0)  # let cancelled stops close their sockets
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s transport failed to stop: %r", stopping[task].name, task.exception())


def main(settings: Settings | None = None) -> int:
    settings = settings or Settings()
    logs.configure(secrets=_secrets(settings))
    return asyncio.run(run(settings))
