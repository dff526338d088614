"""The console transport: a conversation on standard input and output.

Choices are printed as numbered lines; typing the number (or "le 2") answers them, as
in any transport. Reading is done in a worker thread so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable
from typing import TextIO

from handlers.messages import IncomingMessage, Reply
from handlers.router import Router


def render(reply: Reply) -> str:
    """A reply as terminal text: the message, one numbered line per choice, one per file.

    A terminal cannot hand over a file, so each attachment is named with its size: enough
    to see in a console session (or a test) that the conversation sent it. The line has no
    words, so that it reads the same in every language.
    """
    lines = [reply.text] if reply.text or not reply.files else []
    lines += [f"  {choice.value}. {choice.label}" for choice in reply.choices]
    lines += [f"[\U0001f4ce {file.filename}, {len(file.data)} B]" for file in reply.files]
    return "\n".join(lines)


async def run_console(
    router: Router,
    *,
    user: str = "local",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    prompt: Callable[[], None] | None = None,
) -> int:
    """Talk until end of input; every line is one message with its own id."""
    source = stdin or sys.stdin
    sink = stdout or sys.stdout
    interactive = source.isatty()
    channel = f"console:{user}"
    # Ids unique across runs: the same database outlives many console sessions.
    run = uuid.uuid4().hex[:12]
    counter = 0
    while True:
        if interactive:
            sink.write("> ")
            sink.flush()
        line = await asyncio.to_thread(source.readline)
        if not line:
            break
        counter += 1
        message = IncomingMessage(
            channel, channel, line.rstrip("\n"), message_id=f"{run}:{counter}"
        )
        for reply in await router.handle(message):
            sink.write(render(reply) + "\n")
        if not interactive:
            sink.write("\n")
        sink.flush()
    return 0
