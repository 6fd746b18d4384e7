"""The nameko side: a broker reconnect makes the gateway rebuild what events keep."""
from unittest import mock

from gateway.service import Gateway, GatewayQueueConsumer


def test_reconnect_rebuilds_read_models_and_revocations():
    gateway = Gateway()
    gateway.broker_reconnected = mock.Mock()
    consumer = GatewayQueueConsumer()
    consumer.container = mock.Mock(dependencies={gateway})
    consumer.on_consume_ready(None, None, [])      # the first connection
    gateway.broker_reconnected.assert_not_called()
    consumer.on_consume_ready(None, None, [])      # the connection came back
    gateway.broker_reconnected.assert_called_once()


def test_broker_reconnected_resets_and_reloads():
    gateway = Gateway()
    gateway.app = mock.Mock()
    gateway.pool = mock.Mock()
    gateway.container = mock.Mock()
    gateway._loading = False
    gateway.broker_reconnected()
    gateway.app.readmodels.reset.assert_called_once()
    gateway.pool.reset.assert_called_once()
    gateway.container.spawn_managed_thread.assert_called_once()
