"""The payment gateway: the one place that speaks to Stripe.

`PaymentGateway` is what the payments module depends on; `StripeGateway` implements it with
the official `stripe` library, against Stripe itself or, in development and tests, against
the local emulator (`STRIPE_API_BASE`, see `devtools.stripe_emulator`). Amounts are fen, which
is Stripe's minor unit for CNY, so they pass through unchanged.

Every call that creates or moves money carries an idempotency key chosen by the caller
(our own row id), so a retried job or request can never charge or refund twice.

Stripe Connect (docs/payments.md). The platform holds the keys; each enterprise has its own
connected account, and a guest's payment is a *direct charge* on it: every PaymentIntent call
and every refund takes `account=` (sent as the `Stripe-Account` header), so the money, the
refunds, the fees and the disputes are the enterprise's, never the platform's. The Connect
calls, each returning a small frozen record from `app.payments.connect`:

- `create_account(country=, email=, business_name=, metadata=, idempotency_key=)` a Standard
  connected account; `retrieve_account(id)` its status (details submitted, charges and
  payouts enabled, requirements due); `create_account_link(id, refresh_url=, return_url=)`
  the Stripe-hosted onboarding page;
- `create_transfer(amount_fen=, currency=, destination=, idempotency_key=, metadata=,
  transfer_group=)` platform balance -> a connected account (what distribution owes a
  supplier);
- `create_payout(account=, amount_fen=, currency=, idempotency_key=, metadata=)` a
  connected account's balance -> its bank; `retrieve_payout(account, id)`;
- `retrieve_balance(account)` (None: the platform's) and
  `list_balance_transactions(account, payout=, source=, type=)` for reconciliation: the
  movements a payout swept (`payout=po_…`) or a transfer caused (`source=tr_…`, or the
  transfer's `destination_payment` on the connected account).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import stripe

from app.errors import Unavailable
from app.payments.connect import (
    ConnectCalls,
    ConnectGateway,
)
from app.payments.connect import request_options as _options
from app.settings import Settings, get_settings

LOCAL_KEY_SUFFIX = "_zhilv_local"


class GatewayError(Exception):
    """The provider refused or could not be reached; `message` is safe to log."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status >= 500 or self.status == 429


class InvalidSignature(Exception):
    """A webhook whose signature does not verify: it did not come from the provider."""


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    status: str  # the provider's: requires_payment_method, requires_action, succeeded, ...
    amount_fen: int
    currency: str
    client_secret: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    failure_message: str | None = None
    amount_received: int = 0  # captured so far (a hold captured for less than it held)


@dataclass(frozen=True, slots=True)
class RefundResult:
    id: str
    status: str  # succeeded, pending, failed, canceled
    amount_fen: int


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    id: str
    type: str
    created: int
    payload: dict[str, Any]

    @property
    def object(self) -> dict[str, Any]:
        data: dict[str, Any] = self.payload.get("data") or {}
        return data.get("object") or {}


class PaymentGateway(ConnectGateway, Protocol):
    provider: str
    publishable_key: str
    js_url: str

    async def create_intent(
        self,
        *,
        amount_fen: int,
        currency: str,
        description: str,
        metadata: dict[str, str],
        idempotency_key: str,
        receipt_email: str | None = None,
        capture_method: str = "automatic",
        account: str | None = None,
    ) -> Intent: ...

    async def retrieve_intent(self, intent_id: str, *, account: str | None = None) -> Intent: ...

    async def confirm_with_card_token(
        self, intent_id: str, token: str, *, idempotency_key: str, account: str | None = None
    ) -> Intent: ...

    async def cancel_intent(self, intent_id: str, *, account: str | None = None) -> Intent: ...

    async def capture_intent(
        self,
        intent_id: str,
        amount_to_capture: int,
        *,
        idempotency_key: str,
        account: str | None = None,
    ) -> Intent: ...

    async def refund(
        self,
        *,
        intent_id: str,
        amount_fen: int,
        idempotency_key: str,
        metadata: dict[str, str],
        account: str | None = None,
    ) -> RefundResult: ...

    def parse_webhook(self, payload: bytes, signature: str | None) -> ProviderEvent: ...


class StripeGateway(ConnectCalls):
    """PaymentIntents and Connect through `stripe.StripeClient` (async calls over httpx)."""

    provider = "stripe"

    def __init__(
        self,
        *,
        secret_key: str,
        publishable_key: str,
        webhook_secret: str,
        js_url: str,
        api_base: str | None = None,
        max_network_retries: int = 2,
        connect_webhook_secret: str = "",
    ) -> None:
        self.publishable_key = publishable_key
        self.js_url = js_url
        # Stripe signs the platform's events and its connected accounts' events with the
        # secrets of two endpoints (or one, when one endpoint takes both).
        self._webhook_secrets = [s for s in (webhook_secret, connect_webhook_secret) if s]
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.HTTPXClient(),
            max_network_retries=max_network_retries,
        )

    async def create_intent(
        self,
        *,
        amount_fen: int,
        currency: str,
        description: str,
        metadata: dict[str, str],
        idempotency_key: str,
        receipt_email: str | None = None,
        capture_method: str = "automatic",
        account: str | None = None,
    ) -> Intent:
        """`capture_method="manual"` only authorises the card (a hold the desk captures,
        for the final bill or less, with `capture_intent`, or releases with `cancel_intent`)."""
        params: dict[str, Any] = {
            "amount": amount_fen,
            "currency": currency.lower(),
            "metadata": metadata,
            **self._describe(description, receipt_email),
        }
        if capture_method == "manual":
            params["capture_method"] = "manual"
        return await self._call(
            self._client.v1.payment_intents.create_async,
            params,
            _options(account, f"pi-{idempotency_key}"),
        )

    def _describe(self, description: str, receipt_email: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"description": description}
        if receipt_email:
            params["receipt_email"] = receipt_email
        return params

    async def retrieve_intent(self, intent_id: str, *, account: str | None = None) -> Intent:
        return await self._call(
            self._client.v1.payment_intents.retrieve_async, intent_id, None, _options(account)
        )

    async def confirm_with_card_token(
        self, intent_id: str, token: str, *, idempotency_key: str, account: str | None = None
    ) -> Intent:
        """Attach the card behind a Stripe.js token and confirm. A card that needs 3-D
        Secure leaves the intent `requires_action`; the page then lets Stripe.js finish."""
        params = {"payment_method_data": {"type": "card", "card": {"token": token}}}
        return await self._call(
            self._client.v1.payment_intents.confirm_async,
            intent_id,
            params,
            _options(account, f"confirm-{idempotency_key}"),
        )

    async def cancel_intent(self, intent_id: str, *, account: str | None = None) -> Intent:
        return await self._call(
            self._client.v1.payment_intents.cancel_async, intent_id, None, _options(account)
        )

    async def capture_intent(
        self,
        intent_id: str,
        amount_to_capture: int,
        *,
        idempotency_key: str,
        account: str | None = None,
    ) -> Intent:
        """Take `amount_to_capture` of an authorised hold; the provider releases the rest."""
        return await self._call(
            self._client.v1.payment_intents.capture_async,
            intent_id,
            {"amount_to_capture": amount_to_capture},
            _options(account, f"capture-{idempotency_key}"),
        )

    async def refund(
        self,
        *,
        intent_id: str,
        amount_fen: int,
        idempotency_key: str,
        metadata: dict[str, str],
        account: str | None = None,
    ) -> RefundResult:
        """From the account the intent was charged on (a direct charge's refund comes out
        of the enterprise's balance, never the platform's)."""
        try:
            refund = await self._client.v1.refunds.create_async(
                {"payment_intent": intent_id, "amount": amount_fen, "metadata": metadata},
                _options(account, f"re-{idempotency_key}"),
            )
        except stripe.StripeError as exc:
            raise _gateway_error(exc) from exc
        return RefundResult(id=refund.id, status=str(refund.status), amount_fen=refund.amount)

    def parse_webhook(self, payload: bytes, signature: str | None) -> ProviderEvent:
        """Verify the `Stripe-Signature` header (HMAC-SHA256 over `t.payload`, 5-minute
        tolerance) before trusting a byte of the body."""
        event = None
        refused: Exception = ValueError("no webhook secret is set")
        for secret in self._webhook_secrets:
            try:
                event = stripe.Webhook.construct_event(payload, signature, secret)
                break
            except (stripe.SignatureVerificationError, ValueError) as exc:
                refused = exc
        if event is None:
            raise InvalidSignature(str(refused))
        data = event.to_dict()
        return ProviderEvent(
            id=str(data["id"]), type=str(data["type"]), created=int(data["created"]), payload=data
        )

    async def _call(self, method: Any, *args: Any) -> Intent:
        return _intent(await self._stripe(method, *args))

    async def _stripe(self, method: Any, *args: Any) -> Any:
        try:
            return await method(*args)
        except stripe.StripeError as exc:
            raise _gateway_error(exc) from exc


class LocalStripeGateway(StripeGateway):
    """The same gateway against localstripe, which cannot confirm with payment-method data:
    the token's card is set on the intent first, then the intent is confirmed."""

    async def confirm_with_card_token(
        self, intent_id: str, token: str, *, idempotency_key: str, account: str | None = None
    ) -> Intent:
        try:
            card = (await self._client.v1.tokens.retrieve_async(token)).card
            await self._client.v1.payment_intents.update_async(
                intent_id, {"payment_method": card.id if card else ""}, _options(account)
            )
        except stripe.StripeError as exc:
            raise _gateway_error(exc) from exc
        return await self._call(
            self._client.v1.payment_intents.confirm_async, intent_id, None, _options(account)
        )

    def _describe(self, description: str, receipt_email: str | None) -> dict[str, Any]:
        return {}  # localstripe refuses description and receipt_email on PaymentIntents


def _intent(intent: Any) -> Intent:
    data = intent.to_dict()
    error = data.get("last_payment_error") or {}
    return Intent(
        id=str(data["id"]),
        status=str(data["status"]),
        amount_fen=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        client_secret=data.get("client_secret"),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        failure_message=error.get("message"),
        amount_received=int(data.get("amount_received") or 0),
    )


def _gateway_error(exc: stripe.StripeError) -> GatewayError:
    return GatewayError(
        exc.user_message or str(exc) or type(exc).__name__,
        code=exc.code,
        status=exc.http_status,
    )


def gateway_from_settings(settings: Settings) -> PaymentGateway:
    """The gateway the settings describe. Production refuses the emulator and the
    development keys, so a misconfigured deployment fails loudly instead of taking no money."""
    if settings.env == "production" and (
        settings.stripe_api_base or settings.stripe_secret_key.endswith(LOCAL_KEY_SUFFIX)
    ):
        raise Unavailable("Online payment is not configured.")
    cls = LocalStripeGateway if settings.stripe_api_base else StripeGateway
    return cls(
        secret_key=settings.stripe_secret_key,
        publishable_key=settings.stripe_publishable_key,
        webhook_secret=settings.stripe_webhook_secret,
        connect_webhook_secret=settings.stripe_connect_webhook_secret,
        js_url=settings.stripe_js_url,
        api_base=settings.stripe_api_base or None,
    )


_installed: PaymentGateway | None = None
_built: tuple[Settings, PaymentGateway] | None = None


@contextmanager
def use_gateway(gateway: PaymentGateway) -> Iterator[PaymentGateway]:
    """Tests: route every payment through `gateway` for the duration of the block."""
    global _installed
    previous, _installed = _installed, gateway
    try:
        yield gateway
    finally:
        _installed = previous


def current_gateway() -> PaymentGateway:
    """The installed gateway, else the one the current settings describe (built once)."""
    global _built
    if _installed is not None:
        return _installed
    settings = get_settings()
    if _built is None or _built[0] is not settings:
        _built = (settings, gateway_from_settings(settings))
    return _built[1]
