"""notify's shared unit fixtures: the service through worker_factory on an in-memory
database, with charts and identity as mocks that answer like a practice whose client may be
emailed."""
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from services.notify.service import NotifyService
from tests.unit.notify.test_service import MemoryDb


@pytest.fixture
def db():
    return MemoryDb()


@pytest.fixture
def charts():
    proxy = MagicMock()
    proxy.get_notification_address.return_value = {"email": "kim@example.com",
                                                    "may_email": True}
    return proxy


@pytest.fixture
def identity():
    proxy = MagicMock()
    proxy.get_practice_address.return_value = {"practice_name": "Oak Tree Counseling",
                                               "portal_path": "/p/oak",
                                               "portal_subdomain": None}
    proxy.get_contact_email.return_value = {"contact_id": "contact-1",
                                            "email": "pat@example.com", "may_email": True}
    proxy.list_notice_recipients.return_value = {"client_id": "client-1",
                                                 "permission": "view_appointments",
                                                 "emails": []}
    return proxy


@pytest.fixture
def service(db, charts, identity):
    return worker_factory(NotifyService, db=db, mailer=MagicMock(), charts=charts,
                          identity=identity, config={"PUBLIC_URL": "https://portal.example.org"})
