"""API types and console forms of the keytags module, one file per topic."""
