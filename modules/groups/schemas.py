"""What a group form carries, read from the posted form (repeated fields for the day and
vehicle rows and the contract checkboxes), and what the pages show."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app import clock
from app.errors import Invalid
from app.web.input import read_int
from modules.groups import domain

# A posted form or query string: anything with `getall(key, default)` (Litestar's
# FormMultiDict and MultiDict).
FormData = Any


@dataclass(frozen=True, slots=True)
class DayInput:
    day: date
    places: list[str]
    hotel: str = ""


@dataclass(frozen=True, slots=True)
class VehicleInput:
    plate_no: str
    seats: int
    driver_name: str
    driver_phone: str = ""


@dataclass(frozen=True, slots=True)
class GroupInput:
    route_name: str
    start_date: date
    end_date: date
    group_no: str = ""  # empty: the next free default number for the departure day
    contract_ids: list[uuid.UUID] = field(default_factory=list)
    days: list[DayInput] = field(default_factory=list)  # empty: blank days start..end
    vehicles: list[VehicleInput] = field(default_factory=list)
    notes: str = ""


def _all(form: FormData, key: str) -> list[str]:
    return [str(v) for v in form.getall(key, [])]


def _one(form: FormData, key: str) -> str:
    values = _all(form, key)
    return values[0].strip() if values else ""


def _date(errors: list[dict[str, str]], name: str, value: str) -> date | None:
    if not value:
        errors.append({"field": name, "code": "required", "message": "Enter a date."})
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append({"field": name, "code": "invalid", "message": "Enter a date as YYYY-MM-DD."})
        return None


def _contract_ids(errors: list[dict[str, str]], form: FormData) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    for value in _all(form, "contract_id"):
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            errors.append(
                {
                    "field": "contracts",
                    "code": "invalid",
                    "message": "Choose contracts from the list.",
                }
            )
    return list(dict.fromkeys(found))


def _days(errors: list[dict[str, str]], form: FormData) -> list[DayInput]:
    dates, places, hotels = (_all(form, k) for k in ("day_date", "day_places", "day_hotel"))
    days: list[DayInput] = []
    for i, raw in enumerate(dates):
        try:
            when = date.fromisoformat(raw)
        except ValueError:
            errors.append({"field": "days", "code": "invalid", "message": "A day's date is wrong."})
            continue
        hotel = hotels[i].strip() if i < len(hotels) else ""
        spots = domain.split_places(places[i] if i < len(places) else "")
        if any(len(p) > 100 for p in spots) or len(hotel) > 100:
            errors.append(
                {
                    "field": f"days.{when.isoformat()}",
                    "code": "too_long",
                    "message": "Places and hotels have at most 100 characters each.",
                }
            )
        days.append(DayInput(when, spots, hotel))
    return days


def _vehicle(errors: list[dict[str, str]], i: int, row: Sequence[str]) -> VehicleInput | None:
    plate_text, seats_text, driver, phone = (v.strip() for v in row)
    where = f"vehicles.{i}"
    plate = domain.normalise_plate(plate_text)
    problem = domain.plate_problem(plate)
    if problem:
        errors.append({"field": f"{where}.plate_no", "code": "invalid", "message": problem})
    seats = read_int(seats_text) or 0
    if not 1 <= seats <= 99:
        errors.append(
            {
                "field": f"{where}.seats",
                "code": "invalid",
                "message": "Seats: a number from 1 to 99.",
            }
        )
    if not driver or len(driver) > 64:
        errors.append(
            {
                "field": f"{where}.driver_name",
                "code": "required",
                "message": "Enter the driver's name.",
            }
        )
    if phone and not domain.PHONE.match(phone):
        errors.append(
            {
                "field": f"{where}.driver_phone",
                "code": "invalid",
                "message": "Enter a valid phone number.",
            }
        )
    return VehicleInput(plate, seats, driver, phone)


def _vehicles(errors: list[dict[str, str]], form: FormData) -> list[VehicleInput]:
    columns = [_all(form, k) for k in ("plate_no", "seats", "driver_name", "driver_phone")]
    count = max(len(c) for c in columns)
    rows = [[c[i] if i < len(c) else "" for c in columns] for i in range(count)]
    vehicles: list[VehicleInput] = []
    for i, row in enumerate(r for r in rows if any(v.strip() for v in r)):
        vehicle = _vehicle(errors, i, row)
        if vehicle is not None:
            vehicles.append(vehicle)
    plates = [v.plate_no for v in vehicles]
    if len(set(plates)) < len(plates):
        errors.append(
            {
                "field": "vehicles",
                "code": "repeated",
                "message": "The same vehicle is listed twice.",
            }
        )
    return vehicles


def _read(form: FormData) -> tuple[GroupInput, list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    route_name = _one(form, "route_name")
    if not route_name or len(route_name) > 200:
        errors.append(
            {
                "field": "route_name",
                "code": "required",
                "message": "Enter the route, e.g. 重庆—武隆—大足.",
            }
        )
    group_no = _one(form, "group_no").upper()
    if group_no and (problem := domain.group_no_problem(group_no)):
        errors.append({"field": "group_no", "code": "invalid", "message": problem})
    start = _date(errors, "start_date", _one(form, "start_date"))
    end = _date(errors, "end_date", _one(form, "end_date"))
    if start and end and (dates := domain.dates_problem(start, end)):
        errors.append({"field": dates[0], "code": "invalid", "message": dates[1]})
    fallback = clock.today()
    result = GroupInput(
        route_name=route_name[:200],
        start_date=start or fallback,
        end_date=end or start or fallback,
        group_no=group_no[:32],
        contract_ids=_contract_ids(errors, form),
        days=_days(errors, form),
        vehicles=_vehicles(errors, form),
        notes=_one(form, "notes")[:2000],
    )
    return result, errors


def parse_group_form(form: FormData) -> GroupInput:
    """The group form as a `GroupInput`; every problem at once as an `Invalid` (422)."""
    result, errors = _read(form)
    if errors:
        raise Invalid(errors=errors)
    return result


def echo_group_form(form: FormData) -> GroupInput:
    """What was posted, as far as it can be read, to show the form again with errors."""
    return _read(form)[0]


@dataclass(frozen=True, slots=True)
class FilingState:
    """A bureau filing made for a group, as the group page shows it."""

    filing_id: uuid.UUID
    kind: str  # group | guide_assignment
    licence_no: str
    state: str  # the filings module's states
    receipt_no: str | None
    received_at: datetime | None
    overdue: bool
    errors: list[dict[str, Any]] = field(default_factory=list)
