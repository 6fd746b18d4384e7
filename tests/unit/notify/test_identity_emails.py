"""The emails notify sends for identity's events: what they say, and what they never say."""
import pytest

from services.notify.domain import account_emails
from services.notify.domain import rendering
from services.notify.domain.emails import welcome_email

PUBLIC = "https://portal.haven.test"
BASE = {"practice_name": "Oak Tree Counseling", "portal_path": "/p/oak-tree"}


def render(draft):
    out = rendering.render(draft.template, draft.context)
    return out.subject + "\n" + out.text + "\n" + (out.html or "")


def test_invitation_carries_the_link_the_practice_and_the_expiry_only():
    data = dict(BASE, email="jane@example.org", client_id="c-1", invitation_id="i-1",
                link_path="/p/oak-tree/invite/tok123", expires_at="2026-03-09T15:00:00+00:00",
                client_name="Jane Rivers", date_of_birth="1988-04-09")
    draft = account_emails.invitation_email(data, PUBLIC)
    assert draft.to == "jane@example.org" and draft.template == "invitation"
    body = render(draft)
    assert "https://portal.haven.test/p/oak-tree/invite/tok123" in body
    assert "Oak Tree Counseling" in body and "March 9, 2026" in body
    assert "https://portal.haven.test/p/oak-tree" in body
    assert "Jane" not in body and "1988" not in body and "c-1" not in body


def test_a_link_is_never_taken_from_an_absolute_url_in_the_event():
    data = dict(BASE, email="jane@example.org", link_path="https://evil.example/phish")
    draft = account_emails.password_reset_email(data, PUBLIC)
    assert "evil.example" not in render(draft)


@pytest.mark.parametrize("make,data,template,phrase", [
    (account_emails.password_reset_email,
     dict(BASE, email="a@example.org", link_path="/p/oak-tree/reset/t", requested_by="self"),
     "password_reset", "Choose a new password here"),
    (account_emails.password_changed_email, dict(BASE, login="a@example.org", via="reset"),
     "password_changed", "was just changed"),
    (account_emails.access_removed_email, dict(BASE, login="a@example.org", status="inactive"),
     "access_removed", "ended your access"),
    (account_emails.access_removed_email, dict(BASE, login="a@example.org", status="suspended"),
     "access_removed", "paused your access"),
    (account_emails.staff_invitation_email,
     dict(BASE, email="a@example.org", link_path="/staff/oak-tree/invite/t"),
     "staff_invitation", "added you to its staff"),
])
def test_each_identity_email_renders(make, data, template, phrase):
    draft = make(data, PUBLIC)
    assert draft.template == template and draft.to == "a@example.org"
    body = render(draft)
    assert phrase in body and "Oak Tree Counseling" in body


def test_no_address_no_email_and_headers_stay_on_one_line():
    assert account_emails.password_changed_email(dict(BASE, login="not-an-email"), PUBLIC) is None
    draft = account_emails.password_changed_email(
        dict(BASE, login="a@example.org", practice_name="Oak\r\nBcc: x@evil.example"), PUBLIC)
    assert "\n" not in rendering.render(draft.template, draft.context).subject


def test_an_account_made_through_an_invitation_gets_no_second_welcome():
    data = dict(BASE, account_id="a", login="a@example.org", status="active")
    assert welcome_email(data, PUBLIC) is not None
    assert welcome_email(dict(data, via="invitation"), PUBLIC) is None


OWN = dict(BASE, portal_subdomain="oaktree")


@pytest.mark.parametrize("make,data,link", [
    (account_emails.invitation_email,
     dict(OWN, email="a@example.org", link_path="/p/oak-tree/invite/t1"), "/invite/t1"),
    (account_emails.password_reset_email,
     dict(OWN, email="a@example.org", link_path="/p/oak-tree/reset/t2"), "/reset/t2"),
    (account_emails.contact_invitation_email,
     dict(OWN, email="a@example.org", link_path="/p/oak-tree/reset/t3"), "/reset/t3"),
    (account_emails.password_changed_email, dict(OWN, login="a@example.org"), None),
    (account_emails.access_removed_email, dict(OWN, login="a@example.org"), None),
    (account_emails.sign_in_throttled_email, dict(OWN, login="a@example.org"), None),
])
def test_a_practice_s_own_subdomain_carries_every_portal_link(make, data, link):
    draft = make(data, PUBLIC, base_domain="clients.haven.test")
    own = "https://oaktree.clients.haven.test"
    assert draft.context["portal_url"] == own + "/"
    if link:
        assert draft.context["link_url"] == own + link
    body = render(draft)
    assert own in body and "/p/oak-tree" not in body
    # without a declared base domain nothing changes
    plain = make(data, PUBLIC)
    assert plain.context["portal_url"] == PUBLIC + "/p/oak-tree"


def test_the_staff_console_stays_on_the_public_address():
    data = dict(BASE, email="a@example.org", portal_path="/staff/oak-tree",
                portal_subdomain=None, link_path="/staff/oak-tree/reset/t")
    draft = account_emails.staff_invitation_email(data, PUBLIC, base_domain="clients.haven.test")
    assert draft.context["link_url"] == PUBLIC + "/staff/oak-tree/reset/t"
    assert draft.context["portal_url"] == PUBLIC + "/staff/oak-tree"


def test_access_ended_uses_the_notice_address_s_subdomain():
    address = {"email": "a@example.org", "practice_name": "Oak", "portal_path": "/p/oak-tree",
               "portal_subdomain": "oaktree"}
    draft = account_emails.access_ended_email(address, PUBLIC, base_domain="clients.haven.test")
    assert draft.context["portal_url"] == "https://oaktree.clients.haven.test/"
