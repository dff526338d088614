"""The console transport over one database, run after run, as `make demo` is used."""

from __future__ import annotations

import io

from bot.transports.console import run_console
from handlers.router import Router
from tests.fakes import FakeStore


async def run(router: Router, *lines: str) -> str:
    out = io.StringIO()
    await run_console(
        router, user="ana", stdin=io.StringIO("".join(f"{x}\n" for x in lines)), stdout=out
    )
    return out.getvalue()


async def test_a_second_run_is_answered_and_does_not_replay_the_first(
    router: Router, store: FakeStore
) -> None:
    first = await run(router, "bureau à Figeac vendredi matin", "oui")
    assert "C'est réservé : vendredi 4 décembre, matin, à Figeac." in first
    second = await run(router, "bureau à Aurillac lundi matin", "oui")
    assert "C'est réservé : lundi 7 décembre, matin, à Aurillac." in second
    assert "Figeac" not in second
    assert len(store.state.bookings) == 2
