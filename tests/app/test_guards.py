"""Typed guards: a route without one, or with a misspelt role or scope, stops start-up."""

from __future__ import annotations

import types

import pytest
from litestar import get

from app import main
from app.security.access import (
    ApiKey,
    GuardError,
    Public,
    Role,
    Scope,
    Staff,
    check_guards,
)
from tenants.context import Ctx


@get("/console/_unguarded")
async def _unguarded(ctx: Ctx) -> str:
    return "nobody said who may call this"


@get("/console/_untyped", opt={"access": "staff", "roles": {"manger"}})
async def _untyped(ctx: Ctx) -> str:
    return "a misspelt role used to mean no check"


@get("/console/_no_ctx", opt={"guard": Staff(Role.MANAGER)})
async def _no_ctx() -> str:
    return "a guard nobody enforces"


@pytest.mark.parametrize("handler", [_unguarded, _untyped, _no_ctx])
def test_the_app_refuses_to_start_with_an_unguarded_route(handler, settings, database, monkeypatch):
    extra = types.SimpleNamespace(ROUTES=[handler], NAV=[])
    monkeypatch.setattr(main, "PACKAGES", [*main.PACKAGES, extra])
    with pytest.raises(GuardError, match=handler.paths.copy().pop()):
        main.create_app(settings, database=database)


def test_every_route_of_the_product_has_a_guard(app):
    """The real app starts (create_app ran check_guards) and knows which scopes routes use."""
    assert Scope.RESERVATIONS_WRITE in app.state.scopes_in_use
    assert Scope.BOARDING_SCAN in app.state.scopes_in_use  # the gangway's and gates' routes


def test_roles_and_scopes_must_be_the_kernel_enums():
    with pytest.raises(TypeError):
        Staff("manager")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ApiKey("pos.charge")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        Role.MANGER  # type: ignore[attr-defined]


def test_owners_pass_every_staff_guard_and_others_only_theirs():
    desk = Staff(Role.FRONT_DESK, Role.CASHIER)
    assert desk.admits("owner") and desk.admits("cashier")
    assert not desk.admits("agent") and not desk.admits(None)
    assert Staff().admits("guide")
    assert ApiKey(Scope.POS_CHARGE).admits({"pos:charge", "gate:exit"})
    assert not ApiKey(Scope.POS_CHARGE, Scope.GATE_EXIT).admits({"pos:charge"})


def test_check_guards_reports_the_scopes_in_use():
    @get("/api/v1/_scan", opt={"guard": ApiKey(Scope.BOARDING_SCAN)})
    async def scan(ctx: Ctx) -> str:
        return ""

    @get("/_open", opt={"guard": Public()})
    async def open_page() -> str:
        return ""

    assert check_guards([scan, open_page], exempt=lambda h: False) == {Scope.BOARDING_SCAN}
