"""Boarding passes: the signed code, issuing and revoking, and every refusal a gate must
give (forged, another voyage, another enterprise, revoked, expired, not yet valid), key
rotation and the private key sealed at rest."""

from __future__ import annotations

import base64
import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.actor import SYSTEM
from app.db.engine import TenantId, bind_tenant
from app.identifiers import id_check_char
from app.security.crypto import SecretUnreadable
from modules.boarding import domain, service
from modules.boarding.domain import PassClaims, RefusalReason, VerificationKey
from modules.boarding.models import BoardingPass, PassKey
from modules.boarding.service.keys import key_box
from tests.factories.boarding import make_boarding_voyage, make_passenger
from tests.factories.tenants import make_tenant

_ids = itertools.count(1)


def resident_id() -> str:
    first17 = f"50010319900307{next(_ids):03d}"
    return first17 + id_check_char(first17)


async def _passenger(db, tenant, voyage=None, **kw):
    return await make_passenger(
        db, tenant=tenant, voyage=voyage, id_number=resident_id(), cabin_number="A-201", **kw
    )


async def _tenant(db):
    return (await make_tenant(db, kinds=("cruise",))).tenant


def _during(voyage) -> datetime:
    return voyage.boarding_opens_at + timedelta(minutes=5)


# The pure codec ------------------------------------------------------------------------


def _claims(**kw) -> PassClaims:
    now = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
    fields = {
        "kid": domain.new_kid(),
        "pass_id": uuid.uuid4(),
        "voyage_id": uuid.uuid4(),
        "passenger_id": uuid.uuid4(),
        "valid_from": now,
        "valid_until": now + timedelta(days=3),
        "port_code": "CTM",
        "cabin": "A-201",
        **kw,
    }
    return PassClaims(**fields)


def _keypair() -> tuple[bytes, bytes]:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes_raw(), key.public_key().public_bytes_raw()


class TestCodec:
    def test_code_round_trips_and_fits_a_small_qr(self) -> None:
        private, public = _keypair()
        claims = _claims(cabin="总统套房 8001")
        code = domain.sign_pass(claims, private)
        assert code.startswith("ZB1.")
        assert len(code) <= 240
        qr = segno.make(code, error="m")
        assert qr.mode == "alphanumeric"
        assert qr.version <= 9
        check = domain.verify_offline(
            code, [(claims.kid, public, None)], at=claims.valid_from + timedelta(hours=1)
        )
        assert check.ok
        assert check.claims == claims

    def test_scanner_case_and_whitespace_do_not_matter(self) -> None:
        private, public = _keypair()
        claims = _claims()
        code = domain.sign_pass(claims, private)
        mangled = " " + code.lower()[:50] + "\n" + code.lower()[50:] + "\r\n"
        keys = [VerificationKey(claims.kid, public)]
        assert domain.verify_offline(mangled, keys, at=claims.valid_from).ok

    def test_every_flipped_character_is_refused(self) -> None:
        private, public = _keypair()
        claims = _claims()
        code = domain.sign_pass(claims, private)
        keys = [(claims.kid, public, None)]
        for i in range(len("ZB1.") + 8, len(code)):  # past the kid
            other = "A" if code[i] != "A" else "B"
            tampered = code[:i] + other + code[i + 1 :]
            check = domain.verify_offline(tampered, keys, at=claims.valid_from)
            assert check.reason in (RefusalReason.FORGED, RefusalReason.UNKNOWN), i
            assert check.claims is None

    def test_a_pass_signed_by_another_key_with_our_kid_is_forged(self) -> None:
        private, _ = _keypair()
        _, ours = _keypair()
        claims = _claims()
        code = domain.sign_pass(claims, private)
        check = domain.verify_offline(code, [(claims.kid, ours, None)], at=claims.valid_from)
        assert check.reason is RefusalReason.FORGED

    @pytest.mark.parametrize("text", ["", "ZB1.", "ZB1.!!!!", "hello", "ZB1." + "A" * 300])
    def test_garbage_is_unknown(self, text: str) -> None:
        assert domain.verify_offline(text, [], at=datetime.now(UTC)).reason is (
            RefusalReason.UNKNOWN
        )

    def test_validity_and_offline_revocation_and_voyage(self) -> None:
        private, public = _keypair()
        claims = _claims()
        code = domain.sign_pass(claims, private)
        keys = [(claims.kid, public, None)]
        early = claims.valid_from - timedelta(seconds=1)
        late = claims.valid_until
        assert domain.verify_offline(code, keys, at=early).reason is RefusalReason.NOT_YET_VALID
        assert domain.verify_offline(code, keys, at=late).reason is RefusalReason.EXPIRED
        at = claims.valid_from
        revoked = domain.verify_offline(code, keys, at=at, revoked={claims.pass_id})
        assert revoked.reason is RefusalReason.REVOKED
        assert revoked.claims == claims
        other = domain.verify_offline(code, keys, at=at, voyage_id=uuid.uuid4())
        assert other.reason is RefusalReason.WRONG_VOYAGE
        key_gone = [(claims.kid, public, claims.valid_from)]
        assert domain.verify_offline(code, key_gone, at=at).reason is RefusalReason.EXPIRED


# Issuing, checking, revoking -------------------------------------------------------------


class TestIssue:
    async def test_issued_pass_verifies_and_names_the_passenger(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p = await _passenger(db, tenant, voyage)
        [issued] = await service.issue_passes(db, tid, [p.id], reason="checked in")
        assert issued.valid_from == voyage.boarding_opens_at - timedelta(hours=6)
        assert issued.valid_until == voyage.arrives_at + timedelta(hours=6)
        check = await service.verify_code(db, tid, issued.code, at=_during(voyage))
        assert check.ok
        assert (check.passenger_id, check.voyage_id, check.pass_id) == (
            p.id,
            voyage.id,
            issued.pass_id,
        )
        assert (check.cabin, check.port_code, check.passenger_name) == ("A-201", "CTM", "张伟")
        assert check.port_call_id == p.boarding_call_id
        assert await service.pass_code(db, tid, issued.pass_id) == issued.code

    async def test_reissuing_revokes_the_old_pass(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p = await _passenger(db, tenant, voyage)
        [old] = await service.issue_passes(db, tid, [p.id], reason="checked in")
        [new] = await service.issue_passes(db, tid, [p.id], reason="boarding port changed")
        at = _during(voyage)
        assert (await service.verify_code(db, tid, new.code, at=at)).ok
        refused = await service.verify_code(db, tid, old.code, at=at)
        assert refused.reason is RefusalReason.REVOKED
        assert refused.passenger_id == p.id
        row = await db.get(BoardingPass, old.pass_id)
        assert row.revoke_reason == "boarding port changed"
        assert await service.revoked_pass_ids(db, tid, voyage.id) == [old.pass_id]

    async def test_revoked_pass_is_refused(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p = await _passenger(db, tenant, voyage)
        [issued] = await service.issue_passes(db, tid, [p.id], reason="checked in")
        assert await service.revoke_passes(db, tid, [p.id], reason="booking cancelled") == 1
        check = await service.verify_code(db, tid, issued.code, at=_during(voyage))
        assert check.reason is RefusalReason.REVOKED
        assert await service.revoke_passes(db, tid, [p.id], reason="again") == 0

    async def test_cancelled_passenger_gets_no_pass(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p = await _passenger(db, tenant, voyage, status="cancelled")
        assert await service.issue_passes(db, tid, [p.id], reason="x") == []

    async def test_another_enterprises_passenger_is_not_found(self, db) -> None:
        from app.errors import NotFound

        ours, theirs = await _tenant(db), await _tenant(db)
        p = await _passenger(db, theirs)
        await bind_tenant(db, ours.id)
        with pytest.raises(NotFound):
            await service.issue_passes(db, TenantId(ours.id), [p.id], reason="x")


class TestRefusals:
    async def test_forged_signature(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p = await _passenger(db, tenant, voyage)
        [issued] = await service.issue_passes(db, tid, [p.id], reason="checked in")
        decoded = domain.decode_pass(issued.code)
        assert decoded is not None
        claims = decoded[0]
        # Same kid, same pass id, a longer stay signed by a key the line does not hold.
        forged_claims = PassClaims(
            **{**_fields(claims), "valid_until": claims.valid_until + timedelta(days=30)}
        )
        forged = domain.sign_pass(forged_claims, _keypair()[0])
        check = await service.verify_code(db, tid, forged, at=_during(voyage))
        assert check.reason is RefusalReason.FORGED
        assert check.passenger_id is None

    async def test_pass_of_another_voyage_names_that_voyage(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        other = await make_boarding_voyage(db, tenant=tenant, days_ahead=41)
        p = await _passenger(db, tenant, other)
        [issued] = await service.issue_passes(db, tid, [p.id], reason="checked in")
        at = _during(other)
        plain = await service.verify_code(db, tid, issued.code, at=at)
        assert plain.ok and plain.voyage_id == other.id != voyage.id
        at_gate = await service.verify_code(db, tid, issued.code, at=at, voyage_id=voyage.id)
        assert at_gate.reason is RefusalReason.WRONG_VOYAGE
        assert at_gate.voyage_id == other.id

    async def test_another_enterprises_pass_is_unknown(self, db) -> None:
        ours, theirs = await _tenant(db), await _tenant(db)
        voyage = await make_boarding_voyage(db, tenant=theirs)
        p = await _passenger(db, theirs, voyage)
        [issued] = await service.issue_passes(db, TenantId(theirs.id), [p.id], reason="x")
        await service.issue_passes(  # we have keys and passes of our own
            db, TenantId(ours.id), [(await _passenger(db, ours)).id], reason="x"
        )
        await bind_tenant(db, ours.id)
        check = await service.verify_code(db, TenantId(ours.id), issued.code, at=_during(voyage))
        assert check.reason is RefusalReason.UNKNOWN
        assert check.passenger_id is None

    async def test_expired_and_not_yet_valid(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p = await _passenger(db, tenant, voyage)
        [issued] = await service.issue_passes(db, tid, [p.id], reason="checked in")
        early = issued.valid_from - timedelta(minutes=1)
        late = issued.valid_until + timedelta(minutes=1)
        too_early = await service.verify_code(db, tid, issued.code, at=early)
        assert too_early.reason is RefusalReason.NOT_YET_VALID
        assert too_early.passenger_id == p.id
        assert (
            await service.verify_code(db, tid, issued.code, at=late)
        ).reason is RefusalReason.EXPIRED
        # Re-boarding at a later port call, days after sailing, still works.
        at_wanzhou = voyage.sails_at + timedelta(days=1, hours=12)
        assert (await service.verify_code(db, tid, issued.code, at=at_wanzhou)).ok

    async def test_cancelled_passenger_pass_is_refused(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p = await _passenger(db, tenant, voyage)
        [issued] = await service.issue_passes(db, tid, [p.id], reason="checked in")
        p.status = "cancelled"
        await db.flush()
        check = await service.verify_code(db, tid, issued.code, at=_during(voyage))
        assert check.reason is RefusalReason.CANCELLED

    async def test_unknown_pass_id_under_our_key_is_unknown(self, db) -> None:
        """A pass row that is gone (or never written) is not one of ours, even though the
        key is: only a signed row on file lets a passenger aboard."""
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p = await _passenger(db, tenant, voyage)
        [issued] = await service.issue_passes(db, tid, [p.id], reason="checked in")
        from modules.boarding.service.keys import key_for

        private = await key_for(db, tid, issued.kid)
        claims = domain.decode_pass(issued.code)[0]
        ghost = domain.sign_pass(
            PassClaims(**{**_fields(claims), "pass_id": uuid.uuid4()}), private
        )
        check = await service.verify_code(db, tid, ghost, at=_during(voyage))
        assert check.reason is RefusalReason.UNKNOWN


def _fields(claims: PassClaims) -> dict:
    return {f: getattr(claims, f) for f in PassClaims.__slots__}


# Keys --------------------------------------------------------------------------------


class TestKeys:
    async def test_rotation_keeps_old_passes_verifying_until_they_expire(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        voyage = await make_boarding_voyage(db, tenant=tenant)
        p1 = await _passenger(db, tenant, voyage)
        p2 = await _passenger(db, tenant, voyage)
        [old] = await service.issue_passes(db, tid, [p1.id], reason="checked in")
        await service.rotate_key(db, tid, actor=SYSTEM)
        [new] = await service.issue_passes(db, tid, [p2.id], reason="checked in")
        assert new.kid != old.kid
        at = _during(voyage)
        assert (await service.verify_code(db, tid, old.code, at=at)).ok
        assert (await service.verify_code(db, tid, new.code, at=at)).ok
        keys = {k.kid: k for k in await service.pass_keys(db, tid)}
        assert keys[new.kid].signing and not keys[old.kid].signing
        assert keys[old.kid].verify_until == old.valid_until
        assert keys[old.kid].passes == 1
        gate_keys = await service.verification_keys(db, tid, at=at)
        assert {k.kid for k in gate_keys} == {old.kid, new.kid}
        assert domain.verify_offline(old.code, gate_keys, at=at).ok
        # Once its passes have expired the old key is no longer handed to gates.
        later = old.valid_until + timedelta(seconds=1)
        assert [k.kid for k in await service.verification_keys(db, tid, at=later)] == [new.kid]
        # The old pass can still be drawn again (same key, same bytes).
        assert await service.pass_code(db, tid, old.pass_id) == old.code

    async def test_private_key_is_sealed_to_its_tenant(self, db) -> None:
        tenant = await _tenant(db)
        tid = TenantId(tenant.id)
        p = await _passenger(db, tenant)
        [issued] = await service.issue_passes(db, tid, [p.id], reason="x")
        row = (await db.execute(select(PassKey).where(PassKey.kid == issued.kid))).scalar_one()
        assert row.private_key_sealed.startswith("v1:")
        raw = base64.b64decode(
            key_box().open(row.private_key_sealed, owner=f"{tid}:boarding-pass-key:{row.kid}")
        )
        assert Ed25519PrivateKey.from_private_bytes(raw).public_key().public_bytes_raw() == (
            bytes(row.public_key)
        )
        with pytest.raises(SecretUnreadable):
            key_box().open(row.private_key_sealed, owner=f"{uuid.uuid4()}:boarding-pass-key:x")
