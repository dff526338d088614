"""`telecentre impact`, `telecentre export bookings` and `telecentre digest`.

Kept apart from :mod:`bot.cli` so that the reports' options and output live in one place;
``bot.cli`` only registers the parsers and dispatches. Like the other commands, the
database stack and matplotlib are imported when a command runs, not when the parser is
built (`telecentre parse` must start fast).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from booking_core.network import Network
    from booking_core.reports import ImpactReport, ImpactRow
    from booking_core.services import Core

COMMANDS = ("impact", "export", "digest")
IMPACT_COLUMNS = (
    "centre",
    "month",
    "attended_bookings",
    "people",
    "trips",
    "trips_with_km",
    "trips_unknown_km",
    "trips_centre_km_unknown",
    "km",
    "hours",
    "co2_kg",
    "emission_kg_per_km",
    "emission_source",
    "average_speed_kmh",
    "speed_source",
)


def add_parsers(sub: Any) -> None:
    """Register the report commands on ``telecentre``'s subparsers."""
    impact = sub.add_parser("impact", help="trips, km, hours and CO2 avoided, per centre and month")
    impact.add_argument("--from", dest="first", required=True, help="first day (YYYY-MM-DD)")
    impact.add_argument("--to", dest="last", required=True, help="last day (YYYY-MM-DD)")
    impact.add_argument("--centre", help="one centre only")
    impact.add_argument(
        "--csv", type=Path, help="also write the rows to this CSV file (total: centre '*')"
    )
    impact.add_argument("--lang", choices=["fr", "en"], help="language of the printed report")

    export = sub.add_parser("export", help="export data for analysis").add_subparsers(
        dest="what", required=True
    )
    bookings = export.add_parser(
        "bookings", help="bookings as CSV, people pseudonymised unless --with-names"
    )
    bookings.add_argument("--from", dest="first", required=True, help="first day (YYYY-MM-DD)")
    bookings.add_argument("--to", dest="last", required=True, help="last day (YYYY-MM-DD)")
    bookings.add_argument("--csv", type=Path, required=True, help="file to write")
    bookings.add_argument("--centre", help="one centre only")
    bookings.add_argument(
        "--with-names",
        action="store_true",
        help="keep user ids (personal data: only for a lawful purpose)",
    )

    digest = sub.add_parser("digest", help="print the managers' daily (or weekly) digest")
    digest.add_argument("--date", help="the digest's day (default: today)")
    digest.add_argument("--centre", help="one centre (default: every centre)")
    digest.add_argument("--lang", choices=["fr", "en"], help="language of the digest")
    digest.add_argument(
        "--week", action="store_true", help="the weekly digest of the week before --date"
    )
    digest.add_argument("--chart", type=Path, help="write the weekly chart to this PNG file")


def _clock(args: argparse.Namespace, network: Network) -> Callable[[], datetime]:
    from bot.wiring import fixed_clock, system_clock

    if not args.now:
        return system_clock
    moment = datetime.fromisoformat(args.now)
    return fixed_clock(moment if moment.tzinfo else moment.replace(tzinfo=network.tz))


def _range(args: argparse.Namespace) -> tuple[date, date]:
    from booking_core.services import as_day

    first, last = as_day(args.first), as_day(args.last)
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    return first, last


async def run(args: argparse.Namespace) -> int:
    """Run one report command; errors propagate to ``bot.cli.main``, which reports them."""
    from bot.wiring import network_from_env, open_runtime

    network = network_from_env(args.network)
    runtime = await open_runtime(network=network, clock=_clock(args, network))
    try:
        if args.command == "impact":
            return await _impact(runtime.core, args)
        if args.command == "export":
            return await _export(runtime.core, args)
        return await _digest(runtime.core, args)
    finally:
        await runtime.close()


def _csv_row(report: ImpactReport, row: ImpactRow) -> dict[str, Any]:
    f = report.factors
    return {
        "centre": row.centre_id if row.month else "*",
        "month": f"{row.month:%Y-%m}" if row.month else "*",
        "attended_bookings": row.attended_bookings,
        "people": row.people,
        "trips": row.trips,
        "trips_with_km": row.trips_with_km,
        "trips_unknown_km": row.trips_unknown_km,
        "trips_centre_km_unknown": row.trips_centre_km_unknown,
        "km": f"{row.km:.1f}",
        "hours": f"{row.hours:.2f}",
        "co2_kg": f"{row.co2_kg:.2f}",
        "emission_kg_per_km": f.emission_kg_per_km,
        "emission_source": f.emission_source,
        "average_speed_kmh": f.average_speed_kmh,
        "speed_source": f.speed_source,
    }


async def _impact(core: Core, args: argparse.Namespace) -> int:
    from booking_core.reports import impact
    from handlers.digest import impact_lines, render
    from handlers.i18n import Catalogs

    first, last = _range(args)
    report = await impact(core, first, last, args.centre)
    print(render(Catalogs(), impact_lines(core.network, report), _lang(args, core.network)))
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, IMPACT_COLUMNS)
            writer.writeheader()
            for row in [*report.rows, report.total]:
                writer.writerow(_csv_row(report, row))
        print(f"{len(report.rows) + 1} rows written to {args.csv}", file=sys.stderr)
    return 0


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def _export(core: Core, args: argparse.Namespace) -> int:
    from booking_core.reports import EXPORT_COLUMNS, export_bookings

    first, last = _range(args)
    with args.csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, EXPORT_COLUMNS)
        writer.writeheader()

        def write(row: dict[str, Any]) -> None:
            writer.writerow({key: _cell(value) for key, value in row.items()})

        count = await export_bookings(
            core, first, last, write, with_names=args.with_names, centre_id=args.centre
        )
    how = "with user ids" if args.with_names else "pseudonymised"
    print(f"{count} bookings written to {args.csv} ({how})")
    return 0


def _lang(args: argparse.Namespace, network: Network) -> str:
    return str(args.lang or network.default_language)


async def _digest(core: Core, args: argparse.Namespace) -> int:
    from booking_core.reports import day_digests, previous_week, week_digest
    from booking_core.services import as_day
    from handlers.digest import day_digest_lines, render, week_digest_lines
    from handlers.i18n import Catalogs

    day = as_day(args.date) if args.date else core.now().date()
    centres = [args.centre] if args.centre else None
    catalogs, lang = Catalogs(), _lang(args, core.network)
    if not (args.week or args.chart):
        digests = await day_digests(core, centres, day)
        print(render(catalogs, day_digest_lines(core.network, digests), lang))
        return 0
    week = await week_digest(core, centres, previous_week(day))
    print(render(catalogs, week_digest_lines(core.network, week), lang))
    if args.chart:
        from handlers.charts import weekly_chart

        png = weekly_chart(core.network, week.cells, week.first_day, catalogs, lang)
        args.chart.write_bytes(png)
        print(f"chart written to {args.chart} ({len(png)} bytes)", file=sys.stderr)
    return 0
