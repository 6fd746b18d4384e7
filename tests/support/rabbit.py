"""A private RabbitMQ node for fault tests: they stop and start it, never the machine's.

The node listens on free ports, keeps its data in a folder of the test's own, and is
stopped (and its processes reaped) when the test ends.
"""
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

SERVER = os.environ.get("HAVEN_RABBITMQ_SERVER", "/usr/lib/rabbitmq/bin/rabbitmq-server")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port):
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class PrivateRabbit:
    def __init__(self, base_dir):
        self.base = Path(base_dir)
        self.base.mkdir(parents=True, exist_ok=True)
        self.name = f"haven-{uuid.uuid4().hex[:8]}@localhost"
        self.port = _free_port()
        self.dist_port = _free_port()
        self.process = None
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\nloopback_users = none\n")

    @staticmethod
    def available():
        return shutil.which("erl") is not None and Path(SERVER).exists()

    @property
    def uri(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def _env(self):
        env = dict(os.environ)
        env.update({
            # our own files, so the machine's /etc/rabbitmq settings do not apply
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        })
        return env

    def start(self, timeout=60):
        self.process = subprocess.Popen(
            [SERVER], env=self._env(), stdout=open(self.base / "out.log", "ab"),
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _listening(self.port):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"private RabbitMQ exited; see {self.base / 'out.log'}")
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("private RabbitMQ did not start in time")

    def stop(self, timeout=30):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
        deadline = time.monotonic() + timeout
        while _listening(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)

    def restart(self):
        self.stop()
        return self.start()
