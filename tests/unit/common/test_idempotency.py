"""The kernel's one rule for idempotency keys: a key answers only the request it named."""
import pytest

from services.common import idempotency
from services.common.errors import InvalidInput


def test_the_same_request_passes():
    idempotency.require_same({"id": "a", "starts_at": 1.0, "title": "Intake"},
                             {"starts_at": 1.0, "title": "Intake"})


def test_another_request_is_422_naming_the_fields_never_their_values():
    with pytest.raises(InvalidInput) as exc:
        idempotency.require_same({"starts_at": 1.0, "title": "Grief"},
                                 {"starts_at": 2.0, "title": "Divorce"})
    err = exc.value
    assert err.status == 422 and err.code == "idempotency_key_reused"
    assert "starts_at, title" in err.message and "Grief" not in err.message
    assert "Divorce" not in err.message and list(err.fields) == ["Idempotency-Key"]
