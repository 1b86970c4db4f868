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
    DAILY_TICKETS,
    buy_tickets,
    resort_today,
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
from modules.keytags.service.tickets import (
    add_calendar_days,
    calendar_marks,
    calendar_month,
    create_ticket_type,
    list_ticket_types,
    remove_calendar_days,
    update_ticket_type,
)

__all__ = [
    "DAILY_TICKETS",
    "BalanceShort",
    "KeytagRules",
    "MemberNotActive",
    "MonthlyFigures",
    "MonthlyOutcome",
    "add_calendar_days",
    "admission_price",
    "buy_tickets",
    "calendar_marks",
    "calendar_month",
    "create_ticket_type",
    "current_shift",
    "day_kinds",
    "debit_member",
    "file_due_monthly_report",
    "file_monthly_report",
    "list_ticket_types",
    "locker_occupancy",
    "member_by_card",
    "monthly_figures",
    "monthly_filings",
    "prices",
    "remove_calendar_days",
    "resort_today",
    "rules",
    "sale_days",
    "sync_all_online_tickets",
    "sync_online_ticket",
    "ticket_offers",
    "ticket_order",
    "ticket_type",
    "time_rule",
    "update_ticket_type",
]
