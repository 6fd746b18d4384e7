"""A practice's portal branding rules: theme colours readable as WCAG 2.x AA, the own
subdomain as one DNS label, and the logo's accepted kinds. Plain functions."""
import re

from services.common.errors import InvalidInput

AA_NORMAL_TEXT = 4.5
BLACK, WHITE = "#000000", "#ffffff"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

# One DNS label (RFC 1035/1123): 1-63 of a-z, 0-9 and "-", not starting or ending in "-".
SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Labels an operator usually keeps for itself under the base domain.
RESERVED_SUBDOMAINS = frozenset({"www", "api", "app", "staff", "admin", "static", "mail",
                                 "smtp", "imap", "ftp", "ns1", "ns2", "status", "help"})

# Raster images only: an SVG may carry script, and the logo is served to everyone.
LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}
LOGO_MAX_BYTES = 1024 * 1024
LOGO_NAMESPACE = "logos"


def _channel(value):
    s = value / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def luminance(colour):
    """WCAG relative luminance of #rrggbb."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(colour):
    """Black or white, whichever reads better on `colour` (None for no colour)."""
    if not colour or not _HEX.match(colour):
        return None
    return BLACK if contrast(colour, BLACK) >= contrast(colour, WHITE) else WHITE


def check_readable(field, colour, minimum=AA_NORMAL_TEXT):
    """InvalidInput unless black or white text on `colour` reaches `minimum`.

    For 4.5:1 every #rrggbb passes (the worst colour still gives 4.58:1 with one of
    them); the check stays so that a stricter minimum (AAA, 7:1) is one argument away
    and no colour is ever stored without being judged."""
    if colour is None:
        return
    best = contrast(colour, text_on(colour))
    if best < minimum:
        sentence = (f"Text on {colour} would not be readable (best contrast {best:.1f}:1, "
                    f"at least {minimum}:1 is needed). Choose a darker or lighter colour.")
        raise InvalidInput("colour_unreadable", sentence, {field: [sentence]})


def normalize_subdomain(value):
    """'' and None mean no own subdomain."""
    value = (value or "").strip().lower()
    return value or None


def check_subdomain(value):
    if value is None:
        return
    if not SUBDOMAIN.match(value):
        sentence = ("Use 1 to 63 lowercase letters, digits and hyphens, not starting or "
                    "ending with a hyphen.")
        raise InvalidInput("invalid_subdomain", sentence, {"subdomain": [sentence]})
    if value in RESERVED_SUBDOMAINS:
        sentence = f"“{value}” is kept for Haven itself. Choose another subdomain."
        raise InvalidInput("subdomain_reserved", sentence, {"subdomain": [sentence]})


def check_logo(content_type, size):
    if content_type not in LOGO_TYPES:
        sentence = "A logo must be a PNG or JPEG image (checked by its content, not its name)."
        raise InvalidInput("logo_type_refused", sentence, {"file": [sentence]})
    if not 0 < size <= LOGO_MAX_BYTES:
        sentence = "A logo can be at most 1 MB. Save it smaller (about 600 pixels wide is plenty)."
        raise InvalidInput("logo_too_large", sentence, {"file": [sentence]})
