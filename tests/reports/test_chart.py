"""The weekly chart is a real PNG with something drawn on it, in the reader's language."""

from __future__ import annotations

import io
import struct
from datetime import date, timedelta

import pytest
from matplotlib.container import BarContainer
from PIL import Image

from booking_core.network import Network, Period
from booking_core.reports import HalfDayOccupancy
from handlers.charts import PIXELS, day_rates, weekly_chart, weekly_figure
from handlers.i18n import Catalogs

MONDAY = date(2026, 11, 23)
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def week(network: Network) -> list[HalfDayOccupancy]:
    cells = []
    for k, centre in enumerate(network):
        for d in range(5):
            day = MONDAY + timedelta(days=d)
            for half in centre.open_halves(day):
                booked = (k + d + (half is Period.AFTERNOON)) % (len(centre.desks) + 1)
                cells.append(HalfDayOccupancy(centre.id, day, half, booked, len(centre.desks)))
    return cells


def size(png: bytes) -> tuple[int, int]:
    assert png[:8] == SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def colours(png: bytes) -> int:
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        found = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert found is not None
    return len(found)


def test_weekly_chart_is_a_png_of_its_size(network: Network) -> None:
    png = weekly_chart(network, week(network), MONDAY, Catalogs(), "fr")
    width, height = size(png)
    assert (width, height) == (900, 450) == PIXELS
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (width, height)


def test_the_bars_are_the_occupancy_of_each_centre_and_day(network: Network) -> None:
    tue = MONDAY + timedelta(days=1)
    cells = [
        HalfDayOccupancy("figeac", MONDAY, Period.MORNING, 3, 6),
        HalfDayOccupancy("figeac", MONDAY, Period.AFTERNOON, 0, 6),  # Monday: 3 of 12
        HalfDayOccupancy("figeac", tue, Period.MORNING, 6, 6),
        HalfDayOccupancy("figeac", tue, Period.AFTERNOON, 6, 6),  # Tuesday: full
        HalfDayOccupancy("aurillac", MONDAY, Period.MORNING, 5, 10),
        HalfDayOccupancy("aurillac", MONDAY, Period.AFTERNOON, 5, 10),  # half
    ]  # Aurillac has no cell on Tuesday: a bar of 0
    axes = weekly_figure(network, cells, MONDAY, Catalogs(), "fr").axes[0]
    containers = [c for c in axes.containers if isinstance(c, BarContainer)]
    bars = {c.get_label(): [p.get_height() for p in c.patches] for c in containers}
    assert bars == {"Figeac": [25.0, 100.0], "Aurillac": [50.0, 0.0]}
    middles = {c.get_label(): [p.get_x() + p.get_width() / 2 for p in c.patches]
               for c in containers}  # fmt: skip
    # Two centres share each day's 0.8 width: Figeac left of the tick, Aurillac right.
    assert middles == {"Figeac": pytest.approx([-0.2, 0.8]),
                       "Aurillac": pytest.approx([0.2, 1.2])}  # fmt: skip
    assert [label.get_text() for label in axes.get_xticklabels()] == ["lun. 23", "mar. 24"]
    assert axes.get_ylim() == (0.0, 100.0)
    legend = axes.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Figeac", "Aurillac"]


def test_chart_of_a_week_without_opening_is_still_an_image(network: Network) -> None:
    png = weekly_chart(network, [], MONDAY, Catalogs(), "en")
    assert size(png) == (900, 450)
    assert colours(png) > 1


def test_chart_labels_follow_the_language(network: Network) -> None:
    cells = week(network)
    french = weekly_chart(network, cells, MONDAY, Catalogs(), "fr")
    english = weekly_chart(network, cells, MONDAY, Catalogs(), "en")
    assert french != english


def test_day_rates_weigh_halves_by_desks() -> None:
    cells = [HalfDayOccupancy("a", MONDAY, Period.MORNING, 3, 4),
             HalfDayOccupancy("a", MONDAY, Period.AFTERNOON, 1, 4),
             HalfDayOccupancy("b", MONDAY + timedelta(days=1), Period.MORNING, 0, 0)]  # fmt: skip
    days, rates = day_rates(cells)
    assert days == [MONDAY, MONDAY + timedelta(days=1)]
    assert rates == {"a": {MONDAY: 0.5}, "b": {}}
