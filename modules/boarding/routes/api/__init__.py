"""The boarding module's api routes, one file per topic."""

ROUTES: list[object] = []
