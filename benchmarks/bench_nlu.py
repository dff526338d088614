"""Language understanding versus raw ``dateparser.search``, on the development set, in one run.

What it measures, printed as one Markdown table:

- ``parse()`` per message after warm-up (p50, p99, max), with its static caches warm and
  with them emptied before every message (the cost of a span never seen before);
- raw ``dateparser.search.search_dates(text, languages=[lang])`` on the same messages,
  timed in alternating rounds with ``parse()`` so that a noisy neighbour slows both alike,
  and the date accuracy of both (first date found versus the labelled ``date``);
- the cold start of ``telecentre parse`` in a fresh process (no explicit date, an explicit
  date that loads dateparser, and the batch form on the whole set);
- the worst case over adversarial inputs (10,000 characters, repeated grammar words,
  random Unicode, control characters, SQL-looking strings).

Run: ``.venv/bin/python benchmarks/bench_nlu.py [--dev FILE] [--rounds N]``
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import Any

from booking_core.network import Network, load_network
from handlers.nlu import explicit, parse, spelling
from handlers.nlu.lexicon import words

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEV = ROOT.parent / "shared" / "nlu" / "dev.jsonl"


def _load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _timed(call: Callable[[], object]) -> float:
    start = perf_counter()
    call()
    return (perf_counter() - start) * 1000


def _search_dates(case: dict[str, Any]) -> date | None:
    from dateparser.search import search_dates  # type: ignore[import-untyped]

    now = datetime.fromisoformat(case["now"])
    found = search_dates(
        case["text"], languages=[case.get("lang") or "fr"], settings={"RELATIVE_BASE": now}
    )
    return found[0][1].date() if found else None


def _parse(case: dict[str, Any], network: Network) -> date | None:
    now = datetime.fromisoformat(case["now"])
    return parse(case["text"], now, case.get("lang"), network).date


def _cold_caches() -> None:
    explicit.convert.cache_clear()
    spelling._correct_word.cache_clear()


def _adversarial() -> dict[str, str]:
    rng = random.Random(20261203)
    grammar = sorted(
        words(
            "lundi le 12 du au de 9h a - moi et un collegue tous les mardis jusqu fin decembre "
            "figeac figeak orillac pour 6 personnes entre 14h 17h30 dans 3 jours semaine "
            "prochaine en huit 15/12 1er mars reserver annuler comment qui fait midi apres matin"
        )
    )
    inputs = {
        "10k digits": "1" * 10_000,
        "10k 'a '": "a " * 5_000,
        "'lundi ' x2000": "lundi " * 2_000,
        "'du 1 au 2 ' x1000": "du 1 au 2 " * 1_000,
        "'9h-' x3000": "9h-" * 3_000,
        "'de 9 a ' x1500": "de 9 a " * 1_500,
        "'moi et ' x1500": "moi et " * 1_500,
        "'tous les ' x1200": "tous les " * 1_200,
        "'le 12 ' x1500": "le 12 " * 1_500,
        "'12/12/12 ' x1000": "12/12/12 " * 1_000,
        "near-miss places": "figeax orilac cassaniouse decazevile " * 250,
        "10k accents": "é" * 10_000,
        "10k emoji": "🙂" * 5_000,
        "control chars": "".join(chr(i) for i in range(32)) * 300,
        "SQL": "'; DROP TABLE bookings; -- " * 300,
        "apostrophes": "l'" * 5_000,
        "10k one word": "x" * 10_000,
    }
    for n in range(20):
        size = rng.randint(200, 2_500)
        inputs[f"grammar salad {n}"] = " ".join(rng.choice(grammar) for _ in range(size))
    for n in range(5):
        inputs[f"random unicode {n}"] = "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(10_000))
    return inputs


def _cold_start(command: list[str], stdin: str | None = None, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = perf_counter()
        subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
        times.append(perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="labelled JSONL set")
    ap.add_argument("--rounds", type=int, default=20, help="timed rounds over the set")
    args = ap.parse_args()
    cases = _load(args.dev)
    network = load_network()

    # Warm-up: imports, regexes, the centre index, dateparser's languages.
    for _ in range(2):
        for case in cases:
            _parse(case, network)
            _search_dates(case)

    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(args.rounds):
        for case in cases:
            ours.append(_timed(partial(_parse, case, network)))
        for case in cases:
            theirs.append(_timed(partial(_search_dates, case)))
    cold: list[float] = []
    for _ in range(max(1, args.rounds // 4)):
        for case in cases:
            _cold_caches()
            cold.append(_timed(partial(_parse, case, network)))

    dated = [c for c in cases if "date" in c["expect"]]

    def accuracy(read: Callable[[dict[str, Any]], date | None]) -> str:
        right = 0
        for case in dated:
            got = read(case)
            want = case["expect"]["date"]
            right += (got.isoformat() if got else None) == want
        return f"{right}/{len(dated)} ({right / len(dated):.0%})"

    our_accuracy = accuracy(lambda c: _parse(c, network))
    their_accuracy = accuracy(_search_dates)

    adversarial = _adversarial()
    worst_name, worst = "", 0.0
    for name, text in adversarial.items():
        now = datetime(2026, 12, 3, 10)
        parse(text, now, None, network)  # first sight of its spans, off the clock
        spent = statistics.median(
            _timed(partial(parse, text, now, None, network)) for _ in range(3)
        )
        if spent > worst:
            worst_name, worst = name, spent

    exe = Path(sys.executable).parent / "telecentre"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]
    plain = _cold_start([*command, "parse", "réserver à Figeac jeudi matin"])
    with_date = _cold_start([*command, "parse", "réserver à Figeac le 12 janvier"])
    batch_input = "".join(
        json.dumps({k: c[k] for k in ("id", "text", "now", "lang") if k in c}) + "\n" for c in cases
    )
    batch = _cold_start([*command, "parse", "--jsonl"], stdin=batch_input, runs=3)

    p50, p99 = _pct(ours, 50), _pct(ours, 99)
    t50, t99 = _pct(theirs, 50), _pct(theirs, 99)
    ratio = statistics.mean(ours) / statistics.mean(theirs)
    print(f"## Language understanding benchmark ({len(cases)} messages of {args.dev.name})\n")
    print(f"Python {platform.python_version()} on {platform.machine()}, {args.rounds} rounds.\n")
    print("| measure | value | aim |")
    print("| --- | --- | --- |")
    print(
        f"| `parse()` per message, warm (p50 / p99 / max) | {p50:.2f} / {p99:.2f} / "
        f"{max(ours):.2f} ms | p99 < 5 ms |"
    )
    print(
        f"| `parse()` per message, caches emptied (p50 / p99) | {_pct(cold, 50):.2f} / "
        f"{_pct(cold, 99):.2f} ms | |"
    )
    print(
        f"| raw `search_dates` per message (p50 / p99 / max) | {t50:.2f} / {t99:.2f} / "
        f"{max(theirs):.2f} ms | |"
    )
    print(f"| mean cost, `parse()` / `search_dates` | {ratio:.0%} | at most 50% |")
    print(f"| date accuracy, `parse()` | {our_accuracy} | |")
    print(f"| date accuracy, raw `search_dates` | {their_accuracy} | |")
    print(f"| cold start `telecentre parse` (no explicit date) | {plain:.2f} s | < 1 s |")
    print(
        f"| cold start `telecentre parse` (explicit date: loads dateparser) | "
        f"{with_date:.2f} s | < 1 s |"
    )
    print(f"| cold start + {len(cases)} lines `telecentre parse --jsonl` | {batch:.2f} s | |")
    print(f"| worst adversarial input, median of 3 ({worst_name}) | {worst:.2f} ms | < 50 ms |")
    print(
        f"\n{len(adversarial)} adversarial inputs, each up to 10,000 characters "
        "(cut to 1,000 before parsing)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
