"""`zhilv bureau-sim`: the tourism bureau stand-in for development and tests."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("bureau-sim")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8100, show_default=True, help="0 picks a free port.")
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep enterprises, nonces and filings in this JSON file across restarts.",
)
def bureau_sim(host: str, port: int, state_file: Path | None) -> None:
    """Serve the bureau's filing interface (shared/bureau/PROTOCOL.md) with fault switches
    under /_sim/ (loopback only). The first line printed says where it listens."""
    from devtools.bureau.server import run

    run(host, port, state_file)
