"""`filing_states`: where a page's filings stand, in one query, the same as
`filing_detail` says one at a time."""

from __future__ import annotations

import uuid

from sqlalchemy import event

from modules.filings import service
from tests.factories.filings import make_filing, make_registration
from tests.factories.tenants import make_tenant
from tests.modules.filings.conftest import as_tenant, tid
from tests.modules.filings.test_sending import send


async def test_states_and_receipts_agree_with_the_detail_in_one_query(
    db, registered, bureau, settings
):
    rejected = await make_filing(db, tenant=registered.tenant)
    bureau.then(
        400,
        {"code": "invalid", "message": "x", "errors": [{"field": "period", "code": "bad"}]},
    )
    await send(db, registered, rejected, bureau, settings)
    accepted = await make_filing(db, tenant=registered.tenant)
    await send(db, registered, accepted, bureau, settings)
    pending = await make_filing(db, tenant=registered.tenant)

    statements: list[str] = []
    engine = db.bind.sync_engine

    def listen(_conn, _cursor, statement, *_rest):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        ids = [accepted, rejected, pending, None, accepted]
        states = await service.filing_states(db, tid(registered), ids)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(statements) == 1 and "ANY" in statements[0]

    assert set(states) == {accepted, rejected, pending}
    for filing_id, status in states.items():
        detail = (await service.filing_detail(db, tid(registered), filing_id)).filing
        assert (status.kind, status.state, status.receipt_no, status.last_error) == (
            detail.kind,
            detail.state,
            detail.receipt_no,
            detail.last_error,
        )
        assert (status.received_at, status.due_at) == (detail.received_at, detail.due_at)
        assert status.errors == list(detail.errors or [])
    assert states[accepted].state == "accepted" and states[accepted].receipt_no
    assert states[rejected].state == "rejected" and states[rejected].errors[0]["field"] == "period"
    assert states[pending].state == "pending" and states[pending].receipt_no is None


async def test_nothing_asked_nothing_read_and_others_filings_are_absent(db, registered):
    assert await service.filing_states(db, tid(registered), []) == {}
    assert await service.filing_states(db, tid(registered), [None]) == {}
    other = await make_tenant(db)
    await make_registration(db, tenant=other.tenant)
    theirs = await make_filing(db, tenant=other.tenant)
    await as_tenant(db, registered)
    mine = await make_filing(db, tenant=registered.tenant)
    states = await service.filing_states(db, tid(registered), [mine, theirs, uuid.uuid4()])
    assert set(states) == {mine}
