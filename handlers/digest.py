"""Managers' digests and the impact report as text, in each reader's language.

The figures come from :mod:`booking_core.reports`; here they become :class:`Line` values
(a :class:`~handlers.i18n.Msg` and an indentation depth), so the scheduler renders the
same digest once per manager with that manager's catalog (:func:`render`). Nothing
here queries the database or knows a chat network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from booking_core.network import Network, Period
from booking_core.reports import (
    CentreWeek,
    DayDigest,
    DayLoad,
    HalfLoad,
    ImpactReport,
    ImpactRow,
    WeekDigest,
    WeekRate,
)
from handlers.i18n import Catalogs, Msg, t, tn

HALF_NAMES = {
    Period.MORNING: t("matin"),
    Period.AFTERNOON: t("après-midi"),
    Period.DAY: t("toute la journée"),
}
BULLETS = ("", "• ", "    ◦ ")


@dataclass(frozen=True)
class Line:
    """One line of a report: depth 0 is a heading, 1 a point, 2 a detail of that point."""

    text: Msg | str
    depth: int = 0


def render(catalogs: Catalogs, lines: Sequence[Line], lang: str) -> str:
    """The report as plain text in ``lang``; a blank line before each heading but the first.

    Plain text with bullets reads the same on Telegram, Matrix and a terminal, and needs
    no escaping for any of them.
    """
    out: list[str] = []
    for line in lines:
        if line.depth == 0 and out:
            out.append("")
        out.append(BULLETS[min(line.depth, 2)] + catalogs.render(line.text, lang))
    return "\n".join(out)


def percent(rate: float | None) -> int:
    """A rate as a whole percentage (rounded half up, so 2 of 3 reads 67 %)."""
    return int((rate or 0.0) * 100 + 0.5)


def _name(network: Network, centre_id: str) -> str:
    return network.centre(centre_id).name


# ---------------------------------------------------------------- day digest


def _half_line(half: HalfLoad) -> Line:
    details: list[Msg] = [
        tn(
            "{n} bureau réservé sur {total} ({rate} %)",
            "{n} bureaux réservés sur {total} ({rate} %)",
            half.booked,
            total=half.total,
            rate=percent(half.rate),
        ),
        tn("{n} libre", "{n} libres", half.free),
    ]
    if half.confirmed:
        details.append(tn("{n} venue confirmée", "{n} venues confirmées", half.confirmed))
    if half.waiting:
        details.append(tn("{n} personne en attente", "{n} personnes en attente", half.waiting))
    if half.names:
        details.append(t("qui vient : {names}", names=half.names))
    return Line(t("{period} : {details}", period=HALF_NAMES[half.half], details=details), 2)


def _day_lines(label: Msg, load: DayLoad) -> list[Line]:
    if not load.is_open:
        return [Line(t("{label} : fermé", label=label), 1)]
    lines = [
        Line(
            tn(
                "{label} : {n} demi-journée de bureau réservée sur {total} ({rate} %)",
                "{label} : {n} demi-journées de bureau réservées sur {total} ({rate} %)",
                load.booked,
                label=label,
                total=load.total,
                rate=percent(load.rate),
            ),
            1,
        ),
        *(_half_line(half) for half in load.halves),
    ]
    if load.room_bookings:
        lines.append(
            Line(
                tn(
                    "{n} réservation de salle de réunion",
                    "{n} réservations de salle de réunion",
                    load.room_bookings,
                ),
                2,
            )
        )
    return lines


def _trend_lines(trend: Sequence[WeekRate]) -> list[Line]:
    lines = [Line(t("Tendance des dernières semaines :"), 1)]
    for week in trend:
        if week.total:
            text = t("semaine du {day} : {rate} %", day=week.first_day, rate=percent(week.rate))
        else:
            text = t("semaine du {day} : fermé", day=week.first_day)
        lines.append(Line(text, 2))
    return lines


def day_label(day: date, as_of: date) -> Msg:
    """A digest's day as its reader says it on ``as_of``: today, tomorrow, or its date."""
    if day == as_of:
        return t("Aujourd'hui, {day}", day=day)
    if day == as_of + timedelta(days=1):
        return t("Demain, {day}", day=day)
    return t("Le {day}", day=day)


def _next_label(digest: DayDigest) -> Msg:
    day = digest.next.day
    if day == digest.made_on + timedelta(days=1):
        return t("Demain, {day}", day=day)
    if day == digest.day + timedelta(days=1):
        return t("Le lendemain, {day}", day=day)
    return t("Prochaine ouverture, {day}", day=day)


def _no_show_line(day: date, no_shows: int | None) -> Line:
    if no_shows is None:
        return Line(
            t("Non venus {day} : non suivi (l'arrivée n'est pas signalée dans ce centre)", day=day),
            1,
        )
    text = tn(
        "Non venus {day} : {n} réservation sans arrivée signalée",
        "Non venus {day} : {n} réservations sans arrivée signalée",
        no_shows,
        day=day,
    )
    return Line(text, 1)


def _centre_day(network: Network, digest: DayDigest) -> list[Line]:
    lines = [
        Line(_name(network, digest.centre_id)),
        *_day_lines(day_label(digest.day, digest.made_on), digest.today),
        *_day_lines(_next_label(digest), digest.next),
    ]
    if digest.previous_day is not None:  # over: a digest for tomorrow has none yet
        lines.append(_no_show_line(digest.previous_day, digest.no_shows))
    return lines + _trend_lines(digest.trend)


def day_digest_lines(network: Network, digests: Sequence[DayDigest]) -> list[Line]:
    """The morning digest of one centre or, for a coordinator, of several with a total."""
    if not digests:
        return []
    day, made_on = digests[0].day, digests[0].made_on
    if day == made_on:
        lines = [Line(t("Point du {day}", day=day))]
    else:  # "qui vient demain ?": made today, about another day
        lines = [Line(t("Point du {today} sur le {day}", today=made_on, day=day))]
    for digest in digests:
        lines += _centre_day(network, digest)
    if len(digests) > 1:
        booked = sum(d.today.booked for d in digests)
        total = sum(d.today.total for d in digests)
        lines.append(Line(t("Ensemble du réseau")))
        lines.append(
            Line(
                tn(
                    "{label} : {n} demi-journée de bureau réservée sur {total} ({rate} %)",
                    "{label} : {n} demi-journées de bureau réservées sur {total} ({rate} %)",
                    booked,
                    label=day_label(day, made_on),
                    total=total,
                    rate=percent(booked / total if total else None),
                ),
                1,
            )
        )
    return lines


# ---------------------------------------------------------------- week digest


def chart_title(first_day: date) -> Msg:
    """The chart's title, also the caption of the image in the chat."""
    return t("Occupation des bureaux par centre et par jour, semaine du {day}", day=first_day)


def _centre_week(network: Network, week: CentreWeek) -> list[Line]:
    lines = [
        Line(_name(network, week.centre_id)),
        Line(
            tn(
                "{n} demi-journée de bureau occupée sur {total} ({rate} %)",
                "{n} demi-journées de bureau occupées sur {total} ({rate} %)",
                week.booked,
                total=week.total,
                rate=percent(week.rate),
            ),
            1,
        ),
    ]
    days: dict[date, tuple[int, int]] = {}
    for cell in week.cells:
        booked, total = days.get(cell.day, (0, 0))
        days[cell.day] = (booked + cell.booked, total + cell.total)
    for day, (booked, total) in days.items():
        rate = percent(booked / total if total else None)
        lines.append(Line(t("{day} : {rate} %", day=day, rate=rate), 2))
    if week.no_shows is None:
        lines.append(
            Line(t("Non venus : non suivi (l'arrivée n'est pas signalée dans ce centre)"), 1)
        )
    else:
        lines.append(
            Line(
                tn(
                    "{n} réservation sans arrivée signalée",
                    "{n} réservations sans arrivée signalée",
                    week.no_shows,
                ),
                1,
            )
        )
    if week.room_bookings:
        lines.append(
            Line(
                tn(
                    "{n} réservation de salle de réunion",
                    "{n} réservations de salle de réunion",
                    week.room_bookings,
                ),
                1,
            )
        )
    return lines + _trend_lines(week.trend)


def week_digest_lines(network: Network, week: WeekDigest) -> list[Line]:
    """The weekly digest's text; the chart (:mod:`handlers.charts`) goes with it."""
    lines = [
        Line(
            t("Bilan de la semaine du {first} au {last}", first=week.first_day, last=week.last_day)
        )
    ]
    for centre in week.centres:
        lines += _centre_week(network, centre)
    if len(week.centres) > 1:
        booked = sum(c.booked for c in week.centres)
        total = sum(c.total for c in week.centres)
        lines.append(Line(t("Ensemble du réseau")))
        lines.append(
            Line(
                tn(
                    "{n} demi-journée de bureau occupée sur {total} ({rate} %)",
                    "{n} demi-journées de bureau occupées sur {total} ({rate} %)",
                    booked,
                    total=total,
                    rate=percent(booked / total if total else None),
                ),
                1,
            )
        )
    return lines


# ---------------------------------------------------------------- impact


def _figures(row: ImpactRow) -> list[Msg]:
    return [
        tn("{n} réservation honorée", "{n} réservations honorées", row.attended_bookings),
        tn("{n} personne", "{n} personnes", row.people),
        tn("{n} déplacement évité", "{n} déplacements évités", row.trips),
        t("{km} km", km=float(round(row.km))),
        t("{hours} h de trajet", hours=float(round(row.hours, 1))),
        t("{co2} kg CO2e", co2=float(round(row.co2_kg, 1))),
    ]


def _unknown(row: ImpactRow) -> list[Line]:
    lines = []
    if row.trips_unknown_km:
        text = tn(
            "dont {n} déplacement sans trajet déclaré, compté sans kilomètres",
            "dont {n} déplacements sans trajet déclaré, comptés sans kilomètres",
            row.trips_unknown_km,
        )
        lines.append(Line(text, 2))
    if row.trips_centre_km_unknown:
        text = tn(
            "dont {n} déplacement sans distance déclarée jusqu'au télécentre, compté comme "
            "si le télécentre était à la porte",
            "dont {n} déplacements sans distance déclarée jusqu'au télécentre, comptés comme "
            "si le télécentre était à la porte",
            row.trips_centre_km_unknown,
        )
        lines.append(Line(text, 2))
    return lines


def impact_lines(network: Network, report: ImpactReport) -> list[Line]:
    """The impact report for the local authorities: per centre and month, then the total.

    The method and the factors (with their sources) come first, so that a reader can
    check the figures or redo them with other factors.
    """
    f = report.factors
    # ISO dates: a report spans months, maybe years, and goes into spreadsheets.
    first, last = report.first_day.isoformat(), report.last_day.isoformat()
    if report.centre_id is None:
        title = t("Impact du réseau du {first} au {last}", first=first, last=last)
    else:
        title = t(
            "Impact de {centre} du {first} au {last}",
            centre=_name(network, report.centre_id),
            first=first,
            last=last,
        )
    lines = [
        Line(title),
        Line(
            t(
                "Un déplacement évité est un aller-retour domicile-travail par personne et par "
                "jour de présence ; sa longueur est deux fois le trajet habituel déclaré moins "
                "la distance déclarée du domicile au télécentre (jamais moins de zéro)."
            ),
            1,
        ),
        Line(
            t(
                "{factor} kg CO2e par km ({source})",
                factor=f.emission_kg_per_km,
                source=f.emission_source,
            ),
            1,
        ),
        Line(
            t(
                "{speed} km/h en moyenne ({source})",
                speed=f.average_speed_kmh,
                source=f.speed_source,
            ),
            1,
        ),
    ]
    centre: str | None = None
    for row in report.rows:
        if row.centre_id != centre:
            centre = row.centre_id
            lines.append(Line(_name(network, row.centre_id or "")))
        month = f"{row.month:%Y-%m}" if row.month else ""
        lines.append(Line(t("{month} : {figures}", month=month, figures=_figures(row)), 1))
        lines += _unknown(row)
    lines.append(Line(t("Total")))
    whole = t("toute la période")
    lines.append(Line(t("{month} : {figures}", month=whole, figures=_figures(report.total)), 1))
    return lines + _unknown(report.total)


def own_impact(report: ImpactReport) -> Msg:
    """A person's own impact (``/impact``), from :func:`booking_core.reports.impact`
    called with their ``user_id``."""
    total = report.total
    if not total.trips:
        return t("Pas encore de journée au télécentre comptée : l'impact viendra avec la première.")
    if total.trips_unknown_km == total.trips:
        return tn(
            "Vous avez évité {n} déplacement. Indiquez votre trajet domicile-travail habituel "
            "pour que je compte les kilomètres et le CO2.",
            "Vous avez évité {n} déplacements. Indiquez votre trajet domicile-travail habituel "
            "pour que je compte les kilomètres et le CO2.",
            total.trips,
        )
    return tn(
        "Vous avez évité {n} déplacement : {km} km, {hours} h de trajet et {co2} kg CO2e.",
        "Vous avez évité {n} déplacements : {km} km, {hours} h de trajet et {co2} kg CO2e.",
        total.trips,
        km=float(round(total.km)),
        hours=float(round(total.hours, 1)),
        co2=float(round(total.co2_kg, 1)),
    )
