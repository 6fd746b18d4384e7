"""Run a command (the test suite) with a broker and a PostgreSQL server it can use.

    python -m scripts.testenv -- .venv/bin/pytest -q

RabbitMQ: the broker at AMQP_URI (default 127.0.0.1:5672) when one listens; otherwise a
private node under var/test-infra/, and AMQP_URI and HAVEN_RABBITMQCTL (a rabbitmqctl
command line for that node, which tests/conftest.py uses to make its vhosts) are set.
PostgreSQL: HAVEN_TEST_PG_URL (default postgres@127.0.0.1:5432) when it listens;
otherwise a private cluster under var/test-infra/ and HAVEN_TEST_PG_URL is set.
Whatever was started here is stopped when the command ends; nothing already running is
ever touched.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.infra import PrivatePostgres, PrivateRabbit, amqp_listening, listening  # noqa: E402

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def say(message):
    print(f"testenv: {message}", file=sys.stderr, flush=True)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2

    env = dict(os.environ)
    started = []
    (ROOT / "var").mkdir(exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="test-infra-", dir=ROOT / "var"))
    base.chmod(0o755)  # the private PostgreSQL runs as the postgres user when we are root
    try:
        amqp = env.get("AMQP_URI") or DEFAULT_AMQP
        if amqp_listening(amqp):
            env["AMQP_URI"] = amqp
        else:
            say(f"no broker at {urlsplit(amqp).hostname}:{urlsplit(amqp).port or 5672}: "
                "starting a private RabbitMQ node")
            rabbit = PrivateRabbit(base / "rabbitmq").start()
            started.append(rabbit)
            env["AMQP_URI"] = rabbit.amqp_uri
            env["HAVEN_RABBITMQCTL"] = " ".join(rabbit.ctl_command())

        pg = env.get("HAVEN_TEST_PG_URL") or DEFAULT_PG
        parts = urlsplit(pg)
        if listening(parts.hostname or "127.0.0.1", parts.port or 5432):
            env["HAVEN_TEST_PG_URL"] = pg
        else:
            try:
                say(f"nothing listens on {parts.hostname}:{parts.port or 5432}: starting a "
                    "private PostgreSQL cluster")
                postgres = PrivatePostgres(base / "postgres").start()
                started.append(postgres)
                env["HAVEN_TEST_PG_URL"] = postgres.admin_url
            except Exception as exc:  # the PostgreSQL tests then skip (or fail under CI)
                say(f"could not start PostgreSQL: {exc}")

        proc = subprocess.Popen(argv, env=env, cwd=ROOT)
        # Ctrl-C reaches the child through the terminal; a TERM to us is passed on.
        signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:
                continue
    finally:
        for thing in reversed(started):
            try:
                thing.stop()
            except Exception as exc:
                say(f"could not stop {type(thing).__name__}: {exc}")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
