"""Ships of the line and their cabin plans (decks, cabin numbers, grades, berths): what a
voyage of the ship sells, one unit per cabin, one unit type per grade."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from modules.boarding.models import Ship, ShipCabin
from modules.boarding.repository.voyages import VoyagesRepository
from modules.boarding.schemas.voyages import CabinInput, CabinView, GradeView, ShipView

SHIP_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,19}$", re.ASCII)
GRADE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-_]{0,19}$", re.ASCII)
CABIN_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,19}$", re.ASCII)
# "A-201~A-212": a run of numbers sharing everything but the trailing digits.
CABIN_RANGE = re.compile(r"^(.*?)(\d+)\s*[~～]\s*(.*?)(\d+)$", re.ASCII)
MAX_CABINS_AT_ONCE = 300
# The inventory's unit features that a cabin can have (reservations UNIT_FEATURES).
CABIN_FEATURES = ("river_view", "balcony", "quiet", "accessible", "connecting", "high_floor")


def _error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def ship_view(ship: Ship, cabins: int = 0, berths: int = 0) -> ShipView:
    return ShipView(
        id=ship.id,
        code=ship.code,
        name=ship.name,
        decks=ship.decks,
        passenger_capacity=ship.passenger_capacity,
        length_m=ship.length_m,
        built_year=ship.built_year,
        active=ship.active,
        cabins=cabins,
        berths=berths,
    )


def cabin_view(c: ShipCabin) -> CabinView:
    return CabinView(
        id=c.id,
        ship_id=c.ship_id,
        number=c.number,
        deck=c.deck,
        grade_code=c.grade_code,
        grade_name=c.grade_name,
        berths=c.berths,
        features=tuple(c.features or ()),
    )


async def create_ship(
    db: AsyncSession,
    tenant_id: TenantId,
    *,
    code: str,
    name: str,
    decks: int,
    passenger_capacity: int,
    length_m: int | None = None,
    built_year: int | None = None,
) -> ShipView:
    """A ship of the line; its cabins are added to its plan afterwards."""
    repo = VoyagesRepository(db, tenant_id)
    code, name = code.strip().upper(), name.strip()
    errors = []
    if not SHIP_CODE.match(code):
        errors.append(_error("code", "Use capital letters, digits and - (at most 20)."))
    if not name:
        errors.append(_error("name", "Enter the ship's name.", "required"))
    elif len(name) > 60:
        errors.append(_error("name", "Use at most 60 characters.", "too_long"))
    if not 1 <= decks <= 20:
        errors.append(_error("decks", "Between 1 and 20 decks."))
    if not 1 <= passenger_capacity <= 10000:
        errors.append(_error("passenger_capacity", "Between 1 and 10000 passengers."))
    if length_m is not None and not 10 <= length_m <= 400:
        errors.append(_error("length_m", "Between 10 and 400 metres."))
    if built_year is not None and not 1900 <= built_year <= 2100:
        errors.append(_error("built_year", "Enter a year such as 2013."))
    if not errors and await repo.ship_by_code(code):
        errors.append(_error("code", "This code is already used.", "taken"))
    if errors:
        raise Invalid(errors=errors)
    ship = Ship(
        code=code,
        name=name,
        decks=decks,
        passenger_capacity=passenger_capacity,
        length_m=length_m,
        built_year=built_year,
    )
    repo.add(ship)
    await repo.flush()
    return ship_view(ship)


async def list_ships(db: AsyncSession, tenant_id: TenantId) -> list[ShipView]:
    """Every ship of the line with how many cabins and berths its plan has."""
    rows = await VoyagesRepository(db, tenant_id).ships()
    return [ship_view(r[0], r.cabins, r.berths) for r in rows]


async def get_ship(db: AsyncSession, tenant_id: TenantId, ship_id: uuid.UUID) -> ShipView:
    for ship in await list_ships(db, tenant_id):
        if ship.id == ship_id:
            return ship
    raise NotFound()


async def ship_by_code(db: AsyncSession, tenant_id: TenantId, code: str) -> ShipView | None:
    for ship in await list_ships(db, tenant_id):
        if ship.code == code.strip().upper():
            return ship
    return None


async def ship_cabins(db: AsyncSession, tenant_id: TenantId, ship_id: uuid.UUID) -> list[CabinView]:
    """The ship's cabin plan, by deck and number."""
    return [cabin_view(c) for c in await VoyagesRepository(db, tenant_id).cabins(ship_id)]


async def cabin_grades(
    db: AsyncSession, tenant_id: TenantId, ship_id: uuid.UUID
) -> list[GradeView]:
    """The grades of the ship's plan in the order they first appear (lowest deck first)."""
    grades: dict[str, list[CabinView]] = {}
    for cabin in await ship_cabins(db, tenant_id, ship_id):
        grades.setdefault(cabin.grade_code, []).append(cabin)
    return [
        GradeView(
            code=code,
            name=cabins[0].grade_name,
            cabins=len(cabins),
            berths=max(c.berths for c in cabins),
            decks=tuple(sorted({c.deck for c in cabins})),
        )
        for code, cabins in grades.items()
    ]


def expand_numbers(text: str) -> list[str]:
    """Cabin numbers typed as a list ("A-201 A-202, A-205") and ranges ("A-201~A-212");
    raises `Invalid` on `numbers` when a range cannot be read."""
    numbers: list[str] = []
    for part in re.split(r"[\s,，、;；]+", text.strip().upper()):
        if not part:
            continue
        match = CABIN_RANGE.match(part)
        if match is None:
            numbers.append(part)
            continue
        head, first, tail_head, last = match.groups()
        if (tail_head and tail_head != head) or len(first) != len(last) or int(last) < int(first):
            raise Invalid.field("numbers", "Write a range as A-201~A-212.")
        if int(last) - int(first) >= MAX_CABINS_AT_ONCE:
            raise Invalid.field("numbers", "Add at most 300 cabins at once.")
        numbers += [f"{head}{n:0{len(first)}d}" for n in range(int(first), int(last) + 1)]
    return numbers


async def add_cabins(
    db: AsyncSession, tenant_id: TenantId, ship_id: uuid.UUID, cabins: Sequence[CabinInput]
) -> list[CabinView]:
    """Cabins added to the ship's plan (voyages created afterwards sell them). All or none:
    one bad cabin refuses the lot."""
    repo = VoyagesRepository(db, tenant_id)
    ship = await repo.ship(ship_id)
    if ship is None:
        raise NotFound()
    taken = await repo.cabin_numbers(ship_id)
    grades = {c.grade_code: c.grade_name for c in await repo.cabins(ship_id)}
    errors = _cabin_errors(cabins, ship, taken, grades)
    if errors:
        raise Invalid(errors=errors)
    rows = []
    for c in cabins:
        row = ShipCabin(
            ship_id=ship_id,
            number=c.number.strip().upper(),
            deck=c.deck,
            grade_code=c.grade_code.strip().upper(),
            grade_name=c.grade_name.strip(),
            berths=c.berths,
            features=list(c.features),
        )
        repo.add(row)
        rows.append(row)
    await repo.flush()
    return [cabin_view(r) for r in rows]


def _cabin_errors(
    cabins: Sequence[CabinInput], ship: Ship, taken: set[str], grades: dict[str, str]
) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if not cabins:
        return [_error("numbers", "Enter at least one cabin number.", "required")]
    if len(cabins) > MAX_CABINS_AT_ONCE:
        return [_error("numbers", "Add at most 300 cabins at once.")]
    seen: set[str] = set()
    for c in cabins:
        number, code = c.number.strip().upper(), c.grade_code.strip().upper()
        if not CABIN_NUMBER.match(number):
            errors.append(_error("numbers", "Use letters, digits and - (at most 20)."))
        elif number in taken or number in seen:
            errors.append(_error("numbers", "This cabin number is already on the plan.", "taken"))
        seen.add(number)
        if not 1 <= c.deck <= ship.decks:
            errors.append(_error("deck", "Choose one of the ship's decks."))
        if not GRADE_CODE.match(code):
            errors.append(_error("grade_code", "Use capital letters, digits, - or _ (at most 20)."))
        if not c.grade_name.strip() or len(c.grade_name.strip()) > 100:
            errors.append(_error("grade_name", "Enter the grade's name (at most 100).", "required"))
        elif code in grades and grades[code] != c.grade_name.strip():
            errors.append(_error("grade_name", "This grade already has another name."))
        if not 1 <= c.berths <= 8:
            errors.append(_error("berths", "Between 1 and 8 berths."))
        if any(f not in CABIN_FEATURES for f in c.features):
            errors.append(_error("features", "Choose features from the list."))
        if errors:
            break  # one message per field is enough for a form
    return errors
