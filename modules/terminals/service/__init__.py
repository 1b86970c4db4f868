"""The terminals module's behaviour: the ONLY entry point other modules call.

Guest services use `terminal_stay` (who is checked in to the device's room, None when
nobody), `terminal_page` (a page inside the terminal shell), `TERMINAL_EXCEPTION_HANDLERS`
(an unpaired device goes to the pairing screen) and `TERMINAL_TILES` (the home screen's
tiles). See `service/shell.py` for how to add a page."""

from modules.terminals.schemas import (
    DeviceView,
    HomeScreen,
    PairedDevice,
    PairingCode,
    TerminalStay,
)
from modules.terminals.service.content import (
    add_photo,
    delete_page,
    delete_photo,
    delete_spot,
    get_page,
    get_spot,
    list_pages,
    list_spots,
    photo,
    save_page,
    save_spot,
)
from modules.terminals.service.devices import (
    CODE_TTL,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_TENANT,
    demo_pair,
    list_devices,
    move_device,
    pair,
    register_device,
    repair_device,
    revoke_device,
)
from modules.terminals.service.media import (
    MAX_VIDEO_BYTES,
    VideoFile,
    add_video,
    delete_video,
    list_videos,
    media_root,
    video_file,
    video_poster,
)
from modules.terminals.service.news import (
    add_port_call,
    create_announcement,
    delete_announcement,
    delete_port_call,
    itinerary,
    list_announcements,
)
from modules.terminals.service.shell import (
    NO_STORE,
    TERMINAL_EXCEPTION_HANDLERS,
    TERMINAL_TILES,
    TerminalTile,
    terminal_page,
)
from modules.terminals.service.stay import (
    device_unit,
    home_screen,
    terminal_stay,
)

__all__ = [
    "CODE_TTL",
    "MAX_FAILURES_PER_ADDRESS",
    "MAX_FAILURES_PER_TENANT",
    "MAX_VIDEO_BYTES",
    "NO_STORE",
    "TERMINAL_EXCEPTION_HANDLERS",
    "TERMINAL_TILES",
    "DeviceView",
    "HomeScreen",
    "PairedDevice",
    "PairingCode",
    "TerminalStay",
    "TerminalTile",
    "VideoFile",
    "add_photo",
    "add_port_call",
    "add_video",
    "create_announcement",
    "delete_announcement",
    "delete_page",
    "delete_photo",
    "delete_port_call",
    "delete_spot",
    "delete_video",
    "demo_pair",
    "device_unit",
    "get_page",
    "get_spot",
    "home_screen",
    "itinerary",
    "list_announcements",
    "list_devices",
    "list_pages",
    "list_spots",
    "list_videos",
    "media_root",
    "move_device",
    "pair",
    "photo",
    "register_device",
    "repair_device",
    "revoke_device",
    "save_page",
    "save_spot",
    "terminal_page",
    "terminal_stay",
    "video_file",
    "video_poster",
]
