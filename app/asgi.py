"""ASGI entry point for servers: `granian --interface asgi --factory app.asgi:create`."""

from litestar import Litestar

from app.main import create_app


def create() -> Litestar:
    return create_app()
