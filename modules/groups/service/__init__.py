"""Group tours' behaviour; the only entry point other modules may call. Each topic
module lists its public names in `__all__`; they are all re-exported here."""

from modules.groups.service.editing import *  # noqa: F403
from modules.groups.service.filing import *  # noqa: F403
from modules.groups.service.guiding import *  # noqa: F403
from modules.groups.service.views import *  # noqa: F403
