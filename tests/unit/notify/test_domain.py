"""notify's rules and templates, without nameko or a database."""
import pytest

from services.notify.domain import alerts, emails
from services.notify.domain import rendering
from services.notify.dependencies import OutgoingEmail, SmtpBackend

CHART_VALUES = ("Ana", "Lima", "1990-05-17", "503-555-0199", "client-123", "ana@example.com")


def envelope(source="portal", **data):
    return {"id": "ev-1", "type": "client.updated", "version": 1, "practice_id": "p1",
            "actor": {"kind": "client", "id": "a1"},
            "data": dict({"client_id": "c1", "client_name": "Ana Lima", "tab": "basic",
                          "fields": ["email", "city"], "batch_id": "b1", "source": source},
                         **data)}


def test_portal_save_raises_one_alert_for_receivers_of_demographic_changes():
    draft = alerts.alert_for_client_updated(envelope())
    assert draft == alerts.AlertDraft(
        practice_id="p1", audience="receives_demographic_changes", kind="demographics_changed",
        client_id="c1", client_name="Ana Lima", fields=["email", "city"], batch_id="b1",
        event_id="ev-1", tab="basic")


def test_staff_save_raises_no_alert():
    assert alerts.alert_for_client_updated(envelope(source="staff")) is None


@pytest.mark.parametrize("path,url", [
    ("/p/sunrise", "https://portal.example.org/p/sunrise"),
    ("https://evil.example.com/x", "https://portal.example.org/"),
    ("//evil.example.com/x", "https://portal.example.org/"),
    (None, "https://portal.example.org/"),
])
def test_portal_url_takes_only_a_path_from_the_event(path, url):
    assert emails.portal_url("https://portal.example.org/", path) == url


def account_created(**extra):
    return dict({"account_id": "acct-1", "client_id": "client-123", "login": "ana@example.com",
                 "practice_name": "Sunrise Counseling", "portal_path": "/p/sunrise"}, **extra)


def test_welcome_email_context_holds_practice_name_and_portal_address_only():
    draft = emails.welcome_email(account_created(client_name="Ana Lima",
                                                 date_of_birth="1990-05-17"),
                                 "https://portal.example.org")
    assert draft.to == "ana@example.com"
    assert draft.context == {"practice_name": "Sunrise Counseling",
                             "portal_url": "https://portal.example.org/p/sunrise"}


def test_welcome_email_needs_an_email_login_and_an_active_account():
    assert emails.welcome_email(account_created(login="ana.lima"), "http://x") is None
    assert emails.welcome_email(account_created(status="suspended"), "http://x") is None
    assert emails.welcome_email(account_created(status="active"), "http://x") is not None


def test_practice_name_cannot_inject_headers():
    draft = emails.welcome_email(account_created(practice_name="Evil\r\nBcc: x@y.z"), "http://x")
    assert "\n" not in draft.context["practice_name"] and "\r" not in draft.from_name


def test_rendered_welcome_email_carries_no_chart_values():
    draft = emails.welcome_email(account_created(client_name="Ana Lima"),
                                 "https://portal.example.org")
    rendered = rendering.render(draft.template, draft.context)
    assert rendered.subject == "Your Sunrise Counseling client portal is ready"
    assert "https://portal.example.org/p/sunrise" in rendered.text
    assert 'href="https://portal.example.org/p/sunrise"' in rendered.html
    for part in (rendered.subject, rendered.text, rendered.html):
        for value in CHART_VALUES:
            assert value not in part


def test_html_is_escaped():
    rendered = rendering.render("welcome", {"practice_name": "<b>A&B</b>", "portal_url": "/"})
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in rendered.html and "<b>A&B</b>" in rendered.text


def test_a_template_asking_for_more_than_it_is_given_fails_loudly():
    with pytest.raises(Exception):
        rendering.render("welcome", {"practice_name": "Sunrise"})


def test_retry_delay_doubles_and_is_capped():
    assert [emails.retry_delay(n, 30) for n in (1, 2, 3)] == [30, 60, 120]
    assert emails.retry_delay(20, 30, cap_seconds=3600) == 3600


def test_smtp_message_is_from_the_practice_with_text_and_html():
    backend = SmtpBackend("127.0.0.1", 1025, "Haven <no-reply@haven.example>")
    mail = backend.build(OutgoingEmail(to="ana@example.com", subject="Hi", text="Hello",
                                       html="<p>Hello</p>", from_name="Sunrise Counseling"))
    assert mail["From"] == "Sunrise Counseling <no-reply@haven.example>"
    assert mail["To"] == "ana@example.com" and mail.is_multipart()


@pytest.mark.parametrize("public,path,subdomain,base,url", [
    # a practice's own address, in a deployment that declared its base domain
    ("https://portal.example.org", "/p/oak/invite/tok", "oak", "clients.example.org",
     "https://oak.clients.example.org/invite/tok"),
    ("https://portal.example.org", "/p/oak", "oak", "clients.example.org",
     "https://oak.clients.example.org/"),
    # the scheme and port are PUBLIC_URL's: the same gateway answers both
    ("http://127.0.0.1:8000/", "/p/oak/reset/tok", "oak", "localhost",
     "http://oak.localhost:8000/reset/tok"),
    # no subdomain, or no base domain declared: /p/<code> as before
    ("https://portal.example.org", "/p/oak/invite/tok", None, "clients.example.org",
     "https://portal.example.org/p/oak/invite/tok"),
    ("https://portal.example.org", "/p/oak/invite/tok", "oak", None,
     "https://portal.example.org/p/oak/invite/tok"),
    # the staff console is not on the practice's own address
    ("https://portal.example.org", "/staff/oak/reset/tok", "oak", "clients.example.org",
     "https://portal.example.org/staff/oak/reset/tok"),
    # an event can never aim a link at another host
    ("https://portal.example.org", "/p/oak/x", "evil.example.com/", "clients.example.org",
     "https://portal.example.org/p/oak/x"),
    ("https://portal.example.org", "/p/oak/x", "a@b", "clients.example.org",
     "https://portal.example.org/p/oak/x"),
    ("https://portal.example.org", "https://evil.example.com/x", "oak", "clients.example.org",
     "https://portal.example.org/"),
])
def test_portal_url_uses_the_practice_s_own_address_when_there_is_one(public, path,
                                                                      subdomain, base, url):
    assert emails.portal_url(public, path, subdomain, base) == url


def test_link_settings_count_only_a_declared_base_domain():
    assert emails.link_settings({}) == ("http://127.0.0.1:8000", None)
    assert emails.link_settings({"PUBLIC_URL": "https://p.example", "PORTAL_BASE_DOMAIN": " "}) \
        == ("https://p.example", None)
    assert emails.link_settings({"PORTAL_BASE_DOMAIN": "clients.example"})[1] == "clients.example"


def test_welcome_email_links_to_the_practice_s_own_address():
    draft = emails.welcome_email(account_created(portal_subdomain="sunrise"),
                                 "https://portal.example.org", "clients.example.org")
    assert draft.context["portal_url"] == "https://sunrise.clients.example.org/"
