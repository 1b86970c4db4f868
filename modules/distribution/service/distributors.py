"""The supplier's distributors: an agency on the platform or an external partner (an OTA, a
wholesaler), its API key (a key of the supplier's with the distribution scopes) and its
callback address and signing secret (Standard Webhooks `whsec_…`, shown once, sealed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.actor import Actor
from app.db.engine import TenantId
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext
from app.security.access import Scope
from app.settings import get_settings
from modules.distribution.models import Distributor
from modules.distribution.repository.agreements import AgreementsRepository
from modules.distribution.schemas.agreements import DistributorView
from modules.distribution.service import callbacks
from tenants import service as tenants

AGENCY = "agency"
API_SCOPES = (Scope.DISTRIBUTION_READ.value, Scope.DISTRIBUTION_BOOK.value)


@dataclass(frozen=True, slots=True)
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""


def distributor_view(d: Distributor) -> DistributorView:
    return DistributorView(
        id=d.id,
        code=d.code,
        name=d.name,
        kind=d.kind,
        status=d.status,
        partner_tenant_id=d.partner_tenant_id,
        upline_tenant_id=d.upline_tenant_id,
        credit_code=d.credit_code,
        contact_name=d.contact_name,
        contact_phone=d.contact_phone,
        contact_email=d.contact_email,
        api_key_id=d.api_key_id,
        callback_url=d.callback_url,
        has_callback_secret=bool(d.callback_secret_sealed),
    )


async def list_distributors(db: AsyncSession, tid: TenantId) -> list[DistributorView]:
    """The supplier's first-level distributors (sub-distributors show under their agreement)."""
    return [distributor_view(d) for d in await AgreementsRepository(db, tid).distributors()]


async def get_distributor(
    db: AsyncSession, tid: TenantId, distributor_id: uuid.UUID
) -> DistributorView:
    return distributor_view(await _distributor(db, tid, distributor_id))


async def _distributor(db: AsyncSession, tid: TenantId, distributor_id: uuid.UUID) -> Distributor:
    found = await AgreementsRepository(db, tid).distributor(distributor_id)
    if found is None:
        raise NotFound()
    return found


async def find_agencies(
    db: AsyncSession, tid: TenantId, words: str
) -> list[tenants.DirectoryEntry]:
    """Agencies on the platform to sign up, by name or slug (never the supplier itself)."""
    return await tenants.find_enterprises(db, words, kind=AGENCY, exclude=tid)


async def add_agency(
    db: AsyncSession, tid: TenantId, partner_tenant_id: uuid.UUID, contact: Contact
) -> DistributorView:
    """Signs up an agency on the platform as a distributor; one active row per agency, so
    its agreements, balances and statements are never split between two."""
    if partner_tenant_id == tid:
        raise Invalid.field("partner", gettext("An enterprise cannot distribute for itself."))
    agency = await tenants.enterprise_entry(db, partner_tenant_id, kind=AGENCY)
    if agency is None:
        raise Invalid.field("partner", gettext("Choose an agency from the search."))
    repo = AgreementsRepository(db, tid)
    await repo.lock_signing()
    if await repo.distributor_for_partner(partner_tenant_id) is not None:
        raise Invalid.field("partner", gettext("This agency is already your distributor."))
    row = Distributor(
        code=await repo.next_distributor_code(),
        name=agency.name[:100],
        kind="tenant",
        partner_tenant_id=partner_tenant_id,
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email,
    )
    repo.add(row)
    await db.flush()
    return distributor_view(row)


async def add_external(
    db: AsyncSession, tid: TenantId, name: str, credit_code: str, contact: Contact
) -> DistributorView:
    """Signs up an external partner (an OTA, a wholesaler) reached only by API."""
    repo = AgreementsRepository(db, tid)
    await repo.lock_signing()
    row = Distributor(
        code=await repo.next_distributor_code(),
        name=name,
        kind="external",
        credit_code=credit_code,
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email,
    )
    repo.add(row)
    await db.flush()
    return distributor_view(row)


async def issue_api_key(
    db: AsyncSession, tid: TenantId, distributor_id: uuid.UUID, *, actor: Actor
) -> str:
    """A new API key for an external partner (scopes distribution:read and :book); the
    previous key, if any, is revoked at once. The token is returned this once only."""
    d = await _distributor(db, tid, distributor_id)
    if d.kind != "external" or d.status != "active":
        raise Conflict(gettext("Only an active external partner gets an API key."))
    if d.api_key_id is not None:
        await tenants.revoke_api_key(
            db, tid, d.api_key_id, actor_user_id=actor.user_id, ip=actor.ip
        )
    created = await tenants.create_api_key(
        db,
        tid,
        name=f"分销 {d.code} {d.name}"[:100],
        scopes=API_SCOPES,
        actor_user_id=actor.user_id,
        ip=actor.ip,
        offered=API_SCOPES,
    )
    d.api_key_id = created.id
    await db.flush()
    return created.token


async def set_callback_url(
    db: AsyncSession, tid: TenantId, distributor_id: uuid.UUID, url: str
) -> str | None:
    """Sets where the distributor's callbacks go; the first address also creates the signing
    secret, returned this once (None when a secret already exists)."""
    d = await _distributor(db, tid, distributor_id)
    d.callback_url = url
    secret = None
    if url and not d.callback_secret_sealed:
        secret = callbacks.new_secret()
        d.callback_secret_sealed = _seal(d, secret)
    await db.flush()
    return secret


async def rotate_callback_secret(db: AsyncSession, tid: TenantId, distributor_id: uuid.UUID) -> str:
    """A new signing secret (the old one stops signing at once); returned this once."""
    d = await _distributor(db, tid, distributor_id)
    if not d.callback_url:
        raise Conflict(gettext("Set a callback address first."))
    secret = callbacks.new_secret()
    d.callback_secret_sealed = _seal(d, secret)
    await db.flush()
    return secret


async def callback_secret(db: AsyncSession, tid: TenantId, distributor_id: uuid.UUID) -> str | None:
    """The distributor's signing secret in clear (`whsec_…`), for the callback sender."""
    d = await _distributor(db, tid, distributor_id)
    if not d.callback_secret_sealed:
        return None
    return callbacks.open_secret(get_settings(), d.tenant_id, d.id, d.callback_secret_sealed)


def _seal(d: Distributor, secret: str) -> str:
    """Sealed the one way the sender opens it (service/callbacks.py)."""
    return callbacks.seal_secret(get_settings(), d.tenant_id, d.id, secret)
