"""Demo data of the groups module for `make run` (never production). Idempotent.

For the demo travel agency (巴渝旅行社): one group departing in a couple of weeks (the
武隆 tour of the contracts demo), covering the demo's signed contracts that depart
first, with every day planned, a 45-seat coach and a guide, filed with the bureau (the
worker sends it to the stand-in, which hands back receipts). Runs after the guides and
contracts demos; when either left nothing to work with, it logs why and creates
nothing."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.db.engine import TenantId
from app.errors import AppError, Conflict
from modules.groups.repository import GroupRepository
from modules.groups.schemas import DayInput, GroupInput, VehicleInput
from modules.groups.service import links
from modules.groups.service.editing import Actor, create_group
from modules.groups.service.filing import file_group
from modules.groups.service.guiding import assign_guide

log = logging.getLogger("zhilv.groups")

# Day by day, as a Chongqing agent plans it (REFERENCE §5.4), for the destinations the
# demo's contracts name: 武隆 (三日游), 大足 (一日游), or the classic 重庆—武隆—大足.
PLANS: dict[str, tuple[tuple[list[str], str], ...]] = {
    "武隆": (
        (["武隆天生三桥", "龙水峡地缝"], "武隆仙女山华邑酒店"),
        (["仙女山国家森林公园"], "武隆仙女山华邑酒店"),
        (["芙蓉洞", "返回重庆"], ""),
    ),
    "大足": ((["大足石刻（宝顶山）", "大足石刻（北山）", "返回重庆"], ""),),
}
CLASSIC = (
    (["洪崖洞", "解放碑", "长江索道"], "重庆解放碑威斯汀酒店"),
    (["武隆天生三桥", "龙水峡地缝"], "武隆仙女山华邑酒店"),
    (["仙女山国家森林公园", "芙蓉洞"], "武隆仙女山华邑酒店"),
    (["大足石刻（宝顶山）", "返回重庆"], ""),
)
COACH = VehicleInput(
    plate_no="渝A65432", seats=45, driver_name="王建国", driver_phone="13883456789"
)
ROUTE = "重庆—武隆—大足"


def _first_departure(contracts: list[Any], today: date) -> list[Any]:
    """The signed contracts of the first departure day after today."""
    usable = [c for c in contracts if c.start_date and c.end_date and c.start_date > today]
    if not usable:
        return []
    first = min(c.start_date for c in usable)
    return [c for c in usable if c.start_date == first]


def _days(start: date, end: date, destinations: tuple[str, ...]) -> list[DayInput]:
    """One planned day per date: the destination's plan when it has as many days, else
    the classic tour (its last day always the way home)."""
    count = (end - start).days + 1
    plan = next((PLANS[d] for d in destinations if len(PLANS.get(d, ())) == count), None)
    if plan is None:
        middle = [CLASSIC[1 + i % 2] for i in range(max(count - 2, 0))]
        plan = tuple([CLASSIC[0], *middle, CLASSIC[-1]][-count:])
    return [DayInput(start + timedelta(days=i), list(p), h) for i, (p, h) in enumerate(plan)]


async def _guide(db: AsyncSession, tid: TenantId, group_id: Any, actor: Actor) -> bool:
    for guide in await links.all_guides(db, tid):
        try:
            async with db.begin_nested():
                await assign_guide(db, tid, group_id, guide.id, actor=actor)
            return True
        except Conflict:
            continue
    return False


async def seed_demo(db: AsyncSession, tenant_id: TenantId, kinds: tuple[str, ...]) -> None:
    if "agency" not in kinds or await GroupRepository(db, tenant_id).any_group():
        return
    today = clock.today()
    chosen = _first_departure(await links.signed_contracts(db, tenant_id, start_from=today), today)
    if not chosen:
        log.info("demo group skipped: the demo agency has no signed contract departing later")
        return
    start = min(c.start_date for c in chosen)
    end = max(c.end_date for c in chosen)
    actor = Actor()
    data = GroupInput(
        route_name=chosen[0].route_name or ROUTE,
        start_date=start,
        end_date=end,
        contract_ids=[c.id for c in chosen],
        days=_days(start, end, tuple(chosen[0].destinations)),
        vehicles=[COACH],
        notes="游客集合：解放碑步行街 8:00；导游全程陪同。",
    )
    group = await create_group(db, tenant_id, data, actor=actor, number_prefix="BY")
    if not await _guide(db, tenant_id, group.id, actor):
        log.info("demo group %s left as a draft: no demo guide is free", group.group_no)
        return
    try:
        async with db.begin_nested():
            await file_group(db, tenant_id, group.id, actor=actor, today=today)
    except AppError as exc:
        log.info("demo group %s left as a draft: %s %s", group.group_no, exc.message, exc.errors)
