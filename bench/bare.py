"""The bare nameko path the benchmark compares Haven against: HTTP -> one RPC -> SQLite
read of one row by primary key. No auth, no schema, no outbox: the floor of the stack.

    python -m bench.bare http|store    (env: AMQP_URI, BENCH_BARE_HTTP, BENCH_BARE_DB)
"""
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402

from nameko.rpc import RpcProxy, rpc  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402
from nameko.web.handlers import http  # noqa: E402

DB = os.environ.get("BENCH_BARE_DB", "bare.db")


def make_db(path, rows=1000):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT OR REPLACE INTO items VALUES (?, ?)",
                     [(i, f"item {i}") for i in range(1, rows + 1)])
    conn.commit()
    conn.close()


class BareStore:
    name = "bench_bare_store"

    @rpc
    def get_item(self, item_id):
        conn = sqlite3.connect(DB)
        try:
            row = conn.execute("SELECT id, name FROM items WHERE id = ?", (item_id,)).fetchone()
        finally:
            conn.close()
        return {"id": row[0], "name": row[1]}


class BareHttp:
    name = "bench_bare_http"
    store = RpcProxy("bench_bare_store")

    @http("GET", "/items/<int:item_id>")
    def get_item(self, request, item_id):
        return 200, {"Content-Type": "application/json"}, json.dumps(self.store.get_item(item_id))


def main(which):
    config = {"AMQP_URI": os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//"),
              "WEB_SERVER_ADDRESS": os.environ.get("BENCH_BARE_HTTP", "127.0.0.1:8100"),
              "max_workers": 10}
    runner = ServiceRunner(config)
    runner.add_service(BareHttp if which == "http" else BareStore)
    signal.signal(signal.SIGTERM, lambda *_: eventlet.spawn_n(runner.stop))
    runner.start()
    runner.wait()


if __name__ == "__main__":
    main(sys.argv[1])
