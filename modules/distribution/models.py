"""Tables of the distribution module (migration 0021).

Where two tenants meet. A supplier (any tenant: a hotel, a cruise line, a resort) signs up
distributors: another tenant on the platform (an agency) or an external partner reached only
by API (an OTA, a wholesaler). Every row here is owned by the SUPPLIER (`tenant_id`): the
agreement, its authorised products and prices, the orders, the ledger, the statements, the
callbacks. Two tables are also readable by the other side, and only those two:

- `distributors` and `dist_agreements` carry `partner_tenant_id` (the distributor's
  tenant, when it is one) and `upline_tenant_id` (the tenant of the first-level distributor
  that appointed a sub-distributor). Besides the one tenant policy (read and write by the
  owner) they have a second, read-only policy `partner_read` admitting those two tenants
  (migration 0021, `app.db.rls.enable_partner_read`). A distributor tenant therefore sees the
  agreements naming it, and nothing else of its supplier.
- Everything else (products and prices, availability, orders, balances, statements) the
  distributor reads by first loading its agreement under its own binding (visible only if it
  names it), then binding the supplier's tenant for the block (`tenants.counterparty`), and
  reading only what the agreement covers. No query ever reads two tenants at once.

The package an agency sells across enterprises is the agency's own: `dist_packages`
and `dist_package_parts` have `tenant_id` = the agency; each part names its supplier's
order by id (no foreign key crosses tenants).

The ledger is double-entry in integer fen: an entry's postings sum to zero, which a deferred
constraint trigger checks at commit (`zhilv_entry_balanced`); entries and postings are
append-only; a posting on a closed statement period is refused by a trigger
(`zhilv_period_open`). `dist_ledger_accounts.balance_fen` is a cache of the sum of its
postings (debits positive, credits negative), moved only in the statement that inserts the
posting, by a guarded UPDATE against `limit_fen` (the highest debit balance allowed): a
prepaid balance has limit 0, so racing sales cannot spend the last yuan twice.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantScoped, tenant_foreign_key, tenant_key


def _in(values: tuple[str, ...]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


DISTRIBUTOR_KINDS = ("tenant", "external")
DISTRIBUTOR_STATUSES = ("active", "ended")
AGREEMENT_STATUSES = ("active", "suspended", "ended")
PAYMENT_TERMS = ("prepaid", "credit")
CYCLES = ("weekly", "monthly")
PRICE_MODES = ("net", "commission")
ORDER_STATUSES = ("confirmed", "cancelled", "redeemed")
# Debits positive, credits negative; see domain.py for what each account means.
ACCOUNT_KINDS = (
    "distributor_prepaid",  # what a distributor has paid in ahead (credit-normal, limit 0)
    "distributor_payable",  # what a distributor on credit owes (debit-normal, limit = credit)
    "supplier_receivable",  # what the supplier has earned and not yet been paid (credit)
    "upline_commission",  # a first-level distributor's margin on its sub-distributor's sales
    "platform_fee",  # the platform's fee, if configured (credit)
    "payout_clearing",  # payouts sent and not yet confirmed paid (credit)
    "funds",  # money held: top-ups and payments received, payouts paid (debit-normal)
)
ENTRY_KINDS = (
    "sale",
    "cancellation",
    "cancellation_fee",
    "refund",
    "topup",
    "payment",
    "payout",
    "payout_paid",
    "adjustment",
    "reversal",
)
STATEMENT_STATUSES = ("open", "issued", "confirmed", "closed")
DISPUTE_STATUSES = ("open", "resolved", "rejected")
PARTIES = ("supplier", "distributor")
CALLBACK_STATUSES = ("pending", "delivered", "failed")
PAYOUT_METHODS = ("stripe", "bank")
PAYOUT_STATUSES = ("pending", "in_transit", "paid", "failed")
PACKAGE_STATUSES = ("booking", "confirmed", "failed", "cancelled")
PART_STATUSES = ("pending", "booked", "failed", "compensated", "cancelled")


class Distributor(TenantScoped, Base):
    """A party the supplier sells through: a tenant on the platform (`partner_tenant_id`) or
    an external partner reaching us by API key (`api_key_id`, a key of the supplier's with
    the distribution scopes). A sub-distributor names the first-level distributor that
    appointed it (`appointed_by_id`, and that one's tenant as `upline_tenant_id`)."""

    __tablename__ = "distributors"
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(DISTRIBUTOR_KINDS)}", "kind"),
        CheckConstraint(f"status IN {_in(DISTRIBUTOR_STATUSES)}", "status"),
        CheckConstraint("kind <> 'tenant' OR partner_tenant_id IS NOT NULL", "tenant_partner"),
        CheckConstraint("partner_tenant_id IS NULL OR partner_tenant_id <> tenant_id", "not_self"),
        UniqueConstraint("tenant_id", "code"),
        Index(
            "uq_distributors_tenant_id_partner_tenant_id",
            "tenant_id",
            "partner_tenant_id",
            unique=True,
            postgresql_where=text("partner_tenant_id IS NOT NULL AND status = 'active'"),
        ),
        Index(
            "uq_distributors_tenant_id_api_key_id",
            "tenant_id",
            "api_key_id",
            unique=True,
            postgresql_where=text("api_key_id IS NOT NULL"),
        ),
        Index(None, "partner_tenant_id"),
        Index(None, "upline_tenant_id"),
        tenant_key(),
        tenant_foreign_key("distributors", "api_key_id", "api_keys"),
        tenant_foreign_key("distributors", "appointed_by_id", "distributors"),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), server_default="active")
    partner_tenant_id: Mapped[uuid.UUID | None]
    upline_tenant_id: Mapped[uuid.UUID | None]
    appointed_by_id: Mapped[uuid.UUID | None]
    credit_code: Mapped[str] = mapped_column(String(18), server_default="")
    contact_name: Mapped[str] = mapped_column(String(60), server_default="")
    contact_phone: Mapped[str] = mapped_column(String(32), server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), server_default="")
    api_key_id: Mapped[uuid.UUID | None]
    callback_url: Mapped[str] = mapped_column(String(500), server_default="")
    # Sealed with the kernel's SecretBox (app.security.crypto): we sign with it, so we keep it.
    callback_secret_sealed: Mapped[str] = mapped_column(Text, server_default="")
    ended_at: Mapped[datetime | None]


class Agreement(TenantScoped, Base):
    """A distribution agreement: who, for how long, on what payment terms and cycle, whether
    the distributor may appoint sub-distributors (`may_appoint`, first level only), and the
    first-level agreement a sub-agreement hangs from (`parent_id`; ending a parent ends its
    children). Readable by the distributor's tenant and its upline (policy `partner_read`)."""

    __tablename__ = "dist_agreements"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(AGREEMENT_STATUSES)}", "status"),
        CheckConstraint(f"payment_terms IN {_in(PAYMENT_TERMS)}", "payment_terms"),
        CheckConstraint(f"cycle IN {_in(CYCLES)}", "cycle"),
        CheckConstraint("level IN (1, 2)", "level"),
        CheckConstraint("(level = 1) = (parent_id IS NULL)", "parent_level"),
        CheckConstraint("level = 1 OR NOT may_appoint", "two_levels"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", "validity"),
        CheckConstraint("credit_limit_fen >= 0", "credit_limit"),
        CheckConstraint("payment_terms = 'credit' OR credit_limit_fen = 0", "credit_only"),
        CheckConstraint("platform_fee_bp BETWEEN 0 AND 10000", "platform_fee"),
        UniqueConstraint("tenant_id", "number"),
        Index(None, "tenant_id", "distributor_id"),
        Index(None, "tenant_id", "parent_id"),
        Index(None, "partner_tenant_id"),
        Index(None, "upline_tenant_id"),
        tenant_key(),
        tenant_foreign_key("dist_agreements", "distributor_id", "distributors"),
        tenant_foreign_key("dist_agreements", "parent_id", "dist_agreements"),
    )

    number: Mapped[str] = mapped_column(String(20))  # FX-2026-0001
    distributor_id: Mapped[uuid.UUID]
    partner_tenant_id: Mapped[uuid.UUID | None]
    upline_tenant_id: Mapped[uuid.UUID | None]
    parent_id: Mapped[uuid.UUID | None]
    level: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    status: Mapped[str] = mapped_column(String(10), server_default="active")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    payment_terms: Mapped[str] = mapped_column(String(8))
    credit_limit_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    cycle: Mapped[str] = mapped_column(String(8), server_default="monthly")
    may_appoint: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    platform_fee_bp: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    notes: Mapped[str] = mapped_column(String(500), server_default="")
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(String(200), server_default="")
    created_by: Mapped[uuid.UUID | None]


class AgreementProduct(TenantScoped, Base):
    """A product the agreement authorises and its settlement price: a room type on a rate
    plan, a cruise cabin grade on one voyage, or a spa ticket type (all are reservations unit
    types in the supplier's tenant). A fixed net price per unit and night (`net_price_fen`) or
    a commission off the sale price (`commission_bp`); never above the sale price."""

    __tablename__ = "dist_agreement_products"
    __table_args__ = (
        CheckConstraint(f"price_mode IN {_in(PRICE_MODES)}", "price_mode"),
        CheckConstraint(
            "(price_mode = 'net' AND net_price_fen > 0 AND commission_bp IS NULL) OR "
            "(price_mode = 'commission' AND commission_bp BETWEEN 0 AND 10000 "
            "AND net_price_fen IS NULL)",
            "price",
        ),
        UniqueConstraint(
            "tenant_id",
            "agreement_id",
            "unit_type_id",
            "rate_plan_id",
            "voyage_id",
            name="uq_dist_agreement_products_product",
            postgresql_nulls_not_distinct=True,
        ),
        tenant_key(),
        tenant_foreign_key("dist_agreement_products", "agreement_id", "dist_agreements"),
        tenant_foreign_key("dist_agreement_products", "unit_type_id", "unit_types"),
        tenant_foreign_key("dist_agreement_products", "rate_plan_id", "rate_plans"),
        tenant_foreign_key("dist_agreement_products", "voyage_id", "voyages"),
    )

    agreement_id: Mapped[uuid.UUID]
    unit_type_id: Mapped[uuid.UUID]
    rate_plan_id: Mapped[uuid.UUID | None]
    voyage_id: Mapped[uuid.UUID | None]
    price_mode: Mapped[str] = mapped_column(String(10))
    net_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    commission_bp: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class DistributionOrder(TenantScoped, Base):
    """One order a distributor placed (on its 分销采购 page, by API, or as a part of an
    agency's package): it lands as a reservation of the supplier's (`reservation_id`, source
    'distribution', marked with the channel) and posts its sale in the same transaction.
    Idempotent on (distributor, idempotency key)."""

    __tablename__ = "dist_orders"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(ORDER_STATUSES)}", "status"),
        CheckConstraint(
            "quantity >= 1 AND sale_fen >= 0 AND settlement_fen >= 0 "
            "AND settlement_fen <= sale_fen AND cancellation_fee_fen >= 0",
            "money",
        ),
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "distributor_id", "idempotency_key"),
        Index(None, "tenant_id", "agreement_id", "created_at"),
        Index(None, "tenant_id", "reservation_id"),
        tenant_key(),
        tenant_foreign_key("dist_orders", "agreement_id", "dist_agreements"),
        tenant_foreign_key("dist_orders", "distributor_id", "distributors"),
        tenant_foreign_key("dist_orders", "product_id", "dist_agreement_products"),
        tenant_foreign_key("dist_orders", "reservation_id", "reservations"),
    )

    number: Mapped[str] = mapped_column(String(24))  # FX20261208-0001
    agreement_id: Mapped[uuid.UUID]
    distributor_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    reservation_id: Mapped[uuid.UUID | None]
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_digest: Mapped[str] = mapped_column(String(64), server_default="")
    external_ref: Mapped[str] = mapped_column(String(64), server_default="")
    package_id: Mapped[uuid.UUID | None]  # the agency's package (another tenant's row)
    status: Mapped[str] = mapped_column(String(10), server_default="confirmed")
    quantity: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    arrival: Mapped[date] = mapped_column(Date)
    departure: Mapped[date] = mapped_column(Date)
    sale_fen: Mapped[int] = mapped_column(BigInteger)
    settlement_fen: Mapped[int] = mapped_column(BigInteger)
    cancellation_fee_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    guest_name: Mapped[str] = mapped_column(String(100), server_default="")
    redeemed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_by: Mapped[uuid.UUID | None]


class LedgerAccount(TenantScoped, Base):
    """An account of the supplier's distribution ledger, per agreement (or the supplier's own
    when `agreement_id` is NULL: platform fee, payout clearing, funds). `balance_fen` caches
    the sum of its postings and moves only with them; `limit_fen` caps the debit balance."""

    __tablename__ = "dist_ledger_accounts"
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(ACCOUNT_KINDS)}", "kind"),
        CheckConstraint("limit_fen IS NULL OR balance_fen <= limit_fen", "within_limit"),
        UniqueConstraint("tenant_id", "agreement_id", "kind", postgresql_nulls_not_distinct=True),
        tenant_key(),
        tenant_foreign_key("dist_ledger_accounts", "agreement_id", "dist_agreements"),
    )

    agreement_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(24))
    balance_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    limit_fen: Mapped[int | None] = mapped_column(BigInteger)


class LedgerEntry(TenantScoped, Base):
    """A journal entry: one money movement and its cause (an order, a top-up, a payout, a
    dispute's adjustment). Append-only; a correction is a `reversal` naming `reverses_id`
    plus a new entry. `accounting_date` (the supplier's local date) decides the period."""

    __tablename__ = "dist_ledger_entries"
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(ENTRY_KINDS)}", "kind"),
        Index(None, "tenant_id", "agreement_id", "accounting_date"),
        Index(None, "tenant_id", "order_id"),
        UniqueConstraint("tenant_id", "reverses_id"),
        tenant_key(),
        tenant_foreign_key("dist_ledger_entries", "agreement_id", "dist_agreements"),
        tenant_foreign_key("dist_ledger_entries", "order_id", "dist_orders"),
        tenant_foreign_key("dist_ledger_entries", "reverses_id", "dist_ledger_entries"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    agreement_id: Mapped[uuid.UUID | None]
    order_id: Mapped[uuid.UUID | None]
    reverses_id: Mapped[uuid.UUID | None]
    accounting_date: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(200), server_default="")
    reference: Mapped[str] = mapped_column(String(100), server_default="")
    created_by: Mapped[uuid.UUID | None]


class LedgerPosting(TenantScoped, Base):
    """One line of an entry: an amount on an account (debit > 0, credit < 0, never 0).
    `agreement_id` and `accounting_date` are copied from the entry so a statement sums one
    index range."""

    __tablename__ = "dist_ledger_postings"
    __table_args__ = (
        CheckConstraint("amount_fen <> 0", "nonzero"),
        Index(None, "tenant_id", "agreement_id", "accounting_date"),
        Index(None, "tenant_id", "entry_id"),
        Index(None, "tenant_id", "account_id"),
        tenant_foreign_key("dist_ledger_postings", "entry_id", "dist_ledger_entries"),
        tenant_foreign_key("dist_ledger_postings", "account_id", "dist_ledger_accounts"),
    )

    entry_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    agreement_id: Mapped[uuid.UUID | None]
    accounting_date: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class Statement(TenantScoped, Base):
    """A settlement period of one agreement [period_start, period_end) and, once issued, its
    figures computed from the ledger. Confirmed by both sides; closed is immutable (the
    ledger refuses postings dated inside a closed period: they land in the next one)."""

    __tablename__ = "dist_statements"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(STATEMENT_STATUSES)}", "status"),
        CheckConstraint("period_end > period_start", "period"),
        UniqueConstraint("tenant_id", "agreement_id", "period_start"),
        UniqueConstraint("tenant_id", "number"),
        Index(None, "tenant_id", "status", "period_end"),
        tenant_key(),
        tenant_foreign_key("dist_statements", "agreement_id", "dist_agreements"),
    )

    number: Mapped[str] = mapped_column(String(24))  # JS-2026-11-0001
    agreement_id: Mapped[uuid.UUID]
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    opening_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    sales_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    cancellations_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    fees_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    adjustments_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    payments_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    closing_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    order_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    issued_at: Mapped[datetime | None]
    supplier_confirmed_at: Mapped[datetime | None]
    supplier_confirmed_by: Mapped[str] = mapped_column(String(100), server_default="")
    distributor_confirmed_at: Mapped[datetime | None]
    distributor_confirmed_by: Mapped[str] = mapped_column(String(100), server_default="")
    closed_at: Mapped[datetime | None]


class Dispute(TenantScoped, Base):
    """A line of a statement one side disputes. Resolved by an adjustment (a reversal and a
    new posting, `resolution_entry_id`), or rejected with a reason; nothing is edited."""

    __tablename__ = "dist_disputes"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(DISPUTE_STATUSES)}", "status"),
        CheckConstraint(f"raised_by IN {_in(PARTIES)}", "raised_by"),
        Index(None, "tenant_id", "statement_id"),
        tenant_key(),
        tenant_foreign_key("dist_disputes", "statement_id", "dist_statements"),
        tenant_foreign_key("dist_disputes", "order_id", "dist_orders"),
        tenant_foreign_key("dist_disputes", "entry_id", "dist_ledger_entries"),
        tenant_foreign_key("dist_disputes", "resolution_entry_id", "dist_ledger_entries"),
    )

    statement_id: Mapped[uuid.UUID]
    order_id: Mapped[uuid.UUID | None]
    entry_id: Mapped[uuid.UUID | None]
    raised_by: Mapped[str] = mapped_column(String(12))
    raised_by_name: Mapped[str] = mapped_column(String(100), server_default="")
    reason: Mapped[str] = mapped_column(String(500))
    claimed_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    resolution: Mapped[str] = mapped_column(String(500), server_default="")
    resolution_entry_id: Mapped[uuid.UUID | None]
    resolved_at: Mapped[datetime | None]


class Callback(TenantScoped, Base):
    """A webhook to a distributor (Standard Webhooks: `webhook-id` = `message_id`), sent by
    a job with backoff; every attempt is kept in `dist_callback_attempts`."""

    __tablename__ = "dist_callbacks"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(CALLBACK_STATUSES)}", "status"),
        UniqueConstraint("tenant_id", "message_id"),
        Index(None, "tenant_id", "distributor_id", "created_at"),
        Index(None, "tenant_id", "status", "next_attempt_at"),
        tenant_key(),
        tenant_foreign_key("dist_callbacks", "distributor_id", "distributors"),
        tenant_foreign_key("dist_callbacks", "order_id", "dist_orders"),
    )

    distributor_id: Mapped[uuid.UUID]
    order_id: Mapped[uuid.UUID | None]
    message_id: Mapped[str] = mapped_column(String(64))  # msg_<uuid7 hex>
    event_type: Mapped[str] = mapped_column(String(40))  # order.confirmed, order.redeemed ...
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str] = mapped_column(String(500), server_default="")
    delivered_at: Mapped[datetime | None]


class CallbackAttempt(TenantScoped, Base):
    """One try at delivering a callback (append-only)."""

    __tablename__ = "dist_callback_attempts"
    __table_args__ = (
        Index(None, "tenant_id", "callback_id"),
        tenant_foreign_key("dist_callback_attempts", "callback_id", "dist_callbacks"),
    )

    callback_id: Mapped[uuid.UUID]
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    error: Mapped[str] = mapped_column(String(500), server_default="")
    duration_ms: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    manual: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class Payout(TenantScoped, Base):
    """Money paid to the supplier for what it is owed: a Stripe Connect transfer and payout to
    its connected account, or a line of a bank transfer file marked paid by a clerk. Posts a
    `payout` entry when sent and a `payout_paid` entry when confirmed."""

    __tablename__ = "dist_payouts"
    __table_args__ = (
        CheckConstraint(f"method IN {_in(PAYOUT_METHODS)}", "method"),
        CheckConstraint(f"status IN {_in(PAYOUT_STATUSES)}", "status"),
        CheckConstraint("amount_fen > 0", "amount"),
        UniqueConstraint("tenant_id", "number"),
        Index(None, "tenant_id", "status"),
        tenant_key(),
    )

    number: Mapped[str] = mapped_column(String(24))  # FK-2026-12-0001
    method: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), server_default="CNY")
    statement_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), server_default=text("'{}'::uuid[]")
    )
    provider_account_id: Mapped[str] = mapped_column(String(64), server_default="")
    provider_transfer_id: Mapped[str] = mapped_column(String(64), server_default="")
    provider_payout_id: Mapped[str] = mapped_column(String(64), server_default="")
    bank_name: Mapped[str] = mapped_column(String(100), server_default="")
    bank_account: Mapped[str] = mapped_column(String(40), server_default="")
    account_holder: Mapped[str] = mapped_column(String(100), server_default="")
    error: Mapped[str] = mapped_column(String(500), server_default="")
    sent_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    marked_paid_by: Mapped[str] = mapped_column(String(100), server_default="")
    reconciled_at: Mapped[datetime | None]
    created_by: Mapped[uuid.UUID | None]


class Package(TenantScoped, Base):
    """A package an agency sells across enterprises (two hotel nights + a cruise + a spa day)
    as one order: every part booked or none (a saga with compensation), paid once. Owned by
    the agency (`tenant_id`)."""

    __tablename__ = "dist_packages"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(PACKAGE_STATUSES)}", "status"),
        CheckConstraint("total_fen >= 0", "total"),
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        tenant_key(),
    )

    number: Mapped[str] = mapped_column(String(24))  # TC20261208-0001
    name: Mapped[str] = mapped_column(String(100))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), server_default="booking")
    tourist_name: Mapped[str] = mapped_column(String(100))
    tourist_phone: Mapped[str] = mapped_column(String(32), server_default="")
    total_fen: Mapped[int] = mapped_column(BigInteger)
    payment_id: Mapped[uuid.UUID | None]
    failure: Mapped[str] = mapped_column(String(500), server_default="")
    created_by: Mapped[uuid.UUID | None]


class PackagePart(TenantScoped, Base):
    """One supplier's part of a package: which agreement (the supplier's row, no foreign key
    across tenants), what was booked there (`order_id` in the supplier's tenant), its state."""

    __tablename__ = "dist_package_parts"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(PART_STATUSES)}", "status"),
        UniqueConstraint("tenant_id", "package_id", "seq"),
        tenant_foreign_key("dist_package_parts", "package_id", "dist_packages"),
    )

    package_id: Mapped[uuid.UUID]
    seq: Mapped[int] = mapped_column(SmallInteger)
    supplier_tenant_id: Mapped[uuid.UUID]
    agreement_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    description: Mapped[str] = mapped_column(String(200), server_default="")
    request: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(12), server_default="pending")
    order_id: Mapped[uuid.UUID | None]
    sale_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    settlement_fen: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    error: Mapped[str] = mapped_column(String(500), server_default="")
