"""Every table's model, imported so Alembic and the checks see the whole schema."""

from app.db.base import Base
from app.notifications import models as notifications_models
from app.web import ratelimit_models
from modules.boarding import models as boarding_models
from modules.contracts import models as contracts_models
from modules.distribution import models as distribution_models
from modules.filings import models as filings_models
from modules.frontdesk import models as frontdesk_models
from modules.groups import models as groups_models
from modules.guestservices import models as guestservices_models
from modules.guides import models as guides_models
from modules.keytags import models as keytags_models
from modules.payments import models as payments_models
from modules.reservations import models as reservations_models
from modules.terminals import models as terminals_models
from tenants import models as tenants_models

__all__ = [
    "Base",
    "boarding_models",
    "contracts_models",
    "distribution_models",
    "filings_models",
    "frontdesk_models",
    "groups_models",
    "guestservices_models",
    "guides_models",
    "keytags_models",
    "notifications_models",
    "payments_models",
    "ratelimit_models",
    "reservations_models",
    "tenants_models",
    "terminals_models",
]
