"""The browser-test harness notices a Content-Security-Policy violation (conftest.py), so the
other browser tests passing means their pages had none."""

from __future__ import annotations

from typing import Any

from tests.e2e import conftest


async def test_a_refused_inline_style_is_recorded(browser: Any, live_server: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    response = await page.goto(f"{live_server}/console/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert conftest.CSP_VIOLATIONS == []
    await page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    )
    await page.wait_for_timeout(300)  # the report travels through the console and a binding
    found = list(conftest.CSP_VIOLATIONS)
    conftest.CSP_VIOLATIONS.clear()
    await context.close()
    assert found and any("style-src" in v for v in found), found
