"""Where a link to a practice's portal points, for every part of Haven that writes one:
notify's emails (docs/identity.md, "Links in emails") and the gateway's calendar files.

A practice with its own subdomain, in a deployment that declared its base domain
(HAVEN_PORTAL_BASE_DOMAIN, explicitly), is at https://<subdomain>.<base>/ with the scheme
and port of PUBLIC_URL; otherwise at PUBLIC_URL/p/<code>. Plain functions.
"""
import re
from urllib.parse import urlsplit

# One DNS label (a practice's own subdomain, as identity checks it) and a host name.
_LABEL_TEXT = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_LABEL = re.compile(rf"^{_LABEL_TEXT}$")
_HOST = re.compile(rf"^{_LABEL_TEXT}(?:\.{_LABEL_TEXT})*$")
# the portal's own pages: /p/<code> and what lies below it
_PORTAL_PATH = re.compile(r"^/p/[^/?#]+(?P<rest>(?:[/?#].*)?)$")


def own_origin(public_url, subdomain, base_domain):
    """https://<subdomain>.<base_domain> — with the scheme and port of PUBLIC_URL, since the
    same gateway answers both — or None when the practice has no own subdomain, the
    deployment declared no base domain, or either is not a plain DNS name."""
    sub = (subdomain or "").strip().lower()
    base = (base_domain or "").strip().strip(".").lower()
    if not sub or not base or not _LABEL.match(sub) or not _HOST.match(base):
        return None
    parts = urlsplit(public_url)
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{scheme}://{sub}.{base}" + (f":{port}" if port else "")


def portal_url(public_url, portal_path, subdomain=None, base_domain=None):
    """The one place that decides where an emailed link points.

    Only a *path* is accepted from the event: an absolute URL there would let an event
    send clients elsewhere. A portal path (/p/<code>/…) of a practice with its own
    subdomain, in a deployment that declared its base domain (PORTAL_BASE_DOMAIN), points
    at the practice's own address with the /p/<code> prefix dropped
    (https://oak.portal.example/invite/<token>), where the gateway serves the same pages;
    anything else — and every staff path (/staff/<code>/…) — is PUBLIC_URL + the path."""
    base = public_url.rstrip("/")
    path = (portal_path or "").strip()
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return base + "/"
    origin = own_origin(public_url, subdomain, base_domain)
    portal = _PORTAL_PATH.match(path)
    if origin and portal:
        rest = portal.group("rest")
        return origin + (rest if rest.startswith("/") else "/" + rest)
    return base + path
