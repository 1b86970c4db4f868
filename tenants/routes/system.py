"""System pages of the console: the notification outbox and the background jobs, with
Send again for a failed message and Retry for a dead-lettered job."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.notifications.models import OutboundMessage
from app.notifications.service import CHANNELS, STATUSES
from app.web.nav import NavItem
from tenants import permissions, service
from tenants.context import Ctx
from tenants.schemas.system import RetryJobForm
from tenants.shell import console_page


class MessagesController(Controller):
    path = "/console/system/messages"
    opt = {"guard": permissions.SYSTEM}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        channel: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        result = await service.messages_page(
            ctx.db, ctx.tenant_id, channel=channel, status=status, page=page
        )
        return console_page(
            request,
            ctx,
            "console/system/messages.html",
            active="messages",
            result=result,
            channels=CHANNELS,
            statuses=STATUSES,
        )

    @get("/{message_id:uuid}", opt={"owns": {"message_id": OutboundMessage}})
    async def detail(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        message_id: FromPath[uuid.UUID],
        resent: FromQuery[str | None] = None,
    ) -> Template:
        view = await service.message_detail(ctx.db, ctx.tenant_id, message_id)
        return console_page(
            request,
            ctx,
            "console/system/message.html",
            active="messages",
            view=view,
            resent=bool(resent),
        )

    @post("/{message_id:uuid}/resend", opt={"owns": {"message_id": OutboundMessage}})
    async def resend(self, ctx: Ctx, message_id: FromPath[uuid.UUID]) -> Redirect:
        await service.resend_message(
            ctx.db, ctx.tenant_id, message_id, actor_user_id=ctx.principal.user_id, ip=ctx.ip
        )
        return Redirect(f"/console/system/messages/{message_id}?resent=1", status_code=303)


class JobsController(Controller):
    path = "/console/system/jobs"
    opt = {"guard": permissions.SYSTEM}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], ctx: Ctx, retried: FromQuery[int | None] = None
    ) -> Template:
        jobs = await service.jobs_page(ctx.db, ctx.tenant_id)
        return console_page(
            request, ctx, "console/system/jobs.html", active="jobs", jobs=jobs, retried=retried
        )

    @post("/retry")
    async def retry(self, ctx: Ctx, data: URLEncodedBody[RetryJobForm]) -> Redirect:
        """procrastinate's job table has no `tenant_id` and no row-level security, so the
        job id cannot be declared in `owns`; `service.retry_job` checks that this tenant
        enqueued the job and answers 404 otherwise."""
        await service.retry_job(
            ctx.db, ctx.tenant_id, data.job_id, actor_user_id=ctx.principal.user_id, ip=ctx.ip
        )
        return Redirect(f"/console/system/jobs?retried={data.job_id}", status_code=303)


ROUTES = [MessagesController, JobsController]
NAV = [
    NavItem(
        key="messages",
        label="Messages",
        href="/console/system/messages",
        roles=permissions.SYSTEM,
        section="admin",
        order=60,
    ),
    NavItem(
        key="jobs",
        label="Background jobs",
        href="/console/system/jobs",
        roles=permissions.SYSTEM,
        section="admin",
        order=70,
    ),
]
