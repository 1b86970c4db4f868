"""index procrastinate jobs by tenant for the console's Background jobs page

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_procrastinate_jobs_tenant ON procrastinate_jobs "
        "((args->>'tenant_id'), id DESC) WHERE status IN ('todo', 'doing', 'failed')"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_procrastinate_jobs_tenant")
