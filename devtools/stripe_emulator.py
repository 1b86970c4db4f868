"""The local Stripe emulator (localstripe) for development and tests.

localstripe pins its own aiohttp, so it lives in its own virtualenv
(`.zhilv/localstripe-venv`, created on first use) and runs as a separate process through
`devtools/localstripe_server.py` (loopback only, free port, state file of our choosing).
The official `stripe` library then talks to it through `STRIPE_API_BASE`, and the pay page
loads its Stripe.js mock from `<emulator>/js.stripe.com/v3/`. The same process also answers
the Stripe Connect calls Zhilv makes (connected accounts, onboarding links, transfers,
payouts, balances), which localstripe lacks: `devtools/stripe_connect_standin.py`.

- tests: `tests/stripe_fixtures.py` starts one per test process;
- `zhilv dev`: `dev_stripe_emulator()` starts one, points the settings at it and registers
  the app's webhook URL with it, so payments made on the pay page come back as signed
  webhooks exactly as Stripe would send them.
"""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.settings import get_settings

LOCALSTRIPE_VERSION = "1.15.10"
SERVER_SCRIPT = Path(__file__).with_name("localstripe_server.py")
START_TIMEOUT_SECONDS = 30.0
WEBHOOK_ID = "zhilv"


def default_venv() -> Path:
    return get_settings().data_dir / "localstripe-venv"


def ensure_venv(venv: Path | None = None) -> Path:
    """The emulator's Python, installing localstripe into its own virtualenv if needed.

    A lock file keeps parallel test processes from installing it twice at once."""
    venv = venv or default_venv()
    python = venv / "bin" / "python"
    marker = venv / f".installed-localstripe-{LOCALSTRIPE_VERSION}"
    if marker.exists():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".localstripe-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            if not python.exists():
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
            subprocess.run(  # noqa: S603 - our own venv's pip, a pinned package name
                [str(python), "-m", "pip", "install", "-q", f"localstripe=={LOCALSTRIPE_VERSION}"],
                check=True,
            )
            marker.touch()
    return python


@dataclass
class RunningEmulator:
    url: str
    process: subprocess.Popen[str]

    @property
    def js_url(self) -> str:
        return f"{self.url}/js.stripe.com/v3/"

    def register_webhook(self, url: str, secret: str, hook_id: str = WEBHOOK_ID) -> None:
        register_webhook(self.url, url, secret, hook_id)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start(*, port: int = 0, state: Path | None = None, venv: Path | None = None) -> RunningEmulator:
    """Start the emulator on 127.0.0.1 (`port=0`: a free one) and wait until it listens."""
    python = ensure_venv(venv)
    command = [str(python), str(SERVER_SCRIPT), "--port", str(port)]
    if state is not None:
        command += ["--state", str(state)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        url = _wait_for_url(process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return RunningEmulator(url=url, process=process)


def _wait_for_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            line = process.stdout.readline()
            if line.startswith("localstripe listening on "):
                return line.rsplit(" ", 1)[1].strip()
        if process.poll() is not None:
            break
    raise RuntimeError(f"localstripe did not start (exit code {process.poll()})")


def register_webhook(api_base: str, url: str, secret: str, hook_id: str = WEBHOOK_ID) -> None:
    """Ask the emulator to POST every event to `url`, signed with `secret` the Stripe way.

    localstripe keeps webhooks in memory only: register again after each start."""
    response = httpx.post(
        f"{api_base}/_config/webhooks/{hook_id}",
        data={"url": url, "secret": secret},
        timeout=10.0,
        trust_env=False,
    )
    response.raise_for_status()


def dev_stripe_emulator() -> RunningEmulator | None:
    """For `zhilv dev`: unless STRIPE_API_BASE is set, start the emulator (state kept in
    `.zhilv/localstripe.pickle`), point this process's settings and its children's
    environment at it, and register `<BASE_URL>/webhooks/stripe` for its events.

    Returns the running emulator (call `.stop()` on exit), or None when not started."""
    settings = get_settings()
    if os.environ.get("STRIPE_API_BASE") or settings.env != "development":
        return None
    emulator = start(state=settings.data_dir / "localstripe.pickle")
    os.environ["STRIPE_API_BASE"] = emulator.url
    os.environ["STRIPE_JS_URL"] = emulator.js_url
    get_settings.cache_clear()
    settings = get_settings()
    webhook_url = f"{settings.base_url}/webhooks/stripe"
    emulator.register_webhook(webhook_url, settings.stripe_webhook_secret)
    return emulator


def main() -> None:
    """`python -m devtools.stripe_emulator [PORT]`: run the emulator in the foreground."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8420
    emulator = start(port=port, state=get_settings().data_dir / "localstripe.pickle")
    print(f"localstripe at {emulator.url}; Stripe.js mock at {emulator.js_url}", flush=True)
    try:
        emulator.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
