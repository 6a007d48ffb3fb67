from datetime import date
from typing import Any

import pytest

from server.catalog.rules import gtin_check_digit, make_gtin13, normalize_gtin
from server.errors import DomainError, Forbidden, InsufficientStock, InvalidInput
from server.idempotency.store import request_fingerprint
from server.identity.models import Role
from server.identity.principal import Principal
from server.identity.security import hash_password, new_api_key, split_api_key, verify_password
from server.inventory.rules import check_can_take, check_destination, check_lot_rules, require_positive


def test_gtin_validation_uses_check_digit():
    assert normalize_gtin("5901234123457") == "05901234123457"
    assert normalize_gtin("96385074") == "00000096385074"
    with pytest.raises(InvalidInput) as e:
        normalize_gtin("5901234123458")
    assert e.value.code == "invalid_gtin" and "check digit" in e.value.message
    with pytest.raises(InvalidInput):
        normalize_gtin("12345")
    with pytest.raises(InvalidInput):
        normalize_gtin("59012341234AB")


def test_make_gtin13_is_valid():
    for i in range(50):
        g = make_gtin13("690123", i)
        assert len(g) == 13 and normalize_gtin(g).endswith(g)
    assert gtin_check_digit("590123412345") == 7


def test_take_more_than_free_is_refused_with_figures():
    check_can_take(on_hand=10, allocated=4, qty=6, what="x")
    with pytest.raises(InsufficientStock) as e:
        check_can_take(on_hand=10, allocated=4, qty=7, what="x")
    assert e.value.status == 409 and e.value.extra == {"available": 6, "requested": 7}
    check_can_take(on_hand=10, allocated=10, qty=10, what="x", allow_allocated=True)


def test_quantity_and_lot_rules():
    with pytest.raises(InvalidInput):
        require_positive(0)
    with pytest.raises(InvalidInput) as e:
        check_lot_rules(lot_controlled=True, expiry_controlled=True, lot="", expiry=None, sku_code="S")
    assert {x["field"] for x in e.value.errors} == {"lot", "expiry"}
    check_lot_rules(lot_controlled=True, expiry_controlled=True, lot="L", expiry=date(2030, 1, 1), sku_code="S")


def test_destination_rules():
    check_destination(active=True, blocked=False, code="A", location_owner_id=None, owner_id=1)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"active": False}, "location_inactive"),
        ({"blocked": True}, "location_blocked"),
        ({"location_owner_id": 2}, "location_owner_mismatch"),
    ]
    for kwargs, code in cases:
        args: dict[str, Any] = {
            "active": True,
            "blocked": False,
            "code": "A",
            "location_owner_id": None,
            "owner_id": 1,
            **kwargs,
        }
        with pytest.raises(DomainError) as e:
            check_destination(**args)
        assert e.value.code == code


def test_principal_owner_scope():
    staff = Principal(role=Role.SUPERVISOR, user_id=1)
    client = Principal(role=Role.CLIENT, user_id=2, owner_id=7)
    key = Principal(role=Role.INTEGRATION, owner_id=7, api_key_id=3)
    staff.check_owner(99)
    client.check_owner(7)
    with pytest.raises(Forbidden):
        client.check_owner(8)
    assert key.resolve_owner(None) == 7
    with pytest.raises(Forbidden):
        key.resolve_owner(8)
    with pytest.raises(InvalidInput):
        staff.resolve_owner(None)
    assert key.caller == "apikey:3" and staff.caller == "user:1"
    assert Principal(role=Role.PICKER, user_id=1, device_id=4).caller == "device:4/user:1"


def test_passwords_and_api_keys():
    h = hash_password("pw-123456")
    assert h.startswith("$argon2") and verify_password(h, "pw-123456") and not verify_password(h, "nope")
    key, prefix, digest = new_api_key()
    assert split_api_key(key) == prefix and len(digest) == 64
    assert split_api_key("not-a-key") is None


def test_fingerprint_distinguishes_body_and_path():
    a = request_fingerprint("POST", "/x", b"{}")
    assert a == request_fingerprint("POST", "/x", b"{}")
    assert a != request_fingerprint("POST", "/y", b"{}")
    assert a != request_fingerprint("POST", "/x", b'{"a":1}')
