"""Email templates a practice can edit (issue 11): list them, open one with its
variables, save an edit (refused with the line and the reason when it would not be safe
to send), preview it with sample data, send oneself a sample, reset to the default.

Staff with `manage_practice_settings` (the practice's administrators) only: what a
practice's emails say is one of its settings. Before any transaction the entrypoint asks
identity — one hop each, bounded — for the practice's name and portal address (the
preview and sample show the real ones) and, for a sample, the administrator's own address.
"""
import logging

from services.common.actor import Actor
from services.common.errors import (
    EXPECTED,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unavailable,
)
from services.common.rpc import rpc
from services.common.schemas import load
from services.notify import events, schemas
from services.notify.dependencies import OutgoingEmail, SendFailed
from services.notify.domain import emails, rendering
from services.notify.domain.template_kinds import KINDS, kind_of
from services.notify.entrypoints.portal_notices import practice_address
from services.notify.store import templates as store

log = logging.getLogger(__name__)

MANAGE_PRACTICE_SETTINGS = "manage_practice_settings"
SAMPLE_PREFIX = "[Sample] "
SAMPLE_TIMEOUT_SECONDS = 5.0   # under the gateway's RPC timeout: the answer says why


def _kind_or_404(kind):
    template_kind = kind_of(kind)
    if template_kind is None:
        raise NotFound("no_such_template", "Haven sends no email of that kind.")
    return template_kind


def _refuse(problems):
    """422 naming each part with its line and reason; the message is the first one."""
    part, sentences = next(iter(problems.items()))
    raise InvalidInput("template_refused",
                       f"{rendering.LABELS[part]}: {sentences[0]}", problems)


class EmailTemplateEntrypoints:
    """Needs `db`, `mailer`, `config` and `identity` on the service."""

    def _summary(self, template_kind, row):
        return {"kind": template_kind.kind, "label": template_kind.label,
                "description": template_kind.description,
                "security": template_kind.security, "edited": row is not None,
                "version": row.version if row is not None else 0,
                "updated_at": row.updated_at if row is not None else None}

    def _view(self, template_kind, row):
        default = rendering.default_sources(template_kind.kind)
        current = store.sources_of(row) if row is not None else default
        return schemas.EmailTemplate().dump(dict(
            self._summary(template_kind, row), subject=current.subject,
            body_text=current.body_text, body_html=current.body_html,
            default={"subject": default.subject, "body_text": default.body_text,
                     "body_html": default.body_html},
            variables=[{"name": v.name, "description": v.description, "sample": v.sample}
                       for v in template_kind.variables]))

    def _draft_sources(self, session, actor, kind, cmd):
        """The edit in `cmd` over what is sent today (absent parts kept)."""
        row = store.own_row(session, actor.practice_id, kind)
        base = store.sources_of(row) if row is not None else rendering.default_sources(kind)
        html = cmd["body_html"] if "body_html" in cmd else base.body_html
        return rendering.Sources(subject=cmd.get("subject", base.subject),
                                 body_text=cmd.get("body_text", base.body_text),
                                 body_html=html or None)

    def _sample_context(self, actor, template_kind):
        """Sample values with the practice's real name and portal address (identity, one
        bounded hop; a practice identity does not know gets the samples)."""
        practice = practice_address(self.identity, actor.practice_id)
        public_url, base_domain = emails.link_settings(self.config)
        portal = None
        if practice:
            portal = emails.portal_url(public_url, practice.get("portal_path"),
                                       practice.get("portal_subdomain"), base_domain)
        return template_kind.sample_context(emails.one_line(practice.get("practice_name")),
                                            portal)

    @rpc(expected_exceptions=EXPECTED)
    def list_email_templates(self, actor):
        """Staff `manage_practice_settings`: every kind of email Haven sends, whether the
        practice edited it → `[{kind, label, description, security, edited, version,
        updated_at}]` (security emails are always sent, whatever the preferences)."""
        actor = Actor.from_wire(actor)
        actor.require_staff(MANAGE_PRACTICE_SETTINGS)
        with self.db.read() as session:
            rows = store.own_rows(session, actor.practice_id)
            return [schemas.EmailTemplateSummary().dump(self._summary(k, rows.get(k.kind)))
                    for k in KINDS.values()]

    @rpc(expected_exceptions=EXPECTED)
    def get_email_template(self, actor, kind):
        """Staff `manage_practice_settings`: one kind → its summary, the texts sent today
        (`subject`, `body_text`, `body_html`), the `default` texts and the `variables`
        its template may use (`{name, description, sample}`). NotFound
        `no_such_template`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(MANAGE_PRACTICE_SETTINGS)
        template_kind = _kind_or_404(kind)
        with self.db.read() as session:
            return self._view(template_kind, store.own_row(session, actor.practice_id, kind))

    @rpc(expected_exceptions=EXPECTED)
    def save_email_template(self, actor, kind, payload):
        """Staff `manage_practice_settings`: `{subject?, body_text?, body_html?, version?}`
        → the template as `get_email_template` answers it; the next email of that kind
        uses it. InvalidInput `template_refused` (fields: the part → "Line N: reason")
        for a syntax error, a variable the kind does not have or one that would carry
        health information, a missing practice name or portal address, a loop, call or
        attribute, HTML with script or event handlers. Conflict `stale_template` when
        `version` is not the one saved now. Records `email_template.changed`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(MANAGE_PRACTICE_SETTINGS)
        template_kind = _kind_or_404(kind)
        cmd = load(schemas.EmailTemplateDraft(), payload)
        with self.db.transaction() as tx:
            current = store.own_row(tx.session, actor.practice_id, kind, for_update=True)
            if cmd.get("version") is not None and cmd["version"] != (current.version if current else 0):
                raise Conflict("stale_template", "Someone saved this email since you opened "
                               "it. Reload it to see their text before saving yours.")
            sources = self._draft_sources(tx.session, actor, kind, cmd)
            problems = rendering.check(kind, sources)
            if problems:
                _refuse(problems)
            row = store.save(tx.session, actor.practice_id, kind, sources, actor.id)
            events.EMAIL_TEMPLATE_CHANGED.record(
                tx, actor, {"kind": kind, "change": "edited", "version": row.version})
            view = self._view(template_kind, row)
        log.info("email template saved", extra={"kind": kind, "version": view["version"]})
        return view

    @rpc(expected_exceptions=EXPECTED)
    def reset_email_template(self, actor, kind):
        """Staff `manage_practice_settings`: send Haven's default text of `kind` again
        (the practice's edit is removed; idempotent) → the template. Records
        `email_template.changed` (change "reset") when there was an edit."""
        actor = Actor.from_wire(actor)
        actor.require_staff(MANAGE_PRACTICE_SETTINGS)
        template_kind = _kind_or_404(kind)
        with self.db.transaction() as tx:
            row = store.own_row(tx.session, actor.practice_id, kind, for_update=True)
            if row is not None:
                store.delete(tx.session, row)
                events.EMAIL_TEMPLATE_CHANGED.record(
                    tx, actor, {"kind": kind, "change": "reset", "version": 0})
            return self._view(template_kind, None)

    @rpc(expected_exceptions=EXPECTED)
    def preview_email_template(self, actor, kind, payload=None):
        """Staff `manage_practice_settings`: the email as it would be sent, with sample
        data and the practice's own name and portal address, for an unsaved edit
        (`{subject?, body_text?, body_html?}`; absent parts: what is sent today) →
        `{subject, text, html}`. Refused like `save_email_template`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(MANAGE_PRACTICE_SETTINGS)
        template_kind = _kind_or_404(kind)
        cmd = load(schemas.EmailTemplateDraft(), payload)
        context = self._sample_context(actor, template_kind)   # ask first
        rendered = self._checked_render(actor, kind, cmd, context)
        return schemas.RenderedEmail().dump(rendered)

    def _checked_render(self, actor, kind, cmd, context):
        with self.db.read() as session:
            sources = self._draft_sources(session, actor, kind, cmd)
        problems = rendering.check(kind, sources)
        if problems:
            _refuse(problems)
        return rendering.render_sources(sources, context)

    @rpc(expected_exceptions=EXPECTED)
    def send_sample_email(self, actor, kind, payload=None):
        """Staff `manage_practice_settings`: send the edit (as `preview_email_template`)
        with sample data to the administrator's own sign-in address, now, its subject
        marked "[Sample]" → `{to, subject}`. Unavailable `mail_server_unreachable` /
        `mail_server_refused` (503) and InvalidInput `sample_refused` say why the mail
        server did not take it."""
        actor = Actor.from_wire(actor)
        if not actor.is_staff:
            raise Forbidden("staff_only", "Only a signed-in staff member can receive a sample.")
        actor.require_staff(MANAGE_PRACTICE_SETTINGS)
        template_kind = _kind_or_404(kind)
        cmd = load(schemas.EmailTemplateDraft(), payload)
        # ask first (identity, one bounded hop each), then render and send
        me = next((s for s in self.identity.list_staff(actor.to_wire())
                   if s.get("id") == actor.id), None)
        to = (me or {}).get("email") or ""
        if not emails.is_email_address(to):
            raise InvalidInput("no_address", "Your sign-in is not an email address, so there "
                               "is nowhere to send the sample.")
        context = self._sample_context(actor, template_kind)
        rendered = self._checked_render(actor, kind, cmd, context)
        subject = SAMPLE_PREFIX + rendered.subject
        message = OutgoingEmail(to=to, subject=subject, text=rendered.text,
                                html=rendered.html,
                                from_name=emails.one_line(context.get("practice_name")))
        try:
            self.mailer.send_now(message, timeout=SAMPLE_TIMEOUT_SECONDS)
        except SendFailed as exc:
            raise self._why_not_sent(exc, to) from None
        log.info("sample email sent", extra={"kind": kind})
        return {"to": to, "subject": subject}

    def _why_not_sent(self, failure, to):
        where = self.mailer.describe()
        if failure.code == "recipient_refused":
            return InvalidInput("sample_refused", f"The mail server refused your address "
                                f"({to}). Check it with whoever runs your mail.")
        if failure.code.startswith("smtp_"):
            code = failure.code[5:]
            if code in ("530", "534", "535"):
                hint = "it wants other credentials: check SMTP_USERNAME and SMTP_PASSWORD"
            elif failure.permanent:
                hint = "check SMTP_FROM and the server's settings"
            else:
                hint = "it is busy or limiting; try again in a few minutes"
            return Unavailable("mail_server_refused", f"The mail server at {where} refused "
                               f"the sample (SMTP {code}): {hint}.")
        if failure.code == "tls_certificate_refused":
            return Unavailable("mail_server_untrusted", f"The mail server at {where} showed a "
                               "certificate Haven does not trust (or for another name). Check "
                               "SMTP_HOST, or give its CA in SMTP_CA_FILE.")
        if failure.code == "SMTPNotSupportedError":
            return Unavailable("mail_server_refused", f"The mail server at {where} does not "
                               "offer STARTTLS. Check SMTP_PORT, or set SMTP_TLS=implicit for a "
                               "server that speaks TLS from the start.")
        if failure.code in ("SSLError", "SSLEOFError", "SSLZeroReturnError"):
            return Unavailable("mail_server_refused", f"The TLS conversation with the mail "
                               f"server at {where} failed ({failure.code}). Check SMTP_TLS and "
                               "SMTP_PORT (465 is usually implicit, 587 STARTTLS).")
        return Unavailable("mail_server_unreachable", f"The mail server at {where} could not "
                           f"be reached ({failure.code}). Check SMTP_HOST and SMTP_PORT, or "
                           "try again once it is running.")
