"""All SQL of the distribution module, on the tenant-scoped base."""
