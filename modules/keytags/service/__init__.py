"""What other modules and the routes may call in keytags (exported by name).

Each topic adds its names in its own block below (one block per service file)."""

from modules.keytags.service.catalog import (
    KeytagRules,
    admission_price,
    day_kinds,
    prices,
    rules,
    ticket_type,
    time_rule,
)
from modules.keytags.service.members import (
    BalanceShort,
    MemberNotActive,
    debit_member,
    member_by_card,
)
from modules.keytags.service.online import (
    buy_tickets,
    sale_days,
    sync_all_online_tickets,
    sync_online_ticket,
    ticket_offers,
    ticket_order,
)
from modules.keytags.service.report import (
    MonthlyFigures,
    MonthlyOutcome,
    file_due_monthly_report,
    file_monthly_report,
    monthly_figures,
    monthly_filings,
)
from modules.keytags.service.setup import locker_occupancy
from modules.keytags.service.shifts import current_shift

__all__ = [
    "BalanceShort",
    "KeytagRules",
    "MemberNotActive",
    "MonthlyFigures",
    "MonthlyOutcome",
    "admission_price",
    "buy_tickets",
    "current_shift",
    "day_kinds",
    "debit_member",
    "file_due_monthly_report",
    "file_monthly_report",
    "locker_occupancy",
    "member_by_card",
    "monthly_figures",
    "monthly_filings",
    "prices",
    "rules",
    "sale_days",
    "sync_all_online_tickets",
    "sync_online_ticket",
    "ticket_offers",
    "ticket_order",
    "ticket_type",
    "time_rule",
]
