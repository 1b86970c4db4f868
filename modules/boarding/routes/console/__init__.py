"""The boarding module's console routes, one file per topic."""

ROUTES: list[object] = []
