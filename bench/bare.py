"""The bare nameko path the benchmark compares Haven against: HTTP -> one RPC -> SQLite
read of one row by primary key. No auth, no schema, no outbox: the floor of the stack.

Built as a competent minimal service would be, so that the comparison is fair:
- the store keeps its SQLite connections open (a pool of one per worker, handed out per
  call) instead of opening a file per request; a primary-key read of a cached page takes
  microseconds, so it runs on the hub as any such service would;
- the RPC proxy publishes as Haven's gateway does (gateway/rpc.py) and as STYLE.md
  advises for RPC: no publisher confirms, non-persistent messages (the caller's timeout
  covers a lost one); otherwise nameko's defaults (max_workers 10, as Haven's services).

    python -m bench.bare http|store    (env: AMQP_URI, BENCH_BARE_HTTP, BENCH_BARE_DB)
"""
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

from eventlet.queue import LightQueue  # noqa: E402
from nameko.constants import NON_PERSISTENT  # noqa: E402
from nameko.extensions import DependencyProvider  # noqa: E402
from nameko.rpc import RpcProxy, rpc  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402
from nameko.web.handlers import http  # noqa: E402

# As in gateway/rpc.py: without confirms nameko warns on every call that `mandatory`
# cannot be checked.
warnings.filterwarnings("ignore", message="Mandatory delivery was requested")

DB = os.environ.get("BENCH_BARE_DB", "bare.db")
MAX_WORKERS = 10


def make_db(path, rows=1000):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT OR REPLACE INTO items VALUES (?, ?)",
                     [(i, f"item {i}") for i in range(1, rows + 1)])
    conn.commit()
    conn.close()


class Connections(DependencyProvider):
    """One open SQLite connection per concurrent worker, lent for a call and returned."""

    def setup(self):
        self.pool = LightQueue()
        for _ in range(MAX_WORKERS):
            # green threads share one OS thread: the connection never crosses threads
            self.pool.put(sqlite3.connect(DB, check_same_thread=False))

    def get_dependency(self, worker_ctx):
        conn = self.pool.get()
        worker_ctx.data["bare_conn"] = conn
        return conn

    def worker_teardown(self, worker_ctx):
        self.pool.put(worker_ctx.data.pop("bare_conn"))

    def stop(self):
        while not self.pool.empty():
            self.pool.get().close()


class BareStore:
    name = "bench_bare_store"
    db = Connections()

    @rpc
    def get_item(self, item_id):
        row = self.db.execute("SELECT id, name FROM items WHERE id = ?", (item_id,)).fetchone()
        return {"id": row[0], "name": row[1]}


class BareHttp:
    name = "bench_bare_http"
    store = RpcProxy("bench_bare_store", use_confirms=False, delivery_mode=NON_PERSISTENT)

    @http("GET", "/items/<int:item_id>")
    def get_item(self, request, item_id):
        return 200, {"Content-Type": "application/json"}, json.dumps(self.store.get_item(item_id))


def main(which):
    config = {"AMQP_URI": os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//"),
              "WEB_SERVER_ADDRESS": os.environ.get("BENCH_BARE_HTTP", "127.0.0.1:8100"),
              "max_workers": MAX_WORKERS}
    runner = ServiceRunner(config)
    runner.add_service(BareHttp if which == "http" else BareStore)
    signal.signal(signal.SIGTERM, lambda *_: eventlet.spawn_n(runner.stop))
    runner.start()
    runner.wait()


if __name__ == "__main__":
    main(sys.argv[1])
