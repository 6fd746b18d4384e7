"""notify's SMTP backend against a real SMTP server (aiosmtpd) on loopback speaking TLS:
implicit TLS, STARTTLS with credentials the server requires (and refuses when wrong), a
certificate Haven does not trust, a server without STARTTLS — each the SendFailed code an
administrator's sample turns into a sentence. The certificate is made per test run with
the openssl command (a private CA given as SMTP_CA_FILE)."""
import email
import email.policy
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from services.notify.dependencies import OutgoingEmail, SendFailed, SmtpBackend, tls_mode
from tests.conftest import free_port
from tests.integration.notify.test_notify import Inbox

USER, PASSWORD = "haven-mailer", "correct horse battery staple"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def server_context(certificate):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)   # aiosmtpd answers 535 itself


@pytest.fixture
def smtp(certificate):
    started = []

    def start(**kwargs):
        inbox, port = Inbox(), free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()


def message(to="kim@example.com"):
    return OutgoingEmail(to=to, subject="Your portal", text="Sign in: https://p.example/",
                         from_name="Oak Tree", message_id="email-123")


def backend(port, **kwargs):
    return SmtpBackend("127.0.0.1", port, "Haven <no-reply@haven.test>", timeout=5, **kwargs)


def test_implicit_tls_delivers_with_a_verified_certificate(smtp, certificate):
    inbox, port = smtp(ssl_context=server_context(certificate))
    backend(port, tls="implicit", ca_file=str(certificate[0])).send(message())
    [(to, raw)] = inbox.messages
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert to == ["kim@example.com"] and parsed["Subject"] == "Your portal"
    assert parsed["Message-ID"] == "<email-123@haven.test>"   # the same on every attempt


def test_starttls_with_the_credentials_the_server_requires(smtp, certificate):
    inbox, port = smtp(tls_context=server_context(certificate), require_starttls=True,
                       authenticator=authenticator, auth_require_tls=True,
                       server_kwargs={"auth_required": True})
    good = backend(port, tls="starttls", ca_file=str(certificate[0]), username=USER,
                   password=PASSWORD)
    good.send(message())
    assert [to for to, _ in inbox.messages] == [["kim@example.com"]]
    with pytest.raises(SendFailed) as exc:
        backend(port, tls="starttls", ca_file=str(certificate[0]), username=USER,
                password="wrong").send(message())
    assert exc.value.code == "smtp_535" and exc.value.permanent
    with pytest.raises(SendFailed) as exc:        # no TLS: the server will not take it
        backend(port, username=USER, password=PASSWORD).send(message())
    assert exc.value.code.startswith("smtp_5") or exc.value.code == "SMTPNotSupportedError"
    assert len(inbox.messages) == 1


def test_a_certificate_haven_does_not_trust_is_refused(smtp, certificate):
    inbox, port = smtp(ssl_context=server_context(certificate))
    with pytest.raises(SendFailed) as exc:
        backend(port, tls="implicit").send(message())    # the system CAs only
    assert exc.value.code == "tls_certificate_refused" and not exc.value.permanent
    assert inbox.messages == []


def test_starttls_against_a_server_without_it_is_said(smtp):
    inbox, port = smtp()
    with pytest.raises(SendFailed) as exc:
        backend(port, tls="starttls").send(message())
    assert exc.value.code == "SMTPNotSupportedError"
    assert inbox.messages == []


def test_the_tls_setting_is_read_strictly():
    assert tls_mode({}) == "off"
    assert tls_mode({"SMTP_STARTTLS": "1"}) == "starttls"
    assert tls_mode({"SMTP_TLS": "Implicit", "SMTP_STARTTLS": "1"}) == "implicit"
    with pytest.raises(ValueError) as exc:
        tls_mode({"SMTP_TLS": "ssl"})
    assert "SMTP_TLS" in str(exc.value)
