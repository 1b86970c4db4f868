"""The gangway page's camera in a real browser: Chromium's fake camera shows a boarding pass's
QR code, the page reads it (@zxing/browser, under the strict CSP) and answers 允许登船, once
per showing of the code (the camera sees it many times a second)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import segno
from PIL import Image

from tests.e2e import conftest as e2e
from tests.e2e.test_gangway_browser import PHONE, _boarding_now, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.realdb]
WIDTH, HEIGHT = 640, 480


def qr_video(code: str, path: Path) -> Path:
    """A still Y4M video (what Chromium's fake camera plays) of the code's QR on white."""
    qr = segno.make(code, error="m")
    png = path.with_suffix(".png")
    qr.save(str(png), scale=7, border=4)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    symbol = Image.open(png).convert("L")
    frame.paste(symbol, ((WIDTH - symbol.width) // 2, (HEIGHT - symbol.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path


async def test_the_camera_reads_a_pass_and_boards_it(
    live_server, committed_database, tmp_path, artifacts_dir, machine_clock
):
    if not shutil.which(e2e.CHROMIUM):
        pytest.skip(f"Chromium not found at {e2e.CHROMIUM}")
    from playwright.async_api import async_playwright

    e2e.CSP_VIOLATIONS.clear()
    purser, voyage, code = await _boarding_now(committed_database)
    video = qr_video(code, tmp_path / "pass.y4m")
    camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    async with async_playwright() as p:
        chromium = await p.chromium.launch(
            executable_path=e2e.CHROMIUM, args=[*e2e.CHROMIUM_ARGS, *camera]
        )
        try:
            context = await e2e.record_csp_violations(
                await chromium.new_context(viewport=PHONE, locale="zh-CN")
            )
            await context.grant_permissions(["camera"], origin=live_server)
            page = await context.new_page()
            await _sign_in(page, live_server, purser)
            await page.goto(f"{live_server}/console/boarding/voyages/{voyage.id}/gangway")
            await page.wait_for_function("window.ZXingBrowser !== undefined")
            await page.click("#camera-toggle")
            await page.wait_for_selector("#verdict-card[data-outcome=accepted]", timeout=60000)
            assert "允许登船" in await page.locator("#verdict-card").inner_text()
            await page.screenshot(path=str(artifacts_dir / "gangway-camera.png"))
            # The code stays in front of the camera: no second scan within the pause.
            await asyncio.sleep(1.5)
            assert await page.evaluate("localStorage.getItem('zhilv.gangway.seq')") == "1"
            await page.click("#camera-toggle")
            assert await page.locator("#camera").is_hidden()
        finally:
            await chromium.close()
    assert not e2e.CSP_VIOLATIONS, e2e.CSP_VIOLATIONS
