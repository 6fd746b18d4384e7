"""The gateway's edges (issue 17): hostile shapes of a request get a 4xx that names the
problem, and one log line, never a 500 with a traceback."""
import logging

import pytest

from gateway.app import MAX_JSON_DEPTH



def _records(caplog):
    return [r for r in caplog.records if r.name.startswith("gateway")]


@pytest.mark.parametrize("body", ["[" * 1000 + "]" * 1000,
                                  '{"login":' + "[" * 1000 + "]" * 1000 + "}",
                                  '{"a":' * 600 + "1" + "}" * 600])
def test_deeply_nested_json_is_400_with_one_log_line(client, caplog, body):
    assert len(body) <= 8000
    caplog.set_level(logging.INFO)
    for _ in range(2):      # each time: the same answer, one line, no traceback
        caplog.clear()
        r = client.post("/api/v1/session", data=body, content_type="application/json")
        assert r.status_code == 400, r.data
        assert r.json["error"] == "json_too_deep"
        assert str(MAX_JSON_DEPTH) in r.json["message"]
        records = _records(caplog)
        assert [rec.levelno for rec in records] == [logging.WARNING], records
        assert not any(rec.exc_info or getattr(rec, "traceback", None) for rec in records)


def test_json_just_within_the_depth_is_read(client):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    r = client.post("/api/v1/session", data='{"login": %s}' % nested,
                    content_type="application/json")
    assert r.status_code == 422 and "login" in r.json["fields"]     # read, then validated
    r = client.post("/api/v1/session", data='{"login": %s}' % ("[" + nested + "]"),
                    content_type="application/json")
    assert r.status_code == 400 and r.json["error"] == "json_too_deep"
