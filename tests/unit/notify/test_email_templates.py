"""Email templates a practice can edit: the sandbox and the save-time checks (domain), and
the RPCs through worker_factory (who may, what is saved, what the next email uses, the
sample, reset)."""
from unittest.mock import MagicMock

import pytest
from jinja2.exceptions import SecurityError

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from services.notify.dependencies import MailerAccess, MemoryBackend, SendFailed
from services.notify.domain import rendering, template_kinds
from services.notify.domain.rendering import Sources
from services.notify.models import Email, EmailTemplate

ADMIN = {"practice_id": "p1", "kind": "staff", "id": "admin-1",
         "permissions": ["manage_practice_settings", "view_clients"]}
CLINICIAN = {"practice_id": "p1", "kind": "staff", "id": "s2", "permissions": ["view_clients"]}
BODY = "Hello from {{ practice_name }}.\nSign in: {{ portal_url }}\n"


def problems(text=BODY, subject="Welcome", html=None, kind="invitation"):
    return rendering.check(kind, Sources(subject=subject, body_text=text, body_html=html))


def only(found):
    [(part, [sentence])] = found.items()
    return part, sentence


# --- the domain: sandbox and checks ---------------------------------------------------

def test_every_default_passes_its_own_checks_and_names_the_practice_and_portal():
    for kind in template_kinds.KINDS:
        sources = rendering.default_sources(kind)
        assert rendering.check(kind, sources) == {}, kind
        out = rendering.render_sources(
            sources, template_kinds.KINDS[kind].sample_context("Oak Tree", "https://o.example/p/oak"))
        assert "Oak Tree" in out.text and "https://o.example/p/oak" in out.text, kind


@pytest.mark.parametrize("escape", [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ practice_name.__class__.__init__.__globals__ }}",
    "{{ portal_url['__class__'] }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum() }}",
    "{{ practice_name|attr('__class__') }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{% include '/etc/passwd' %}",
    "{% set x = 1 %}{{ x }}",
    "{% macro m() %}{% endmacro %}",
])
def test_a_template_cannot_reach_python_and_is_refused_with_its_line(escape):
    part, sentence = only(problems(text=BODY + "\n" + escape))
    assert part == "body_text" and sentence.startswith("Line 4: ")


def test_the_sandbox_itself_refuses_an_escape_even_if_a_check_were_missed():
    with pytest.raises(SecurityError):
        rendering.render_sources(Sources("s", "{{ ''.__class__.__mro__ }}"), {})


def test_a_syntax_error_names_its_line_and_reason():
    part, sentence = only(problems(text=BODY + "{% if paused %}\nx\n{{ portal_url }\n"))
    assert part == "body_text"
    assert sentence.startswith("Line 5: ") and "unexpected '}'" in sentence.lower()
    part, sentence = only(problems(text=BODY + "{% if practice_name %}never closed\n"))
    assert sentence.startswith("Line ") and "endif" in sentence


def test_a_variable_carrying_health_information_is_refused_with_a_sentence():
    part, sentence = only(problems(text=BODY + "Dear {{ client_name }}"))
    assert part == "body_text"
    assert sentence.startswith("Line 3: ") and "client_name" in sentence
    assert "health information" in sentence
    _, sentence = only(problems(subject="Your visit on {{ appointment_time }}"))
    assert "appointment_time" in sentence and "health information" in sentence
    _, sentence = only(problems(text=BODY + "{{ date_of_birth }}"))
    assert "health information" in sentence


def test_an_unknown_variable_is_refused_listing_those_it_may_use():
    _, sentence = only(problems(text=BODY + "{{ practise_name }}", kind="welcome"))
    assert "practise_name" in sentence and "practice_name, portal_url" in sentence
    # a variable of another kind is unknown here: a welcome email has no link
    _, sentence = only(problems(text=BODY + "{{ link_url }}", kind="welcome"))
    assert "link_url" in sentence


def test_every_body_must_show_the_practice_name_and_portal_address():
    _, sentence = only(problems(text="Hello from {{ practice_name }}."))
    assert "{{ portal_url }}" in sentence
    part, _ = only(problems(html="<p>{{ portal_url }}</p>"))
    assert part == "body_html"


@pytest.mark.parametrize("html, why", [
    ("<p>{{ practice_name }}</p>\n<script>alert(1)</script>{{ portal_url }}", "<script>"),
    ("<p onclick=\"steal()\">{{ practice_name }} {{ portal_url }}</p>", "onclick"),
    ("<img src=x onerror=alert(1)>{{ practice_name }} {{ portal_url }}", "onerror"),
    ("<a href=\" java\tscript:alert(1)\">{{ practice_name }}</a>{{ portal_url }}", "href"),
    ("<a href=\"{{ portal_url }}\" onmouseover=\"x\">{{ practice_name }}</a>", "onmouseover"),
    ("<iframe src=\"{{ portal_url }}\"></iframe>{{ practice_name }}", "<iframe>"),
])
def test_html_with_script_or_event_handlers_is_refused(html, why):
    part, sentence = only(problems(html=html))
    assert part == "body_html" and why in sentence and sentence.startswith("Line ")


def test_values_are_escaped_in_html_and_the_subject_stays_one_line():
    out = rendering.render_sources(
        Sources("{{ practice_name }}\n!", BODY, "<p>{{ practice_name }} {{ portal_url }}</p>"),
        {"practice_name": "<b>A&B</b>", "portal_url": "https://x"})
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in out.html and "\n" not in out.subject


def test_an_edit_that_no_longer_renders_falls_back_to_the_default():
    context = template_kinds.KINDS["welcome"].sample_context()
    out, used_own = rendering.render_with_fallback(
        "welcome", Sources("s", "{{ gone_variable }}"), context)
    assert not used_own and out == rendering.render("welcome", context)


# --- the RPCs -------------------------------------------------------------------------

@pytest.fixture
def backend():
    return MemoryBackend()


@pytest.fixture
def templates(service, identity, backend):
    provider = MagicMock(backend=backend)
    service.mailer = MailerAccess(provider)
    identity.list_staff.return_value = [
        {"id": "s2", "email": "maya@oak.example", "name": "Maya", "role": "clinician"},
        {"id": "admin-1", "email": "dana@oak.example", "name": "Dana", "role": "practice_admin"}]
    return service


EDIT = {"subject": "Join {{ practice_name }} online",
        "body_text": "Hi! {{ practice_name }} invites you: {{ link_url }}\n"
                     "The portal: {{ portal_url }}\n", "body_html": ""}


def invitation_sent(event_id="ev-inv"):
    return {"id": event_id, "type": "invitation.sent", "version": 1, "practice_id": "p1",
            "occurred_at": "2026-01-01T00:00:00+00:00", "actor": {"kind": "staff", "id": "s"},
            "data": {"invitation_id": "i1", "client_id": "c1", "email": "kim@example.com",
                     "practice_name": "Oak Tree Counseling", "portal_path": "/p/oak",
                     "link_path": "/p/oak/invite/tok", "expires_at": "2026-03-09T00:00:00+00:00"}}


def test_only_practice_settings_administrators_reach_templates(templates):
    for call in (lambda: templates.list_email_templates(CLINICIAN),
                 lambda: templates.get_email_template(CLINICIAN, "invitation"),
                 lambda: templates.save_email_template(CLINICIAN, "invitation", EDIT),
                 lambda: templates.reset_email_template(CLINICIAN, "invitation"),
                 lambda: templates.preview_email_template(CLINICIAN, "invitation", {}),
                 lambda: templates.send_sample_email(CLINICIAN, "invitation", {})):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(Forbidden):
        templates.list_email_templates({"practice_id": "p1", "kind": "client", "id": "a"})


def test_the_list_names_every_kind_and_a_template_lists_its_variables(templates):
    listed = templates.list_email_templates(ADMIN)
    assert {t["kind"] for t in listed} == set(template_kinds.KINDS)
    assert all(not t["edited"] and t["version"] == 0 for t in listed)
    one = templates.get_email_template(ADMIN, "invitation")
    assert [v["name"] for v in one["variables"]] == ["practice_name", "portal_url",
                                                     "link_url", "expires_on"]
    assert one["subject"] == one["default"]["subject"]
    with pytest.raises(NotFound):
        templates.get_email_template(ADMIN, "diagnosis_letter")


def test_a_saved_edit_is_used_by_the_next_invitation_and_announced(templates, db):
    saved = templates.save_email_template(ADMIN, "invitation", EDIT)
    assert saved["edited"] and saved["version"] == 1 and saved["body_html"] is None
    [event] = db.events("email_template.changed")
    assert event["data"] == {"kind": "invitation", "change": "edited", "version": 1}
    templates.on_invitation_sent(invitation_sent())
    [email] = db.all(Email)
    assert email.subject == "Join Oak Tree Counseling online"
    assert email.body_text.startswith("Hi! Oak Tree Counseling invites you: ")
    assert "/p/oak/invite/tok" in email.body_text and email.body_html is None


def test_another_practice_keeps_the_default(templates, db):
    templates.save_email_template(ADMIN, "invitation", EDIT)
    other = dict(invitation_sent(), practice_id="p2")
    templates.on_invitation_sent(other)
    [email] = db.all(Email)
    assert email.subject == "Oak Tree Counseling invites you to its client portal"


def test_a_refused_edit_names_the_part_and_line_and_saves_nothing(templates, db):
    with pytest.raises(InvalidInput) as exc:
        templates.save_email_template(ADMIN, "invitation", dict(
            EDIT, body_text=EDIT["body_text"] + "{{ client_name }}"))
    assert exc.value.code == "template_refused"
    assert exc.value.fields["body_text"][0].startswith("Line 3: ")
    assert exc.value.message.startswith("The plain-text body: Line 3:")
    assert db.all(EmailTemplate) == [] and db.events() == []


def test_a_stale_version_is_refused(templates):
    templates.save_email_template(ADMIN, "invitation", dict(EDIT, version=0))
    with pytest.raises(Conflict) as exc:
        templates.save_email_template(ADMIN, "invitation", dict(EDIT, version=0))
    assert exc.value.code == "stale_template"
    assert templates.save_email_template(ADMIN, "invitation", dict(EDIT, version=1))["version"] == 2


def test_reset_sends_the_default_again(templates, db):
    templates.save_email_template(ADMIN, "invitation", EDIT)
    reset = templates.reset_email_template(ADMIN, "invitation")
    assert not reset["edited"] and reset["subject"] == reset["default"]["subject"]
    assert db.all(EmailTemplate) == []
    assert [e["data"]["change"] for e in db.events("email_template.changed")] == ["edited", "reset"]
    templates.reset_email_template(ADMIN, "invitation")       # idempotent, no second event
    assert len(db.events("email_template.changed")) == 2


def test_preview_uses_sample_data_and_the_practice_s_own_name(templates, db):
    out = templates.preview_email_template(ADMIN, "invitation", {"subject": "Hi {{ practice_name }}"})
    assert out["subject"] == "Hi Oak Tree Counseling"
    assert "https://portal.example.org/p/oak" in out["text"]
    assert db.all(EmailTemplate) == []                          # a preview saves nothing
    with pytest.raises(InvalidInput):
        templates.preview_email_template(ADMIN, "invitation", {"body_text": "{{ ''.__class__ }}"})


def test_a_sample_goes_to_the_administrator_s_own_address(templates, backend, db):
    answer = templates.send_sample_email(ADMIN, "invitation", {"subject": "Try {{ practice_name }}"})
    assert answer == {"to": "dana@oak.example", "subject": "[Sample] Try Oak Tree Counseling"}
    [message] = backend.sent
    assert message.to == "dana@oak.example" and message.from_name == "Oak Tree Counseling"
    assert db.all(Email) == []                                  # not queued for anyone


@pytest.mark.parametrize("failure, error, code, words", [
    (SendFailed("ConnectionRefusedError"), Unavailable, "mail_server_unreachable", "SMTP_HOST"),
    (SendFailed("smtp_535", permanent=True), Unavailable, "mail_server_refused", "SMTP_PASSWORD"),
    (SendFailed("smtp_421"), Unavailable, "mail_server_refused", "try again"),
    (SendFailed("recipient_refused", permanent=True), InvalidInput, "sample_refused",
     "dana@oak.example"),
    (SendFailed("tls_certificate_refused"), Unavailable, "mail_server_untrusted", "SMTP_CA_FILE"),
    (SendFailed("SMTPNotSupportedError"), Unavailable, "mail_server_refused", "SMTP_TLS=implicit"),
    (SendFailed("SSLError"), Unavailable, "mail_server_refused", "SMTP_PORT"),
])
def test_a_sample_the_mail_server_did_not_take_says_why(templates, backend, failure, error,
                                                         code, words):
    backend.send = MagicMock(side_effect=failure)
    with pytest.raises(error) as exc:
        templates.send_sample_email(ADMIN, "welcome", {})
    assert exc.value.code == code and words in exc.value.message
