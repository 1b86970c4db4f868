"""The boarding module's public routes, one file per topic."""

ROUTES: list[object] = []
