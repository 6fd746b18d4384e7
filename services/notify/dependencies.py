"""Email for notify: a small backend interface, an SMTP implementation, an in-memory one
for development and tests, and the `Mailer` provider that sends queued email.

Backends are chosen by configuration (`EMAIL_BACKEND`: "smtp", the default, or
"memory"). SMTP is configured by SMTP_HOST / SMTP_PORT / SMTP_FROM, and optionally
SMTP_TLS (off | starttls | implicit; SMTP_STARTTLS=1 is the older spelling of starttls),
SMTP_CA_FILE (a private CA to trust; the system's otherwise), SMTP_USERNAME /
SMTP_PASSWORD and SMTP_TIMEOUT. With TLS the server's certificate and name are verified.
"""
import email.utils
import logging
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

import eventlet
import eventlet.event
from nameko.extensions import DependencyProvider

from services.common.db import Database
from services.common.metrics import EMAILS
from services.notify.store import emails as outgoing

log = logging.getLogger(__name__)

# smtplib over green sockets, whether or not the process is monkey-patched: a blocking
# SMTP conversation must not starve the hub and its AMQP heartbeats (STYLE.md, trap 9).
smtplib = eventlet.import_patched("smtplib")


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str = None
    from_name: str = None
    message_id: str = None    # the same for every attempt of one email: receivers dedupe


class SendFailed(Exception):
    """The email was not accepted. `code` names the cause without any content (it is
    stored and logged); `permanent` says that trying again would not help."""

    def __init__(self, code, permanent=False):
        super().__init__(code, permanent)
        self.code = code
        self.permanent = permanent


class EmailBackend:
    """Sends one email or raises SendFailed."""

    def send(self, message: OutgoingEmail, timeout=None):  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self):
        """Where it sends, for a sentence to an administrator (no credentials)."""
        return type(self).__name__


TLS_MODES = ("off", "starttls", "implicit")


def tls_mode(config):
    """SMTP_TLS, or the older SMTP_STARTTLS=1; a value Haven does not know stops the
    service at start, naming the setting, rather than sending in the clear."""
    mode = str(config.get("SMTP_TLS") or "").strip().lower()
    if not mode:
        legacy = str(config.get("SMTP_STARTTLS") or "").strip().lower()
        mode = "starttls" if legacy in ("1", "true", "yes", "on") else "off"
    if mode not in TLS_MODES:
        raise ValueError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {mode!r}")
    return mode


class SmtpBackend(EmailBackend):
    def __init__(self, host, port, sender, timeout=10.0, starttls=False, username=None,
                 password=None, tls=None, ca_file=None):
        self.host, self.port, self.timeout = host, int(port), timeout
        self.sender_name, self.sender_address = email.utils.parseaddr(sender)
        self.tls = tls or ("starttls" if starttls else "off")
        if self.tls not in TLS_MODES:
            raise ValueError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}")
        self.username, self.password = username, password
        self.ca_file = ca_file or None
        if username and self.tls == "off" and host not in ("127.0.0.1", "localhost", "::1"):
            log.warning("SMTP credentials are configured without TLS: they cross the network "
                        "in the clear; set SMTP_TLS=starttls or implicit")

    def _context(self):
        return ssl.create_default_context(cafile=self.ca_file)

    def build(self, message):
        mail = EmailMessage()
        mail["From"] = email.utils.formataddr(
            (message.from_name or self.sender_name or "", self.sender_address))
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.formatdate(localtime=False)
        domain = self.sender_address.rpartition("@")[2] or "haven.local"
        mail["Message-ID"] = (f"<{message.message_id}@{domain}>" if message.message_id
                              else email.utils.make_msgid(domain=domain))
        mail.set_content(message.text)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return mail

    def describe(self):
        return f"{self.host}:{self.port}" + ("" if self.tls == "off" else f" ({self.tls} TLS)")

    def _connect(self, timeout):
        if self.tls == "implicit":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=timeout,
                                    context=self._context())
        return smtplib.SMTP(self.host, self.port, timeout=timeout)

    def send(self, message, timeout=None):
        mail = self.build(message)
        try:
            with self._connect(timeout or self.timeout) as smtp:
                if self.tls == "starttls":
                    smtp.starttls(context=self._context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail, from_addr=self.sender_address, to_addrs=[message.to])
        except smtplib.SMTPRecipientsRefused:
            raise SendFailed("recipient_refused", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(f"smtp_{exc.smtp_code}", permanent=exc.smtp_code >= 500) from None
        except ssl.SSLCertVerificationError:
            raise SendFailed("tls_certificate_refused") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(type(exc).__name__) from None


class MemoryBackend(EmailBackend):
    """Keeps what it 'sends': for development without a mail server, and for tests."""

    def __init__(self):
        self.sent = []

    def send(self, message, timeout=None):
        self.sent.append(message)


def backend_from_config(config):
    kind = config.get("EMAIL_BACKEND", "smtp")
    if kind == "memory":
        return MemoryBackend()
    if kind != "smtp":
        raise ValueError(f"unknown EMAIL_BACKEND {kind!r}")
    return SmtpBackend(
        host=config.get("SMTP_HOST", "127.0.0.1"), port=config.get("SMTP_PORT", 1025),
        sender=config.get("SMTP_FROM", "Haven <no-reply@haven.local>"),
        timeout=float(config.get("SMTP_TIMEOUT", 10.0)), tls=tls_mode(config),
        ca_file=config.get("SMTP_CA_FILE"),
        username=config.get("SMTP_USERNAME"), password=config.get("SMTP_PASSWORD"))


class MailerAccess:
    """What a worker sees as `self.mailer`."""

    def __init__(self, provider):
        self._provider = provider

    def wake(self):
        """Emails were committed: send them now rather than at the next poll."""
        self._provider.wake()

    def send_now(self, message, timeout=None):
        """Send one email at once, outside the queue (an administrator's sample, whose
        outcome she waits for); raises SendFailed."""
        self._provider.backend.send(message, timeout=timeout)

    def describe(self):
        return self._provider.backend.describe()


class Mailer(DependencyProvider):
    """Sends the emails queued in the `emails` table, after their transaction committed:
    woken by the worker that queued them, and polling for retries and for emails left by
    a crash (EMAIL_POLL_SECONDS). Failures back off (EMAIL_RETRY_BASE_SECONDS, doubling)
    until EMAIL_MAX_ATTEMPTS, then the email is marked failed and staff are alerted."""

    def __init__(self, backend=None):
        self.backend = backend
        self._thread = None
        self._wakeup = eventlet.event.Event()

    def setup(self):
        config = self.container.config
        if self.backend is None:
            self.backend = backend_from_config(config)
        self.poll_seconds = float(config.get("EMAIL_POLL_SECONDS", 5.0))
        self.max_attempts = int(config.get("EMAIL_MAX_ATTEMPTS", 8))
        self.retry_base = float(config.get("EMAIL_RETRY_BASE_SECONDS", 30.0))
        self.lease_seconds = float(config.get("EMAIL_LEASE_SECONDS", 120.0))

    def start(self):
        self._thread = self.container.spawn_managed_thread(self._run, identifier="mailer")

    def stop(self):
        if self._thread is not None:
            self._thread.kill()
            self._thread = None

    kill = stop

    def wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def _run(self):
        while True:
            try:
                while self.send_due():
                    pass  # more may be waiting behind this batch
            except Exception as exc:  # database down: keep going, rows are kept
                log.warning("mailer pass failed; will retry", extra={"error": type(exc).__name__})
            with eventlet.Timeout(self.poll_seconds, False):
                self._wakeup.wait()
            self._wakeup = eventlet.event.Event()

    def _database(self):
        return next(d for d in self.container.dependencies if isinstance(d, Database))

    def send_due(self):
        """Send one batch of due emails; returns how many were tried."""
        db = self._database()
        claimed = outgoing.claim_due(db, lease_seconds=self.lease_seconds)
        for item in claimed:
            message = OutgoingEmail(to=item.to_address, subject=item.subject,
                                    text=item.body_text, html=item.body_html,
                                    from_name=item.from_name, message_id=item.id)
            try:
                self.backend.send(message)
            except Exception as exc:  # noqa: BLE001 - any failure is retried, never lost
                failure = exc if isinstance(exc, SendFailed) else SendFailed(type(exc).__name__)
                status = outgoing.mark_failed(db, item.id, failure.code, failure.permanent,
                                              self.max_attempts, self.retry_base)
                EMAILS.labels("failed" if status == "failed" else "retry").inc()
                log.warning("email not sent", extra={"email_id": item.id, "error": failure.code,
                                                     "attempts": item.attempts, "status": status})
                continue
            outgoing.mark_sent(db, item.id)
            EMAILS.labels("sent").inc()
            log.info("email sent", extra={"email_id": item.id, "attempts": item.attempts})
        return len(claimed)

    def get_dependency(self, worker_ctx):
        return MailerAccess(self)
