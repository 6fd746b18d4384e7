"""One correlation id from a gateway-style call, through an RPC and the outbox, into an
event handler's log line; and no exception text in the JSON lines of a real container."""
import io
import json
import logging
import uuid

import pytest
from nameko.exceptions import RemoteError

from gateway.rpc import RpcPool
from services.common import logs
from services.common.actor import Actor
from tests.integration.common import toy
from tests.integration.common.test_outbox import make_schema, wait_for

CHART_VALUE = "date of birth 1987-03-14"  # a fake chart value


@pytest.fixture
def lines():
    """The JSON lines every logger of this process writes, toy's INFO lines included."""
    stream = io.StringIO()
    handler = logs.json_handler("toy", stream)
    root, toy_log = logging.getLogger(), logging.getLogger(toy.__name__)
    root.addHandler(handler)
    level = toy_log.level
    toy_log.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        toy_log.setLevel(level)
        root.removeHandler(handler)


@pytest.fixture
def pool(container_factory, amqp_uri, database_url_factory):
    producer_url, consumer_url = database_url_factory("sqlite"), database_url_factory("sqlite")
    make_schema(producer_url, toy.ProducerBase)
    make_schema(consumer_url, toy.ConsumerBase)
    base = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2}
    container_factory(toy.ToyConsumer, dict(base, DATABASE_URL=consumer_url)).start()
    container_factory(toy.ToyProducer, dict(base, DATABASE_URL=producer_url)).start()
    pool = RpcPool({"AMQP_URI": amqp_uri}, size=2, timeout=10)
    yield pool
    pool.stop()


def gateway_actor(cid):
    """What the gateway sends: the verified session's actor with the request's id."""
    return Actor(practice_id=str(uuid.uuid4()), kind="staff", id=str(uuid.uuid4()),
                 permissions=("view_operations",), correlation_id=cid).to_wire()


def test_one_correlation_id_follows_a_request_into_an_event_handler(pool, lines):
    cid = uuid.uuid4().hex
    pool.call("toyproducer", "make_thing", gateway_actor(cid), str(uuid.uuid4()))
    seen = wait_for(lambda: [l for l in lines() if l["message"] == "thing seen"], timeout=15)
    assert seen, "the event handler never logged"
    made, = [l for l in lines() if l["message"] == "thing made"]
    assert made["correlation_id"] == cid        # the RPC worker
    assert seen[0]["correlation_id"] == cid     # the event handler, after the outbox
    assert made["service"] == seen[0]["service"] == "toy"


def test_an_unexpected_worker_error_is_logged_without_its_text(pool, lines):
    cid = uuid.uuid4().hex
    with pytest.raises(RemoteError):
        pool.call("toyproducer", "fail_unexpectedly", gateway_actor(cid), CHART_VALUE)
    logged = [l for l in lines() if l["correlation_id"] == cid and l["level"] == "ERROR"]
    assert logged, "nameko did not log the worker's error"
    assert any("ValueError" in l["message"] and "toy.py:" in l["exc_info"] for l in logged)
    assert "1987" not in json.dumps(lines())
