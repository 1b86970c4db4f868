"""All SQL of the terminals module, filtered by the tenant it was built for (row-level
security is the second lock)."""

from modules.terminals.repository.content import ContentRepository
from modules.terminals.repository.devices import DeviceRepository

__all__ = ["ContentRepository", "DeviceRepository"]
