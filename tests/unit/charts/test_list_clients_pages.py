"""list_clients in pages (offset) and for a given set of ids: how the gateway reads every
client of a practice for the never-invited list, and the names of one page."""
import pytest

from services.common.errors import InvalidInput
from tests.unit.charts.test_service import STAFF, db, service  # noqa: F401 (fixtures)


def test_pages_follow_one_order_and_never_overlap(service):
    for n in range(7):
        service.create_client(STAFF, {"first_name": "A", "last_name": f"Name {n % 3}"})
    pages = [service.list_clients(STAFF, {"limit": 3, "offset": o}) for o in (0, 3, 6, 9)]
    ids = [c["id"] for page in pages for c in page]
    assert [len(p) for p in pages] == [3, 3, 1, 0] and len(set(ids)) == 7
    assert ids == [c["id"] for c in service.list_clients(STAFF, {"limit": 200})]


def test_ids_keep_only_those_clients_of_the_practice(service):
    mine = [service.create_client(STAFF, {"first_name": "A", "last_name": n})["id"]
            for n in ("Ng", "Lima")]
    theirs = service.create_client(dict(STAFF, practice_id="practice-2"),
                                   {"first_name": "B", "last_name": "Else"})["id"]
    got = service.list_clients(STAFF, {"ids": [mine[0], theirs, "nobody"]})
    assert [c["id"] for c in got] == [mine[0]]
    with pytest.raises(InvalidInput):
        service.list_clients(STAFF, {"ids": ["x"] * 201})
    with pytest.raises(InvalidInput):
        service.list_clients(STAFF, {"offset": -1})
