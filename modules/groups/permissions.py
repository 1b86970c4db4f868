"""Who may call the groups module's routes."""

from app.security.access import Role, Staff

# Planning, filing and cancelling group tours.
GROUPS = Staff(Role.MANAGER, Role.AGENT)
# The bureau filings pages are for managers (and auditors): agents see only the states.
FILINGS_VIEW = Staff(Role.MANAGER, Role.AUDITOR)
