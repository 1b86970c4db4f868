"""A vehicle's seats typed as a Unicode digit ('²' passes str.isdigit()) is a 422 with the
seats field marked, not a 500."""

from __future__ import annotations

from tests.factories.groups import make_group
from tests.helpers import form_post, sign_in
from tests.modules.groups.test_routes import form_for


async def test_a_unicode_digit_as_seats_is_a_field_error(db, client, owner, agent):
    group = await make_group(db, tenant=owner.tenant)
    await sign_in(client, agent)
    data = form_for(group.start_date, seats=["²", ""])
    answer = await form_post(client, f"/console/groups/{group.id}", data)
    assert answer.status_code == 422, answer.text
