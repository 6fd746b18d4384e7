"""Private infrastructure for development and tests: a RabbitMQ node and a PostgreSQL
cluster that live under a var directory and die with the process that started them.

Used when nothing listens at the configured address; a broker or server that is already
running is always preferred and never touched (never stopped, never reconfigured).
Development only: both bind to 127.0.0.1.
"""
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")


def free_port(host="127.0.0.1"):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def listening(host, port, timeout=1.0):
    """True when something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def amqp_listening(uri):
    parts = urlsplit(uri)
    return listening(parts.hostname or "127.0.0.1", parts.port or 5672)


def wait_for_port(host, port, timeout, process=None, what="service", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listening(host, port, timeout=0.5):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before listening "
                               f"on {host}:{port}{tail_hint(log)}")
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on {host}:{port} within {timeout:.0f} s{tail_hint(log)}")


def tail(path, lines=30):
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def tail_hint(log):
    if not log:
        return ""
    return f"\n--- last lines of {log} ---\n{tail(log)}"


def terminate(process, timeout=10.0):
    """SIGTERM the process group, then SIGKILL after `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(5)


def private_vhost(broker_uri, rabbitmqctl):
    """A vhost of its own on the broker at `broker_uri`, for the user the URI names
    (`rabbitmqctl`: the command as a list) → (its URI, a function removing it). Whatever
    runs there cannot compete for another stack's queues (make run's, a test run's)."""
    vhost = f"haven-{uuid.uuid4().hex[:12]}"
    parts = urlsplit(broker_uri)

    def ctl(*args):
        subprocess.run([*rabbitmqctl, *args], check=True, capture_output=True, timeout=60)

    ctl("add_vhost", vhost)
    ctl("set_permissions", "-p", vhost, parts.username or "guest", ".*", ".*", ".*")
    uri = urlunsplit((parts.scheme, parts.netloc, "/" + vhost, "", ""))
    return uri, lambda: ctl("delete_vhost", vhost)


def _rabbitmq_script(name):
    """The real scripts: Debian's /usr/sbin wrappers `su` to the rabbitmq user and use
    its home and cookie, which would talk to the system node instead of ours."""
    path = RABBITMQ_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed (apt-get install rabbitmq-server)")
    return found


class PrivateProcess:
    """A server process of our own, started by `start()` (returns self), stopped by
    `stop()` and by leaving a `with` block. Subclasses set `process` and may override
    `stop` (the default terminates the process, then kills it after `stop_seconds`)."""
    process = None
    stop_seconds = 10

    def stop(self):
        terminate(self.process, timeout=self.stop_seconds)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class PrivateRabbit(PrivateProcess):
    """A RabbitMQ node of our own under `base`, on free ports, stopped by `stop()`."""

    def __init__(self, base):
        self.base = Path(base).resolve()
        self.port = free_port()
        self.dist_port = free_port()
        self.nodename = f"haven-{uuid.uuid4().hex[:8]}@localhost"
        self.home = self.base / "home"
        self.process = None
        self.log = self.base / "rabbitmq-server.log"

    @property
    def amqp_uri(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def env(self):
        env = dict(os.environ)
        env.update({
            "HOME": str(self.home),  # the Erlang cookie lives here, shared with our rabbitmqctl
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_LOGS": "-",
            "RABBITMQ_PID_FILE": str(self.base / "node.pid"),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.base / "advanced.config"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        })
        return env

    def ctl_command(self):
        """A rabbitmqctl command line (whitespace-separated) that talks to this node."""
        return ["env", f"HOME={self.home}", "ERL_EPMD_ADDRESS=127.0.0.1",
                _rabbitmq_script("rabbitmqctl"), "-n", self.nodename]

    def start(self, timeout=90):
        for sub in ("home", "mnesia", "log"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq-env.conf").write_text("# private node: settings come from the environment\n")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            "vm_memory_high_watermark.relative = 0.2\n"
            "disk_free_limit.absolute = 50MB\n")
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "advanced.config").write_text("[].\n")
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [_rabbitmq_script("rabbitmq-server")], env=self.env(), stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for_port("127.0.0.1", self.port, timeout, self.process, "private RabbitMQ node",
                      self.log)
        # The listener opens before the node has finished booting; the vhost '/' and the
        # guest user exist once `await_startup` returns.
        subprocess.run([*self.ctl_command(), "await_startup"], capture_output=True,
                       timeout=timeout)
        return self

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            subprocess.run([*self.ctl_command(), "stop"], capture_output=True, timeout=30)
        except Exception:
            pass
        terminate(self.process, timeout=20)


def _pg_bindir():
    found = shutil.which("pg_ctl") or shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for path in candidates:
        if (path / "initdb").exists():
            return path
    raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")


class PrivatePostgres(PrivateProcess):
    """A PostgreSQL cluster of our own under `base` on a free port, trust auth, loopback.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
    user (Debian's package creates it)."""
    stop_seconds = 20

    def __init__(self, base):
        self.base = Path(base).resolve()
        self.port = free_port()
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"
        self.bindir = _pg_bindir()
        self.process = None

    @property
    def admin_url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_owner(self, argv):
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return argv

    def start(self, timeout=60):
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
            reachable = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w",
                                        str(self.base)], capture_output=True).returncode == 0
            if not reachable:  # e.g. a checkout under a home directory the user can't enter
                import tempfile
                self.base = Path(tempfile.mkdtemp(prefix="haven-postgres-"))
                self.base.chmod(0o755)
                shutil.chown(self.base, "postgres", "postgres")
                self.data, self.log = self.base / "data", self.base / "postgres.log"
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(self._as_owner([
                str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                "--auth=trust", "--encoding=UTF8", "--no-sync"]),
                check=True, capture_output=True, timeout=120)
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.log, "postgres", "postgres")
        out = open(self.log, "ab")
        self.process = subprocess.Popen(self._as_owner([
            str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.base}",
            "-c", "fsync=off", "-c", "max_connections=200"]),
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        out.close()
        wait_for_port("127.0.0.1", self.port, timeout, self.process, "private PostgreSQL",
                      self.log)
        return self


class PrivateS3(PrivateProcess):
    """An S3-compatible server of our own (moto's, from the test extra) on a free loopback
    port, in a subprocess so that its web server never shares the tests' eventlet hub.
    Any credentials are accepted; buckets live in its memory and die with it."""

    def __init__(self, base):
        self.base = Path(base).resolve()
        self.port = free_port()
        self.log = self.base / "s3.log"
        self.process = None

    @property
    def endpoint_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        import sys
        self.base.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        wait_for_port("127.0.0.1", self.port, timeout, self.process, "private S3 server",
                      self.log)
        return self


def _clamd_binary():
    found = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists()
                                      else None)
    if not found:
        raise RuntimeError("clamd is not installed (scripts/bootstrap.sh test, or "
                           "apt-get install clamav-daemon)")
    return found


class PrivateClamd(PrivateProcess):
    """A clamd of our own under `base`: TCP on a free loopback port, no local socket, in
    the foreground, reading only the signature files given to it (`signatures`: file
    name → text, e.g. {"test.ndb": "Name:0:*:hex"}) — no freshclam, no system database,
    so it starts in seconds and never touches the system daemon."""

    def __init__(self, base, signatures):
        self.base = Path(base).resolve()
        self.signatures = dict(signatures)
        self.port = free_port()
        self.log = self.base / "clamd.log"
        self.process = None
        self.started_in = None  # seconds from launch until it answered PING

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def _config(self):
        database = self.base / "db"
        return "\n".join([
            f"TCPSocket {self.port}",
            "TCPAddr 127.0.0.1",
            "Foreground yes",
            f"DatabaseDirectory {database}",
            f"TemporaryDirectory {self.base / 'tmp'}",
            f"LogFile {self.log}",
            f"PidFile {self.base / 'clamd.pid'}",
            "Bytecode no",
            "StreamMaxLength 26M",
            "ConcurrentDatabaseReload no",
            "SelfCheck 0",
            "MaxThreads 4",
            "",
        ])

    def ping(self, timeout=1.0):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
                sock.sendall(b"zPING\0")
                return sock.recv(16).rstrip(b"\0") == b"PONG"
        except OSError:
            return False

    def start(self, timeout=60):
        for sub in ("db", "tmp"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        for name, text in self.signatures.items():
            (self.base / "db" / name).write_text(text)
        config = self.base / "clamd.conf"
        config.write_text(self._config())
        began = time.monotonic()
        with open(self.base / "clamd.out", "ab") as out:
            self.process = subprocess.Popen(
                [_clamd_binary(), f"--config-file={config}"], stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = began + timeout
        while time.monotonic() < deadline:
            if self.ping():
                self.started_in = time.monotonic() - began
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"clamd exited with code {self.process.returncode}"
                                   f"{tail_hint(self.log)}{tail_hint(self.base / 'clamd.out')}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"clamd did not answer PING within {timeout:.0f} s{tail_hint(self.log)}")
