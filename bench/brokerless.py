"""The broker-less reference the hot reads are compared with: a minimal werkzeug app under
gunicorn, one worker process per core, reading one SQLite row by primary key — what a
plain WSGI service does with no broker, no RPC and no auth.

    gunicorn --workers <cores> --bind 127.0.0.1:<port> bench.brokerless:app
    (env: BENCH_BARE_DB, the same file bench/bare.py reads)

Each worker keeps one open connection (opened on its first request, after the fork),
as a competent minimal service would.
"""
import json
import os
import sqlite3

from werkzeug.wrappers import Request, Response

DB = os.environ.get("BENCH_BARE_DB", "bare.db")
_connection = None


def connection():
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(DB, check_same_thread=False)
    return _connection


@Request.application
def app(request):
    try:
        item_id = int(request.path.rsplit("/", 1)[-1])
    except ValueError:
        return Response('{"error": "not_found"}', 404, content_type="application/json")
    row = connection().execute("SELECT id, name FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        return Response('{"error": "not_found"}', 404, content_type="application/json")
    return Response(json.dumps({"id": row[0], "name": row[1]}), content_type="application/json")
