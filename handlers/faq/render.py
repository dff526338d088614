"""Put an article and the network's own facts into one answer, in the user's language.

Prices, hours, addresses and equipment change per centre and per territory, so they are
never written in articles: they are read from the network file when the answer is built.
A question that names a centre gets that centre's facts; otherwise every centre's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from booking_core.network import WEEKDAYS, Centre, Network
from handlers.faq.kb import Article, Facts, Strings, placeholders


class _Blank(dict[str, str]):
    """Missing keys render empty, so that a template never breaks an answer."""

    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, **values: object) -> str:
    return template.format_map(_Blank({k: str(v) for k, v in values.items()}))


def join(items: Sequence[str], s: Strings) -> str:
    if len(items) <= 1:
        return "".join(items)
    return s.list_sep.join(items[:-1]) + s.list_and + items[-1]


def spell_date(day: date, s: Strings) -> str:
    """ "1er janvier 2027", "3 December 2026": the first of the month as the language says it."""
    number = s.first_day if day.day == 1 and s.first_day else day.day
    return fill(s.date, day=number, month=s.months[day.month - 1], year=day.year)


def _hours(bounds: tuple[time, time]) -> str:
    start, end = bounds
    return f"{start:%H:%M}\u2013{end:%H:%M}"


def schedule(centre: Centre, s: Strings) -> str:
    """Weekdays grouped by their opening rule, in weekday order."""
    groups: dict[str, list[str]] = {}
    for index, day in enumerate(WEEKDAYS):
        opening = centre.spec.opening.get(day)
        if opening is not None and opening != "closed":
            groups.setdefault(opening, []).append(s.weekdays[index])
    parts: list[str] = []
    for rule, days in groups.items():
        if rule == "day":
            parts.append(
                fill(
                    s.schedule_day,
                    days=join(days, s),
                    morning=_hours(centre.morning),
                    afternoon=_hours(centre.afternoon),
                )
            )
        else:
            bounds = centre.morning if rule == "morning" else centre.afternoon
            period = s.periods["morning" if rule == "morning" else "afternoon"]
            parts.append(
                fill(s.schedule_half, days=join(days, s), period=period, hours=_hours(bounds))
            )
    return "; ".join(parts)


def closures(centre: Centre, s: Strings, today: date) -> str:
    """Closure dates still to come; past ones are of no use to the reader."""
    ranges: list[str] = []
    for item in centre.spec.closures:
        first_s, _, last_s = item.partition("..")
        first = date.fromisoformat(first_s.strip())
        last = date.fromisoformat(last_s.strip()) if last_s else first
        if last < today:
            continue
        if first == last:
            ranges.append(fill(s.closure_day, day=spell_date(first, s)))
        else:
            ranges.append(
                fill(s.closure_range, first=spell_date(first, s), last=spell_date(last, s))
            )
    return fill(s.closures, ranges=join(ranges, s)) if ranges else ""


def translate_notes(text: str, s: Strings) -> str:
    """The network file's words, written in its own language, in the reader's ("demi-journée
    5 €" -> "half-day 5 €", "(adresse à confirmer)" -> "(address to be confirmed)"); whole
    words only, longest first. Names and postal addresses themselves are left as written."""
    for source in sorted(s.config_terms, key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(source)}(?!\w)"
        text = re.sub(pattern, s.config_terms[source], text, flags=re.IGNORECASE)
    return text


def contact_means(centre: Centre) -> str:
    c = centre.spec.contact
    return ", ".join(v for v in (c.email, c.phone, c.url) if v)


def rooms(centre: Centre, s: Strings) -> str:
    if not centre.spec.rooms:
        return ""
    items = [fill(s.room, name=r.name, capacity=r.capacity) for r in centre.spec.rooms]
    return fill(s.rooms, rooms=join(items, s))


def equipment(centre: Centre, s: Strings) -> str:
    tags = centre.spec.equipment
    if not tags:
        return s.no_equipment
    return join([s.equipment.get(tag, tag.replace("_", " ")) for tag in tags], s)


def fact_line(kind: Facts, centre: Centre, s: Strings, today: date) -> str:
    spec = centre.spec
    common = {
        "name": centre.name,
        "address": translate_notes(spec.address, s),
        "department": spec.department,
    }
    if kind == "locations":
        return fill(s.facts[kind], **common, desks=spec.desks, rooms=rooms(centre, s))
    if kind == "pricing":
        prices = [translate_notes(p, s) for p in spec.prices]
        return fill(s.facts[kind], **common, prices=join(prices, s) if prices else s.no_prices)
    if kind == "opening_hours":
        return fill(
            s.facts[kind],
            **common,
            schedule=schedule(centre, s),
            closures=closures(centre, s, today),
        )
    if kind == "equipment":
        return fill(
            s.facts[kind],
            **common,
            equipment=equipment(centre, s),
            desks=spec.desks,
            rooms=rooms(centre, s),
        )
    lat, lon = f"{spec.latitude:.4f}", f"{spec.longitude:.4f}"
    return fill(
        s.facts[kind],
        **common,
        map=fill(s.map, lat=lat, lon=lon),
        contact=contact_means(centre) or "-",
    )


def facts_block(
    kind: Facts, centres: Sequence[Centre], s: Strings, network: Network, now: datetime
) -> str:
    today = now.date()
    lines = [fact_line(kind, c, s, today) for c in centres]
    if len(centres) > 1:
        lines.insert(0, s.heading_all[kind])
    if kind == "opening_hours":
        lines.append(s.holidays)
    if kind == "pricing":
        lines.append(fill(s.pricing_note, network=network.name, year=now.year))
    return "\n".join(lines)


def contacts(centres: Iterable[Centre], s: Strings) -> list[str]:
    return [
        fill(s.contact, name=c.name, means=means) for c in centres if (means := contact_means(c))
    ]


def count_of(n: int, forms: dict[str, str], s: Strings) -> str:
    """``n`` with its unit in the plural form the language uses for it (CLDR rules)."""
    from babel import Locale

    category = Locale.parse(s.locale).plural_form(n)
    return fill(forms.get(category, forms["other"]), n=n)


def body_values(
    network: Network, s: Strings, used: frozenset[str] | None = None
) -> dict[str, object]:
    """What an article body may mention about the territory, read from the network file;
    with ``used``, the retention periods only when the body names them (they need Babel's
    plural rules, whose loading a cold ``telecentre faq`` would otherwise pay)."""
    centres = list(network)
    retention = network.retention
    periods = used is None or bool(used & {"inactive_years", "conversation_days"})
    structures = [f"{c.spec.structure} ({c.spec.commune})" for c in centres if c.spec.structure]
    return {
        "network": network.name,
        "centres": join([c.name for c in centres], s),
        "count": len(centres),
        "structures": join(structures, s),
        "contacts": join(contacts(centres, s), s),
        "example": centres[0].spec.commune if centres else "",
        **(
            {
                "inactive_years": count_of(retention.inactive_years, s.years, s),
                "conversation_days": count_of(retention.conversation_days, s.days, s),
            }
            if periods
            else {}
        ),
    }


def sources_line(article: Article, s: Strings) -> str:
    items = [
        fill(s.source, title=src.title, url=src.url) if src.url else src.title
        for src in article.sources
    ]
    return fill(s.sources, sources="; ".join(items))


def render_article(
    article: Article,
    s: Strings,
    network: Network,
    centre: Centre | None,
    now: datetime,
) -> str:
    used = frozenset(placeholders(article.body))
    parts = [article.title, fill(article.body, **body_values(network, s, used))]
    if article.facts is not None:
        centres = [centre] if centre is not None else list(network)
        parts.append(facts_block(article.facts, centres, s, network, now))
    parts.append(
        sources_line(article, s) + " " + fill(s.checked, date=spell_date(article.checked, s))
    )
    return "\n\n".join(parts)


def render_fallback(s: Strings, network: Network, centre: Centre | None) -> str:
    """No guess: a person of the network, the named centre's first."""
    people = contacts([centre] if centre is not None else network, s)
    if not people and centre is not None:
        people = contacts(network, s)
    if not people:
        return s.fallback_no_contact
    return fill(s.fallback, contacts=join(people, s))
