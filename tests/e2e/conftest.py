"""A live server (granian, real commits) and headless Chromium for browser tests.

Every browser context records Content-Security-Policy violations in our pages (the
`securitypolicyviolation` event and Chromium's "Refused to ..." console errors); a test
during which any occurred fails, naming them. Frames of other origins (Stripe's) answer to
their own policy and are not recorded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.db.admin import DatabaseUrls
from app.settings import PROJECT_ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Violations seen during the running test (one test runs at a time in a process).
CSP_VIOLATIONS: list[str] = []
_REPORT_VIOLATIONS = """
if (window.top === window) {
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__cspViolation([e.documentURI, e.effectiveDirective, e.blockedURI,
                           e.sourceFile + ":" + e.lineNumber, (e.sample || "")].join(" | "));
  });
}
"""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _on_console(message: Any) -> None:
    text = message.text
    if not (text.startswith("Refused to") and "Content Security Policy" in text):
        return
    where = (message.location or {}).get("url") or ""
    page_url = message.page.url if message.page else ""
    if where and page_url and _origin(where) != _origin(page_url):
        return  # another origin's frame, under its own policy
    CSP_VIOLATIONS.append(f"{page_url or where}: {text}")


async def record_csp_violations(context: Any) -> Any:
    await context.expose_binding(
        "__cspViolation", lambda _source, text: CSP_VIOLATIONS.append(str(text))
    )
    await context.add_init_script(_REPORT_VIOLATIONS)
    context.on("console", _on_console)
    return context


class RecordingBrowser:
    """The Playwright browser, whose new contexts record CSP violations."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    async def new_context(self, *args: Any, **kwargs: Any) -> Any:
        return await record_csp_violations(await self._browser.new_context(*args, **kwargs))

    async def new_page(self, *args: Any, **kwargs: Any) -> Any:
        context = await self.new_context(*args, **kwargs)
        page = await context.new_page()
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    CSP_VIOLATIONS.clear()
    try:
        result = yield
    except BaseException as exc:  # a failed test still tells of violations (their cause?)
        if CSP_VIOLATIONS:
            exc.add_note(_violations())
        raise
    if CSP_VIOLATIONS:
        pytest.fail(_violations())
    return result


def _violations() -> str:
    found = "\n".join(dict.fromkeys(CSP_VIOLATIONS))
    CSP_VIOLATIONS.clear()
    return f"Content-Security-Policy violations in the browser:\n{found}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(committed_urls: DatabaseUrls, stripe_emulator: str) -> Iterator[str]:
    """The app served by granian on a free port, with the Stripe emulator in its environment."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": committed_urls.app_url,
        "DATABASE_OWNER_URL": committed_urls.owner_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "ZHILV_ENV": "test",
        # One granian worker: its start-up (importing and building the app) is most of the
        # fixture's time, and one process answers a browser's requests concurrently anyway.
        "WORKERS": "1",
    }
    errors = tempfile.TemporaryFile()  # never a pipe: a full pipe would block the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        start_new_session=True,  # granian's workers go with it when it is stopped
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        _stop(proc)
        errors.seek(0)
        raise RuntimeError(errors.read().decode(errors="replace") or "server did not start")
    yield url
    _stop(proc)
    errors.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers; a server that will not stop is killed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs it as root on Debian)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield RecordingBrowser(browser)
        await browser.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[object]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = await context.new_page()
    yield page
    await context.close()


@pytest.fixture(autouse=True)
def _browser_on_the_machine_clock(machine_clock):  # type: ignore[no-untyped-def]
    """Chromium keeps the machine's clock (cookie expiry, date pickers), so browser tests
    run on it even when ZHILV_TEST_CLOCK moves the session's."""
    yield
