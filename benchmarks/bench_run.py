"""Start-up of `telecentre run` to ready, as a process, against a local Bot API.

Measures what an operator waits for after a restart: interpreter, imports, database
migration check, transport start, until the "ready" log line. Median of several runs.

Run: ``.venv/bin/python benchmarks/bench_run.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.transports.fake_telegram import FakeBotApi

TOKEN = "111111:BENCH-token"
TELECENTRE = Path(sys.executable).parent / "telecentre"


async def one_start(api: FakeBotApi, folder: Path) -> float:
    env = {
        **os.environ,
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite:///{folder / 'run.db'}",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        str(TELECENTRE), "run", env=env, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    try:
        async with asyncio.timeout(60):
            while b"ready in" not in await process.stderr.readline():
                pass
        return time.perf_counter() - began
    finally:
        process.terminate()
        await process.wait()


async def main(runs: int) -> None:
    api = FakeBotApi(TOKEN)
    await api.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            await one_start(api, Path(folder))  # first run creates and migrates the database
            times = [await one_start(api, Path(folder)) for _ in range(runs)]
    finally:
        await api.stop()
    print("| measure | value |\n|---|---:|")
    print(f"| `telecentre run` to ready, median of {runs} (s) | {statistics.median(times):.2f} |")
    print(f"| fastest / slowest (s) | {min(times):.2f} / {max(times):.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
