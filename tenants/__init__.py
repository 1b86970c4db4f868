"""Tenants (enterprises), staff, roles, tenant resolution and per-tenant settings."""
