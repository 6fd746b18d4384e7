"""Entrypoints and consumers that outlive a broker restart.

nameko 2.14 loses the whole service container when the broker connection drops between
a worker's end and its ack or its RPC reply: `QueueConsumer.ack_message` catches amqp's
`ConnectionError` but not the socket's `OSError` (ECONNRESET), and the reply's publish
error escapes `RpcConsumer.handle_result`. Either kills the container, and the process
exits although its consumers would reconnect by themselves
(tests/reliability/test_broker_restart_under_load.py showed notify and scheduling gone
after one restart of the node).

Both are safe to drop, which is what these subclasses do: a message that was not acked
returns to its queue with the connection and is delivered again (writes are idempotent:
STYLE.md, trap 7), and a caller whose reply is lost times out with `Unavailable`.
Services take `rpc` from services.common.rpc, and the kernel's event handlers and proxies use the same
consumer, so one service keeps one consumer connection.
"""
import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.messaging import QueueConsumer
from nameko.rpc import ReplyListener, Rpc, RpcConsumer

log = logging.getLogger(__name__)

BROKER_LOST = (OSError, AmqpConnectionError, OperationalError)


class RobustQueueConsumer(QueueConsumer):
    def ack_message(self, message):
        try:
            super().ack_message(message)
        except BROKER_LOST as exc:
            log.warning("ack lost with the broker connection; the broker delivers the "
                        "message again", extra={"error": type(exc).__name__})

    def requeue_message(self, message):
        try:
            super().requeue_message(message)
        except BROKER_LOST as exc:
            log.warning("requeue lost with the broker connection; the broker delivers the "
                        "message again", extra={"error": type(exc).__name__})


class RobustRpcConsumer(RpcConsumer):
    queue_consumer = RobustQueueConsumer()

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except BROKER_LOST as exc:
            # not acked: the request comes back with the connection and runs again
            log.warning("RPC reply lost with the broker connection; the request will be "
                        "delivered again", extra={"error": type(exc).__name__})
            return result, exc_info


class RobustRpc(Rpc):
    rpc_consumer = RobustRpcConsumer()


class RobustReplyListener(ReplyListener):
    queue_consumer = RobustQueueConsumer()
