"""The terminals module's behaviour: the ONLY entry point other modules call.

Guest services use `terminal_stay` (who is checked in to the device's room, None when
nobody), `terminal_page` (a page inside the terminal shell), `TERMINAL_EXCEPTION_HANDLERS`
(an unpaired device goes to the pairing screen) and `TERMINAL_TILES` (the home screen's
tiles). See `service/shell.py` for how to add a page."""

from modules.terminals.schemas import (  # noqa: F401 - re-exported
    DeviceView,
    HomeScreen,
    PairedDevice,
    PairingCode,
    TerminalStay,
)
from modules.terminals.service.content import *  # noqa: F403
from modules.terminals.service.devices import *  # noqa: F403
from modules.terminals.service.media import *  # noqa: F403
from modules.terminals.service.news import *  # noqa: F403
from modules.terminals.service.shell import *  # noqa: F403
from modules.terminals.service.stay import *  # noqa: F403
