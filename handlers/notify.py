"""Notifications as the conversation's own questions: a reminder's buttons are answered
like any other choice, because the reminder leaves its question in the dialogue state.
"""

from __future__ import annotations

from typing import Any

from booking_core.domain import Notification
from booking_core.network import Network
from handlers.dialogue import Out, State, _ask, _describe_payload, new_state
from handlers.i18n import Lines, Msg, t


def _as_payload(booking: dict[str, Any]) -> dict[str, Any]:
    """A booking's JSON (as stored with the notification) in the dialogue's short form."""
    return {
        "day": booking["date"],
        "period": booking.get("period"),
        "centre": booking["centre"],
        "start": booking["start"],
        "end": booking["end"],
    }


def prepare(note: Notification, state: State | None, network: Network) -> tuple[State, list[Out]]:
    """The messages for one notification, and the dialogue state that expects their answers."""
    state = dict(state) if state is not None else {**new_state(), "welcomed": True}
    if note.kind == "waitlist_promoted":
        bookings = [_as_payload(b) for b in note.payload["bookings"]]
        lines = Lines(tuple(_describe_payload(network, b) for b in bookings))
        ids = [int(b["id"]) for b in note.payload["bookings"]]
        return _with_choices(
            state,
            t("Bonne nouvelle : une place s'est libérée et elle est à vous :{what}", what=lines),
            [(t("Annuler"), {"do": "cancel", "ids": ids, "booking": bookings[0]})],
        )
    if note.kind == "contact_relay":
        # "from" is the requester's contact only when they published it; "reply_to" is
        # their directory profile, where an answer through the bot goes.
        message, handle = note.payload["message"], note.payload.get("from")
        if handle:
            text = t(
                "Quelqu'un vous écrit via l'annuaire : « {message} » Pour répondre : {handle}.",
                message=message,
                handle=handle,
            )
        else:
            text = t(
                "Quelqu'un vous écrit via l'annuaire : « {message} » Pour répondre, "
                "choisissez « Répondre » : je transmettrai, sans montrer votre identifiant.",
                message=message,
            )
        reply_to = note.payload.get("reply_to")
        if reply_to is None:
            return state, [Out(text)]
        return _with_choices(state, text, [(t("Répondre"), {"do": "contact", "profile": reply_to})])
    if note.kind == "waitlist_dropped":
        wait = note.payload["wait"]
        what = _describe_payload(
            network, {"day": wait["date"], "period": wait["period"], "centre": wait["centre"]}
        )
        why = _DROPPED.get(note.payload.get("reason", ""), _DROPPED[""])
        return state, [
            Out(t("Je vous retire de la liste d'attente pour {what} : {why}", what=what, why=why))
        ]
    booking = note.payload["booking"]
    short = _as_payload(booking)
    what = _describe_payload(network, short)
    cancel = (t("Annuler"), {"do": "cancel", "ids": [int(booking["id"])], "booking": short})
    if note.kind == "reminder_evening":
        return _with_choices(
            state,
            t("Rappel : vous avez réservé {what}.", what=what),
            [(t("Je viens"), {"do": "keep"}), cancel],
        )
    if note.kind == "reminder_morning":
        return _with_choices(
            state,
            t("Aujourd'hui : {what}. Signalez votre arrivée sur place.", what=what),
            [(t("Je suis arrivé(e)"), {"do": "checkin"}), cancel],
        )
    if note.kind == "release_notice":
        text = t(
            "Votre arrivée n'a pas été signalée à temps : la réservation {what} a été libérée "
            "pour d'autres personnes.",
            what=what,
        )
        return state, [Out(text)]
    raise ValueError(f"unknown notification kind {note.kind!r}")


# Why a waitlist entry was dropped (``waitlist_dropped``'s "reason": a refusal code).
_DROPPED: dict[str, Msg] = {
    "already_booked": t("vous avez désormais une réservation à ce moment-là."),
    "quota_exceeded": t("vous avez atteint le nombre de jours réservables cette semaine."),
    "closed": t("le télécentre est fermé ce jour-là."),
    "public_holiday": t("le télécentre est fermé ce jour-là."),
    "": t("cette place ne peut plus vous être donnée."),
}


def _with_choices(
    state: State, text: Msg, choices: list[tuple[Msg | str, dict[str, Any]]]
) -> tuple[State, list[Out]]:
    asked = _ask({**state, "flow": None, "slots": {}}, "reminder", text, choices)
    return asked.state, asked.out
