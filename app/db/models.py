"""Every table's model, imported so Alembic and the checks see the whole schema."""

from app.db.base import Base
from app.notifications import models as notifications_models
from modules.filings import models as filings_models
from modules.frontdesk import models as frontdesk_models
from modules.payments import models as payments_models
from modules.reservations import models as reservations_models
from tenants import models as tenants_models

__all__ = [
    "Base",
    "filings_models",
    "frontdesk_models",
    "notifications_models",
    "payments_models",
    "reservations_models",
    "tenants_models",
]
