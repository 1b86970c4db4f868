"""SQL of terminal devices and the pairing attempts that guard their codes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, text, update

from modules.terminals.models import PairingAttempt, TerminalDevice
from tenants.repository import TenantScopedRepository

# One pairing attempt at a time per tenant: the count of recent failures and the
# attempt itself must not interleave, or a burst of guesses would slip past the limit.
_PAIRING_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('terminal_pair:' || :t))")


class DeviceRepository(TenantScopedRepository):
    async def device(self, device_id: uuid.UUID) -> TerminalDevice | None:
        return await self.get(TerminalDevice, device_id)

    async def devices(self) -> Sequence[TerminalDevice]:
        stmt = self.scoped(TerminalDevice).order_by(TerminalDevice.name, TerminalDevice.id)
        return (await self.db.execute(stmt)).scalars().all()

    async def live_device(self, device_id: uuid.UUID) -> TerminalDevice | None:
        """A paired, not revoked device."""
        stmt = self.scoped(TerminalDevice).where(
            TerminalDevice.id == device_id,
            TerminalDevice.revoked_at.is_(None),
            TerminalDevice.secret_hash.is_not(None),
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()

    async def flush(self) -> None:
        await self.db.flush()

    async def lock_pairing(self) -> None:
        await self.db.execute(_PAIRING_LOCK, {"t": str(self.tenant_id)})

    async def claim_code(
        self, code_hash: str, secret_hash: str, now: datetime
    ) -> TerminalDevice | None:
        """Use a live code once: the row that still carries it gets the new secret and
        loses the code in one statement, so two devices typing it at once cannot both win."""
        stmt = (
            update(TerminalDevice)
            .where(
                TerminalDevice.tenant_id == self.tenant_id,
                TerminalDevice.pairing_code_hash == code_hash,
                TerminalDevice.pairing_expires_at > now,
                TerminalDevice.revoked_at.is_(None),
            )
            .values(
                secret_hash=secret_hash,
                paired_at=now,
                last_seen_at=now,
                pairing_code_hash=None,
                pairing_expires_at=None,
            )
            .returning(TerminalDevice.id)
        )
        found = (await self.db.execute(stmt)).scalar_one_or_none()
        if found is None:
            return None
        device = await self.device(found)
        if device is not None:
            await self.db.refresh(device)
        return device

    async def code_in_use(self, code_hash: str) -> bool:
        stmt = select(TerminalDevice.id).where(
            TerminalDevice.tenant_id == self.tenant_id,
            TerminalDevice.pairing_code_hash == code_hash,
        )
        return (await self.db.execute(stmt)).first() is not None

    def record_attempt(self, ip: str | None, succeeded: bool) -> None:
        self.add(PairingAttempt(ip=ip, succeeded=succeeded))

    async def failures_since(self, since: datetime, ip: str | None = None) -> int:
        """Wrong codes typed since `since`, from one address or (ip None) from anywhere."""
        stmt = select(func.count()).where(
            PairingAttempt.tenant_id == self.tenant_id,
            PairingAttempt.succeeded.is_(False),
            PairingAttempt.created_at >= since,
        )
        if ip is not None:
            stmt = stmt.where(PairingAttempt.ip == ip)
        return int((await self.db.execute(stmt)).scalar_one())

    async def first_for_unit(self, unit_id: uuid.UUID) -> TerminalDevice | None:
        stmt = (
            self.scoped(TerminalDevice)
            .where(TerminalDevice.unit_id == unit_id, TerminalDevice.revoked_at.is_(None))
            .order_by(TerminalDevice.created_at, TerminalDevice.id)
            .limit(1)
        )
        return (await self.db.execute(stmt)).scalar_one_or_none()
