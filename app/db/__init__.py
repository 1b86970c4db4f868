"""Database access: engine, transactions bound to a tenant, declarative base."""
