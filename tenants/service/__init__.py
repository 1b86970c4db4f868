"""The tenants package's behaviour; the only entry point other packages may call.

Each topic module lists its public names in `__all__`; they are all re-exported here."""

from tenants.service.account import *  # noqa: F403
from tenants.service.apikeys import *  # noqa: F403
from tenants.service.audit import *  # noqa: F403
from tenants.service.audit_log import *  # noqa: F403
from tenants.service.auth import *  # noqa: F403
from tenants.service.directory import *  # noqa: F403
from tenants.service.links import *  # noqa: F403
from tenants.service.platform import *  # noqa: F403
from tenants.service.provisioning import *  # noqa: F403
from tenants.service.settings import *  # noqa: F403
from tenants.service.staff import *  # noqa: F403
from tenants.service.system import *  # noqa: F403
