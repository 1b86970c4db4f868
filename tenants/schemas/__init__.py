"""Request and response types of the tenants package, one file per area."""
