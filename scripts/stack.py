"""The whole of Haven on one machine: what `make run`, the end-to-end tests and the
benchmark start, by the same code path.

    with Stack(var_dir="var", http_port=8000) as stack:
        demo = stack.seed()
        ...                       # http://127.0.0.1:8000/p/abc

Each service's database is `database_urls[name]`, else `<SERVICE>_DATABASE_URL` from the
environment, else a SQLite file under var/. `start()` uses the broker at `amqp_uri` (or, when nothing listens there, a private
RabbitMQ node under var/rabbitmq), starts the development mail catcher, migrates every
service's database, starts one process per service plus the gateway (`gateways=N`: N
gateway processes, the first on `http_port`, the others on free ports, all in
`gateway_urls`), and waits for `GET /readyz` of each. `start_gateway()` adds one more
gateway to a running stack and `stop_process(name)` ends one process (replica tests).
`stop()` ends every process it started, the private broker included.
Each process logs to var/log/<name>.log.
"""
import contextlib
import json
import logging
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from scripts.infra import (PrivateRabbit, amqp_listening, free_port, listening, tail,
                           terminate, wait_for_port)

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("identity", "charts", "notify", "scheduling", "messaging")
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672//"

log = logging.getLogger("haven.stack")

# Development-only demo sign-ins: these values are public, never use them anywhere real.
DEMO_PRACTICE = {"code": "abc", "name": "ABC Therapy Group", "title": "ABC Therapy Group Client Portal",
                 "time_zone": "America/New_York",
                 "instructions": "Welcome! Please keep your contact details and insurance current "
                                 "before your first visit. For anything urgent, call us.",
                 "password_help": "Forgot your password? Call our front desk at (555) 010-4400, "
                                  "weekdays 8 am to 6 pm."}
DEMO_STAFF = (
    {"role": "practice_admin", "name": "Dana Whitfield", "email": "admin@abc-therapy.example",
     "password": "quiet-harbor-lantern-71"},
    {"role": "clinician", "name": "Maya Rivera", "email": "maya.rivera@abc-therapy.example",
     "password": "amber-forest-river-58"},
    {"role": "intake", "name": "Sam Ortiz", "email": "intake@abc-therapy.example",
     "password": "silver-meadow-window-34"},
)
DEMO_CLIENT = {"first_name": "Bobby", "last_name": "Newman", "date_of_birth": "1990-04-12",
               "email": "bobby.newman@example.com"}
DEMO_CLIENT_PASSWORD = "paper-kite-orchard-93"
# Bobby's demo appointments with Maya Rivera: (weekdays from today, local hour, minutes,
# location, title), booked in the practice's time zone through scheduling's RPC.
DEMO_APPOINTMENTS = (
    (1, 10, 50, "office", "Individual therapy"),
    (8, 15, 50, "telehealth", "Individual therapy"),
)


class StackError(RuntimeError):
    pass


class Stack:
    def __init__(self, var_dir=None, amqp_uri=None, http_port=8000, smtp_port=1025,
                 mail_port=8025, http_host="127.0.0.1", database_urls=None, public_url=None,
                 services=SERVICES, extra_env=None, ready_timeout=120, python=None,
                 gateways=1, replicas=None, gateway_workers=1):
        self.var_dir = Path(var_dir or ROOT / "var").resolve()
        self.log_dir = self.var_dir / "log"
        self.requested_amqp_uri = amqp_uri or os.environ.get("AMQP_URI") or DEFAULT_AMQP_URI
        self.amqp_uri = self.requested_amqp_uri
        self.http_host = http_host
        self.http_port = int(http_port)
        self.smtp_port = int(smtp_port)
        self.mail_port = int(mail_port)
        self.base_url = f"http://{http_host}:{self.http_port}"
        self.gateways = int(gateways)
        # processes sharing the main gateway's port (SO_REUSEPORT: the kernel spreads
        # connections), so the HTTP side uses more than one core
        self.gateway_workers = int(gateway_workers)
        self.gateway_urls = {}       # gateway process name -> its base URL
        self.metrics_urls = {}       # Haven process name -> its Prometheus /metrics URL
        self.public_url = public_url or self.base_url
        self.mail_url = f"http://127.0.0.1:{self.mail_port}"
        self.services = tuple(services)
        # instances per service (competing consumers on its queues); 1 unless asked
        self.replicas = {name: int((replicas or {}).get(name, 1)) for name in self.services}
        unknown = set(replicas or {}) - set(self.services)
        if unknown:
            raise StackError(f"no such service to run twice: {', '.join(sorted(unknown))} "
                             f"(services: {', '.join(self.services)})")
        # ARCHITECTURE.md: <SERVICE>_DATABASE_URL chooses the database (PostgreSQL in
        # production); a SQLite file under var/ only when nothing chose one.
        self.database_urls = {
            name: ((database_urls or {}).get(name)
                   or os.environ.get(f"{name.upper()}_DATABASE_URL")
                   or f"sqlite:///{self.var_dir / (name + '.db')}")
            for name in self.services}
        self.extra_env = dict(extra_env or {})
        # SQLite serializes writers inside one process only (docs/architecture.md)
        on_sqlite = [n for n, count in self.replicas.items()
                     if count > 1 and self.database_urls[n].startswith("sqlite")]
        if on_sqlite:
            raise StackError(f"several instances of {', '.join(on_sqlite)} need PostgreSQL: set "
                             + ", ".join(f"{n.upper()}_DATABASE_URL" for n in on_sqlite))
        self.ready_timeout = ready_timeout
        self.python = python or sys.executable
        self.processes = {}          # name -> Popen, in start order
        self.broker = None           # PrivateRabbit when we started one
        self.demo = None

    # ------------------------------------------------------------------ start / stop
    def start(self):
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if listening(self.http_host, self.http_port):
            # Another gateway answering /readyz there would look like ours.
            raise StackError(f"port {self.http_port} is already in use: is another Haven "
                             "running? Set HAVEN_HTTP_ADDRESS to use another port.")
        try:
            self._start_broker()
            self._start_mail()
            self.migrate()
            for name in self.services:
                for number in range(1, self.replicas[name] + 1):
                    process = name if number == 1 else f"{name}-{number}"
                    self._spawn(process, [self.python, "-m", "services.common.run", name],
                                self._metrics_env(process))
            self._spawn_gateway("gateway", self.http_port)
            for number in range(2, self.gateway_workers + 1):
                self._spawn_gateway(f"gateway-w{number}", self.http_port)  # same port
            for number in range(2, self.gateways + 1):
                self._spawn_gateway(f"gateway-{number}", free_port(self.http_host))
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn_gateway(self, name, port):
        self._spawn(name, [self.python, "-m", "services.common.run", "gateway"],
                    {"HAVEN_HTTP_ADDRESS": f"{self.http_host}:{port}", **self._metrics_env(name)})
        self.gateway_urls[name] = f"http://{self.http_host}:{port}"
        return self.gateway_urls[name]

    def _metrics_env(self, name):
        """A free loopback port per process for its Prometheus exporter."""
        address = f"127.0.0.1:{free_port('127.0.0.1')}"
        self.metrics_urls[name] = f"http://{address}/metrics"
        return {"HAVEN_METRICS_ADDRESS": address}

    def start_gateway(self, name=None, port=None, wait=True):
        """One more gateway process on this running stack (same broker, services and
        token key) → its base URL; `wait=False` returns as soon as it is spawned."""
        name = name or f"gateway-{len(self.gateway_urls) + 1}"
        if name in self.processes and self.processes[name].poll() is None:
            raise StackError(f"{name} is already running")
        port = port or free_port(self.http_host)
        if listening(self.http_host, port):
            raise StackError(f"port {port} is already in use")
        url = self._spawn_gateway(name, port)
        if wait:
            self.wait_ready(urls=[url])
        return url

    def add_gateway_worker(self):
        """One more gateway process on the main gateway's port (SO_REUSEPORT) → its name."""
        self.gateway_workers += 1
        name = f"gateway-w{self.gateway_workers}"
        self._spawn_gateway(name, self.http_port)
        self.wait_ready(urls=[self.base_url])
        return name

    def kill_process(self, name):
        """SIGKILL one process this stack started, as a crash would: no clean shutdown."""
        proc = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait(10)
        self.gateway_urls.pop(name, None)

    def stop_process(self, name, timeout=15):
        """End one process this stack started (SIGTERM, then SIGKILL after `timeout`)."""
        proc = self.processes.pop(name, None)
        if proc is not None:
            terminate(proc, timeout=timeout)
        self.gateway_urls.pop(name, None)

    def _start_broker(self):
        if amqp_listening(self.requested_amqp_uri):
            return
        log.info("no broker at %s: starting a private RabbitMQ node under %s",
                 _safe_uri(self.requested_amqp_uri), self.var_dir / "rabbitmq")
        self.broker = PrivateRabbit(self.var_dir / "rabbitmq").start()
        self.amqp_uri = self.broker.amqp_uri

    def _start_mail(self):
        if listening("127.0.0.1", self.smtp_port):
            raise StackError(f"port {self.smtp_port} (SMTP) is already in use: is another "
                             "Haven running? Set SMTP_PORT to use another port.")
        proc = self._spawn("devmail", [
            self.python, "-m", "scripts.devmail", "--smtp-port", str(self.smtp_port),
            "--web-port", str(self.mail_port), "--store", str(self.var_dir / "mail.json")])
        wait_for_port("127.0.0.1", self.mail_port, 30, proc, "mail catcher",
                      self.log_dir / "devmail.log")
        wait_for_port("127.0.0.1", self.smtp_port, 30, proc, "mail catcher",
                      self.log_dir / "devmail.log")

    def env(self):
        """The environment every Haven process of this stack runs with."""
        env = dict(os.environ)
        env.update({
            "AMQP_URI": self.amqp_uri,
            "HAVEN_VAR_DIR": str(self.var_dir),
            "HAVEN_HTTP_ADDRESS": f"{self.http_host}:{self.http_port}",
            "HAVEN_PUBLIC_URL": self.public_url,
            "HAVEN_INSECURE_COOKIES": "1",   # local http: cookies without Secure
            "HAVEN_TOKEN_SECRET": self._token_secret(),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
        })
        for name, url in self.database_urls.items():
            env[f"{name.upper()}_DATABASE_URL"] = url
        env.update(self.extra_env)
        return env

    def _token_secret(self):
        """One key for identity and the gateway, made before they start (they would race
        to create var/token-secret), kept so that a restart keeps sessions valid."""
        explicit = self.extra_env.get("HAVEN_TOKEN_SECRET") or os.environ.get("HAVEN_TOKEN_SECRET")
        if explicit:
            return explicit
        path = self.var_dir / "token-secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def migrate(self):
        logfile = self.log_dir / "migrations.log"
        with open(logfile, "ab") as out:
            result = subprocess.run(
                [self.python, "-m", "services.common.migrations", *self.services],
                cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT, timeout=300)
        if result.returncode:
            raise StackError(f"migrations failed (exit {result.returncode})\n"
                             f"--- last lines of {logfile} ---\n{tail(logfile)}")

    def _spawn(self, name, argv, env=None):
        logfile = self.log_dir / f"{name}.log"
        with open(logfile, "ab") as out:
            out.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}\n".encode())
            out.flush()
            proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env(), **(env or {})}, stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        self.processes[name] = proc
        return proc

    def wait_ready(self, timeout=None, urls=None):
        """Until GET /readyz of every gateway (or of `urls`) answers 200."""
        timeout = timeout or self.ready_timeout
        deadline = time.monotonic() + timeout
        waiting = list(urls or self.gateway_urls.values() or [self.base_url])
        last = "no answer"
        while waiting and time.monotonic() < deadline:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise StackError(f"{name} exited with code {proc.returncode} while "
                                     f"starting.\n{self.log_tails()}")
            try:
                with urllib.request.urlopen(waiting[0] + "/readyz", timeout=5) as resp:
                    if resp.status == 200:
                        waiting.pop(0)
                        continue
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.5)
        if waiting:
            raise StackError(f"Haven was not ready within {timeout:.0f} s: GET "
                             f"{waiting[0]}/readyz said {last}.\n{self.log_tails()}")

    def log_tails(self, lines=25):
        parts = []
        for name in ("migrations", *self.processes):
            path = self.log_dir / f"{name}.log"
            if path.exists():
                parts.append(f"--- last lines of {path} ---\n{tail(path, lines)}")
        if self.broker:
            parts.append(f"--- last lines of {self.broker.log} ---\n{tail(self.broker.log, lines)}")
        return "\n".join(parts)

    def stop(self, timeout=15):
        """SIGTERM every process we started (gateway first), SIGKILL what is left after
        `timeout` seconds, then stop the private broker if we started one."""
        procs = list(reversed(list(self.processes.items())))
        for _, proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 15)
        deadline = time.monotonic() + timeout
        for _, proc in procs:
            terminate(proc, timeout=max(0.1, deadline - time.monotonic()))
        self.processes.clear()
        self.gateway_urls.clear()
        if self.broker:
            self.broker.stop()
            self.broker = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ helpers
    def pids(self):
        """name -> pid of every process this stack started (the private broker too)."""
        found = {name: proc.pid for name, proc in self.processes.items() if proc.poll() is None}
        if self.broker and self.broker.process and self.broker.process.poll() is None:
            found["rabbitmq"] = self.broker.process.pid
        return found

    @contextlib.contextmanager
    def rpc(self, timeout=30):
        """A standalone nameko ClusterRpcProxy on this stack's broker."""
        import services.common.errors  # noqa: F401  registers the shared errors for RPC
        from nameko.standalone.rpc import ClusterRpcProxy
        with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=timeout) as proxy:
            yield proxy

    def mail_messages(self):
        """What the mail catcher holds: [{to, subject, body, ...}] oldest first."""
        with urllib.request.urlopen(self.mail_url + "/messages", timeout=10) as resp:
            return json.loads(resp.read())

    # ------------------------------------------------------------------ demo data
    def seed(self):
        """Create the demo practice and its people, skipping whatever exists already."""
        self.demo = seed_demo(self.rpc, demo_mfa_secret(self.var_dir),
                              messaging="messaging" in self.services)
        return self.demo


def _safe_uri(uri):
    from urllib.parse import urlsplit
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 5672}{parts.path}"


def demo_mfa_secret(var_dir):
    """The demo staff's shared two-factor secret: made once per var dir, never committed.

    Staff always sign in with a second factor; `make otp` prints the current code.
    """
    import pyotp
    path = Path(var_dir) / "demo-mfa-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pyotp.random_base32())
        path.chmod(0o600)
    return path.read_text().strip()


def seed_demo(rpc, mfa_secret=None, messaging=True):
    """Idempotent: every step that finds its thing already there (Conflict) goes on."""
    from services.common.actor import Actor
    from services.common.errors import Conflict, NotFound

    with rpc() as proxy:
        try:
            practice = proxy.identity.get_practice(DEMO_PRACTICE["code"])
        except NotFound:
            try:
                practice = proxy.identity.create_practice(Actor.system().to_wire(),
                                                          dict(DEMO_PRACTICE))
            except Conflict:
                practice = None
            practice = proxy.identity.get_practice(DEMO_PRACTICE["code"])
        actor = Actor.system(practice_id=practice["id"]).to_wire()

        staff = []
        for person in DEMO_STAFF:
            payload = {k: person[k] for k in ("email", "name", "role", "password")}
            if mfa_secret:
                payload["mfa_secret"] = mfa_secret
            try:
                proxy.identity.create_staff(actor, payload)
            except Conflict:
                pass
            staff.append(dict(person))

        matches = [c for c in proxy.charts.list_clients(actor, {"query": DEMO_CLIENT["last_name"]})
                   if c["first_name"] == DEMO_CLIENT["first_name"]
                   and c["last_name"] == DEMO_CLIENT["last_name"]]
        if matches:
            client = matches[0]
        else:
            client = proxy.charts.create_client(actor, dict(DEMO_CLIENT))
        try:
            proxy.identity.create_client_access(actor, {
                "client_id": client["id"], "login": DEMO_CLIENT["email"],
                "temporary_password": DEMO_CLIENT_PASSWORD,
                "change_password_at_next_login": False, "status": "active",
                "client_name": f"{DEMO_CLIENT['first_name']} {DEMO_CLIENT['last_name']}"})
        except Conflict:
            pass

        setup_demo_scheduling(proxy, actor, practice)
        appointments = book_demo_appointments(proxy, actor, practice, client)
        conversation = (seed_demo_messaging(proxy, actor, practice, client)
                        if messaging else None)

    return {
        "practice": practice,
        "mfa_secret": mfa_secret,
        "staff": staff,
        "client": {**client, "login": DEMO_CLIENT["email"], "password": DEMO_CLIENT_PASSWORD},
        "appointments": appointments,
        "conversation": conversation,
    }


DEMO_MESSAGE = ("Hi Bobby, welcome to the portal. You can write to me here between "
                "sessions; I usually answer within a working day. — Maya")


def seed_demo_messaging(proxy, actor, practice, client):
    """Secure messaging on for the demo practice, Maya Rivera assigned to Bobby (his
    appointments assign her too, through `appointment.scheduled`) and a conversation from
    her waiting for him, unread. A fixed id per practice makes a re-seed answer the same
    conversation instead of a second one."""
    import uuid
    proxy.messaging.update_messaging_settings(actor, {"enabled": True})
    maya = next((s for s in proxy.identity.list_staff(actor)
                 if s["email"] == DEMO_STAFF[1]["email"]), None)
    if maya is None:
        return None
    # the seed writes as Maya herself: conversations are started by a staff member
    as_maya = {"practice_id": practice["id"], "kind": "staff", "id": maya["id"],
               "permissions": ["view_clients"]}
    proxy.messaging.assign_clinician(as_maya, client["id"], {"clinician_id": maya["id"]})
    key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"haven-demo:{practice['id']}:conversation"))
    return proxy.messaging.start_conversation(as_maya, {
        "id": key, "client_id": client["id"], "subject": "Welcome to secure messaging",
        "body": DEMO_MESSAGE,
        "with_name": f"{DEMO_CLIENT['first_name']} {DEMO_CLIENT['last_name']}"})


def demo_appointment_times(time_zone, today=None):
    """The start of each DEMO_APPOINTMENTS entry: the n-th weekday after `today` (in the
    practice's zone) at the local hour, as ISO-8601 with its offset (DST-correct)."""
    from datetime import datetime, time as clock_time, timedelta
    from zoneinfo import ZoneInfo
    zone = ZoneInfo(time_zone or "UTC")
    day = today or datetime.now(zone).date()
    starts, weekdays = [], 0
    for ahead, hour, *_ in DEMO_APPOINTMENTS:
        while weekdays < ahead:
            day += timedelta(days=1)
            weekdays += day.weekday() < 5
        starts.append(datetime.combine(day, clock_time(hour), zone).isoformat())
    return starts


# The demo practice's scheduling setup, so a newcomer sees availability at once:
# (name, minutes, CPT code, fee in cents, who may request it)
DEMO_SERVICES = (
    ("Therapy intake", 60, "90791", 20000, "new"),
    ("Therapy session", 50, "90834", 15000, "both"),
    ("Couples session", 50, "90847", 17500, "existing"),
)


def setup_demo_scheduling(proxy, actor, practice):
    """An office in the practice's zone and telehealth, the services offered by Maya
    Rivera, her week (Mon–Thu 09–12 and 13–17 at the office, Fri 09–13 by video), a
    vacation week three weeks out, and portal requests open to everyone. Skipped when
    the practice already has services (a re-seed changes nothing)."""
    from datetime import date, timedelta
    if proxy.scheduling.list_services(actor, {})["items"]:
        return
    maya = next((s for s in proxy.identity.list_staff(actor)
                 if s["email"] == DEMO_STAFF[1]["email"]), None)
    if maya is None:
        return
    zone = practice.get("time_zone") or "America/New_York"
    office = proxy.scheduling.create_location(actor, {
        "kind": "office", "name": "ABC Therapy Group office",
        "address": "100 Main Street, Suite 200, Springfield", "time_zone": zone})
    video = proxy.scheduling.create_location(actor, {
        "kind": "telehealth", "name": "Telehealth (video)", "time_zone": zone})
    for name, minutes, code, fee, who in DEMO_SERVICES:
        proxy.scheduling.create_service(actor, {
            "name": name, "duration_minutes": minutes, "cpt_code": code, "fee_cents": fee,
            "requestable_by": who, "clinician_ids": [maya["id"]]})
    since = date.today().isoformat()
    periods = [{"weekday": day, "starts": starts, "ends": ends, "location_id": office["id"],
                "effective_from": since}
               for day in range(4) for starts, ends in (("09:00", "12:00"), ("13:00", "17:00"))]
    periods.append({"weekday": 4, "starts": "09:00", "ends": "13:00",
                    "location_id": video["id"], "effective_from": since})
    proxy.scheduling.set_work_schedule(actor, maya["id"], {"periods": periods})
    monday = date.today() + timedelta(days=21 - date.today().weekday())
    proxy.scheduling.create_block(actor, {
        "clinician_id": maya["id"], "kind": "time_off", "label": "Vacation",
        "starts_at": f"{monday.isoformat()}T00:00",
        "ends_at": f"{(monday + timedelta(days=5)).isoformat()}T00:00", "time_zone": zone})
    settings = proxy.scheduling.get_scheduling_settings(actor)
    proxy.scheduling.update_scheduling_settings(actor, {
        "version": settings["version"], "online_booking": True,
        "who_may_request": "everyone", "min_notice_minutes": 24 * 60, "horizon_days": 60,
        "buffer_minutes": 10, "late_cancel_hours": 24, "no_cancel_hours": 4,
        "clients_may_cancel": True,
        "instructions": "Choose a time that suits you; we confirm every request within "
                        "one business day."})


def book_demo_appointments(proxy, actor, practice, client):
    """Bobby's appointments with Maya Rivera, booked as scheduling's staff callers book
    (validated against identity's staff list). Fixed ids per practice make a re-seed
    return the same rows; a time someone else has taken meanwhile is skipped."""
    import uuid
    from services.common.errors import Conflict, InvalidInput
    maya = next((s for s in proxy.identity.list_staff(actor)
                 if s["email"] == DEMO_STAFF[1]["email"]), None)
    if maya is None:
        return []
    booked = []
    starts = demo_appointment_times(practice.get("time_zone"))
    for number, (entry, starts_at) in enumerate(zip(DEMO_APPOINTMENTS, starts), start=1):
        _, _, minutes, location, title = entry
        key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"haven-demo:{practice['id']}:{number}"))
        try:
            booked.append(proxy.scheduling.book_appointment(actor, client["id"], {
                "id": key, "clinician_id": maya["id"], "starts_at": starts_at,
                "duration_minutes": minutes, "location": location, "title": title}))
        except (Conflict, InvalidInput):
            continue
    return booked
