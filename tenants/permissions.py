"""The typed guards of the platform's own pages (sign-in, staff, settings, keys, audit,
system, platform operators). Owners pass every staff guard."""

from __future__ import annotations

from app.security.access import ApiKey, Operator, Public, Role, Staff, TenantToken

ANY_MEMBER = Staff()  # every role: one's own account, password, sessions
OWNER = Staff(Role.OWNER)  # enterprise settings, staff changes
VIEW_STAFF = Staff(Role.MANAGER, Role.AUDITOR)
MANAGE_KEYS = Staff(Role.MANAGER)
AUDIT = Staff(Role.MANAGER, Role.AUDITOR)
SYSTEM = Staff(Role.MANAGER)  # outbox and jobs consoles
EMAILED_LINK = TenantToken()  # password reset, staff invitation
OPERATOR = Operator()
ANY_KEY = ApiKey()  # any valid key: a device checking its own key
PUBLIC = Public()
