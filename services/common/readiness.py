"""The `ping` RPC every service offers the gateway's /readyz (docs/operations.md).

A mixin of each service class, which supplies `name` and its `db` (Database provider).
"""

from services.common.db import check_database
from services.common.errors import EXPECTED
from services.common.rpc import rpc


class Readiness:

    @rpc(expected_exceptions=EXPECTED)
    def ping(self):
        """This service consumes RPC and its own database answers a trivial query →
        {service, status: "ok", database: "ok"}; Unavailable `database_unavailable`
        otherwise."""
        check_database(self.db)
        return {"service": self.name, "status": "ok", "database": "ok"}
