"""A folio charge's description has a length limit (issue 10: 10,000 characters were
stored, broke the bill table and pushed the amount column off the invoice PDF)."""

from __future__ import annotations

import re

from modules.frontdesk import service
from tests.factories.frontdesk import make_stay
from tests.helpers import form_post, sign_in
from tests.modules.frontdesk.conftest import pdf_text

LONGEST = "M" * 100  # no space to break at: the hardest text to lay out


async def test_a_description_over_100_characters_is_refused(db, client, owner):
    checked = await make_stay(db, tenant=owner.tenant)
    await sign_in(client, owner)
    refused = await form_post(
        client,
        f"/console/frontdesk/stays/{checked.stay.id}/charges",
        {"description": LONGEST + "M", "amount": "12.34", "source": "minibar"},
        headers={"hx-request": "true"},
    )
    assert 400 <= refused.status_code < 500, refused.text
    assert "最多 100 个字符。" in refused.text


async def test_the_longest_description_keeps_the_amount_on_the_bill_and_the_invoice(
    db, client, owner, tid
):
    checked = await make_stay(db, tenant=owner.tenant)
    await sign_in(client, owner)
    posted = await form_post(
        client,
        f"/console/frontdesk/stays/{checked.stay.id}/charges",
        {"description": LONGEST, "amount": "12.34", "source": "minibar"},
        headers={"hx-request": "true"},
        follow_redirects=False,
    )
    assert posted.status_code < 400, posted.text
    page = await client.get(f"/console/frontdesk/stays/{checked.stay.id}")
    assert LONGEST in page.text and "¥12.34" in page.text
    assert 'maxlength="100"' in page.text
    issuer = service.Issuer(name=owner.tenant.name, timezone=owner.tenant.timezone)
    pdf = await service.invoice_pdf(db, tid, checked.stay.id, issuer=issuer)
    text = pdf_text(pdf)
    assert re.search(r"M+\s+¥12\.34", text), text
