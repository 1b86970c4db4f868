"""Starting the stand-in beside `zhilv dev`, so filings flow out of the box."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from devtools.bureau.messages import is_loopback


def start_for_development(
    bureau_url: str, state_file: Path, timeout: float = 10.0
) -> subprocess.Popen[bytes] | None:
    """Start `zhilv bureau-sim` on BUREAU_URL's loopback port, keeping its state in
    `state_file` across restarts, and return once it accepts connections. None when
    BUREAU_URL is not on loopback (a real bureau) or something already listens there
    (a stand-in started by hand): development never files to the wrong place twice over."""
    parts = urlsplit(bureau_url)
    host, port = parts.hostname or "", parts.port or 80
    if parts.scheme != "http" or not is_loopback(host) or _listening(host, port):
        return None
    state_file.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "devtools.bureau", "--host", host, "--port", str(port)]
    command += ["--state-file", str(state_file)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - our own module
    deadline = time.monotonic() + timeout
    while not _listening(host, port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the bureau stand-in did not start on {bureau_url}")
        time.sleep(0.05)
    return process


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
