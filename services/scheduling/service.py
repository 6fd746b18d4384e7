"""scheduling: the practice's setup, availability, requests and appointments
(docs/scheduling.md). The nameko class only composes: its name, its dependency
providers and the entrypoint classes (entrypoints/)."""
from services.common.clock import Clock
from services.common.db import Database
from services.common.logs import CorrelationId
from services.common.metrics import Metrics
from services.common.readiness import Readiness
from services.common.rpc import BoundedRpcProxy
from services.scheduling.entrypoints.appointments import AppointmentEntrypoints
from services.scheduling.entrypoints.availability import AvailabilityEntrypoints
from services.scheduling.entrypoints.requests import RequestEntrypoints
from services.scheduling.entrypoints.setup import SetupEntrypoints
from services.scheduling.models import Base


class SchedulingService(Readiness, AppointmentEntrypoints, SetupEntrypoints,
                        AvailabilityEntrypoints, RequestEntrypoints):
    name = "scheduling"

    db = Database(Base)
    correlation = CorrelationId()
    metrics = Metrics()
    clock = Clock()
    # one hop, never inside a transaction (a booking, a work schedule, an approval that
    # changes the clinician); identity never calls back
    identity = BoundedRpcProxy("identity")
