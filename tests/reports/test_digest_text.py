"""The digests and the impact report as managers and funders read them, in both languages."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from booking_core.network import Network, Period
from booking_core.reports import (
    CentreWeek,
    DayDigest,
    DayLoad,
    HalfDayOccupancy,
    HalfLoad,
    ImpactFactors,
    ImpactReport,
    ImpactRow,
    WeekDigest,
    WeekRate,
)
from handlers.digest import (
    day_digest_lines,
    impact_lines,
    own_impact,
    percent,
    render,
    week_digest_lines,
)
from handlers.i18n import Catalogs

M, A = Period.MORNING, Period.AFTERNOON
THU, FRI = date(2026, 12, 3), date(2026, 12, 4)
TREND = [WeekRate(date(2026, 11, 2), 3, 60), WeekRate(date(2026, 11, 9), 0, 0)]


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs()


def figeac_digest(next_day: date = FRI, no_shows: int | None = 2) -> DayDigest:
    today = DayLoad(THU, [HalfLoad(M, 2, 6, 0), HalfLoad(A, 1, 6, 0)], room_bookings=1)
    nxt = DayLoad(next_day, [HalfLoad(M, 6, 6, 2, names=["Anne"]), HalfLoad(A, 0, 6, 1)], 0)
    return DayDigest("figeac", THU, today, nxt, date(2026, 12, 2), no_shows, TREND, THU)


def test_day_digest_in_french(network: Network, catalogs: Catalogs) -> None:
    text = render(catalogs, day_digest_lines(network, [figeac_digest()]), "fr")
    assert text.splitlines()[0] == "Point du jeudi 3 décembre"
    assert "Télécentre de Figeac" in text
    assert (
        "• Aujourd'hui, jeudi 3 décembre : 3 demi-journées de bureau réservées sur 12 (25 %)"
        in text
    )
    assert "◦ matin : 2 bureaux réservés sur 6 (33 %), 4 libres" in text
    assert "◦ après-midi : 1 bureau réservé sur 6 (17 %), 5 libres" in text
    assert "◦ 1 réservation de salle de réunion" in text
    assert "• Demain, vendredi 4 décembre" in text
    assert "matin : 6 bureaux réservés sur 6 (100 %), 0 libre, 2 personnes en attente" in text
    assert "qui vient : Anne" in text
    assert "• Non venus mercredi 2 décembre : 2 réservations sans arrivée signalée" in text
    assert "semaine du lundi 2 novembre : 5 %" in text
    assert "semaine du lundi 9 novembre : fermé" in text
    assert "Ensemble du réseau" not in text, "one centre: no network total"


def test_day_digest_in_english(network: Network, catalogs: Catalogs) -> None:
    text = render(catalogs, day_digest_lines(network, [figeac_digest(date(2026, 12, 7))]), "en")
    assert text.splitlines()[0] == "Digest for Thursday 3 December"
    assert "• Today, Thursday 3 December: 3 desk half-days booked of 12 (25%)" in text
    assert "◦ morning: 2 desks booked of 6 (33%), 4 free" in text
    assert "• Next opening, Monday 7 December" in text, "a Friday digest shows Monday"
    assert "• No-shows Wednesday 2 December: 2 bookings with no arrival signalled" in text
    assert not re.search(r"[àéèêç]", text.replace("Télécentre", "")), "French left in English"


def test_no_shows_not_tracked_are_said_so_rather_than_zero(
    network: Network, catalogs: Catalogs
) -> None:
    text = render(catalogs, day_digest_lines(network, [figeac_digest(no_shows=None)]), "fr")
    assert (
        "• Non venus mercredi 2 décembre : non suivi (l'arrivée n'est pas signalée dans ce "
        "centre)" in text
    )
    zero = render(catalogs, day_digest_lines(network, [figeac_digest(no_shows=0)]), "fr")
    assert "• Non venus mercredi 2 décembre : 0 réservation sans arrivée signalée" in zero


def test_a_digest_for_tomorrow_is_labelled_tomorrow(network: Network, catalogs: Catalogs) -> None:
    # « qui vient demain ? » on Thursday: Friday's figures, Monday next, no no-shows yet.
    friday = DayLoad(FRI, [HalfLoad(M, 3, 6, 0), HalfLoad(A, 0, 6, 0)], 0)
    monday = DayLoad(date(2026, 12, 7), [HalfLoad(M, 1, 6, 0), HalfLoad(A, 1, 6, 0)], 0)
    digest = DayDigest("figeac", FRI, friday, monday, None, None, TREND, THU)
    lines = render(catalogs, day_digest_lines(network, [digest]), "fr").splitlines()
    assert lines[:6] == [
        "Point du jeudi 3 décembre sur le vendredi 4 décembre",
        "",
        "Télécentre de Figeac – Maison de l'Emploi",  # noqa: RUF001
        "• Demain, vendredi 4 décembre : 3 demi-journées de bureau réservées sur 12 (25 %)",
        "    ◦ matin : 3 bureaux réservés sur 6 (50 %), 3 libres",
        "    ◦ après-midi : 0 bureau réservé sur 6 (0 %), 6 libres",
    ]
    assert (
        "• Prochaine ouverture, lundi 7 décembre : 2 demi-journées de bureau réservées "
        "sur 12 (17 %)" in lines
    )
    assert not any("Aujourd'hui" in line or "Non venus" in line for line in lines)
    tuesday = DayLoad(date(2026, 12, 8), [HalfLoad(M, 2, 6, 0), HalfLoad(A, 0, 6, 0)], 0)
    wednesday = DayLoad(date(2026, 12, 9), [HalfLoad(M, 0, 6, 0), HalfLoad(A, 0, 6, 0)], 0)
    later = DayDigest("figeac", tuesday.day, tuesday, wednesday, None, None, TREND, THU)
    text = render(catalogs, day_digest_lines(network, [later]), "en")
    assert text.splitlines()[0] == "Digest of Thursday 3 December for Tuesday 8 December"
    assert "• On Tuesday 8 December: 2 desk half-days booked of 12 (17%)" in text
    assert "• The day after, Wednesday 9 December: 0 desk half-days booked of 12 (0%)" in text


def test_coordinators_get_every_centre_and_a_total(network: Network, catalogs: Catalogs) -> None:
    closed = DayLoad(THU, [], 0)
    other = DayDigest("montmurat", THU, closed, closed, None, None, TREND, THU)
    text = render(catalogs, day_digest_lines(network, [figeac_digest(), other]), "fr")
    assert "Télécentre de Montmurat" in text
    assert "Aujourd'hui, jeudi 3 décembre : fermé" in text
    assert (
        "Ensemble du réseau\n• Aujourd'hui, jeudi 3 décembre : 3 demi-journées de bureau "
        "réservées sur 12 (25 %)" in text
    )
    assert day_digest_lines(network, []) == []


def test_week_digest(network: Network, catalogs: Catalogs) -> None:
    cells = [HalfDayOccupancy("figeac", date(2026, 11, 23), M, 3, 6),
             HalfDayOccupancy("figeac", date(2026, 11, 23), A, 0, 6)]  # fmt: skip
    week = WeekDigest(date(2026, 11, 23), [CentreWeek("figeac", cells, 1, 2, TREND)])
    text = render(catalogs, week_digest_lines(network, week), "fr")
    assert text.startswith("Bilan de la semaine du lundi 23 novembre au dimanche 29 novembre")
    assert "• 3 demi-journées de bureau occupées sur 12 (25 %)" in text
    assert "◦ lundi 23 novembre : 25 %" in text
    assert "• 1 réservation sans arrivée signalée" in text
    assert "• 2 réservations de salle de réunion" in text
    english = render(catalogs, week_digest_lines(network, week), "en")
    assert "• 3 desk half-days occupied of 12 (25%)" in english


def report(rows: list[ImpactRow], total: ImpactRow) -> ImpactReport:
    factors = ImpactFactors(0.218, "ADEME Base Carbone", 60.0, "hypothèse du réseau")
    now = datetime(2026, 12, 3, 10, 0)
    return ImpactReport(date(2026, 11, 1), date(2026, 12, 31), None, now, factors, rows, total)


def test_impact_report(network: Network, catalogs: Catalogs) -> None:
    nov = ImpactRow("figeac", date(2026, 11, 1), 10, 6, 9, 2, 350.0, 350 / 60, 76.3, 3)
    total = ImpactRow(None, None, 10, 6, 9, 2, 350.0, 350 / 60, 76.3)
    text = render(catalogs, impact_lines(network, report([nov], total)), "fr")
    assert text.startswith("Impact du réseau du 2026-11-01 au 2026-12-31")
    assert "0,218 kg CO2e par km (ADEME Base Carbone)" in text
    assert "60 km/h en moyenne (hypothèse du réseau)" in text
    assert (
        "• 2026-11 : 10 réservations honorées, 6 personnes, 9 déplacements évités, 350 km, "
        "5,8 h de trajet, 76,3 kg CO2e" in text
    )
    assert "◦ dont 2 déplacements sans trajet déclaré, comptés sans kilomètres" in text
    assert (
        "◦ dont 3 déplacements sans distance déclarée jusqu'au télécentre, comptés comme si "
        "le télécentre était à la porte" in text
    )
    assert "moins la distance déclarée du domicile au télécentre (jamais moins de zéro)" in text
    assert "Total\n• toute la période : 10 réservations honorées" in text
    english = render(catalogs, impact_lines(network, report([nov], total)), "en")
    assert "0.218 kg CO2e per km" in english
    assert "9 trips avoided, 350 km, 5.8 h of travel, 76.3 kg CO2e" in english


def test_own_impact(catalogs: Catalogs) -> None:
    none = ImpactRow(None, None, 0, 0, 0, 0, 0.0, 0.0, 0.0)
    assert "Pas encore" in catalogs.render(own_impact(report([], none)), "fr")
    unknown = ImpactRow(None, None, 3, 1, 2, 2, 0.0, 0.0, 0.0)
    assert "trajet domicile-travail" in catalogs.render(own_impact(report([], unknown)), "fr")
    some = ImpactRow(None, None, 3, 1, 2, 0, 120.0, 2.0, 26.16)
    assert catalogs.render(own_impact(report([], some)), "en") == (
        "You avoided 2 trips: 120 km, 2 h of travel and 26.2 kg CO2e."
    )


def test_percent_rounds_half_up() -> None:
    assert [percent(r) for r in (None, 0.0, 2 / 3, 0.125, 0.005, 1.0)] == [0, 0, 67, 13, 1, 100]
