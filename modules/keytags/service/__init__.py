"""What other modules and the routes may call in keytags (exported by name)."""

__all__: list[str] = []
