"""`make run`: the whole of Haven on this machine, with a demo practice.

Starts the Stack (scripts/stack.py) with the defaults below, seeds the demo practice,
prints where to go and how to sign in, and waits; Ctrl-C stops everything it started.

    HAVEN_HTTP_ADDRESS  127.0.0.1:8000     where the gateway listens
    SMTP_PORT           1025               the development mail catcher (SMTP)
    HAVEN_MAIL_PORT     8025               the mail catcher's web page
    HAVEN_VAR_DIR       ./var              databases, logs, the private broker
    AMQP_URI            amqp://guest:guest@127.0.0.1:5672//   (a private node when none listens)
    <SERVICE>_DATABASE_URL  e.g. IDENTITY_DATABASE_URL=postgresql+psycopg2://haven@db/identity;
                        each service not named gets a SQLite file under HAVEN_VAR_DIR.
                        Migrations and the demo seed run on whichever database is chosen.
    HAVEN_GATEWAY_WORKERS  gateway processes sharing HAVEN_HTTP_ADDRESS's port (default 1)
    HAVEN_REPLICAS      e.g. charts=2,scheduling=2: instances of those services on the same
                        queues (competing consumers; each needs its PostgreSQL URL above)
"""
import logging
import os
import signal
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.stack import DEMO_CLIENT, Stack, StackError  # noqa: E402


def databases(stack):
    """Which database each service uses, without user names or passwords."""
    from urllib.parse import urlsplit
    kinds = []
    for name, url in stack.database_urls.items():
        parts = urlsplit(url)
        where = (f"PostgreSQL {parts.hostname}{parts.path}" if parts.scheme.startswith("postgres")
                 else "SQLite" if parts.scheme.startswith("sqlite") else parts.scheme)
        kinds.append(f"{name}: {where}")
    return ", ".join(kinds)


def replicas_setting(text):
    """HAVEN_REPLICAS="charts=2,scheduling=2" → {"charts": 2, "scheduling": 2}."""
    replicas = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, count = item.partition("=")
        if not count.isdigit() or int(count) < 1:
            raise SystemExit(f"HAVEN_REPLICAS: '{item}' is not <service>=<count of 1 or more>")
        replicas[name.strip()] = int(count)
    return replicas


def main():
    warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    host, _, port = os.environ.get("HAVEN_HTTP_ADDRESS", "127.0.0.1:8000").rpartition(":")
    stack = Stack(
        var_dir=os.environ.get("HAVEN_VAR_DIR") or ROOT / "var",
        http_host=host or "127.0.0.1", http_port=int(port),
        smtp_port=int(os.environ.get("SMTP_PORT") or 1025),
        mail_port=int(os.environ.get("HAVEN_MAIL_PORT") or 8025),
        public_url=os.environ.get("HAVEN_PUBLIC_URL") or None,
        replicas=replicas_setting(os.environ.get("HAVEN_REPLICAS", "")),
        gateway_workers=int(os.environ.get("HAVEN_GATEWAY_WORKERS") or 1))

    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    # Ctrl-C stops everything, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print("Starting Haven (logs in %s) ..." % stack.log_dir, flush=True)
    try:
        stack.start()
        demo = stack.seed()
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        stack.stop()
        return 130
    except StackError as exc:
        print(f"\nHaven did not start: {exc}", file=sys.stderr, flush=True)
        stack.stop()
        return 1
    except BaseException:
        stack.stop()
        raise

    url = stack.public_url
    broker = ("a private RabbitMQ node under " + str(stack.var_dir / "rabbitmq")
              if stack.broker else "the RabbitMQ broker at " + stack.amqp_uri.split("@")[-1])
    lines = [
        "",
        "Haven is running (using %s)." % broker,
        "",
        f"  Client portal   {url}/p/{demo['practice']['code']}",
        f"  Staff console   {url}/staff",
        f"  API docs        {url}/api/v1/docs",
        f"  Mail catcher    {stack.mail_url}/   (development: no mail leaves this machine)",
        f"  Databases       {databases(stack)}",
        "  Metrics         " + ", ".join(f"{name} {url.split('//')[1]}"
                                      for name, url in stack.metrics_urls.items()),
        "",
        "  Demo sign-ins (development-only values):",
    ]
    for person in demo["staff"]:
        lines.append(f"    staff   {person['role']:<15} {person['email']:<36} {person['password']}")
    lines.append(f"    client  {DEMO_CLIENT['first_name'] + ' ' + DEMO_CLIENT['last_name']:<15} "
                 f"{demo['client']['login']:<36} {demo['client']['password']}")
    if demo.get("appointments"):
        lines.append(f"    ({DEMO_CLIENT['first_name']} has {len(demo['appointments'])} upcoming "
                     "appointments with Maya Rivera.)")
    lines += ["",
              "  Staff sign in with a second factor: `make otp` prints the current code, or add",
              f"  the demo secret {demo['mfa_secret']} to an authenticator app."]
    lines += ["", "Press Ctrl-C to stop.", ""]
    print("\n".join(lines), flush=True)

    try:
        while True:
            time.sleep(1)
            for name, proc in list(stack.processes.items()):
                if proc.poll() is not None:
                    print(f"{name} exited with code {proc.returncode}; see "
                          f"{stack.log_dir / (name + '.log')}. Stopping.", file=sys.stderr)
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
    finally:
        stack.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
