"""The crew list of a voyage (who is aboard besides the passengers: the captain, officers,
engineers, pursers, hospitality, guides, the doctor), kept with real names and ID numbers
for the muster and the bureau."""

from __future__ import annotations

import re
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Invalid, NotFound
from app.identifiers import resident_id_problem
from modules.boarding.domain import CrewRole
from modules.boarding.models import CrewMember
from modules.boarding.repository.voyages import VoyagesRepository
from modules.boarding.schemas.voyages import CrewView

ID_TYPES = ("resident_id", "passport", "seafarer")
OTHER_ID = re.compile(r"^[A-Z0-9]{5,20}$", re.ASCII)
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,30}$", re.ASCII)


def crew_view(m: CrewMember) -> CrewView:
    return CrewView(
        id=m.id,
        voyage_id=m.voyage_id,
        name=m.name,
        role=m.role,
        id_type=m.id_type,
        id_number=m.id_number,
        phone=m.phone,
    )


async def crew_list(db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID) -> list[CrewView]:
    """The voyage's crew by role and name."""
    repo = VoyagesRepository(db, tenant_id)
    if await repo.voyage(voyage_id) is None:
        raise NotFound()
    return [crew_view(m) for m in await repo.crew(voyage_id)]


async def add_crew_member(
    db: AsyncSession,
    tenant_id: TenantId,
    voyage_id: uuid.UUID,
    *,
    name: str,
    role: str,
    id_number: str,
    id_type: str = "resident_id",
    phone: str = "",
) -> CrewView:
    """A crew member on the voyage's list; a resident ID is checked (GB 11643) and a person
    is listed once per voyage."""
    repo = VoyagesRepository(db, tenant_id)
    if await repo.voyage(voyage_id) is None:
        raise NotFound()
    name, id_number, phone = name.strip(), id_number.strip().upper(), phone.strip()
    errors = []
    if not name:
        errors.append({"field": "name", "code": "required", "message": "Enter the name."})
    elif len(name) > 60:
        errors.append(
            {"field": "name", "code": "too_long", "message": "Use at most 60 characters."}
        )
    if CrewRole.parse(role) is None:
        errors.append({"field": "role", "code": "invalid", "message": "Choose a role."})
    if id_type not in ID_TYPES:
        errors.append({"field": "id_type", "code": "invalid", "message": "Choose an ID type."})
    elif id_type == "resident_id":
        problem = resident_id_problem(id_number)
        if problem:
            errors.append({"field": "id_number", "code": "invalid", "message": problem})
    elif not OTHER_ID.match(id_number):
        errors.append(
            {"field": "id_number", "code": "invalid", "message": "Use 5 to 20 letters or digits."}
        )
    if phone and not PHONE.match(phone):
        errors.append({"field": "phone", "code": "invalid", "message": "Enter a phone number."})
    if not errors and await repo.crew_id_taken(voyage_id, id_number):
        errors.append(
            {"field": "id_number", "code": "taken", "message": "This person is already listed."}
        )
    if errors:
        raise Invalid(errors=errors)
    member = CrewMember(
        voyage_id=voyage_id,
        name=name,
        role=str(CrewRole(role)),
        id_type=id_type,
        id_number=id_number,
        phone=phone,
    )
    repo.add(member)
    await repo.flush()
    return crew_view(member)


async def remove_crew_member(
    db: AsyncSession, tenant_id: TenantId, voyage_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    repo = VoyagesRepository(db, tenant_id)
    member = await repo.crew_member(voyage_id, member_id)
    if member is None:
        raise NotFound()
    await repo.delete(member)
    await repo.flush()
