"""Filing secrets at rest: readable back with the key, useless without it or elsewhere."""

from __future__ import annotations

import pytest

from app.security.crypto import SecretBox, SecretUnreadable, secret_box


class TestSecretBox:
    def test_round_trip_and_never_stored_in_clear(self):
        box = SecretBox("key material")
        sealed = box.seal("bureau-secret-密钥-0123456789abcdef", owner="tenant-a")
        assert "bureau-secret" not in sealed and sealed.startswith("v1:")
        assert box.open(sealed, owner="tenant-a") == "bureau-secret-密钥-0123456789abcdef"

    def test_same_secret_seals_differently_each_time(self):
        box = SecretBox("k")
        assert box.seal("x", owner="t") != box.seal("x", owner="t")

    def test_another_tenants_row_does_not_decrypt(self):
        box = SecretBox("k")
        with pytest.raises(SecretUnreadable):
            box.open(box.seal("x", owner="tenant-a"), owner="tenant-b")

    def test_another_key_does_not_decrypt(self):
        with pytest.raises(SecretUnreadable):
            SecretBox("k2").open(SecretBox("k1").seal("x", owner="t"), owner="t")

    def test_tampering_is_detected(self):
        box = SecretBox("k")
        sealed = box.seal("x" * 40, owner="t")
        with pytest.raises(SecretUnreadable):
            box.open(sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"), owner="t")

    def test_dedicated_key_is_used_when_configured_else_one_derived_from_secret_key(self):
        sealed = secret_box("", "app-secret").seal("x", owner="t")
        assert secret_box("", "app-secret").open(sealed, owner="t") == "x"
        with pytest.raises(SecretUnreadable):
            secret_box("dedicated", "app-secret").open(sealed, owner="t")
