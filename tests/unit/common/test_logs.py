"""Log lines are JSON with the correlation id, and never carry an exception's text."""
import io
import json
import logging

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert
from sqlalchemy.exc import IntegrityError

from gateway import errors
from services.common import logs
from services.common.db import make_engine

CHART_VALUE = "DOB 1987-03-14 Bobby Newman"  # a fake chart value


@pytest.fixture
def captured():
    """The JSON lines a service would write, from every logger."""
    stream = io.StringIO()
    handler = logs.json_handler("toy", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    token = logs.correlation_id.set("cid-1234")
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logs.correlation_id.reset(token)
        root.removeHandler(handler)


def test_log_lines_are_json_with_the_service_and_correlation_id(captured):
    logging.getLogger("haven.test").error("something happened", extra={"event_id": "e1"})
    line, = captured()
    assert line["message"] == "something happened" and line["level"] == "ERROR"
    assert (line["service"], line["correlation_id"], line["event_id"]) == ("toy", "cid-1234", "e1")


def test_an_exception_is_logged_as_its_class_and_place_only(captured):
    try:
        raise ValueError(CHART_VALUE)
    except ValueError as exc:
        # as nameko's container logs an unexpected worker error
        logging.getLogger("nameko.containers").exception("error handling worker %s: %s",
                                                         "<worker>", exc)
        logging.getLogger("haven.test").error(exc)
    first, second = captured()
    assert first["message"] == "error handling worker <worker>: ValueError"
    assert first["exc_info"].startswith("ValueError") and "test_logs.py:" in first["exc_info"]
    assert second["message"] == "ValueError"
    assert first["correlation_id"] == "cid-1234"
    assert "1987" not in json.dumps(captured())


def test_a_cause_is_named_without_its_text(captured):
    try:
        try:
            raise KeyError(CHART_VALUE)
        except KeyError as inner:
            raise RuntimeError("wrapped " + CHART_VALUE) from inner
    except RuntimeError:
        logging.getLogger("haven.test").exception("failed")
    line, = captured()
    assert "KeyError" in line["exc_info"] and "RuntimeError" in line["exc_info"]
    assert "1987" not in json.dumps(line)


def test_an_unexpected_gateway_error_is_logged_without_its_text(captured):
    try:
        {}["x"]  # a bug, somewhere in a handler
    except KeyError:
        try:
            raise RuntimeError(CHART_VALUE)
        except RuntimeError as exc:
            status, body, _ = errors.error_body(exc)
    assert status == 500 and "1987" not in json.dumps(body)
    line, = captured()
    assert line["error_type"] == "RuntimeError" and line["correlation_id"] == "cid-1234"
    assert "test_logs.py:" in line["traceback"]
    assert "1987" not in json.dumps(line)


def test_a_sql_error_does_not_quote_the_bound_values(captured, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'chart.db'}", pool_size=1)
    table = Table("clients", MetaData(), Column("id", String, primary_key=True),
                  Column("name", String))
    table.metadata.create_all(engine)
    try:
        with engine.begin() as conn:
            conn.execute(insert(table).values(id="c1", name=CHART_VALUE))
        with pytest.raises(IntegrityError) as caught:
            with engine.begin() as conn:
                conn.execute(insert(table).values(id="c1", name=CHART_VALUE))
        assert "1987" not in str(caught.value)
        logging.getLogger("haven.test").error("save failed", exc_info=caught.value)
        assert "1987" not in json.dumps(captured())
    finally:
        engine.dispose()


def test_nameko_loggers_strip_exception_text_for_any_handler():
    root = logging.getLogger()
    saved = root.handlers[:], root.level, [(logging.getLogger(n), logging.getLogger(n).level)
                                           for n in ("nameko", "kombu")]
    plain = io.StringIO()
    try:
        logs.configure("toy")
        root.addHandler(logging.StreamHandler(plain))  # e.g. a log shipper added later
        logging.getLogger("nameko.containers").error("error handling worker %s: %s",
                                                     "<worker>", ValueError(CHART_VALUE))
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for logger, level in saved[2]:
            logger.setLevel(level)
    assert plain.getvalue() == "error handling worker <worker>: ValueError\n"
