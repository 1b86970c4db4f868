"""A faithful stand-in for the Stripe Connect calls Zhilv makes, inside the localstripe process.

localstripe has no Connect and stripe-stateful-mock (npm) has accounts but no PaymentIntents,
account links, transfers or payouts (shared STACK-NOTES), so this aiohttp middleware, installed
on localstripe's own app by `devtools/localstripe_server.py`, answers those calls in Stripe's
wire format and hands every other request to localstripe unchanged. One process, one port: the
official `stripe` library, the Stripe.js mock and the webhooks all keep working as before.

Served here (Bearer secret key; `Stripe-Account` selects the connected account):
  POST/GET /v1/accounts[/{id}]   Standard/Express accounts (CN refused, as Stripe does)
  POST /v1/account_links         account_onboarding links to the page below
  POST/GET /v1/transfers[/{id}]  platform balance -> a connected account (`py_` payment there)
  POST/GET /v1/payouts[/{id}]    an account's balance -> its bank (created `pending`)
  GET  /v1/balance               available/pending per currency (platform or account)
  GET  /v1/balance_transactions[/{id}]  filters: payout, source, type, currency
  POST /v1/topups                money into the platform's balance (what transfers draw on)
Every POST honours `Idempotency-Key` (per account, as Stripe does).

Direct charges: a PaymentIntent created with `Stripe-Account` is recorded with that account;
later secret-key calls on it (retrieve, update, confirm, capture, cancel, refund) with another
account, or none, answer 404 `resource_missing` as Stripe does; its events carry `account`. A
succeeded one adds a `charge` balance transaction to its account, a refund a `refund` one.
An account that is not `charges_enabled` cannot create PaymentIntents.

Development and test helpers (no auth, like localstripe's `/_config/`):
  GET/POST /_config/connect/onboarding/{token}  the page an account link opens: submitting it
      completes onboarding (details submitted, charges and payouts enabled, nothing due),
      sends `account.updated` as a signed webhook and redirects to the link's return_url
  POST /_config/connect/payouts/{id}/settle?status=paid|failed   a bank's answer to a payout
  GET  /_config/connect/intents/{id}   which account a PaymentIntent was created on
Accounts whose id starts with `acct_ready_` (made by the test factory and the demo, which write
only our own row) are known here as already onboarded the first time they are named.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from aiohttp import web
from localstripe import resources
from localstripe.webhooks import schedule_webhook

STATE_KEY = "zhilv_connect:state"
READY_PREFIX = "acct_ready_"
ACCOUNT_TYPES = ("standard", "express", "custom")
UNSUPPORTED_COUNTRIES = ("CN",)
CURRENCIES = {"HK": "hkd", "SG": "sgd", "US": "usd", "GB": "gbp", "JP": "jpy"}
ONBOARDING_DUE = [
    "business_profile.url",
    "business_type",
    "external_account",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
PLATFORM = ""


def _now() -> int:
    return int(time.time())


def _id(prefix: str) -> str:
    return prefix + secrets.token_hex(8)


def state() -> dict[str, Any]:
    """Connect's objects, kept in localstripe's store (saved with it, cleared with it)."""
    found = resources.store.get(STATE_KEY)
    if found is None:
        found = {
            "accounts": {},
            "links": {},
            "transfers": {},
            "payouts": {},
            "topups": {},
            "txns": [],
            "balances": {},
            "intents": {},
            "refunds": {},
            "charged": {},
            "idem": {},
        }
        resources.store[STATE_KEY] = found
    return found


class ConnectError(Exception):
    def __init__(self, status: int, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": "invalid_request_error", "message": message, **fields}}

    def response(self) -> web.Response:
        return web.json_response(self.body, status=self.status)


def _missing(kind: str, object_id: str, param: str = "id") -> ConnectError:
    return ConnectError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


class _Exported:
    """What localstripe's `Event` needs of an object: `_export()`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.id = data["id"]
        self._data = data

    def _export(self, expand: Any = None) -> dict[str, Any]:
        return json.loads(json.dumps(self._data))


def send_event(type: str, data: dict[str, Any], account: str | None) -> None:
    """Record the event (GET /v1/events lists it) and deliver it to the registered webhooks,
    signed as localstripe signs its own; a connected account's event names the account."""
    event = resources.Event(type, _Exported(data))
    if account:
        event.account = account
    schedule_webhook(event)


# -- accounts -----------------------------------------------------------------------------


def new_account(
    account_id: str, *, type: str, country: str, email: Any = None, name: Any = None
) -> dict[str, Any]:
    return {
        "id": account_id,
        "object": "account",
        "type": type,
        "country": country,
        "email": email,
        "business_profile": {"name": name},
        "capabilities": {"card_payments": "inactive", "transfers": "inactive"},
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "default_currency": CURRENCIES.get(country, "usd"),
        "metadata": {},
        "created": _now(),
        "livemode": False,
        "requirements": {
            "currently_due": list(ONBOARDING_DUE),
            "eventually_due": list(ONBOARDING_DUE),
            "past_due": [],
            "pending_verification": [],
            "errors": [],
            "current_deadline": None,
            "disabled_reason": "requirements.past_due",
        },
    }


def complete_onboarding(account: dict[str, Any]) -> None:
    account.update(details_submitted=True, charges_enabled=True, payouts_enabled=True)
    account["capabilities"] = {"card_payments": "active", "transfers": "active"}
    requirements = account["requirements"]
    requirements.update(currently_due=[], eventually_due=[], past_due=[], disabled_reason=None)


def find_account(account_id: str) -> dict[str, Any]:
    accounts = state()["accounts"]
    if account_id not in accounts and account_id.startswith(READY_PREFIX):
        ready = new_account(account_id, type="standard", country="HK")
        complete_onboarding(ready)
        accounts[account_id] = ready
    if account_id not in accounts:
        raise ConnectError(
            403,
            f"The provided key does not have access to account '{account_id}' "
            "(or that account does not exist).",
            code="account_invalid",
        )
    return accounts[account_id]


def create_account(data: dict[str, Any], _account: str | None) -> dict[str, Any]:
    account_type = str(data.get("type") or "standard")
    country = str(data.get("country") or "US").upper()
    if account_type not in ACCOUNT_TYPES:
        raise ConnectError(400, f"Invalid type: {account_type}", param="type")
    if country in UNSUPPORTED_COUNTRIES:
        raise ConnectError(
            400, f"Connected accounts cannot be created in {country}.", param="country"
        )
    profile = data.get("business_profile") or {}
    account = new_account(
        _id("acct_"),
        type=account_type,
        country=country,
        email=data.get("email"),
        name=profile.get("name") if isinstance(profile, dict) else None,
    )
    account["metadata"] = dict(data.get("metadata") or {})
    state()["accounts"][account["id"]] = account
    return account


def update_account(account_id: str, data: dict[str, Any]) -> dict[str, Any]:
    account = find_account(account_id)
    account["metadata"].update(data.get("metadata") or {})
    if data.get("email"):
        account["email"] = data["email"]
    if isinstance(data.get("business_profile"), dict):
        account["business_profile"].update(data["business_profile"])
    return account


def create_link(request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
    account = find_account(str(data.get("account") or ""))
    for param in ("refresh_url", "return_url"):
        if not str(data.get(param) or "").startswith("http"):
            raise ConnectError(400, f"Missing required param: {param}.", param=param)
    token = secrets.token_urlsafe(16)
    expires = _now() + 300
    state()["links"][token] = {
        "account": account["id"],
        "return_url": data["return_url"],
        "refresh_url": data["refresh_url"],
        "expires_at": expires,
        "used": False,
    }
    base = f"{request.scheme}://{request.host}"
    return {
        "object": "account_link",
        "created": _now(),
        "expires_at": expires,
        "url": f"{base}/_config/connect/onboarding/{token}",
    }


# -- money ---------------------------------------------------------------------------------


def _amount(data: dict[str, Any]) -> tuple[int, str]:
    try:
        amount = int(str(data.get("amount")))
    except ValueError:
        raise ConnectError(400, "Invalid integer: amount", param="amount") from None
    currency = str(data.get("currency") or "").lower()
    if amount <= 0 or len(currency) != 3:
        raise ConnectError(400, "Amount must be positive, in a 3-letter currency.", param="amount")
    return amount, currency


def _balance(owner: str, currency: str) -> dict[str, int]:
    balances = state()["balances"].setdefault(owner, {})
    return balances.setdefault(currency, {"available": 0, "pending": 0})


def _move(owner: str, amount: int, currency: str, type: str, source: str, **extra: Any) -> dict:
    """One balance transaction (available at once) and the balance it changes."""
    balance = _balance(owner, currency)
    if amount < 0 and balance["available"] + amount < 0:
        raise ConnectError(
            400,
            "You have insufficient funds in your Stripe account for this transfer.",
            code="balance_insufficient",
        )
    balance["available"] += amount
    txn = {
        "id": _id("txn_"),
        "object": "balance_transaction",
        "amount": amount,
        "currency": currency,
        "fee": 0,
        "fee_details": [],
        "net": amount,
        "type": type,
        "reporting_category": type,
        "source": source,
        "status": "available",
        "created": _now(),
        "available_on": _now(),
        "description": extra.pop("description", None),
        "_owner": owner,
        "_payout": extra.pop("payout", None),
    }
    state()["txns"].append(txn)
    return txn


def create_transfer(data: dict[str, Any], account: str | None) -> dict[str, Any]:
    if account:
        raise ConnectError(400, "Transfers are made from the platform account.")
    amount, currency = _amount(data)
    destination = find_account(str(data.get("destination") or ""))
    if destination["capabilities"].get("transfers") != "active":
        raise ConnectError(
            400,
            "Your destination account needs to have the transfers capability enabled.",
            code="insufficient_capabilities_for_transfer",
            param="destination",
        )
    transfer_id, payment_id = _id("tr_"), _id("py_")
    _move(PLATFORM, -amount, currency, "transfer", transfer_id, description=data.get("description"))
    _move(destination["id"], amount, currency, "payment", payment_id)
    transfer = {
        "id": transfer_id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "currency": currency,
        "destination": destination["id"],
        "destination_payment": payment_id,
        "description": data.get("description"),
        "metadata": dict(data.get("metadata") or {}),
        "transfer_group": data.get("transfer_group"),
        "reversed": False,
        "created": _now(),
        "livemode": False,
    }
    state()["transfers"][transfer_id] = transfer
    send_event("transfer.created", transfer, None)
    return transfer


def create_payout(data: dict[str, Any], account: str | None) -> dict[str, Any]:
    owner = find_account(account)["id"] if account else PLATFORM
    if account and not state()["accounts"][owner]["payouts_enabled"]:
        raise ConnectError(
            400, "Payouts are not enabled on this account.", code="payouts_not_allowed"
        )
    amount, currency = _amount(data)
    payout_id = _id("po_")
    swept = [t for t in state()["txns"] if t["_owner"] == owner and not t["_payout"]]
    _move(owner, -amount, currency, "payout", payout_id, payout=payout_id)
    for txn in swept:
        if txn["currency"] == currency:
            txn["_payout"] = payout_id
    payout = {
        "id": payout_id,
        "object": "payout",
        "amount": amount,
        "currency": currency,
        "status": "pending",
        "method": "standard",
        "type": "bank_account",
        "arrival_date": _now() + 86400,
        "automatic": False,
        "description": data.get("description"),
        "failure_code": None,
        "failure_message": None,
        "metadata": dict(data.get("metadata") or {}),
        "created": _now(),
        "livemode": False,
        "_owner": owner,
    }
    state()["payouts"][payout_id] = payout
    send_event("payout.created", _public(payout), account)
    return payout


def settle_payout(payout_id: str, status: str) -> dict[str, Any]:
    payout = state()["payouts"].get(payout_id)
    if payout is None or status not in ("paid", "failed"):
        raise _missing("payout", payout_id)
    if payout["status"] == "pending":
        payout["status"] = status
        if status == "failed":
            payout.update(
                failure_code="account_closed", failure_message="The bank account is closed."
            )
            _move(
                payout["_owner"], payout["amount"], payout["currency"], "payout_failure", payout_id
            )
        send_event(f"payout.{status}", _public(payout), payout["_owner"] or None)
    return payout


def create_topup(data: dict[str, Any], account: str | None) -> dict[str, Any]:
    amount, currency = _amount(data)
    topup_id = _id("tu_")
    _move(account or PLATFORM, amount, currency, "topup", topup_id)
    topup = {
        "id": topup_id,
        "object": "topup",
        "amount": amount,
        "currency": currency,
        "status": "succeeded",
        "description": data.get("description"),
        "metadata": dict(data.get("metadata") or {}),
        "created": _now(),
        "livemode": False,
    }
    state()["topups"][topup_id] = topup
    return topup


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}
