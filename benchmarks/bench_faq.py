"""How fast the knowledge base answers: per question once warm, and a cold ``telecentre faq``.

A chat reply must not wait on the FAQ, and the scoring script starts the command afresh,
so both figures matter: the per-question latency (p50, p99) over the development set and
the test phrasings, answered in-process after one warm-up pass, and the wall time of a
whole ``telecentre faq "..."`` process, imports and index building included.

Run: ``.venv/bin/python benchmarks/bench_faq.py [--rounds N] [--cold N]``
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from booking_core.network import load_network
from handlers.faq import Faq

ROOT = Path(__file__).resolve().parent.parent
SETS = [
    ROOT.parent / "shared" / "nlu" / "faq_dev.jsonl",
    ROOT / "tests" / "faq" / "questions.jsonl",
]
NOW = datetime.fromisoformat("2026-12-03T10:00")


def questions() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in SETS:
        if path.exists():
            out.extend(json.loads(line) for line in path.read_text("utf-8").splitlines() if line)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def warm(rounds: int) -> dict[str, float]:
    network = load_network()
    started = perf_counter()
    faq = Faq(network)
    build_ms = (perf_counter() - started) * 1000
    cases = questions()
    for case in cases:  # warm-up: stem caches, first parse
        faq.answer(case["text"], case.get("lang"), NOW)
    timings: list[float] = []
    for _ in range(rounds):
        for case in cases:
            t0 = perf_counter()
            faq.answer(case["text"], case.get("lang"), NOW)
            timings.append((perf_counter() - t0) * 1000)
    return {
        "questions": len(cases),
        "answers_timed": len(timings),
        "build_ms": build_ms,
        "p50_ms": percentile(timings, 0.50),
        "p99_ms": percentile(timings, 0.99),
        "max_ms": max(timings),
        "mean_ms": statistics.fmean(timings),
    }


def cold(runs: int) -> dict[str, float]:
    command = [
        str(Path(sys.executable).with_name("telecentre")),
        "faq",
        "c'est quoi un télécentre ?",
    ]
    walls: list[float] = []
    for _ in range(runs):
        t0 = perf_counter()
        subprocess.run(command, capture_output=True, check=True, timeout=60)
        walls.append((perf_counter() - t0) * 1000)
    baseline: list[float] = []
    for _ in range(runs):
        t0 = perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        baseline.append((perf_counter() - t0) * 1000)
    return {
        "cold_median_ms": statistics.median(walls),
        "cold_min_ms": min(walls),
        "bare_python_median_ms": statistics.median(baseline),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="timed passes over the questions")
    parser.add_argument("--cold", type=int, default=7, help="cold command runs")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.node()}")
    w = warm(args.rounds)
    print(
        f"warm: {w['questions']} questions x {args.rounds} rounds: "
        f"p50 {w['p50_ms']:.2f} ms, p99 {w['p99_ms']:.2f} ms, max {w['max_ms']:.2f} ms "
        f"(index built in {w['build_ms']:.0f} ms)"
    )
    c = cold(args.cold)
    print(
        f"cold `telecentre faq`: median {c['cold_median_ms']:.0f} ms, "
        f"best {c['cold_min_ms']:.0f} ms (a bare `python -c pass`: "
        f"{c['bare_python_median_ms']:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
