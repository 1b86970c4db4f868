"""Each enterprise's own Stripe connected account: where its guests' money lands.

The platform holds the Stripe keys; an owner or manager opens the enterprise's Standard
connected account from the console (`open_account`), completes Stripe's hosted onboarding
(`onboarding_link`), and sees its status (`account_status`, refreshed from Stripe on each
visit and by `account.updated` webhooks). Until Stripe enables charges on it, the enterprise
takes no online payments: `charge_account` refuses before any PaymentIntent exists, so money
can never land in the platform's or another enterprise's account.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import TenantId
from app.errors import Conflict, Invalid, Unavailable
from app.payments.connect import ConnectedAccount
from app.payments.gateway import GatewayError, current_gateway
from app.settings import get_settings
from modules.payments.models import PaymentAccount
from modules.payments.repository import AccountRepository
from modules.payments.schemas import AccountView
from modules.payments.service.common import now
from tenants.service.audit import record_audit
from tenants.service.settings import tenant_settings

__all__ = [
    "NOT_READY",
    "OnlinePaymentsNotReady",
    "account_status",
    "apply_account",
    "charge_account",
    "onboarding_link",
    "open_account",
    "record_account",
]

log = logging.getLogger("zhilv.payments")
ACCOUNT_PAGE = "/console/payments/account"
NOT_READY = (
    "This enterprise does not take online payments yet. Please contact it to pay another way."
)
STRIPE_DOWN = "Stripe cannot be reached right now. Please try again in a moment."


class OnlinePaymentsNotReady(Conflict):
    code = "online_payments_not_ready"
    message = NOT_READY


def _view(row: PaymentAccount, *, stale: bool = False) -> AccountView:
    return AccountView(
        provider_account_id=row.provider_account_id,
        account_type=row.account_type,
        country=row.country,
        details_submitted=row.details_submitted,
        charges_enabled=row.charges_enabled,
        payouts_enabled=row.payouts_enabled,
        requirements_due=tuple(row.requirements_due or ()),
        disabled_reason=row.disabled_reason,
        updated_at=row.updated_at,
        stale=stale,
    )


def _copy_status(row: PaymentAccount, account: ConnectedAccount) -> bool:
    """Stripe's status onto our row; True when something changed."""
    values = {
        "details_submitted": account.details_submitted,
        "charges_enabled": account.charges_enabled,
        "payouts_enabled": account.payouts_enabled,
        "requirements_due": list(account.requirements_due),
        "disabled_reason": account.disabled_reason,
    }
    changed = any(getattr(row, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = now()
    return changed


async def charge_account(db: AsyncSession, tenant_id: TenantId) -> str:
    """The connected account a guest's payment is charged on; refuses (nothing written,
    nothing asked of Stripe) while the enterprise has none ready."""
    row = await AccountRepository(db, tenant_id).current()
    if row is None or not row.charges_enabled:
        raise OnlinePaymentsNotReady()
    return row.provider_account_id


def _complete(row: PaymentAccount) -> bool:
    return (
        row.details_submitted
        and row.charges_enabled
        and row.payouts_enabled
        and not row.requirements_due
    )


async def account_status(db: AsyncSession, tenant_id: TenantId) -> AccountView | None:
    """The enterprise's account as Stripe sees it: asked again while onboarding is not
    complete (the owner is back from Stripe's pages), else as `account.updated` webhooks
    last told us; the last known status, marked stale, when Stripe cannot be reached. None
    before one is opened."""
    repo = AccountRepository(db, tenant_id)
    row = await repo.current(lock=True)
    if row is None:
        return None
    if _complete(row):
        return _view(row)
    try:
        account = await current_gateway().retrieve_account(row.provider_account_id)
    except GatewayError as exc:
        log.warning("connected account %s not refreshed: %s", row.provider_account_id, exc)
        return _view(row, stale=True)
    _copy_status(row, account)
    await db.flush()
    return _view(row)


async def open_account(
    db: AsyncSession, tenant_id: TenantId, *, actor_user_id: uuid.UUID | None
) -> AccountView:
    """Opens the enterprise's Standard connected account (once: a second call, or two at
    once, answer the same account; Stripe's side is keyed by the tenant's id too)."""
    repo = AccountRepository(db, tenant_id)
    existing = await repo.current()
    if existing is not None:
        return _view(existing)
    country = get_settings().stripe_connect_country.upper()
    name = (await tenant_settings(db, tenant_id)).name
    try:
        account = await current_gateway().create_account(
            country=country,
            email=None,
            business_name=name,
            metadata={"tenant_id": str(tenant_id)},
            idempotency_key=str(tenant_id),
        )
    except GatewayError as exc:
        if exc.retryable:
            raise Unavailable(STRIPE_DOWN) from exc
        raise Invalid.field("account", str(exc)) from exc
    row = await _record(repo, account, actor_user_id)
    await record_audit(
        db,
        tenant_id,
        "payments.account_opened",
        actor_user_id=actor_user_id,
        data={"account": row.provider_account_id},
    )
    return _view(row)


async def onboarding_link(db: AsyncSession, tenant_id: TenantId) -> str:
    """Where to send the owner: a fresh Stripe-hosted onboarding page for the enterprise's
    account (a link is single-use and expires in minutes, so one is made each time), or
    back to the account page when nothing is left to fill in."""
    row = await AccountRepository(db, tenant_id).current()
    if row is None:
        raise Conflict("Open the enterprise's payment account first.")
    if _complete(row):
        return ACCOUNT_PAGE  # nothing left to fill in at Stripe
    base = get_settings().base_url.rstrip("/")
    try:
        link = await current_gateway().create_account_link(
            row.provider_account_id,
            refresh_url=f"{base}{ACCOUNT_PAGE}/onboarding",
            return_url=f"{base}{ACCOUNT_PAGE}",
        )
    except GatewayError as exc:
        raise Unavailable(STRIPE_DOWN) from exc
    return link.url


async def apply_account(db: AsyncSession, tenant_id: TenantId, account: ConnectedAccount) -> str:
    """An `account.updated` event for the tenant's account; another account is not ours."""
    row = await AccountRepository(db, tenant_id).current(lock=True)
    if row is None or row.provider_account_id != account.id:
        return "foreign_account"
    return "applied" if _copy_status(row, account) else "unchanged"


async def _record(
    repo: AccountRepository, account: ConnectedAccount, actor_user_id: uuid.UUID | None
) -> PaymentAccount:
    row = await repo.add_once(
        {
            "provider": current_gateway().provider,
            "provider_account_id": account.id,
            "account_type": account.type or "standard",
            "country": account.country or get_settings().stripe_connect_country.upper(),
            "created_by": actor_user_id,
        }
    )
    if row.provider_account_id == account.id:
        _copy_status(row, account)
        await repo.db.flush()
    return row


async def record_account(
    db: AsyncSession, tenant_id: TenantId, account: ConnectedAccount
) -> AccountView:
    """Records an account Stripe already has, with the status given (the demo's
    already-onboarded accounts); a tenant that has an account keeps it."""
    return _view(await _record(AccountRepository(db, tenant_id), account, None))
