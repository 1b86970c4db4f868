"""Development stand-ins: everything `make run`, `make test` and `bench/` need that the
product must never contain. The Docker image leaves this package out (`.dockerignore`,
`Dockerfile`), and an import-linter contract (pyproject.toml) forbids `app`, `tenants`,
`modules` and `workers` from importing it, except the `zhilv dev` entry point in
`app/cli.py`, which imports it inside its commands and says so when it is missing.

- `bureau`: the tourism bureau's filing service (`zhilv bureau-sim`, `python -m devtools.bureau`);
- `stripe_emulator` (+ `localstripe_server.py`): localstripe in its own virtualenv;
- `embedded_db`: the embedded PostgreSQL used when no `DATABASE_URL` is given;
- `demo`: the demo enterprises, built through each module's own `demo.py`.
"""
