"""API types and console forms of the distribution module, one file per topic."""
