"""A practice's public branding, from the read model, by code or by its own address."""
import re

from gateway import hosts
from gateway.api.practices import schemas
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


def practice_code_of_host(ctx):
    """The code of the practice whose own address the request's Host is, or None."""
    sub = hosts.subdomain_of(ctx.request.host, hosts.base_domain(ctx.app.config))
    if sub is None:
        return None
    try:
        return ctx.app.readmodels.practice_code_for_subdomain(sub)
    except NotFound:
        return None


@table.route("GET", "/api/v1/practice", errors=(404,), auth=PUBLIC, response=schemas.Practice,
             summary="The practice whose own address this is (Host header)",
             tags=("practices",),
             description="For a portal opened at https://<subdomain>.<base domain>/: the "
                         "same branding as /api/v1/practices/{code}, with its `code` for "
                         "the calls that need it. 404 `not_found` on any other host.")
def get_practice_of_host(ctx):
    code = practice_code_of_host(ctx)
    if code is None:
        raise NotFound("not_found", "There is no practice at this address.")
    return ctx.raw(ctx.app.readmodels.practice(code))
