"""A practice's own address: https://<subdomain>.<base domain>/ opens its portal exactly as
/p/<code> does. The base domain is HAVEN_PORTAL_BASE_DOMAIN (`PORTAL_BASE_DOMAIN` in the
gateway's config); its default, `localhost`, works on any development machine, since
browsers send every *.localhost name to the loopback address.
"""
import re

from services.common import config as settings

DEFAULT_BASE_DOMAIN = "localhost"
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def base_domain(config):
    value = (config or {}).get("PORTAL_BASE_DOMAIN") or \
        settings.env("HAVEN_PORTAL_BASE_DOMAIN", DEFAULT_BASE_DOMAIN)
    return value.strip().strip(".").lower()


def subdomain_of(host, base):
    """The one label in front of `base` in a Host header ("oak.portal.example:443" →
    "oak"), or None: the base itself, deeper names and anything malformed are not a
    practice's own address."""
    if not host or not base:
        return None
    name = host.strip().lower()
    if name.startswith("["):            # an IPv6 literal is never a subdomain
        return None
    name = name.rsplit(":", 1)[0] if ":" in name else name
    name = name.rstrip(".")
    suffix = "." + base
    if not name.endswith(suffix):
        return None
    label = name[: -len(suffix)]
    return label if _LABEL.match(label) else None


PORTAL_SHELL = "/p/{code}"
_NOT_PORTAL = ("/api/", "/static/", "/staff", "/healthz", "/readyz")


def portal_route(app, request):
    """(route, params) of the portal shell for a page of a practice's own address that no
    route matched (/, /sign-in, /invite/<token>…), or None: the router's 404 stands."""
    if request.method not in ("GET", "HEAD") or request.path.startswith(_NOT_PORTAL):
        return None
    sub = subdomain_of(request.host, base_domain(app.config))
    if sub is None:
        return None
    from services.common.errors import NotFound
    try:
        code = app.readmodels.practice_code_for_subdomain(sub)
    except NotFound:
        return None
    route, _ = app.router.match(PORTAL_SHELL.format(code=code), "GET")
    return route, {"code": code}
