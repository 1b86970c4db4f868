"""A page number typed as a Unicode digit ('²' passes str.isdigit()) is a 422, not a 500."""

from __future__ import annotations

from tests.helpers import sign_in


async def test_a_unicode_digit_as_page_is_a_field_error(client, owner):
    await sign_in(client, owner)
    answer = await client.get("/console/contracts", params={"page": "²"})
    assert answer.status_code == 422, answer.text
    assert "请输入 1 到 100000 之间的整数。" in answer.text
    assert (await client.get("/console/contracts", params={"page": "2"})).status_code == 200
