"""What other modules and the routes may call in boarding (exported by name)."""

__all__: list[str] = []
