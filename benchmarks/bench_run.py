"""Start-up of `telecentre run` to ready, as a process: Telegram alone, then with Matrix.

Measures what an operator waits for after a restart: interpreter, imports, database
migration check, transports started, until the "ready" log line. Telegram runs against
the local fake Bot API, Matrix against a local Synapse started as the end-to-end tests
start it. The two configurations alternate, run after run, so a noisy shared machine
weighs on both alike. Median of several runs.

Run: ``.venv/bin/python benchmarks/bench_run.py [--runs 5] [--skip-matrix]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.transports.fake_telegram import FakeBotApi, run_environment
from tests.transports.synapse import Synapse, start_synapse

TOKEN = "111111:BENCH-token"
TELECENTRE = Path(sys.executable).parent / "telecentre"
BOT = "bot"


def environment(api: FakeBotApi, folder: Path, synapse: Synapse | None) -> dict[str, str]:
    env = run_environment(api, TOKEN, folder / "run.db")
    if synapse is not None:
        bot = synapse.user_id(BOT)
        env.update(
            MATRIX_HOMESERVER=synapse.url,
            MATRIX_USER=bot,
            MATRIX_PASSWORD=synapse.users[bot],
            MATRIX_ALLOWED=":localhost",
            MATRIX_STORE=str(folder / "matrix.json"),
        )
    return env


async def one_start(env: dict[str, str], folder: Path) -> float:
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        str(TELECENTRE), "run", env=env, cwd=folder, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    lines: list[bytes] = []
    try:
        async with asyncio.timeout(60):
            while b"ready in" not in (line := await process.stderr.readline()):
                lines.append(line)
                if not line:
                    raise RuntimeError(b"".join(lines[-10:]).decode(errors="replace"))
        return time.perf_counter() - began
    finally:
        process.terminate()
        await process.wait()


async def main(runs: int, synapse: Synapse | None) -> None:
    api = FakeBotApi(TOKEN)
    await api.start()
    configurations = (
        {"Telegram": None}
        if synapse is None
        else {
            "Telegram": None,
            "Telegram and Matrix": synapse,
        }
    )
    times: dict[str, list[float]] = {name: [] for name in configurations}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            envs = {name: environment(api, folder, s) for name, s in configurations.items()}
            for env in envs.values():  # the first run migrates the database, logs in once
                await one_start(env, folder)
            for _ in range(runs):
                for name, env in envs.items():
                    times[name].append(await one_start(env, folder))
    finally:
        await api.stop()
    print("| `telecentre run` to ready, s | median | fastest / slowest |\n|---|---:|---:|")
    for name, found in times.items():
        print(
            f"| {name}, {runs} runs | {statistics.median(found):.2f} "
            f"| {min(found):.2f} / {max(found):.2f} |"
        )


def run(runs: int, skip_matrix: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        synapse = None
        if not skip_matrix:
            synapse = start_synapse(Path(tmp) / "synapse")
            synapse.register(BOT, "bot-password")
        try:
            asyncio.run(main(runs, synapse))
        finally:
            if synapse is not None:
                synapse.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-matrix", action="store_true", help="Telegram only")
    arguments = parser.parse_args()
    run(arguments.runs, arguments.skip_matrix)
