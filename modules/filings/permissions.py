"""Who may do what with bureau filings (owners always may; see tenants.context)."""

from __future__ import annotations

# See the filings and what the bureau answered: managers and auditors.
VIEW_ROLES = frozenset({"manager", "auditor"})
# Retry, re-file with corrections: managers.
ACT_ROLES = frozenset({"manager"})
# The bureau registration holds the filing secret: owners only.
OWNER_ONLY = frozenset({"owner"})
