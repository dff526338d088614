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
    "Annuler": "Cancel",
    "Aujourd'hui : {what}. Signalez votre arrivée sur place.": (
        "Today: {what}. Tell me when you arrive."
    ),
    "Bienvenue ! Arrivée enregistrée :{what}": "Welcome! Arrival recorded:{what}",
    "Bonne nouvelle : une place s'est libérée et elle est à vous :{what}": (
        "Good news: a place came free and it is yours:{what}"
    ),
    "Je ne trouve pas de réservation en cours pour vous aujourd'hui.": (
        "I find no booking of yours under way today."
    ),
    "Je suis arrivé(e)": "I'm here",
    "Je viens": "I'm coming",
    "Parfait, à bientôt au télécentre !": "Perfect, see you at the telecentre!",
    "Rappel : vous avez réservé {what}.": "Reminder: you booked {what}.",
    "Votre arrivée n'a pas été signalée à temps : la réservation {what} a été libérée pour "
    "d'autres personnes.": "Your arrival was not signalled in time: the booking {what} was "
    "released for others.",
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
