"""Access token claims, refresh token outcomes, roles, throttling arithmetic, statuses."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import jwt
import pytest

from services.identity.domain import accounts, roles, throttle, tokens

NOW = datetime(2026, 3, 8, 6, 30, tzinfo=timezone.utc)
SECRET = "s" * 48


def principal(**kw):
    base = dict(kind="client", id="acc-1", practice_id="p-1", practice_code="oak",
                name="Maria", clients={"c-1": ("*",)})
    base.update(kw)
    return tokens.Principal(**base)


def test_access_token_claims_are_exactly_the_contract():
    claims = tokens.access_claims(principal(must_change_password=True), "sid-1", NOW, 300)
    assert set(claims) == {"sub", "kind", "pid", "pcode", "roles", "perms", "clients", "sid",
                           "name", "mcp", "iat", "exp", "iss", "aud"}
    assert claims["exp"] - claims["iat"] == 300
    assert claims["mcp"] is True and claims["clients"] == {"c-1": ["*"]}
    assert claims["iss"] == claims["aud"] == "haven"


def test_access_token_is_hs256_and_verifies_with_the_secret():
    now = datetime.now(timezone.utc)
    token = tokens.encode_access_token(principal(), "sid-1", now, 300, SECRET)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert tokens.decode_access_token(token, SECRET)["sid"] == "sid-1"
    with pytest.raises(jwt.InvalidSignatureError):
        tokens.decode_access_token(token, "other" * 10)


def test_expired_access_token_is_refused():
    token = tokens.encode_access_token(principal(), "sid", NOW - timedelta(hours=1), 300, SECRET)
    with pytest.raises(jwt.ExpiredSignatureError):
        tokens.decode_access_token(token, SECRET)


def test_refresh_tokens_are_random_and_only_their_sha256_is_kept():
    token, digest = tokens.new_refresh_token()
    other, _ = tokens.new_refresh_token()
    assert token != other and len(token) >= 40
    assert digest == tokens.hash_refresh_token(token) and len(digest) == 64 and token not in digest


def _rows(used=None, revoked=None, expires=NOW + timedelta(hours=1)):
    return (SimpleNamespace(used_at=used, expires_at=expires),
            SimpleNamespace(revoked_at=revoked))


@pytest.mark.parametrize("rows, outcome", [
    (_rows(), tokens.ROTATE),
    (_rows(used=NOW), tokens.REUSED),
    (_rows(used=NOW, revoked=NOW), tokens.REUSED),
    (_rows(revoked=NOW), tokens.EXPIRED),
    (_rows(expires=NOW), tokens.EXPIRED),
    ((None, None), tokens.UNKNOWN),
])
def test_refresh_outcomes(rows, outcome):
    assert tokens.refresh_outcome(*rows, NOW) == outcome


def test_default_permissions_follow_the_contract():
    assert roles.permissions_for(["intake"]) == (
        "edit_clients", "manage_appointments", "manage_portal_access",
        "receives_demographic_changes", "receives_portal_uploads", "upload_client_documents",
        "view_clients")
    # issue 18: portal access follows TherapyNotes (scheduler, clinical administrator,
    # clinician, intern, supervisor), and only the roles that see clients are bookable
    assert roles.permissions_for(["clinician"]) == (
        "manage_appointments", "manage_portal_access", "sees_clients",
        "upload_client_documents", "view_clients")
    assert set(roles.permissions_for(["practice_admin"])) == \
        set(roles.PERMISSIONS) - {"sees_clients"}
    assert roles.permissions_for(["scheduler"]) == (
        "edit_clients", "manage_appointments", "manage_portal_access",
        "upload_client_documents", "view_clients")
    assert roles.permissions_for(["biller"]) == ("view_clients",)
    assert roles.permissions_for(["intern"]) == (
        "manage_portal_access", "sees_clients", "view_clients")
    assert "sees_clients" in roles.permissions_for(["supervisor"])
    assert "manage_portal_access" in roles.permissions_for(["supervisor"])
    assert "sees_clients" not in roles.permissions_for(["intake"])
    assert "manage_portal_access" in roles.permissions_for(["clinical_admin"])
    for role in roles.ROLES:
        assert "view_clients" in roles.permissions_for([role])


def test_practice_overrides_add_and_remove():
    overrides = [("clinician", "edit_clients", True), ("intake", "manage_portal_access", False)]
    assert "edit_clients" in roles.permissions_for(["clinician"], overrides)
    assert "manage_portal_access" not in roles.permissions_for(["intake"], overrides)
    # another role held still grants it
    assert "manage_portal_access" in roles.permissions_for(["intake", "practice_admin"], overrides)


def test_throttle_is_free_for_the_first_failures_then_doubles_to_a_cap():
    policy = throttle.Policy(free_failures=5, base_seconds=1, cap_seconds=300,
                             forget_after_seconds=3600)
    delays = [throttle.delay_after(n, policy) for n in range(1, 16)]
    assert delays[:4] == [0, 0, 0, 0]
    assert delays[4:10] == [1, 2, 4, 8, 16, 32]
    assert max(delays) == 300 and delays[-1] == 300   # back-off, never a lockout


def test_throttle_state_progression_and_retry_after():
    state = None
    for _ in range(5):
        state = throttle.after_failure(state, NOW, throttle.ACCOUNT)
    assert state.failures == 5
    assert throttle.retry_after(state, NOW) == 1
    assert throttle.retry_after(state, NOW + timedelta(seconds=2)) == 0
    state = throttle.after_failure(state, NOW, throttle.ACCOUNT)
    assert throttle.retry_after(state, NOW) == 2


def test_a_quiet_hour_forgets_the_count():
    state = throttle.State(failures=30, last_failure_at=NOW - timedelta(hours=2),
                           blocked_until=None)
    assert throttle.after_failure(state, NOW, throttle.ACCOUNT).failures == 1


def test_the_longest_wait_is_capped_for_accounts_and_addresses():
    state = throttle.State(failures=1000, last_failure_at=NOW, blocked_until=None)
    assert throttle.retry_after(throttle.after_failure(state, NOW, throttle.ACCOUNT), NOW) == 300
    assert throttle.retry_after(throttle.after_failure(state, NOW, throttle.ADDRESS), NOW) == 600


def test_account_statuses():
    assert accounts.can_sign_in("active")
    assert not accounts.can_sign_in("suspended") and not accounts.can_sign_in("inactive")
    assert accounts.ends_sessions("active", "suspended")
    assert accounts.ends_sessions("active", "inactive")
    assert not accounts.ends_sessions("suspended", "active")
    assert not accounts.ends_sessions("suspended", "suspended")


def test_logins_and_codes_are_normalized():
    assert accounts.normalize_login("  Maria@Example.ORG ") == "maria@example.org"
    assert accounts.valid_code("oak-tree-2") and not accounts.valid_code("Oak Tree")
    assert not accounts.valid_code("-oak") and not accounts.valid_code("")
