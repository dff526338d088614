"""Fixtures shared by the transport tests: one real Synapse for the session, and people."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.transports.synapse import BOT, PEOPLE, SLOW_BOT, Person, Synapse, start_synapse


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """One real homeserver for the session, in a fresh directory (users persist in it)."""
    try:
        import synapse as _synapse  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"matrix-synapse is not installed (pip install -e '.[dev]'): {exc}")
    server = start_synapse(tmp_path_factory.mktemp("synapse"))
    try:
        print(f"\nSynapse ready in {server.startup_s:.2f}s on {server.url}")
        server.register(BOT, "bot-password")
        server.register(SLOW_BOT, "slowbot-password")
        server.register("admin", "admin-password", admin=True)
        for name in PEOPLE:
            server.register(name, f"{name}-password")
        yield server
    finally:
        server.stop()


@pytest.fixture
async def people(synapse: Synapse) -> AsyncIterator[dict[str, Person]]:
    crowd = {name: Person(synapse, name) for name in PEOPLE}
    for person in crowd.values():
        await person.login()
    yield crowd
    for person in crowd.values():
        await person.close()
