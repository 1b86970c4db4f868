"""Tourist-facing pages of contracts: signing on the phone (`/sign/contract?token=...`) and
the public check (`/verify/contract?n=<e-number>&code=<verification code>`).

Signing binds the tenant from the link (`permissions.SIGNING`); the service checks the
link's secret. The public check binds the tenant from the e-number's organisation code
(`permissions.VERIFY`), and an unknown number, an unknown agency and a wrong code
all render the very same page, so the check is no oracle for which numbers exist.

Every code send, code attempt and look-up is counted by `app.web.ratelimit` per client
address (and per signing link). The counts live in the request's transaction, so a
refused code is answered with a rendered page (which commits), never by raising.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.errors import AppError, Conflict, Invalid, NotFound
from app.i18n import gettext as translate
from app.web.errors import is_htmx
from app.web.ratelimit import allow
from app.web.responses import pdf_response
from modules.contracts import domain, permissions, service
from modules.contracts.service import SigningView
from tenants.context import Ctx, RequestContext, split_tenant_token

SIGN_PATH = "/sign/contract"
VERIFY_PATH = "/verify/contract"
# (limit, per): generous for a group's families signing on one hotel or office network,
# useless for guessing (a code has 10^6 values and dies after 5 wrong tries).
CODE_SENDS_PER_ADDRESS = (30, timedelta(hours=1))
CODE_SENDS_PER_LINK = (5, timedelta(hours=1))
ATTEMPTS_PER_ADDRESS = (30, timedelta(minutes=10))
ATTEMPTS_PER_LINK = (10, timedelta(minutes=10))
CHECKS_PER_ADDRESS = (20, timedelta(minutes=10))
CODE_MINUTES = int(service.CODE_TTL.total_seconds() // 60)

BAD_CHECK_CHAR = "The number's check character does not match. Please check what you typed."
BAD_FORMAT = "An electronic contract number looks like 914403001-2026-000123-N."
NOT_AGREED = "Tick the box to confirm that you have read the whole contract and agree to it."
TOO_MANY_CODES = "Too many codes were requested. Please wait a while and try again."

# What the tourist's page shows at each contract status.
STAGES = {
    "awaiting_tourist": "review",
    "awaiting_agency": "waiting",
    "signed": "done",
    "cancelled": "cancelled",
}
STATUS_LABELS = {
    "draft": "Draft, not signed",
    "awaiting_tourist": "Waiting for the tourist's signature",
    "awaiting_agency": "Waiting for the agency's countersignature",
    "signed": "Signed and in force",
    "cancelled": "Cancelled (the contract was terminated)",
}
# The filings engine's states, as a tourist needs to read them.
FILING_LABELS = {
    "none": "Not filed yet",
    "held": "Being filed",
    "waiting": "Being filed",
    "pending": "Being filed",
    "paused": "Filing delayed; the agency is correcting it",
    "accepted": "Filed with the bureau",
    "rejected": "Refused by the bureau; the agency is correcting it",
    "conflicted": "Filing delayed; the agency is correcting it",
}


def _message(exc: AppError) -> str:
    """The service's reason as an English msgid (a field error's, else the error's)."""
    return str(exc.errors[0]["message"]) if exc.errors else exc.message


def _secret(token: str) -> str:
    parsed = split_tenant_token(token)
    if parsed is None:  # the context already answered 404 for a mangled link
        raise NotFound()
    return parsed[1]


def _link_key(token: str) -> str:
    """A signing link as a rate-limit key, without storing the secret itself."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _within(db: AsyncSession, bucket: str, keys: dict[str, Any]) -> bool:
    """Count the hit under every (key, (limit, per)) and say whether all allow it."""
    results = [
        await allow(db, f"{bucket}:{name}", key, limit=lim, per=per)
        for name, (key, (lim, per)) in keys.items()
    ]
    return all(results)


def _limited(back: str) -> Template:
    return Template(
        template_name="contracts/public/limited.html",
        context={"back": back},
        status_code=429,
        headers={"Retry-After": "600"},
    )


def _tz(ctx: RequestContext) -> str:
    return clock.tz_of(ctx.tenant)


def _links(ctx: RequestContext, view: SigningView) -> dict[str, str]:
    """Once binding, the tourist's own way to the PDF and the public check: the link
    holder is the tourist, who has the verification code on the contract anyway."""
    if not view.e_number:
        return {}
    code = service.verify_code(ctx.tenant_id, view.e_number)
    query = urlencode({"n": view.e_number, "code": code})
    return {
        "code": code,
        "check": f"{VERIFY_PATH}?{query}",
        "pdf": f"{VERIFY_PATH}/pdf?{query}",
    }


class SigningController(Controller):
    """The tourist reviews the exact document, gets a one-time code and signs."""

    path = SIGN_PATH
    opt = {"guard": permissions.SIGNING}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    async def _page(
        self,
        ctx: RequestContext,
        token: str,
        *,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        view = await service.signing_view(ctx.db, ctx.tenant_id, _secret(token))
        context = {
            "view": view,
            "stage": STAGES.get(view.status, "closed"),
            "token": token,
            "tz": _tz(ctx),
            "links": _links(ctx, view),
            "code_minutes": CODE_MINUTES,
            "sent_to": view.masked_phone,
            **extra,
        }
        return Template(
            template_name="contracts/public/signing.html",
            context=context,
            status_code=status_code,
        )

    @get("/")
    async def page(
        self, ctx: Ctx, token: FromQuery[str] = "", sent: FromQuery[str] = ""
    ) -> Template:
        return await self._page(ctx, token, sent=sent == "1")

    @get("/status")
    async def status(self, ctx: Ctx, token: FromQuery[str] = "") -> Response[Any]:
        """Polled while the tourist waits: reloads the page once the agency countersigned."""
        view = await service.signing_view(ctx.db, ctx.tenant_id, _secret(token))
        if STAGES.get(view.status) == "waiting":
            return Response("", status_code=204)
        return Response("", status_code=200, headers={"HX-Refresh": "true"})

    @post("/code")
    async def send_code(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
        """Send (or send again) the one-time code to the lead tourist's phone. htmx gets
        the status line; without JavaScript the page comes back with it."""
        form = await request.form()
        token = str(form.get("token") or "")
        secret = _secret(token)
        keys = {
            "ip": (ctx.ip, CODE_SENDS_PER_ADDRESS),
            "link": (_link_key(token), CODE_SENDS_PER_LINK),
        }
        status, error = 200, None
        if not await _within(ctx.db, "contract_sign_code", keys):
            status, error = 429, translate(TOO_MANY_CODES)
        else:
            try:
                await service.send_signing_code(ctx.db, ctx.tenant_id, secret, ip=ctx.ip)
            except (Invalid, Conflict) as exc:
                status, error = exc.status_code, translate(_message(exc))
        if not is_htmx(request):
            if error is None:
                query = urlencode({"token": token, "sent": "1"})
                return Redirect(f"{SIGN_PATH}?{query}", status_code=303)
            return await self._page(ctx, token, status_code=status, code_error=error)
        view = await service.signing_view(ctx.db, ctx.tenant_id, secret)
        return Template(
            template_name="contracts/public/_partials/code_status.html",
            context={
                "sent": error is None,
                "code_error": error,
                "sent_to": view.masked_phone,
                "code_minutes": CODE_MINUTES,
            },
            status_code=status,
        )

    @post("/")
    async def sign(self, request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
        """Wrong codes are answered 422 on the page (not raised), so the attempt counts
        commit: the service's own attempt counter and the per-address limit."""
        form = await request.form()
        token = str(form.get("token") or "")
        code = str(form.get("code") or "").strip()
        secret = _secret(token)
        keys = {
            "ip": (ctx.ip, ATTEMPTS_PER_ADDRESS),
            "link": (_link_key(token), ATTEMPTS_PER_LINK),
        }
        if not await _within(ctx.db, "contract_sign_attempt", keys):
            return _limited(f"{SIGN_PATH}?{urlencode({'token': token})}")
        if form.get("agree") != "yes":
            return await self._page(ctx, token, status_code=422, error=translate(NOT_AGREED))
        try:
            await service.tourist_sign(
                ctx.db, ctx.tenant_id, secret, code, ip=ctx.ip, user_agent=ctx.user_agent
            )
        except (Invalid, Conflict) as exc:
            return await self._page(ctx, token, status_code=422, error=translate(_message(exc)))
        return Redirect(f"{SIGN_PATH}?{urlencode({'token': token})}", status_code=303)


# --- the public check ------------------------------------------------------------------


def number_problem(text: str) -> str | None:
    """Why a typed e-number cannot be right, before anything is looked up."""
    if domain.parse_e_number(text) is not None:
        return None
    if domain.E_NUMBER_RE.match(domain.normalise_e_number(text)):
        return BAD_CHECK_CHAR
    return BAD_FORMAT


def _tid(ctx: RequestContext) -> Any:
    """The agency the number names, or None (then the service answers "no match")."""
    return ctx.tenant.id if ctx.tenant else None


async def _check_allowed(ctx: RequestContext) -> bool:
    limit, per = CHECKS_PER_ADDRESS
    return await allow(ctx.db, "contract_check", ctx.ip, limit=limit, per=per)


class VerifyController(Controller):
    """`/verify/contract`: status, agency, dates, filing and the PDF for whoever holds
    the number and the code printed on the contract."""

    path = VERIFY_PATH
    opt = {"guard": permissions.VERIFY}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    def _page(self, ctx: RequestContext, status_code: int = 200, **context: Any) -> Template:
        contract = context.get("contract")
        return Template(
            template_name="contracts/public/verify.html",
            context={
                "tz": _tz(ctx),
                "errors": {},
                "not_found": False,
                "contract": None,
                "status_label": STATUS_LABELS.get(getattr(contract, "status", ""), ""),
                "filing_label": FILING_LABELS.get(
                    getattr(contract, "filing_state", None) or "none", "Being filed"
                ),
                **context,
            },
            status_code=status_code,
        )

    @get("/")
    async def check(
        self, ctx: Ctx, n: FromQuery[str] = "", code: FromQuery[str | None] = None
    ) -> Response[Any]:
        """No `code` at all: the form (prefilled from the PDF's QR code with `?n=`)."""
        form = {"n": n, "code": code or ""}
        problem = number_problem(n) if n else None
        errors = {"n": translate(problem)} if problem else {}
        if code is None:
            return self._page(ctx, 422 if errors else 200, form=form, errors=errors)
        if not n:
            errors["n"] = translate("Enter the electronic contract number.")
        if not code.strip():
            errors["code"] = translate("Enter the verification code printed on the contract.")
        if errors:
            return self._page(ctx, 422, form=form, errors=errors)
        if not await _check_allowed(ctx):
            return _limited(VERIFY_PATH)
        e_number = domain.normalise_e_number(n)
        contract = await service.public_check(ctx.db, _tid(ctx), e_number, code.strip())
        if contract is None:
            return self._page(ctx, 404, form=form, not_found=True)
        return self._page(ctx, form={"n": e_number, "code": code.strip()}, contract=contract)

    @get("/pdf")
    async def pdf(
        self, ctx: Ctx, n: FromQuery[str] = "", code: FromQuery[str] = ""
    ) -> Response[Any]:
        """Exactly the stored bytes of the signed document, or the same not-found page."""
        form = {"n": n, "code": code}
        if number_problem(n) is not None or not code.strip():
            return self._page(ctx, 404, form=form, not_found=True)
        if not await _check_allowed(ctx):
            return _limited(VERIFY_PATH)
        e_number = domain.normalise_e_number(n)
        pdf = await service.public_pdf(ctx.db, _tid(ctx), e_number, code.strip())
        if pdf is None:
            return self._page(ctx, 404, form=form, not_found=True)
        return pdf_response(pdf, f"contract-{e_number}.pdf")


ROUTES: list[Any] = [SigningController, VerifyController]
