"""Who may do what with bureau filings (owners always may)."""

from app.security.access import Role, Staff

# See the filings and what the bureau answered: managers and auditors.
VIEW = Staff(Role.MANAGER, Role.AUDITOR)
# Retry, re-file with corrections: managers.
ACT = Staff(Role.MANAGER)
# The bureau registration holds the filing secret: owners only.
REGISTER = Staff(Role.OWNER)
