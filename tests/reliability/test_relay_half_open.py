"""A broker connection that goes silent without closing (half-open) does not stall the
outbox relay: the confirm wait times out, the relay drops the connection and publishes
on a new one. A proxy between the relay and the machine's broker freezes the relay's
connection; the broker itself is never touched."""
import socket
import types
import uuid
from contextlib import nullcontext
from urllib.parse import urlsplit, urlunsplit

import eventlet
from kombu import Connection, Queue
from sqlalchemy.orm import sessionmaker

from services.common.db import KernelModels, make_engine
from services.common.relay import OutboxRelay, event_exchange
from tests.integration.common import toy
from tests.integration.common.test_outbox import make_schema, wait_for
from tests.reliability.test_broker_outage import commit_things


class FreezingProxy:
    """Forwards TCP to the broker; `freeze()` stops forwarding on every connection open
    at that moment, leaving them open — to the client, a broker gone silent."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.server = eventlet.listen(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.links = []
        self.sockets = []
        self.pumps = []
        self._accepting = eventlet.spawn(self._accept)

    def _accept(self):
        while True:
            client, _ = self.server.accept()
            upstream = eventlet.connect(("127.0.0.1", self.target_port))
            link = {"frozen": False}
            self.links.append(link)
            self.sockets += [client, upstream]
            self.pumps += [eventlet.spawn(self._pump, client, upstream, link),
                           eventlet.spawn(self._pump, upstream, client, link)]

    @staticmethod
    def _pump(source, target, link):
        try:
            while not link["frozen"]:
                data = source.recv(65536)
                if not data or link["frozen"]:
                    break
                target.sendall(data)
        except (OSError, EOFError):
            pass
        if link["frozen"]:
            eventlet.sleep(3600)  # keep both ends open and silent

    def freeze(self):
        for link in self.links:
            link["frozen"] = True

    def close(self):
        # every greenthread this proxy started ends here: one left reading a socket closed
        # below would raise in whichever test runs next on this hub
        self._accepting.kill()
        for pump in self.pumps:
            pump.kill()
        for sock in [self.server, *self.sockets]:
            try:
                sock.close()
            except OSError:
                pass


class FileProvider:
    """What the relay needs of the Database provider, on a SQLite file."""
    is_sqlite = True

    def __init__(self, url):
        self.engine = make_engine(url, pool_size=2)
        self.models = KernelModels(toy.ProducerBase)
        self.writer = sessionmaker(bind=self.engine.execution_options(sqlite_begin="IMMEDIATE"),
                                   expire_on_commit=False)
        self.reader = sessionmaker(bind=self.engine, expire_on_commit=False)

    def write_lock(self):
        return nullcontext()


def via(uri, port):
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, f"{parts.username}:{parts.password}@127.0.0.1:{port}",
                       parts.path, "", ""))


def test_a_silent_connection_is_dropped_and_the_events_still_published(amqp_uri,
                                                                       database_url_factory):
    url = database_url_factory("sqlite")
    make_schema(url, toy.ProducerBase)
    proxy = FreezingProxy(urlsplit(amqp_uri).port or 5672)
    provider = FileProvider(url)
    relay = OutboxRelay("toyproducer", via(amqp_uri, proxy.port), provider, poll_seconds=0.2,
                        heartbeat=1, confirm_timeout=1.0)
    received = []
    with Connection(amqp_uri) as conn:
        queue = Queue(f"half-open-{uuid.uuid4().hex}", event_exchange("toyproducer"),
                      routing_key="thing.made", auto_delete=True)
        with conn.Consumer(queue, accept=["json"],
                           callbacks=[lambda body, m: (received.append(body["data"]["thing_id"]),
                                                       m.ack())]):
            def arrived(thing):
                deadline = eventlet.hubs.get_hub().clock() + 30
                while thing not in received and eventlet.hubs.get_hub().clock() < deadline:
                    try:
                        conn.drain_events(timeout=0.2)
                    except socket.timeout:
                        pass
                return thing in received

            relay.start(types.SimpleNamespace(
                spawn_managed_thread=lambda fn, identifier=None: eventlet.spawn(fn)))
            try:
                first = str(uuid.uuid4())
                commit_things(url, [first])
                assert arrived(first)
                connections_before = len(proxy.links)
                eventlet.sleep(2.5)  # idle past two heartbeats: a live broker is not dropped
                assert (len(proxy.links), relay._broker_failures) == (connections_before, 0)

                proxy.freeze()  # the relay's connection is now half-open
                second = str(uuid.uuid4())
                commit_things(url, [second])
                assert arrived(second), "the relay stalled on its silent connection"
                assert len(proxy.links) > connections_before  # it reconnected
                assert wait_for(lambda: relay._broker_failures == 0)
            finally:
                relay.stop()
                proxy.close()
                provider.engine.dispose()
