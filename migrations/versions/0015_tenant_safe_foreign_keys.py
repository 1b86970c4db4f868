"""tenant-safe foreign keys: every foreign key between two tenant tables includes tenant_id,
so PostgreSQL itself refuses a row that points at another tenant's row

Each referenced tenant table gets UNIQUE (tenant_id, id); each foreign key keeps its name and
ON DELETE and becomes (tenant_id, x_id) -> (tenant_id, id). Foreign keys to the platform
tables (tenants, users) are unchanged. The list was read from the catalog at 0014.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from app.db.migration_helpers import (
    add_tenant_key,
    drop_tenant_key,
    make_foreign_key_plain,
    make_foreign_key_tenant_safe,
)

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, referenced table, ON DELETE)
FOREIGN_KEYS: tuple[tuple[str, str, str, str | None], ...] = (
    ("audit_events", "actor_api_key_id", "api_keys", None),
    ("complaints", "stay_id", "stays", None),
    ("contract_days", "contract_id", "contracts", "CASCADE"),
    ("contract_signatures", "contract_id", "contracts", None),
    ("contract_signatures", "version_id", "contract_versions", None),
    ("contract_tourists", "contract_id", "contracts", "CASCADE"),
    ("contract_versions", "contract_id", "contracts", None),
    ("filing_attempts", "filing_id", "filings", "CASCADE"),
    ("filings", "depends_on_id", "filings", None),
    ("filings", "replaces_id", "filings", None),
    ("folio_lines", "stay_id", "stays", None),
    ("group_contracts", "contract_id", "contracts", None),
    ("group_contracts", "group_id", "tour_groups", "CASCADE"),
    ("group_days", "group_id", "tour_groups", "CASCADE"),
    ("group_filings", "filing_id", "filings", None),
    ("group_filings", "group_id", "tour_groups", "CASCADE"),
    ("group_vehicles", "group_id", "tour_groups", "CASCADE"),
    ("guide_assignments", "guide_id", "guides", None),
    ("guide_certificates", "guide_id", "guides", None),
    ("guide_complaints", "guide_id", "guides", None),
    ("guide_ratings", "guide_id", "guides", None),
    ("inventory_days", "unit_type_id", "unit_types", None),
    ("payment_refunds", "payment_id", "payments", "RESTRICT"),
    ("ratings", "order_id", "room_orders", None),
    ("ratings", "request_id", "service_requests", None),
    ("ratings", "stay_id", "stays", None),
    ("reservation_nights", "reservation_id", "reservations", "CASCADE"),
    ("reservation_nights", "unit_type_id", "unit_types", None),
    ("reservations", "rate_plan_id", "rate_plans", None),
    ("reservations", "unit_id", "units", None),
    ("reservations", "unit_type_id", "unit_types", None),
    ("room_moves", "from_unit_id", "units", None),
    ("room_moves", "stay_id", "stays", None),
    ("room_moves", "to_unit_id", "units", None),
    ("room_order_lines", "folio_line_id", "folio_lines", None),
    ("room_order_lines", "menu_item_id", "menu_items", None),
    ("room_order_lines", "order_id", "room_orders", None),
    ("room_orders", "stay_id", "stays", None),
    ("room_orders", "unit_id", "units", None),
    ("service_request_events", "request_id", "service_requests", None),
    ("service_requests", "stay_id", "stays", None),
    ("service_requests", "unit_id", "units", None),
    ("stays", "reservation_id", "reservations", None),
    ("stays", "unit_id", "units", None),
    ("terminal_announcements", "voyage_id", "voyages", None),
    ("terminal_devices", "unit_id", "units", None),
    ("terminal_port_calls", "voyage_id", "voyages", None),
    ("terminal_spot_photos", "spot_id", "terminal_spots", "CASCADE"),
    ("unit_types", "voyage_id", "voyages", None),
    ("units", "unit_type_id", "unit_types", None),
    ("units", "voyage_id", "voyages", None),
)
REFERENCED = sorted({target for _, _, target, _ in FOREIGN_KEYS})


def upgrade() -> None:
    for table in REFERENCED:
        add_tenant_key(table)
    for table, column, target, ondelete in FOREIGN_KEYS:
        make_foreign_key_tenant_safe(table, column, target, ondelete=ondelete)


def downgrade() -> None:
    for table, column, target, ondelete in reversed(FOREIGN_KEYS):
        make_foreign_key_plain(table, column, target, ondelete=ondelete)
    for table in reversed(REFERENCED):
        drop_tenant_key(table)
