"""Prometheus metrics from a running service: entrypoints by outcome, events published,
handled, failed and redelivered, the outbox backlog — scraped from the exporter's port."""
import urllib.request
import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from prometheus_client import REGISTRY

from services.common import metrics
from services.common.errors import Conflict
from tests.conftest import free_port
from tests.integration.common import toy
from tests.integration.common.test_outbox import ACTOR, make_schema, wait_for


class MeteredProducer(toy.ToyProducer):
    metrics = metrics.Metrics()


class MeteredConsumer(toy.ToyConsumer):
    metrics = metrics.Metrics()


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def metered(container_factory, amqp_uri, database_url, database_url_factory):
    consumer_url = database_url_factory("sqlite")
    make_schema(database_url, toy.ProducerBase)
    make_schema(consumer_url, toy.ConsumerBase)
    address = f"127.0.0.1:{free_port()}"
    base = {"AMQP_URI": amqp_uri, "OUTBOX_POLL_SECONDS": 0.2, "HANDLER_RETRY_BASE_SECONDS": 0.2,
            "HANDLER_MAX_ATTEMPTS": 3, "METRICS_ADDRESS": address}
    container_factory(MeteredConsumer, dict(base, DATABASE_URL=consumer_url)).start()
    container_factory(MeteredProducer, dict(base, DATABASE_URL=database_url)).start()
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
            yield rpc, address
    finally:
        metrics.stop_serving()


def test_entrypoints_events_and_backlog_are_counted_and_served(metered):
    rpc, address = metered
    rpc_calls = "haven_entrypoint_calls_total"
    ok = dict(service="toyproducer", kind="rpc", method="make_thing", outcome="ok")
    conflict = dict(ok, outcome="conflict")
    crashed = dict(ok, method="fail_unexpectedly", outcome="error")
    published = dict(service="toyproducer", type="thing.made")
    handled = dict(service="toyconsumer", handler="on_thing_made", outcome="ok")
    failed = dict(handled, outcome="failed")
    redelivered = dict(service="toyconsumer", handler="on_thing_made")
    before = {k: value(n, **l) for k, (n, l) in {
        "ok": (rpc_calls, ok), "conflict": (rpc_calls, conflict), "crashed": (rpc_calls, crashed),
        "published": ("haven_events_published_total", published),
        "handled": ("haven_events_handled_total", handled),
        "failed": ("haven_events_handled_total", failed),
        "redelivered": ("haven_events_redelivered_total", redelivered)}.items()}

    thing = str(uuid.uuid4())
    toy.ToyConsumer.failures_left[thing] = 2  # fails twice, then is handled on a retry
    rpc.toyproducer.make_thing(ACTOR, thing)
    with pytest.raises(Conflict):
        rpc.toyproducer.make_thing(ACTOR, str(uuid.uuid4()), fail_after_record=True)
    with pytest.raises(Exception):
        rpc.toyproducer.fail_unexpectedly(ACTOR, "a value that never reaches a label")
    assert wait_for(lambda: rpc.toyconsumer.count_seen(thing) == 1, timeout=15)

    assert value(rpc_calls, **ok) - before["ok"] == 1
    assert value(rpc_calls, **conflict) - before["conflict"] == 1  # the rolled-back one
    assert value(rpc_calls, **crashed) - before["crashed"] == 1
    assert value("haven_entrypoint_duration_seconds_count", service="toyproducer", kind="rpc",
                 method="make_thing") >= 2
    assert value("haven_events_published_total", **published) - before["published"] == 1
    assert wait_for(lambda: value("haven_events_handled_total", **handled) - before["handled"] == 1)
    assert value("haven_events_handled_total", **failed) - before["failed"] == 2
    assert value("haven_events_redelivered_total", **redelivered) - before["redelivered"] == 2
    assert wait_for(lambda: value("haven_outbox_pending", service="toyproducer") == 0
                    and REGISTRY.get_sample_value("haven_outbox_pending",
                                                  {"service": "toyproducer"}) is not None,
                    timeout=12)

    scraped = urllib.request.urlopen(f"http://{address}/metrics", timeout=5).read().decode()
    assert ('haven_entrypoint_calls_total{kind="rpc",method="make_thing",outcome="ok",'
            'service="toyproducer"}') in scraped
    assert "haven_outbox_oldest_pending_seconds" in scraped
    assert "a value that never reaches a label" not in scraped and thing not in scraped
