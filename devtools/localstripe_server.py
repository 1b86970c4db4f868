"""Run localstripe (the local Stripe emulator) the way Zhilv needs it.

Runs with the Python of localstripe's own virtualenv (`.zhilv/localstripe-venv`, made by
`devtools.stripe_emulator.ensure_venv`), never the project's: localstripe pins aiohttp.

Differences from `localstripe --port N`:
- binds one loopback address (127.0.0.1 by default), not every interface;
- `--port 0` picks a free port; the line "localstripe listening on <url>" is printed once
  the socket is bound, so callers need no fixed port and no polling;
- its state goes to `--state FILE` (kept across restarts) or, without it, nowhere, instead
  of the shared /tmp/localstripe.pickle that parallel test runs would overwrite;
- it also serves the Stripe Connect calls Zhilv makes (connected accounts, account links,
  transfers, payouts, balances), which localstripe lacks: `stripe_connect_http.install` puts
  the stand-in (`devtools/stripe_connect_standin.py`) in front of localstripe's routes.
"""

from __future__ import annotations

import argparse
import os
import pickle
import socket
import tempfile

from aiohttp import web
from localstripe import resources, server
from stripe_connect_http import install as install_connect  # this script's own folder


def _persist_to(path: str | None) -> None:
    store_class = resources.Store

    if path is None:
        store_class.try_load_from_disk = lambda self: None
        store_class.dump_to_disk = lambda self: None
        return

    def load(self: dict) -> None:
        try:
            with open(path, "rb") as f:
                old = pickle.load(f)  # noqa: S301 - our own file, written below
        except Exception:  # no state yet, or one an older localstripe wrote: start empty
            return
        self.clear()
        self.update(old)

    def dump(self: dict) -> None:
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".localstripe-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    store_class.try_load_from_disk = load
    store_class.dump_to_disk = dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", default=None, help="file keeping the emulator's objects")
    args = parser.parse_args()

    _persist_to(args.state)
    install_connect(server.app)
    resources.store.try_load_from_disk()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    print(f"localstripe listening on http://{args.host}:{port}", flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
