"""Events recorded with private=True reach `<service>-private.events` only."""
import uuid

import pytest
from kombu import Connection, Queue
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy.orm import DeclarativeBase

from services.common.actor import Actor
from services.common.db import Database
from services.common.kernel_models import (
    FailedDeliveryMixin,
    InboxMixin,
    OutboxMixin,
    PrivateChannelMixin,
)
from services.common.relay import event_exchange
from services.common.rpc import rpc
from tests.integration.common.test_outbox import make_schema


class Base(DeclarativeBase):
    pass


class Outbox(PrivateChannelMixin, OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass


class Secretive:
    name = "secretive"
    db = Database(Base)

    @rpc
    def send_link(self, token, private):
        with self.db.transaction() as tx:
            tx.record("link.sent", {"link": token}, Actor.system(practice_id="p1"), private=private)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_private_events_never_reach_the_public_exchange(container_factory, amqp_uri, database_url):
    make_schema(database_url, Base)
    with Connection(amqp_uri) as conn:
        public = Queue(f"t-{uuid.uuid4().hex}", exchange=event_exchange("secretive"),
                       routing_key="#", auto_delete=True)(conn.channel())
        private = Queue(f"t-{uuid.uuid4().hex}", exchange=event_exchange("secretive-private"),
                        routing_key="#", auto_delete=True)(conn.channel())
        for queue in (public, private):
            queue.maybe_bind(conn)
            queue.exchange.declare()
            queue.declare()
        container = container_factory(Secretive, {"AMQP_URI": amqp_uri, "DATABASE_URL": database_url})
        container.start()
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as proxy:
            proxy.secretive.send_link("secret-token", True)
            proxy.secretive.send_link("public-news", False)
        import time
        deadline = time.monotonic() + 10
        got_private = got_public = None
        while time.monotonic() < deadline and not (got_private and got_public):
            got_private = got_private or private.get(no_ack=True)
            got_public = got_public or public.get(no_ack=True)
            time.sleep(0.05)
        assert got_private.payload["data"] == {"link": "secret-token"}
        assert got_public.payload["data"] == {"link": "public-news"}
        assert public.get(no_ack=True) is None  # the secret never went public
