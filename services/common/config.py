"""Configuration from environment variables, with defaults that work on a laptop.

Every setting has a default so that `make run` works from a fresh clone (12-factor);
production overrides them through the environment.
"""
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_int(name, default):
    return int(env(name, default))


def env_float(name, default):
    return float(env(name, default))


def var_dir():
    path = Path(env("HAVEN_VAR_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def amqp_uri():
    return env("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//")


def database_url(service):
    """`<SERVICE>_DATABASE_URL`, else a SQLite file per service under var/."""
    default = f"sqlite:///{var_dir() / (service + '.db')}"
    return env(f"{service.upper()}_DATABASE_URL", default)


def token_secret():
    """The key that signs access tokens, shared by identity and every gateway.

    Production sets HAVEN_TOKEN_SECRET; in development a random key is made once
    and kept under var/ so that restarts keep sessions valid.
    """
    explicit = env("HAVEN_TOKEN_SECRET")
    if explicit:
        return explicit
    path = var_dir() / "token-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def data_key():
    """The key(s) that encrypt secrets stored at rest (TOTP secrets, safe words): one or
    more Fernet keys (urlsafe base64 of 32 bytes), comma-separated, the first encrypting
    and every one decrypting (rotation: put the new key first, re-encrypt, drop the old).

    Production sets HAVEN_DATA_KEY (kept apart from the database and its backups); in
    development a random key is made once and kept under var/, as the token secret is.
    """
    explicit = env("HAVEN_DATA_KEY")
    if explicit:
        return explicit
    path = var_dir() / "data-key"
    if not path.exists():
        import base64
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))
        path.chmod(0o600)
    return path.read_text().strip()


def service_config(service, **overrides):
    """The nameko config dict of one service."""
    config = {
        "AMQP_URI": amqp_uri(),
        "SERVICE_NAME": service,
        "DATABASE_URL": database_url(service),
        "max_workers": env_int("HAVEN_MAX_WORKERS", 10),
        "parent_calls_tracked": 10,
        "HEARTBEAT": env_int("AMQP_HEARTBEAT", 30),
        # RPC requests and replies need neither confirms nor persistence:
        # the caller's timeout covers a lost message (STYLE.md, bare stack costs).
        "PREFETCH_COUNT": env_int("HAVEN_PREFETCH_COUNT", 10),
        "RPC_TIMEOUT": env_float("HAVEN_RPC_TIMEOUT", 10.0),
        "OUTBOX_POLL_SECONDS": env_float("HAVEN_OUTBOX_POLL_SECONDS", 0.5),
        "HANDLER_MAX_ATTEMPTS": env_int("HAVEN_HANDLER_MAX_ATTEMPTS", 5),
        "HANDLER_RETRY_BASE_SECONDS": env_float("HAVEN_HANDLER_RETRY_BASE_SECONDS", 2.0),
        "HANDLER_IN_FLIGHT_SECONDS": env_float("HAVEN_HANDLER_IN_FLIGHT_SECONDS", 60.0),
        "RELAY_HEARTBEAT_SECONDS": env_int("HAVEN_RELAY_HEARTBEAT_SECONDS", 30),
        "RELAY_CONFIRM_TIMEOUT_SECONDS": env_float("HAVEN_RELAY_CONFIRM_TIMEOUT_SECONDS", 10.0),
        "TOKEN_SECRET": token_secret(),
        "ACCESS_TOKEN_SECONDS": env_int("HAVEN_ACCESS_TOKEN_SECONDS", 300),
        "REFRESH_TOKEN_SECONDS": env_int("HAVEN_REFRESH_TOKEN_SECONDS", 12 * 3600),
        "SMTP_HOST": env("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": env_int("SMTP_PORT", 1025),
        "SMTP_FROM": env("SMTP_FROM", "Haven <no-reply@haven.local>"),
        "SMTP_TIMEOUT": env_float("SMTP_TIMEOUT", 10.0),
        "SMTP_STARTTLS": env("SMTP_STARTTLS", ""),
        "SMTP_TLS": env("SMTP_TLS", ""),          # off | starttls | implicit
        "SMTP_CA_FILE": env("SMTP_CA_FILE"),
        "SMTP_USERNAME": env("SMTP_USERNAME"),
        "SMTP_PASSWORD": env("SMTP_PASSWORD"),
        "EMAIL_BACKEND": env("HAVEN_EMAIL_BACKEND", "smtp"),
        "EMAIL_POLL_SECONDS": env_float("HAVEN_EMAIL_POLL_SECONDS", 5.0),
        "EMAIL_RETRY_BASE_SECONDS": env_float("HAVEN_EMAIL_RETRY_BASE_SECONDS", 30.0),
        "EMAIL_MAX_ATTEMPTS": env_int("HAVEN_EMAIL_MAX_ATTEMPTS", 8),
        "PUBLIC_URL": env("HAVEN_PUBLIC_URL", "http://127.0.0.1:8000"),
        # the domain practices' own subdomains live under, as the deployment declared it
        # (None when unset: emailed links then keep the /p/<code> form)
        "PORTAL_BASE_DOMAIN": env("HAVEN_PORTAL_BASE_DOMAIN"),
        # host:port of this process's Prometheus exporter (services.common.metrics); off unset
        "METRICS_ADDRESS": env("HAVEN_METRICS_ADDRESS"),
    }
    config.update(overrides)
    return config
