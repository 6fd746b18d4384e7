"""Runs deploy/examples/appointments_mirror.py as another practice system would, and reads
its SQLite file."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "examples" / "appointments_mirror.py"


class MirrorProcess:
    def __init__(self, amqp_uri, db_path, queue, log_path):
        self.args = [sys.executable, str(EXAMPLE), "--amqp", amqp_uri, "--db", str(db_path),
                     "--queue", queue]
        self.db_path, self.log_path, self.process = db_path, log_path, None

    def start(self):
        self.process = subprocess.Popen(self.args, stdout=open(self.log_path, "ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def rows(self, sql, params=()):
        if not Path(self.db_path).exists():
            return []
        with sqlite3.connect(self.db_path) as db:
            try:
                return db.execute(sql, params).fetchall()
            except sqlite3.OperationalError:  # the schema is not made yet
                return []

    def wait_for(self, sql, params, expected, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.rows(sql, params)
            if rows == expected:
                return rows
            time.sleep(0.2)
        raise AssertionError(f"mirror has {self.rows(sql, params)}, expected {expected}; "
                             f"log: {Path(self.log_path).read_text()[-2000:]}")

    def status_of(self, appointment_id):
        rows = self.rows("SELECT status FROM appointments WHERE id = ?", (appointment_id,))
        return rows[0][0] if rows else None
