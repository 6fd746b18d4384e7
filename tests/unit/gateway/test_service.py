"""The nameko side: the revocation list is read once the BROADCAST queue is bound, and a
broker loss makes the gateway refuse tokens until it has read the list again."""
from unittest import mock

from gateway.service import Gateway, GatewayQueueConsumer


def consumer_of(gateway):
    consumer = GatewayQueueConsumer()
    consumer.container = mock.Mock(dependencies={gateway},
                                   config={"AMQP_URI": "amqp://guest:guest@localhost//"})
    return consumer


def test_first_connection_loads_and_a_reconnect_rebuilds():
    gateway = mock.Mock(spec=Gateway)
    consumer = consumer_of(gateway)
    consumer.on_connection_error(OSError("refused"), 1)   # a slow start is not a loss
    gateway.broker_lost.assert_not_called()
    consumer.on_consume_ready(None, None, [])      # the first connection: queues are bound
    gateway.consumers_ready.assert_called_once()
    gateway.broker_reconnected.assert_not_called()
    consumer.on_connection_error(OSError("reset"), 1)     # lost after it had worked
    gateway.broker_lost.assert_called_once()
    consumer.on_consume_ready(None, None, [])      # the connection came back
    gateway.broker_reconnected.assert_called_once()
    gateway.consumers_ready.assert_called_once()


def started_gateway():
    gateway = Gateway()
    gateway.app = mock.Mock()
    gateway.pool = mock.Mock()
    gateway.container = mock.Mock()
    gateway._loading = False
    return gateway


def test_broker_reconnected_marks_revocations_stale_resets_and_reloads():
    gateway = started_gateway()
    gateway.broker_reconnected()
    gateway.app.broker_lost.assert_called_once()
    gateway.app.readmodels.reset.assert_called_once()
    gateway.pool.reset.assert_called_once()
    gateway.container.spawn_managed_thread.assert_called_once()


def test_the_loader_reads_again_when_the_list_went_stale_while_reading():
    gateway = started_gateway()
    gateway.app.load_revocations.side_effect = [False, True]
    gateway._load_revocations()
    assert gateway.app.load_revocations.call_count == 2
    assert gateway._loading is False


def test_the_loader_retries_while_identity_does_not_answer(monkeypatch):
    gateway = started_gateway()
    slept = []
    monkeypatch.setattr("gateway.service.eventlet.sleep", slept.append)
    gateway.app.load_revocations.side_effect = [RuntimeError("no answer"), True]
    gateway._load_revocations()
    assert slept == [Gateway.RETRY_SECONDS[0]]
