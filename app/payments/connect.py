"""Stripe Connect results: small frozen records the gateway returns for the Connect calls
(connected accounts, onboarding links, transfers, payouts, balances, balance transactions),
and their conversions from the `stripe` library's objects. See `app.payments.gateway`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """An enterprise's own Stripe account, as Stripe reports it. Ready to take guests'
    money only when `charges_enabled`; to receive payouts only when `payouts_enabled`."""

    id: str
    type: str
    country: str
    details_submitted: bool
    charges_enabled: bool
    payouts_enabled: bool
    requirements_due: tuple[str, ...] = ()
    disabled_reason: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccountLink:
    """A single-use Stripe-hosted onboarding page for one account (expires in minutes)."""

    url: str
    expires_at: int


@dataclass(frozen=True, slots=True)
class Transfer:
    """Money moved from the platform's balance to a connected account's."""

    id: str
    amount_fen: int
    currency: str
    destination: str
    destination_payment: str | None = None  # the `py_…` on the connected account
    transfer_group: str | None = None
    reversed: bool = False
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Payout:
    """Money sent from a connected account's balance to its bank account."""

    id: str
    account: str
    amount_fen: int
    currency: str
    status: str  # pending, in_transit, paid, failed, canceled
    arrival_date: int | None = None
    failure_message: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's balance in fen per upper-case currency."""

    available: Mapping[str, int]
    pending: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class BalanceTransaction:
    """One movement of an account's balance (charge, refund, transfer, payment, payout,
    topup, …): what reconciliation compares our ledger with."""

    id: str
    type: str
    amount_fen: int
    fee_fen: int
    net_fen: int
    currency: str
    status: str
    source: str | None
    created: int
    available_on: int | None = None
    description: str | None = None


def _metadata(data: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (data.get("metadata") or {}).items()}


def account_from(obj: Any) -> ConnectedAccount:
    data = obj.to_dict()
    requirements = data.get("requirements") or {}
    due = [*(requirements.get("past_due") or []), *(requirements.get("currently_due") or [])]
    return ConnectedAccount(
        id=str(data["id"]),
        type=str(data.get("type") or ""),
        country=str(data.get("country") or ""),
        details_submitted=bool(data.get("details_submitted")),
        charges_enabled=bool(data.get("charges_enabled")),
        payouts_enabled=bool(data.get("payouts_enabled")),
        requirements_due=tuple(dict.fromkeys(str(d) for d in due)),
        disabled_reason=requirements.get("disabled_reason"),
        metadata=_metadata(data),
    )


def account_from_event(data: Mapping[str, Any]) -> ConnectedAccount:
    """The account object carried by an `account.updated` event (a plain dict)."""

    class _Wrapped:
        def to_dict(self) -> Mapping[str, Any]:
            return data

    return account_from(_Wrapped())


def transfer_from(obj: Any) -> Transfer:
    data = obj.to_dict()
    destination = data.get("destination")
    payment = data.get("destination_payment")
    return Transfer(
        id=str(data["id"]),
        amount_fen=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        destination=str(destination["id"] if isinstance(destination, dict) else destination),
        destination_payment=str(payment["id"] if isinstance(payment, dict) else payment)
        if payment
        else None,
        transfer_group=data.get("transfer_group"),
        reversed=bool(data.get("reversed")),
        metadata=_metadata(data),
    )


def payout_from(obj: Any, account: str) -> Payout:
    data = obj.to_dict()
    return Payout(
        id=str(data["id"]),
        account=account,
        amount_fen=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        status=str(data["status"]),
        arrival_date=data.get("arrival_date"),
        failure_message=data.get("failure_message"),
        metadata=_metadata(data),
    )


def balance_from(obj: Any) -> Balance:
    data = obj.to_dict()

    def amounts(key: str) -> dict[str, int]:
        totals: dict[str, int] = {}
        for entry in data.get(key) or []:
            currency = str(entry["currency"]).upper()
            totals[currency] = totals.get(currency, 0) + int(entry["amount"])
        return totals

    return Balance(available=amounts("available"), pending=amounts("pending"))


def balance_transaction_from(obj: Any) -> BalanceTransaction:
    data = obj.to_dict()
    source = data.get("source")
    return BalanceTransaction(
        id=str(data["id"]),
        type=str(data["type"]),
        amount_fen=int(data["amount"]),
        fee_fen=int(data.get("fee") or 0),
        net_fen=int(data.get("net") or 0),
        currency=str(data["currency"]).upper(),
        status=str(data.get("status") or ""),
        source=str(source["id"] if isinstance(source, dict) else source) if source else None,
        created=int(data["created"]),
        available_on=data.get("available_on"),
        description=data.get("description"),
    )


class ConnectGateway(Protocol):
    """The Connect half of `app.payments.gateway.PaymentGateway`."""

    async def create_account(
        self,
        *,
        country: str,
        email: str | None,
        business_name: str | None,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> ConnectedAccount: ...

    async def retrieve_account(self, account_id: str) -> ConnectedAccount: ...

    async def create_account_link(
        self, account_id: str, *, refresh_url: str, return_url: str
    ) -> AccountLink: ...

    async def create_transfer(
        self,
        *,
        amount_fen: int,
        currency: str,
        destination: str,
        idempotency_key: str,
        metadata: dict[str, str],
        transfer_group: str | None = None,
        description: str | None = None,
    ) -> Transfer: ...

    async def create_payout(
        self,
        *,
        account: str,
        amount_fen: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
        description: str | None = None,
    ) -> Payout: ...

    async def retrieve_payout(self, account: str, payout_id: str) -> Payout: ...

    async def retrieve_balance(self, account: str | None) -> Balance: ...

    async def list_balance_transactions(
        self,
        account: str | None,
        *,
        payout: str | None = None,
        source: str | None = None,
        type: str | None = None,
    ) -> list[BalanceTransaction]: ...


def request_options(account: str | None, idempotency_key: str | None = None) -> Any:
    """Request options: `Stripe-Account` (the call acts on that connected account) and the
    idempotency key."""
    options: dict[str, str] = {}
    if account:
        options["stripe_account"] = account
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    return options


class ConnectCalls:
    """The Connect half of `StripeGateway` (its `_client` and `_stripe`, which turns the
    library's errors into `GatewayError`)."""

    _client: Any

    async def _stripe(self, method: Any, *args: Any) -> Any:
        raise NotImplementedError

    async def create_account(
        self,
        *,
        country: str,
        email: str | None,
        business_name: str | None,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> ConnectedAccount:
        """A Standard account: the enterprise's own Stripe account and dashboard, the
        merchant of record of its guests' payments (docs/payments.md says why)."""
        params: dict[str, Any] = {"type": "standard", "country": country, "metadata": metadata}
        if email:
            params["email"] = email
        if business_name:
            params["business_profile"] = {"name": business_name}
        created = await self._stripe(
            self._client.v1.accounts.create_async,
            params,
            request_options(None, f"acct-{idempotency_key}"),
        )
        return account_from(created)

    async def retrieve_account(self, account_id: str) -> ConnectedAccount:
        return account_from(await self._stripe(self._client.v1.accounts.retrieve_async, account_id))

    async def create_account_link(
        self, account_id: str, *, refresh_url: str, return_url: str
    ) -> AccountLink:
        params = {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
        link = await self._stripe(self._client.v1.account_links.create_async, params)
        return AccountLink(url=str(link.url), expires_at=int(link.expires_at))

    async def create_transfer(
        self,
        *,
        amount_fen: int,
        currency: str,
        destination: str,
        idempotency_key: str,
        metadata: dict[str, str],
        transfer_group: str | None = None,
        description: str | None = None,
    ) -> Transfer:
        """Platform balance -> `destination`'s balance; the key makes a retried payout job
        transfer once."""
        params: dict[str, Any] = {
            "amount": amount_fen,
            "currency": currency.lower(),
            "destination": destination,
            "metadata": metadata,
        }
        if transfer_group:
            params["transfer_group"] = transfer_group
        if description:
            params["description"] = description
        created = await self._stripe(
            self._client.v1.transfers.create_async,
            params,
            request_options(None, f"tr-{idempotency_key}"),
        )
        return transfer_from(created)

    async def create_payout(
        self,
        *,
        account: str,
        amount_fen: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
        description: str | None = None,
    ) -> Payout:
        """The connected account's available balance -> its bank account."""
        params: dict[str, Any] = {
            "amount": amount_fen,
            "currency": currency.lower(),
            "metadata": metadata,
        }
        if description:
            params["description"] = description
        created = await self._stripe(
            self._client.v1.payouts.create_async,
            params,
            request_options(account, f"po-{idempotency_key}"),
        )
        return payout_from(created, account)

    async def retrieve_payout(self, account: str, payout_id: str) -> Payout:
        found = await self._stripe(
            self._client.v1.payouts.retrieve_async, payout_id, None, request_options(account)
        )
        return payout_from(found, account)

    async def retrieve_balance(self, account: str | None) -> Balance:
        """`account=None`: the platform's own balance (what transfers draw on)."""
        return balance_from(
            await self._stripe(
                self._client.v1.balance.retrieve_async, None, request_options(account)
            )
        )

    async def list_balance_transactions(
        self,
        account: str | None,
        *,
        payout: str | None = None,
        source: str | None = None,
        type: str | None = None,
    ) -> list[BalanceTransaction]:
        """Every matching movement, newest first, all pages."""
        params: dict[str, Any] = {"limit": 100}
        for key, value in (("payout", payout), ("source", source), ("type", type)):
            if value:
                params[key] = value
        found: list[BalanceTransaction] = []
        while True:
            page = await self._stripe(
                self._client.v1.balance_transactions.list_async,
                dict(params),
                request_options(account),
            )
            found.extend(balance_transaction_from(item) for item in page.data)
            if not page.has_more or not page.data:
                return found
            params["starting_after"] = page.data[-1].id
