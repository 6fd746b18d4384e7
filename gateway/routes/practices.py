"""A practice's public branding, from the read model."""
import re

from gateway import schemas
from gateway.router import PUBLIC, RouteTable
from services.common.errors import NotFound

table = RouteTable()
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@table.route("GET", "/api/v1/practices/<code>", auth=PUBLIC, response=schemas.Practice,
             summary="A practice's public branding", tags=("practices",))
def get_practice(ctx):
    code = ctx.params["code"]
    if not CODE.match(code):
        raise NotFound("not_found", "There is no practice at this address.")
    return ctx.raw(ctx.app.readmodels.practice(code))
