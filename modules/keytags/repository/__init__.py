"""All SQL of the keytags module, on the tenant-scoped base."""
