"""Errors of the reservations module (each an English msgid, translated when shown)."""

from __future__ import annotations

from app.errors import Conflict


class SoldOut(Conflict):
    code = "sold_out"
    message = "Sold out for these dates."


class NotBookable(Conflict):
    """The dates break a restriction (closed to arrival, minimum stay, not on sale)."""

    code = "not_bookable"
    message = "These dates cannot be booked."


class WrongStatus(Conflict):
    code = "wrong_status"
    message = "The reservation's status does not allow this."


class Busy(Conflict):
    """The database gave up on a lock wait (a deadlock or serialization failure): nothing
    was changed and the client may retry at once."""

    code = "busy"
    message = "Many people are booking at this moment; please try again."
