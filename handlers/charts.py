"""The weekly digest's chart: desk occupancy per centre and day, as PNG bytes.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no global
figure state), so it runs headless and from several tasks at once. matplotlib is
imported on first use: it takes about half a second to load and most processes of the
bot never draw anything.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date

from booking_core.network import Network
from booking_core.reports import HalfDayOccupancy
from handlers.digest import chart_title
from handlers.i18n import Catalogs, t

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_IN, HEIGHT_IN, DPI = 9.0, 4.5, 100
PIXELS = (round(WIDTH_IN * DPI), round(HEIGHT_IN * DPI))
"""The chart's size in pixels: the figure is saved at its own size (no tight bbox)."""


def day_rates(
    cells: Sequence[HalfDayOccupancy],
) -> tuple[list[date], dict[str, dict[date, float]]]:
    """Per centre and day, the share of desk half-days booked (the days any centre opened)."""
    totals: dict[str, dict[date, tuple[int, int]]] = {}
    for cell in cells:
        per_day = totals.setdefault(cell.centre_id, {})
        booked, total = per_day.get(cell.day, (0, 0))
        per_day[cell.day] = (booked + cell.booked, total + cell.total)
    days = sorted({cell.day for cell in cells})
    rates = {
        centre: {day: booked / total for day, (booked, total) in per_day.items() if total}
        for centre, per_day in totals.items()
    }
    return days, rates


def weekly_chart(
    network: Network,
    cells: Sequence[HalfDayOccupancy],
    first_day: date,
    catalogs: Catalogs,
    lang: str,
) -> bytes:
    """Grouped bars: one group per day, one bar per centre, occupancy in percent, as PNG.

    ``cells`` is :attr:`booking_core.reports.WeekDigest.cells` (or any
    :func:`booking_core.reports.occupancy` result); labels are in ``lang``.
    """
    figure = weekly_figure(network, cells, first_day, catalogs, lang)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def weekly_figure(
    network: Network,
    cells: Sequence[HalfDayOccupancy],
    first_day: date,
    catalogs: Catalogs,
    lang: str,
) -> Figure:
    """The chart before it is drawn: its bars are what a test can read back."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lang = catalogs.language(lang)
    locale = Locale.parse(lang)
    days, rates = day_rates(cells)
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    centres = list(rates)
    width = 0.8 / max(1, len(centres))
    for index, centre_id in enumerate(centres):
        xs = [d + (index - (len(centres) - 1) / 2) * width for d in range(len(days))]
        heights = [100 * rates[centre_id].get(day, 0.0) for day in days]
        axes.bar(xs, heights, width, label=network.centre(centre_id).spec.commune)
    axes.set_xticks(range(len(days)))
    axes.set_xticklabels([format_date(day, "EEE d", locale=locale) for day in days])
    axes.set_ylim(0, 100)
    axes.set_ylabel(catalogs.render(t("bureaux occupés (%)"), lang))
    axes.set_title(catalogs.render(chart_title(first_day), lang), fontsize=11)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    if centres:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    else:
        axes.text(
            0.5,
            0.5,
            catalogs.render(t("aucun jour d'ouverture cette semaine"), lang),
            ha="center",
            va="center",
            transform=axes.transAxes,
        )
    figure.tight_layout()
    return figure
