"""`make bench`: what Haven costs on this machine, written to bench/RESULTS.md.

Starts the Stack exactly as `make run` does (in a scratch var dir, on free ports, in a
vhost of its own on the broker `scripts.testenv` names, removed afterwards), seeds it, signs in as a client with portal access, and measures at 50 concurrent connections:

  (a) GET /api/v1/me/details through the gateway, authenticated (the read-model path);
  (b) the bare nameko path: HTTP -> one RPC -> one SQLite row (bench/bare.py);
  (c) GET /api/v1/me/appointments (upcoming, three booked) through the gateway: the
      appointments read model;
  (e) (a) again with one gateway process per core sharing the port (SO_REUSEPORT);
  (d) the broker-less reference: werkzeug under gunicorn, one worker per core, one
      SQLite row (bench/brokerless.py) — the hot reads are reported as a ratio to it;

then the resident memory of every process of the stack, idle and after the load, and the
event latency from a committed charts demographics update to the notify alert being
visible. Load comes from wrk when installed, else from a Python generator (threads with
keep-alive connections, which is itself slower: the figures say which was used).
Only loopback addresses are loaded; every run is bounded in time. BENCH_RESULTS names
another file to write (a trial run that must not replace the committed figures).
"""
import http.client
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")

from scripts.infra import free_port, private_vhost, terminate, wait_for_port  # noqa: E402
from scripts.stack import DEFAULT_AMQP_URI, Stack  # noqa: E402

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 50))
DURATION = int(os.environ.get("BENCH_SECONDS", 15))
EVENT_UPDATES = int(os.environ.get("BENCH_EVENT_UPDATES", 100))
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "RESULTS.md").resolve()
BENCH_APPOINTMENTS = 3


# ---------------------------------------------------------------- load generators
def load_wrk(url, headers, seconds):
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "errors": errors, "tool": "wrk"}


def load_python(url, headers, seconds):
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    stop_at = time.monotonic() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "errors": errors[0], "tool": "python threads"}


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def load(url, headers, seconds=DURATION):
    runner = load_wrk if shutil.which("wrk") else load_python
    runner(url, headers, min(3, seconds))          # warm-up: caches, connections, JIT-free
    return runner(url, headers, seconds)


# ---------------------------------------------------------------- memory
def rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid):
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def listener_pid(port):
    """The pid listening on 127.0.0.1:port (the machine's broker, when we use it)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inodes.add(fields[9])
        except OSError:
            continue
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None


def processes_named(name):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def rabbitmq_pids(stack):
    """Every process of the broker: beam.smp, its children (erl_child_setup,
    inet_gethost...) and epmd (a daemon of its own, not beam's child)."""
    if stack.broker and stack.broker.process and stack.broker.process.poll() is None:
        beam = stack.broker.process.pid
    else:
        beam = listener_pid(urllib.parse.urlsplit(stack.amqp_uri).port or 5672)
    pids = descendants(beam) if beam else []
    return pids + [p for p in processes_named("epmd") if p not in pids]


def memory(stack):
    broker = rabbitmq_pids(stack)
    rows = {}
    for name, pid in stack.pids().items():
        if name != "rabbitmq":       # the private node: counted below with all its processes
            rows[name] = sum(rss_kib(p) for p in descendants(pid) if p not in broker)
    label = "rabbitmq (private node)" if stack.broker else "rabbitmq (machine's)"
    rows[f"{label}: beam.smp, children, epmd ({len(broker)} processes)"] = \
        sum(rss_kib(p) for p in broker)
    return rows


# ---------------------------------------------------------------- the measurements
def post_json(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def bench_client(stack, practice_id):
    """A client of its own with portal access, signed in: its bearer token."""
    from services.common.actor import Actor
    actor = Actor.system(practice_id=practice_id).to_wire()
    login = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    password = "tidal-compass-harbor-" + uuid.uuid4().hex[:6]
    with stack.rpc() as proxy:
        client = proxy.charts.create_client(actor, {
            "first_name": "Bench", "last_name": "Client", "date_of_birth": "1985-01-01",
            "email": login})
        access = proxy.identity.create_client_access(actor, {
            "client_id": client["id"], "login": login, "temporary_password": password,
            "change_password_at_next_login": False, "status": "active",
            "client_name": "Bench Client"})
    book_bench_appointments(stack, actor, client["id"])
    tokens = post_json(stack.base_url + "/api/v1/session", {
        "practice_code": "abc", "login": login, "password": password, "audience": "portal",
        "token_delivery": "body"})
    return client, access, tokens["access_token"]


def book_bench_appointments(stack, actor, client_id):
    """A few upcoming appointments of the bench client with an active staff member, far
    enough ahead not to meet the demo's bookings (their list is what (c) reads)."""
    from datetime import timedelta
    with stack.rpc() as proxy:
        clinician = next(s for s in proxy.identity.list_staff(actor) if s["status"] == "active")
        first = (datetime.now(timezone.utc) + timedelta(days=90)).replace(
            hour=12, minute=0, second=0, microsecond=0)
        for n in range(BENCH_APPOINTMENTS):
            proxy.scheduling.book_appointment(actor, client_id, {
                "clinician_id": clinician["id"], "duration_minutes": 50,
                "starts_at": (first + timedelta(days=7 * n)).isoformat()})


def start_bare(stack, workdir):
    db = workdir / "bare.db"
    from bench.bare import make_db
    make_db(db)
    port = free_port()
    env = dict(os.environ, AMQP_URI=stack.amqp_uri, BENCH_BARE_DB=str(db),
               BENCH_BARE_HTTP=f"127.0.0.1:{port}", PYTHONPATH=str(ROOT))
    procs = []
    for which in ("store", "http"):
        log = open(workdir / f"bare-{which}.log", "ab")
        procs.append(subprocess.Popen([sys.executable, "-m", "bench.bare", which], cwd=ROOT,
                                      env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))
    wait_for_port("127.0.0.1", port, 60, procs[1], "bare http service",
                  workdir / "bare-http.log")
    url = f"http://127.0.0.1:{port}/items/42"
    deadline = time.monotonic() + 60
    while True:   # the RPC consumer may still be declaring its queue
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    return procs, url


def start_brokerless(workdir):
    """gunicorn with one sync worker per core serving bench/brokerless.py."""
    port = free_port()
    log = open(workdir / "brokerless.log", "ab")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(os.cpu_count() or 1),
         "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning",
         "bench.brokerless:app"],
        cwd=ROOT, env=dict(os.environ, BENCH_BARE_DB=str(workdir / "bare.db"),
                           PYTHONPATH=str(ROOT)),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port("127.0.0.1", port, 60, proc, "gunicorn", workdir / "brokerless.log")
    return proc, f"http://127.0.0.1:{port}/items/42"


def availability():
    """scheduling's find_availability on the issue-12 world (bench/availability.py, its own
    process: it patches eventlet and builds a SQLite world of its own)."""
    out = subprocess.run([sys.executable, "-m", "bench.availability", "--runs", "100"], cwd=ROOT,
                         capture_output=True, text=True, timeout=900,
                         env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout
    rows = []
    for line in out.splitlines():
        match = re.match(r"find_availability, (.+): (\d+) slots, p50 ([\d.]+) ms, p99 ([\d.]+) ms", line)
        if match:
            rows.append((match[1], int(match[2]), float(match[3]), float(match[4])))
    return rows


def event_latency(stack, practice_id, client, access):
    """Commit of charts.update_demographics (its reply) -> the alert listed by notify."""
    from services.common.actor import Actor
    client_actor = {"practice_id": practice_id, "kind": "client", "id": access.get("account_id")
                    or access.get("id"), "roles": [], "permissions": [],
                    "clients": {client["id"]: ["*"]}, "correlation_id": None}
    staff_actor = Actor(practice_id=practice_id, kind="staff", id=str(uuid.uuid4()),
                        roles=("intake",),
                        permissions=("view_clients", "receives_demographic_changes")).to_wire()
    samples, missed = [], 0
    with stack.rpc() as proxy:
        def alerts_for_client():
            return sum(1 for a in proxy.notify.list_alerts(staff_actor, {"limit": 500})
                       if a.get("client_id") == client["id"])
        seen = alerts_for_client()
        version = proxy.charts.get_client(client_actor, client["id"])["version"]
        for n in range(EVENT_UPDATES):
            version = proxy.charts.update_demographics(client_actor, client["id"], {
                "city": f"Springfield {n}", "version": version})["version"]
            committed = time.perf_counter()
            deadline = committed + 10
            while time.perf_counter() < deadline:
                count = alerts_for_client()
                if count > seen:
                    samples.append((time.perf_counter() - committed) * 1000)
                    seen = count
                    break
                time.sleep(0.005)
            else:
                missed += 1
    return {"p50": percentile(samples, 50), "p99": percentile(samples, 99),
            "n": len(samples), "missed": missed}


# ---------------------------------------------------------------- the report
def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {"nproc": os.cpu_count(), "memory": f"{mem_kib / 1024 / 1024:.1f} GiB", "cpu": cpu,
            "os": platform.platform()}


def load_average():
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


def versions(stack):
    from importlib.metadata import version
    import kombu
    rabbit = "unknown"
    try:
        with kombu.Connection(stack.amqp_uri) as conn:
            conn.connect()
            rabbit = conn.connection.server_properties.get("version", "unknown")
            rabbit = rabbit.decode() if isinstance(rabbit, bytes) else rabbit
    except Exception:
        pass
    return {"python": platform.python_version(), "nameko": version("nameko"),
            "rabbitmq": rabbit, "sqlite": sqlite3.sqlite_version,
            "load generator": "wrk" if shutil.which("wrk") else "python threads"}


def report(results):
    a, b, c, d = results["a"], results["b"], results["c"], results["d"]
    lines = [
        "# Haven benchmark results",
        "",
        f"Written by `make bench` (bench/run.py) on {results['when']}. "
        f"{CONNECTIONS} concurrent connections, {DURATION} s per measurement after a short "
        "warm-up; everything (load generator, broker, services) shares this machine.",
        "",
        f"Load average of the machine (1, 5, 15 min) before the run: {results['load_before']}; "
        f"after: {results['load_after']}. Far above the core count means other work shared "
        "the CPU: absolute figures are then low, the ratio measured under the same load.",
        "",
        "## Machine and versions",
        "",
        *[f"- {k}: {v}" for k, v in {**results["machine"], **results["versions"]}.items()],
        "",
        "## Throughput and latency",
        "",
        "| path | requests/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
        f"| (a) GET /api/v1/me/details, authenticated, through the gateway | {a['rps']:.0f} | "
        f"{a['p50']:.1f} | {a['p99']:.1f} | {a['errors']} |",
        f"| (b) bare nameko HTTP -> RPC -> SQLite row | {b['rps']:.0f} | {b['p50']:.1f} | "
        f"{b['p99']:.1f} | {b['errors']} |",
        f"| (c) GET /api/v1/me/appointments ({BENCH_APPOINTMENTS} upcoming), authenticated, "
        f"through the gateway | {c['rps']:.0f} | {c['p50']:.1f} | {c['p99']:.1f} | "
        f"{c['errors']} |",
        f"| (e) as (a), {results['e']['workers']} gateway processes sharing the port "
        f"(SO_REUSEPORT) | {results['e']['rps']:.0f} | {results['e']['p50']:.1f} | "
        f"{results['e']['p99']:.1f} | {results['e']['errors']} |",
        f"| (d) broker-less reference: werkzeug + gunicorn ({results['machine']['nproc']} "
        f"workers) -> SQLite row | {d['rps']:.0f} | {d['p50']:.1f} | {d['p99']:.1f} | "
        f"{d['errors']} |",
        "",
        f"Ratio (a)/(b): **{a['rps'] / b['rps']:.2f}**; (c)/(b): **{c['rps'] / b['rps']:.2f}**; "
        f"(a)/(d): **{a['rps'] / d['rps']:.2f}**; (c)/(d): **{c['rps'] / d['rps']:.2f}**; "
        f"(e)/(d): **{results['e']['rps'] / d['rps']:.2f}**",
        "",
        "(a) and (c) answer from the gateway's read models (the client's record; the "
        "client's upcoming appointments: no RPC); (b) is bench/bare.py: nameko's "
        "HTTP entrypoint, one RpcProxy call published as Haven's gateway publishes (no "
        "publisher confirms, non-persistent), and a store keeping one open SQLite "
        "connection per worker (max_workers 10 on both sides, as Haven's services). "
        "(d) is bench/brokerless.py: no broker, no RPC, no auth — one sync gunicorn worker "
        "process per core, each with an open SQLite connection; the gateway is one "
        "eventlet process today.",
        "",
        "## Resident memory (RSS, MiB)",
        "",
        "| process | idle | after the load |",
        "|---|---:|---:|",
    ]
    idle, after = results["rss_idle"], results["rss_after"]
    for name in list(idle) + [n for n in after if n not in idle]:
        lines.append(f"| {name} | {idle.get(name, 0) / 1024:.0f} | {after.get(name, 0) / 1024:.0f} |")
    lines.append(f"| **total** | **{sum(idle.values()) / 1024:.0f}** | "
                 f"**{sum(after.values()) / 1024:.0f}** |")
    lines += ["", "Each row sums a process and its children. The broker row counts every "
              "RabbitMQ process: beam.smp, its children and epmd; a machine's broker also "
              "holds whatever else uses it (here, other test runs' vhosts), so it is an "
              "upper bound of Haven's share."]
    ev = results["events"]
    lines += [
        "",
        "## Event latency",
        "",
        f"charts `update_demographics` committed (its reply) -> the notify alert visible in "
        f"`notify.list_alerts`, over {ev['n']} updates (polled every 5 ms): "
        f"p50 **{ev['p50']:.0f} ms**, p99 **{ev['p99']:.0f} ms**"
        + (f"; {ev['missed']} not seen within 10 s" if ev["missed"] else "") + ".",
        "",
        "## Availability (issue 12)",
        "",
        "bench/availability.py: 20 clinicians, each Mon–Fri 09–12 and 13–17 at one office "
        "(America/New_York), 2,000 scheduled appointments and 300 blocks (a third weekly) over "
        "60 days, one 50-minute service offered by all; scheduling's `find_availability` as "
        "the service runs it (its SQL on SQLite through worker_factory, no broker), 100 runs "
        "each. Through the gateway add one RPC hop ((b) above).",
        "",
        "| question | slots | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
        *[f"| {label} | {slots} | {p50:.1f} | {p99:.1f} |"
          for label, slots, p50, p99 in results["availability"]],
        "",
        "## Targets",
        "",
        "| target | measured | result |",
        "|---|---|---|",
        *[f"| {name} | {measured} | **{'PASS' if ok else 'FAIL'}** |"
          for name, measured, ok in targets(results)],
        "",
    ]
    return "\n".join(lines)


def targets(results):
    """(target, what was measured, met?) for each of issue 3's targets."""
    a, b, c, d, ev = (results["a"], results["b"], results["c"], results["d"],
                      results["events"])
    peak = max(sum(results["rss_idle"].values()), sum(results["rss_after"].values())) / 1024
    return [
        ("read path >= half the bare stack's throughput",
         f"{a['rps']:.0f} / {b['rps']:.0f} req/s = {a['rps'] / b['rps']:.2f}",
         a["rps"] >= 0.5 * b["rps"] and not a["errors"]),
        ("appointments read path >= half the bare stack's throughput",
         f"{c['rps']:.0f} / {b['rps']:.0f} req/s = {c['rps'] / b['rps']:.2f}",
         c["rps"] >= 0.5 * b["rps"] and not c["errors"]),
        ("hot reads >= 0.8x the broker-less reference (issue 16's goal)",
         f"(a) {a['rps'] / d['rps']:.2f}, (c) {c['rps'] / d['rps']:.2f}",
         a["rps"] >= 0.8 * d["rps"] and c["rps"] >= 0.8 * d["rps"]),
        *[(f"availability p99 < 50 ms in the service: {label}", f"p99 {p99:.1f} ms", p99 < 50)
          for label, _slots, _p50, p99 in results["availability"]],
        ("whole stack < 1 GiB resident (every process, the broker's included)",
         f"{peak:.0f} MiB at most", peak < 1024),
        ("events reach their consumer within 1 s of the commit (p99)",
         f"p99 {ev['p99']:.0f} ms, {ev['missed']} missed",
         ev["p99"] < 1000 and not ev["missed"]),
    ]


def main():
    workdir = Path(tempfile.mkdtemp(prefix="haven-bench-"))
    # a vhost of its own: never competing for the queues of a `make run` on this broker
    amqp_uri, remove_vhost = private_vhost(
        os.environ.get("AMQP_URI", DEFAULT_AMQP_URI),
        os.environ.get("HAVEN_RABBITMQCTL", "rabbitmqctl").split())
    stack = Stack(var_dir=workdir / "var", amqp_uri=amqp_uri, http_port=free_port(),
                  smtp_port=free_port(), mail_port=free_port())
    bare = []
    try:
        print("starting the stack ...", flush=True)
        stack.start()
        demo = stack.seed()
        practice_id = demo["practice"]["id"]
        client, access, token = bench_client(stack, practice_id)
        bare, bare_url = start_bare(stack, workdir)
        brokerless, brokerless_url = start_brokerless(workdir)
        bare.append(brokerless)
        time.sleep(2)
        results = {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                   "machine": machine(), "versions": versions(stack)}
        results["load_before"] = load_average()
        results["rss_idle"] = memory(stack)
        print(f"(a) gateway /api/v1/me/details, {DURATION} s ...", flush=True)
        results["a"] = load(stack.base_url + "/api/v1/me/details",
                            {"Authorization": f"Bearer {token}"})
        print(f"    {results['a']}", flush=True)
        print(f"(b) bare nameko HTTP->RPC->SQLite, {DURATION} s ...", flush=True)
        results["b"] = load(bare_url, {})
        print(f"    {results['b']}", flush=True)
        print(f"(d) broker-less werkzeug + gunicorn, {DURATION} s ...", flush=True)
        results["d"] = load(brokerless_url, {})
        print(f"    {results['d']}", flush=True)
        print(f"(c) gateway /api/v1/me/appointments, {DURATION} s ...", flush=True)
        results["c"] = load(stack.base_url + "/api/v1/me/appointments",
                            {"Authorization": f"Bearer {token}"})
        print(f"    {results['c']}", flush=True)
        workers = 1
        while workers < (os.cpu_count() or 1):
            stack.add_gateway_worker()
            workers += 1
        time.sleep(2)
        print(f"(e) gateway /api/v1/me/details with {workers} gateway processes on one "
              f"port, {DURATION} s ...", flush=True)
        results["e"] = load(stack.base_url + "/api/v1/me/details",
                            {"Authorization": f"Bearer {token}"})
        results["e"]["workers"] = workers
        print(f"    {results['e']}", flush=True)
        results["rss_after"] = memory(stack)
        results["load_after"] = load_average()
        print(f"event latency over {EVENT_UPDATES} updates ...", flush=True)
        results["events"] = event_latency(stack, practice_id, client, access)
        print("availability (bench/availability.py) ...", flush=True)
        results["availability"] = availability()
        text = report(results)
        RESULTS.write_text(text)
        print("\n" + text)
        print(f"written to {RESULTS}")
        return 0
    finally:
        for proc in bare:
            terminate(proc)
        stack.stop()
        remove_vhost()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
