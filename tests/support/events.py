"""A queue of the test's own bound to a service's event exchange: what its relay published.

Bind it before anything is published (STYLE.md, trap 6)."""
import json
import uuid

import eventlet
from kombu import Connection, Queue

from services.common.relay import event_exchange


class EventTap:
    def __init__(self, amqp_uri, service):
        self.connection = Connection(amqp_uri)
        self.queue = Queue(f"{service}-test-{uuid.uuid4().hex}", exchange=event_exchange(service),
                           routing_key="#", exclusive=True, auto_delete=True)
        self.bound = self.queue(self.connection.channel())
        self.bound.declare()
        self.seen = []

    def wait_for(self, type_, predicate=lambda e: True, timeout=10.0):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        while eventlet.hubs.get_hub().clock() < deadline:
            for event in self.seen:
                if event["type"] == type_ and predicate(event):
                    return event
            message = self.bound.get(no_ack=True)
            if message is None:
                eventlet.sleep(0.05)
                continue
            body = message.payload if isinstance(message.payload, dict) else json.loads(message.body)
            self.seen.append(body)
        raise AssertionError(f"no {type_} event arrived; saw {[e['type'] for e in self.seen]}")

    def close(self):
        self.connection.release()
