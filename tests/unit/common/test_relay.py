"""The relay's batch: what the broker confirmed before a failure is kept; kernel events
go to the private exchange."""
from types import SimpleNamespace

from services.common.relay import OutboxRelay


class StallingProducer:
    """Confirms the first publish, then times out waiting for the next confirm."""

    def __init__(self):
        self.published = []

    def publish(self, body, **options):
        if self.published:
            raise TimeoutError("no confirm")
        self.published.append((options["exchange"].name, options["routing_key"],
                               options["confirm_timeout"]))


def row(id_, type_="thing.made", channel=None):
    return SimpleNamespace(id=id_, type=type_, envelope={"id": id_}, correlation_id=None,
                           channel=channel)


def relay_with(producer):
    relay = OutboxRelay("toy", "memory://", provider=None, confirm_timeout=3.0)
    relay._producer = producer
    return relay


def test_a_stalled_batch_keeps_what_was_confirmed_and_reports_the_failure():
    producer = StallingProducer()
    outcomes, failure = relay_with(producer)._publish([row("a"), row("b"), row("c")])
    assert [(r.id, ok) for r, ok in outcomes] == [("a", True)]
    assert isinstance(failure, TimeoutError)
    assert producer.published == [("toy.events", "thing.made", 3.0)]  # every wait bounded


def test_kernel_and_private_events_go_to_the_private_exchange():
    relay = relay_with(None)
    assert relay._exchange_for(row("a", "delivery.parked")).name == "toy-private.events"
    assert relay._exchange_for(row("b", channel="private")).name == "toy-private.events"
    assert relay._exchange_for(row("c")).name == "toy.events"
