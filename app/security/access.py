"""Who may call a route: roles, API-key scopes and the typed guards routes declare.

Every route handler (or its controller) declares exactly one guard in `opt["guard"]`:

    class ReservationsConsole(Controller):
        opt = {"guard": Staff(Role.MANAGER, Role.FRONT_DESK)}

    @post("/charges", opt={"guard": ApiKey(Scope.POS_CHARGE)})

The guard says how the caller is identified (a staff session, an API key, a paired
terminal, a platform operator, a public page of one enterprise, an e-mailed link, a
public look-up, or nobody) and what it must hold (roles, scopes). `tenants.context`
resolves the caller from it, the app refuses to start when a route has none
(`check_guards`), and the enums make a misspelt role or scope a NameError at import,
never a silent "no check".
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Literal


class Role(StrEnum):
    """A staff member's role in one enterprise. Owners pass every staff guard."""

    OWNER = "owner"
    MANAGER = "manager"
    FRONT_DESK = "front_desk"
    CASHIER = "cashier"
    AGENT = "agent"
    GUIDE = "guide"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


# English msgids, translated where shown.
ROLE_LABELS: dict[Role, str] = {
    Role.OWNER: "Owner",
    Role.MANAGER: "Manager",
    Role.FRONT_DESK: "Front desk",
    Role.CASHIER: "Cashier",
    Role.AGENT: "Travel agent",
    Role.GUIDE: "Tour guide",
    Role.AUDITOR: "Auditor",
}


class Scope(StrEnum):
    """What an API key may do. The console offers only the scopes some route requires
    (`used_scopes`), so a key is never granted a permission with nothing behind it."""

    BOARDING_SCAN = "boarding:scan"
    POS_CHARGE = "pos:charge"
    GATE_EXIT = "gate:exit"
    DISTRIBUTION_READ = "distribution:read"
    DISTRIBUTION_BOOK = "distribution:book"
    FILINGS_READ = "filings:read"
    TERMINALS_READ = "terminals:read"
    RESERVATIONS_READ = "reservations:read"
    RESERVATIONS_WRITE = "reservations:write"

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]


# English msgids shown next to the checkbox on the API-key page.
SCOPE_LABELS: dict[Scope, str] = {
    Scope.RESERVATIONS_READ: "Search availability and read reservations",
    Scope.RESERVATIONS_WRITE: "Hold, book, change and cancel reservations",
    Scope.FILINGS_READ: "Read the status of filings with the tourism bureau",
    Scope.TERMINALS_READ: "Read content for guest terminals",
    Scope.BOARDING_SCAN: "Scan boarding codes at the gangway",
    Scope.POS_CHARGE: "Charge purchases to a room, cabin or key tag at a point of sale",
    Scope.GATE_EXIT: "Check key tags and settle balances at exit gates",
    Scope.DISTRIBUTION_READ: "Read products, prices and availability (distributors)",
    Scope.DISTRIBUTION_BOOK: "Book and cancel on behalf of guests (distributors)",
}

Access = Literal[
    "staff",
    "apikey",
    "operator",
    "device",
    "tenant_public",
    "tenant_token",
    "tenant_lookup",
    "public",
]

# `async (db, request) -> tenant id | None`: finds the tenant from what a caller typed.
TenantLookupFn = Callable[[Any, Any], Awaitable[uuid.UUID | None]]


@dataclass(frozen=True, slots=True, init=False)
class Staff:
    """A signed-in staff member of the enterprise holding one of `roles` (owners always
    pass). `Staff()` with no roles admits every member."""

    access: ClassVar[Access] = "staff"
    roles: frozenset[Role]

    def __init__(self, *roles: Role) -> None:
        for role in roles:
            if not isinstance(role, Role):
                raise TypeError(f"Staff guard takes Role members, not {role!r}")
        object.__setattr__(self, "roles", frozenset(roles))

    def admits(self, role: str | None) -> bool:
        return role == Role.OWNER or not self.roles or role in self.roles


@dataclass(frozen=True, slots=True, init=False)
class ApiKey:
    """A device's or partner's API key holding every one of `scopes` (`ApiKey()`: any
    valid key of the enterprise, for calls such as "who am I")."""

    access: ClassVar[Access] = "apikey"
    scopes: frozenset[Scope]

    def __init__(self, *scopes: Scope) -> None:
        for scope in scopes:
            if not isinstance(scope, Scope):
                raise TypeError(f"ApiKey guard takes Scope members, not {scope!r}")
        object.__setattr__(self, "scopes", frozenset(scopes))

    def admits(self, held: Iterable[str]) -> bool:
        return self.scopes <= set(held)


@dataclass(frozen=True, slots=True)
class Device:
    """A paired in-room or in-cabin terminal (its cookie names tenant and device)."""

    access: ClassVar[Access] = "device"


@dataclass(frozen=True, slots=True)
class Operator:
    """A platform operator (no tenant bound)."""

    access: ClassVar[Access] = "operator"


@dataclass(frozen=True, slots=True)
class TenantPublic:
    """Anyone, on a public page of one enterprise named by the `tenant_slug` path part."""

    access: ClassVar[Access] = "tenant_public"


@dataclass(frozen=True, slots=True)
class TenantToken:
    """Anyone holding an e-mailed link `<tenant_id>.<secret>` (`token` query or form
    field); only the tenant is bound, the service checks the secret."""

    access: ClassVar[Access] = "tenant_token"


@dataclass(frozen=True, slots=True)
class TenantLookup:
    """Anyone; `lookup` finds the tenant from what the caller typed, reading only
    platform-wide tables. Nothing found binds no tenant (no existence oracle)."""

    access: ClassVar[Access] = "tenant_lookup"
    lookup: TenantLookupFn


@dataclass(frozen=True, slots=True)
class Public:
    """Anyone; no tenant is bound."""

    access: ClassVar[Access] = "public"


Guard = Staff | ApiKey | Device | Operator | TenantPublic | TenantToken | TenantLookup | Public
GUARD_TYPES = (Staff, ApiKey, Device, Operator, TenantPublic, TenantToken, TenantLookup, Public)


class GuardError(RuntimeError):
    """A route declares no guard, or something that is not one: the app must not start."""


def guard_of(opt: dict[str, Any]) -> Guard:
    guard = opt.get("guard")
    if not isinstance(guard, GUARD_TYPES):
        raise GuardError(f"no typed guard in opt (found {guard!r})")
    return guard


def check_guards(
    handlers: Iterable[Any],
    *,
    exempt: Callable[[Any], bool],
) -> set[Scope]:
    """Refuse to start when a route handler declares no typed guard, or a leftover
    untyped `roles`/`scopes`/`access` entry; return the scopes some route requires."""
    used: set[Scope] = set()
    problems: list[str] = []
    for handler in handlers:
        if exempt(handler):
            continue
        where = f"{handler.handler_name} {sorted(handler.paths)}"
        stale = sorted({"roles", "scopes", "access", "tenant_lookup"} & set(handler.opt))
        if stale:
            problems.append(f"{where}: untyped opt keys {stale}")
        try:
            guard = guard_of(handler.opt)
        except GuardError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if not isinstance(guard, Public) and "ctx" not in handler.parsed_fn_signature.parameters:
            problems.append(
                f"{where}: a {guard.access} guard is only enforced for handlers taking `ctx: Ctx`"
            )
        if isinstance(guard, ApiKey):
            used |= guard.scopes
    if problems:
        raise GuardError("Routes without a typed guard:\n  " + "\n  ".join(problems))
    return used
