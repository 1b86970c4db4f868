"""The HTTP side of the Connect stand-in (`devtools/stripe_connect_standin.py`): one aiohttp
middleware on localstripe's app that answers the Connect routes and watches the
PaymentIntent and refund calls made for a connected account (`Stripe-Account`).

Runs in localstripe's own virtualenv (it imports aiohttp and localstripe), started by
`devtools/localstripe_server.py`; never imported by the product or the tests."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import stripe_connect_standin as connect
from aiohttp import web
from localstripe import resources, server
from stripe_connect_standin import ConnectError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ONBOARDING = re.compile(r"^/_config/connect/onboarding/([\w-]+)$")
SETTLE = re.compile(r"^/_config/connect/payouts/(\w+)/settle$")
INTENT_RECORD = re.compile(r"^/_config/connect/intents/(\w+)$")
INTENT = re.compile(r"^/v1/payment_intents/(\w+)(/\w+)?$")
OBJECT = re.compile(r"^/v1/(accounts|transfers|payouts|balance_transactions|topups)/(\w+)$")


def _secret_key_call(request: web.Request) -> bool:
    return server.get_api_key(request) is not None


def _account(request: web.Request) -> str | None:
    return request.headers.get("Stripe-Account") or None


async def _data(request: web.Request) -> dict[str, Any]:
    return dict(await server.get_post_data(request) or {})


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(connect._public(body), status=status)


async def _idempotent(request: web.Request, make: Callable[[], dict[str, Any]]) -> web.Response:
    """Stripe replays the first answer to a repeated `Idempotency-Key` (per account)."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        return _json(make())
    slot = f"{_account(request) or ''}|{key}"
    seen = connect.state()["idem"]
    if slot not in seen:
        seen[slot] = {"path": request.path, "body": connect._public(make())}
    elif seen[slot]["path"] != request.path:
        raise ConnectError(
            400,
            "Keys for idempotent requests can only be used once.",
            code="idempotency_key_in_use",
        )
    return web.json_response(seen[slot]["body"])


async def _connect_route(request: web.Request) -> web.StreamResponse | None:
    """The Connect endpoints; None: not one of them."""
    path, method, account = request.path, request.method, _account(request)
    state = connect.state()
    creators = {
        "/v1/accounts": connect.create_account,
        "/v1/transfers": connect.create_transfer,
        "/v1/payouts": connect.create_payout,
        "/v1/topups": connect.create_topup,
    }
    if method == "POST" and path in creators:
        data = await _data(request)
        return await _idempotent(request, lambda: creators[path](data, account))
    if method == "POST" and path == "/v1/account_links":
        data = await _data(request)
        return _json(connect.create_link(request, data))
    if method == "GET" and path == "/v1/balance":
        return _json(balance(account))
    if method == "GET" and path == "/v1/balance_transactions":
        return web.json_response(list_balance_transactions(account, request.query))
    if method == "GET" and path == "/v1/payouts":
        owner = account or connect.PLATFORM
        mine = [p for p in state["payouts"].values() if p["_owner"] == owner]
        return web.json_response(_list(path, mine, request.query))
    match = OBJECT.match(path)
    if match:
        return await _object_route(request, match.group(1), match.group(2), account)
    return None


async def _object_route(
    request: web.Request, kind: str, object_id: str, account: str | None
) -> web.StreamResponse:
    state = connect.state()
    if kind == "accounts":
        if request.method == "POST":
            return _json(connect.update_account(object_id, await _data(request)))
        return _json(connect.find_account(object_id))
    if kind == "balance_transactions":
        owner = account or connect.PLATFORM
        found = [t for t in state["txns"] if t["id"] == object_id and t["_owner"] == owner]
        if not found:
            raise connect._missing("balance transaction", object_id)
        return _json(found[0])
    store = {"transfers": "transfers", "payouts": "payouts", "topups": "topups"}[kind]
    obj = state[store].get(object_id)
    owner = obj.get("_owner", connect.PLATFORM) if obj else None
    if obj is None or (kind == "payouts" and owner != (account or connect.PLATFORM)):
        raise connect._missing(kind[:-1], object_id)
    return _json(obj)


# -- balances (read) -------------------------------------------------------------------------


def balance(account: str | None) -> dict[str, Any]:
    owner = connect.find_account(account)["id"] if account else connect.PLATFORM
    per_currency = connect.state()["balances"].get(owner, {}) or {
        "cny": {"available": 0, "pending": 0}
    }

    def entries(kind: str) -> list[dict[str, Any]]:
        return [
            {"amount": b[kind], "currency": c, "source_types": {"card": b[kind]}}
            for c, b in sorted(per_currency.items())
        ]

    return {
        "object": "balance",
        "available": entries("available"),
        "pending": entries("pending"),
        "livemode": False,
    }


def _list(url: str, items: list[dict[str, Any]], query: Any) -> dict[str, Any]:
    order = sorted(enumerate(items), key=lambda p: (p[1]["created"], p[0]), reverse=True)
    items = [item for _, item in order]
    after = query.get("starting_after")
    if after:
        ids = [o["id"] for o in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    limit = max(1, min(100, int(query.get("limit") or 10)))
    page = items[:limit]
    return {
        "object": "list",
        "url": url,
        "has_more": len(items) > limit,
        "data": [connect._public(o) for o in page],
    }


def list_balance_transactions(account: str | None, query: Any) -> dict[str, Any]:
    owner = connect.find_account(account)["id"] if account else connect.PLATFORM
    found = [t for t in connect.state()["txns"] if t["_owner"] == owner]
    for key, field in (
        ("payout", "_payout"),
        ("source", "source"),
        ("type", "type"),
        ("currency", "currency"),
    ):
        if query.get(key):
            found = [t for t in found if t[field] == query[key]]
    return _list("/v1/balance_transactions", found, query)


# -- direct charges -------------------------------------------------------------------------


async def _intent_call(request: web.Request, handler: Handler) -> web.StreamResponse:
    """PaymentIntents and refunds pass to localstripe; the account each was made for is
    recorded, and a secret-key call naming another account does not find it."""
    path, account, state = request.path, _account(request), connect.state()
    if path == "/v1/payment_intents" and request.method == "POST" and account:
        if not connect.find_account(account)["charges_enabled"]:
            raise ConnectError(
                400, "This account cannot currently make charges.", code="account_invalid"
            )
    match = INTENT.match(path)
    if match and _secret_key_call(request) and match.group(1) in state["intents"]:
        if state["intents"][match.group(1)] != account:
            raise connect._missing("payment_intent", match.group(1), "intent")
    if path == "/v1/refunds" and request.method == "POST":
        intent_id = str((await _data(request)).get("payment_intent") or "")
        if state["intents"].get(intent_id, account) != account:
            raise connect._missing("payment_intent", intent_id, "payment_intent")
    response = await handler(request)
    _record(request, response, account)
    return response


def _record(request: web.Request, response: web.StreamResponse, account: str | None) -> None:
    if not isinstance(response, web.Response) or response.status >= 300 or not response.text:
        return
    try:
        body = json.loads(response.text)
    except ValueError:
        return
    state = connect.state()
    kind = body.get("object")
    if kind == "payment_intent":
        if request.path == "/v1/payment_intents" and request.method == "POST":
            state["intents"][body["id"]] = account
        owner = state["intents"].get(body["id"])
        if owner and body.get("status") == "succeeded" and body["id"] not in state["charged"]:
            received = int(body.get("amount_received") or body.get("amount") or 0)
            state["charged"][body["id"]] = received
            connect._move(owner, received, body["currency"], "charge", body["id"])
    elif kind == "refund" and request.method == "POST":
        owner = state["intents"].get(body.get("payment_intent") or "")
        state["refunds"][body["id"]] = owner
        if owner and body.get("status") == "succeeded":
            connect._move(owner, -int(body["amount"]), body["currency"], "refund", body["id"])


# -- development pages ------------------------------------------------------------------------

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Stripe Connect onboarding (local stand-in)</title></head><body>
<h1>Connect onboarding — local stand-in</h1>
<p>Account <code>{account}</code>. Stripe would ask here for the business, its representative
and a bank account. Submitting marks the account's details submitted with charges and payouts
enabled, sends <code>account.updated</code>, and returns to the platform.</p>
<form method="post"><button type="submit" id="complete-onboarding">Submit and return</button></form>
</body></html>"""


async def _onboarding(request: web.Request, token: str) -> web.StreamResponse:
    link = connect.state()["links"].get(token)
    if link is None:
        raise web.HTTPNotFound(text="This onboarding link is unknown.")
    if link["used"] or link["expires_at"] < connect._now():
        raise web.HTTPFound(link["refresh_url"])
    if request.method == "GET":
        return web.Response(
            text=PAGE.format(account=html.escape(link["account"])), content_type="text/html"
        )
    link["used"] = True
    account = connect.find_account(link["account"])
    connect.complete_onboarding(account)
    connect.send_event("account.updated", account, account["id"])
    raise web.HTTPSeeOther(link["return_url"])


async def _config_route(request: web.Request) -> web.StreamResponse | None:
    match = ONBOARDING.match(request.path)
    if match:
        return await _onboarding(request, match.group(1))
    match = SETTLE.match(request.path)
    if match and request.method == "POST":
        status = request.query.get("status", "paid")
        return _json(connect.settle_payout(match.group(1), status))
    match = INTENT_RECORD.match(request.path)
    if match:
        intents = connect.state()["intents"]
        if match.group(1) not in intents:
            raise connect._missing("payment_intent", match.group(1))
        return web.json_response({"id": match.group(1), "account": intents[match.group(1)]})
    return None


@web.middleware
async def connect_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if request.path.startswith("/_config/connect/"):
            answer = await _config_route(request)
        else:
            answer = await _connect_route(request)
        if answer is not None:
            return answer
        if request.path.startswith(("/v1/payment_intents", "/v1/refunds")):
            return await _intent_call(request, handler)
    except ConnectError as exc:
        return exc.response()
    return await handler(request)


def _tag_events_with_account() -> None:
    """A connected account's PaymentIntent (and charge, refund) events carry `account`."""
    original = resources.Event.__init__

    def init(self: Any, type: str, data: Any) -> None:
        original(self, type, data)
        state = connect.state()
        for key in (getattr(data, "id", None), getattr(data, "payment_intent", None)):
            owner = state["intents"].get(key) or state["refunds"].get(key) if key else None
            if owner:
                self.account = owner
                return

    resources.Event.__init__ = init


def install(app: web.Application) -> None:
    """Put the stand-in in front of localstripe's routes (after its auth and store-saving
    middlewares, so Connect's state is saved with localstripe's)."""
    app.middlewares.append(connect_middleware)
    _tag_events_with_account()
