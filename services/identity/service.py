"""The identity service: practices, staff, client portal access, sign-in and sessions.

This module is the nameko class only: its name, its dependency providers and the
entrypoint classes it composes (one per capability, in `entrypoints/`). Rules live in
`domain/`, SQL in `store/`. Every write commits inside the entrypoint (STYLE.md, trap 1)
and records its events in the outbox in the same transaction. Password hashing runs on a
thread, off the eventlet hub (trap 9). Log lines carry ids and codes only — never a
password, a token, a name or an email.
"""
from nameko.dependency_providers import Config

from services.common.blobstore import BlobStoreProvider
from services.common.clock import Clock
from services.common.db import Database
from services.common.logs import CorrelationId
from services.common.metrics import Metrics
from services.common.readiness import Readiness
from services.common.rpc import BoundedRpcProxy
from services.identity.dependencies import IdentitySettings, PasswordHashing
from services.identity.entrypoints.audit import AuditEntrypoints
from services.identity.entrypoints.chart_sync import ChartEventEntrypoints
from services.identity.entrypoints.contacts import ContactEntrypoints
from services.identity.entrypoints.invitations import InvitationEntrypoints
from services.identity.entrypoints.linked_clients import LinkedClientEntrypoints
from services.identity.entrypoints.notices import NoticeEntrypoints
from services.identity.entrypoints.passwords import PasswordEntrypoints
from services.identity.entrypoints.portal_access import PortalAccessEntrypoints
from services.identity.entrypoints.practices import PracticeEntrypoints
from services.identity.entrypoints.sessions import SessionEntrypoints
from services.identity.entrypoints.sign_in import SignInEntrypoints
from services.identity.entrypoints.staff import StaffEntrypoints
from services.identity.entrypoints.two_factor import TwoFactorEntrypoints
from services.identity.models import Base


class IdentityService(Readiness, PracticeEntrypoints, SignInEntrypoints, SessionEntrypoints,
                      TwoFactorEntrypoints, PasswordEntrypoints, InvitationEntrypoints,
                      PortalAccessEntrypoints, LinkedClientEntrypoints, ContactEntrypoints,
                      StaffEntrypoints, NoticeEntrypoints, AuditEntrypoints,
                      ChartEventEntrypoints):
    name = "identity"

    db = Database(Base)
    correlation = CorrelationId()
    metrics = Metrics()
    passwords = PasswordHashing()
    settings = IdentitySettings()
    clock = Clock()
    # one hop, bounded, and only ever before a transaction opens (STYLE.md, traps 7-8)
    charts = BoundedRpcProxy("charts")
    # logos (PracticeEntrypoints, and the orphan sweep it brings)
    blobs = BlobStoreProvider()
    config = Config()
