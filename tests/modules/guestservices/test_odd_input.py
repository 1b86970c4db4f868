"""Unicode digits ('²' passes str.isdigit() and fails int()) answer 422 with a field
message: a menu item's sort order in the console, a quantity on the room terminal."""

from __future__ import annotations

from tests.factories.guestservices import make_menu_item
from tests.factories.terminals import make_device
from tests.helpers import csrf, form_post, sign_in


async def test_a_unicode_digit_as_sort_order_is_a_field_error(client, owner):
    await sign_in(client, owner)
    answer = await form_post(
        client,
        "/console/guestservices/menu",
        {"menu": "room_service", "name": "酸辣粉", "price": "22", "sort_order": "²"},
    )
    assert answer.status_code == 422, answer.text
    assert 'value="酸辣粉"' in answer.text


async def test_a_unicode_digit_as_quantity_on_the_terminal_is_a_field_error(
    db, client, owner, guest
):
    item = await make_menu_item(db, tenant=owner.tenant)
    paired = await make_device(db, tenant=owner.tenant, unit_id=guest.stay.unit_id)
    client.cookies.set("zhilv_terminal", paired.token)
    token = await csrf(client)
    answer = await client.post(
        "/terminal/dining/orders",
        data={f"qty_{item.id}": "²", "_csrf_token": token},
        headers={"hx-request": "true", "x-csrftoken": token},
    )
    assert answer.status_code == 422, answer.text
    assert "0 到 20" in answer.text
