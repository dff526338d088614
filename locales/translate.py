"""Fill English msgstrs from a small table: `python locales/translate.py` after `make locales`.

New sentences are few at a time; this keeps their translation reviewable in one place.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).parent / "en" / "LC_MESSAGES" / "messages.po"

EN: dict[str, str | tuple[str, str]] = {
    "C'est fait : vos données sont effacées et {n} réservation à venir est annulée. Au revoir !": (
        "Done: your data is erased and {n} upcoming booking was cancelled. Goodbye!",
        "Done: your data is erased and {n} upcoming bookings were cancelled. Goodbye!",
    ),
    "Effacer toutes vos données ? Vos réservations à venir seront annulées et cela ne peut "
    "pas être défait.": "Erase all your data? Your upcoming bookings will be cancelled and "
    "this cannot be undone.",
    "Oui, tout effacer": "Yes, erase everything",
    "Voici tout ce que je garde sur vous :": "Here is everything I keep about you:",
}


def main() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in EN:
            message.string = EN[key]
    with PO.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, width=76)


if __name__ == "__main__":
    main()
