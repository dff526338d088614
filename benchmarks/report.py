"""The Markdown report the database benchmarks print: one row per measure, a column each
for SQLite and PostgreSQL, with what the run was made on and how to rerun it."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime

import sqlalchemy

BACKENDS = ("SQLite", "PostgreSQL")


def two_backend_report(
    title: str,
    results: dict[str, dict[str, str]],
    versions: dict[str, str],
    *,
    notes: str,
    command: str,
    drivers: str = "",
) -> str:
    labels = dict.fromkeys(label for result in results.values() for label in result)
    cells = (" | ".join(results.get(b, {}).get(label, "n/a") for b in BACKENDS) for label in labels)
    return "\n".join(
        [
            f"### {title}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"Python {platform.python_version()}, SQLite {versions['SQLite']}, "
            f"PostgreSQL {versions['PostgreSQL']}, SQLAlchemy {sqlalchemy.__version__}, "
            f"{drivers}{os.cpu_count()} CPUs ({platform.machine()}).",
            "",
            "| Measure | SQLite | PostgreSQL |",
            "|---|---:|---:|",
            *(f"| {label} | {row} |" for label, row in zip(labels, cells, strict=True)),
            "",
            notes,
            "",
            f"Command: `{command}`",
            "",
        ]
    )
