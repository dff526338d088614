"""Load and save what the conversation layer keeps per person: dialogue state and profile.

The core stores these rows without reading them: the dialogue's state is opaque JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from booking_core.domain import Profile
from booking_core.services import Core
from booking_core.uow import UnitOfWork


@dataclass(frozen=True)
class Context:
    state: dict[str, Any] | None
    profile: Profile | None


async def load(core: Core, channel: str, user_id: str) -> Context:
    """The dialogue state for this channel and person, and their profile, in one read."""

    async def body(uow: UnitOfWork) -> Context:
        state = await uow.repo.get_conversation(channel, user_id)
        return Context(state, await uow.repo.get_profile(user_id))

    return await core.uow(readonly=True).run(body, commit=False)


async def save(
    core: Core, channel: str, user_id: str, state: dict[str, Any], profile: Profile | None
) -> None:
    """Keep the dialogue state (and the profile when it changed) in one transaction."""

    async def body(uow: UnitOfWork) -> None:
        now = core.now()
        await uow.repo.save_conversation(channel, user_id, state, now)
        if profile is not None:
            await uow.repo.save_profile(profile, now)

    await core.uow().run(body)


async def channel_of(core: Core, user_id: str) -> str | None:
    """Where this person last talked to the bot (a Matrix id is not a room)."""

    async def body(uow: UnitOfWork) -> str | None:
        return await uow.repo.latest_channel(user_id)

    return await core.uow(readonly=True).run(body, commit=False)
