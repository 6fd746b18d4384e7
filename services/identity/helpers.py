"""Small pieces the identity entrypoint mixins share (no nameko, no SQL)."""
from services.common.errors import InvalidInput, TooManyRequests, Unauthenticated
from services.identity.domain import grants as grant_rules
from services.identity.domain import passwords as password_rules
from services.identity.models import ClientAccount

INVALID_CREDENTIALS = ("invalid_credentials", "The sign-in name or password is not right.")
ACCOUNT_INACTIVE = ("account_inactive", "This account cannot sign in. Please call the practice.")
PORTAL_CLOSED = ("portal_disabled", "This practice's portal is not open. Please call the practice.")
SESSION_ENDED = ("session_ended", "Your session has ended. Please sign in again.")
SESSION_IDLE = ("session_timed_out", "You were signed out because the portal was not used "
                "for a while. Please sign in again.")
NOT_FOUND = ("not_found", "That record does not exist.")
RESET_ANSWER = ("If an account uses that email address, we have sent it a link to choose a new "
                "password. The link works once, for 24 hours.")
NOT_YET_AVAILABLE = "account_not_yet_available"
NOT_YET_SENTENCE = ("Your own portal sign-in is not available yet: it opens on the birthday the "
                    "practice has set. Until then a parent or guardian can use the portal for "
                    "you. Please call the practice with any question.")


def throttled(seconds):
    """The answer to an attempt made before its back-off has passed."""
    return TooManyRequests("too_many_attempts",
                           f"Too many attempts. Please wait {seconds} seconds and try again.",
                           {"retry_after": seconds})


def own_access_opens(practice, row, now):
    """None when `row` may sign in today (the practice's date, `time_zone`), else the
    local date its own access opens: a client under the practice's
    `client_own_access_from_age` cannot sign in to their own account."""
    if not isinstance(row, ClientAccount):
        return None
    today = grant_rules.local_today(now, practice.time_zone)
    age = practice.client_own_access_from_age
    if grant_rules.own_access_open(row.date_of_birth, today, age):
        return None
    return grant_rules.own_access_opens_on(row.date_of_birth, age)


def not_yet_available(opens_on, error=Unauthenticated):
    return error(NOT_YET_AVAILABLE, NOT_YET_SENTENCE, {"available_from": opens_on.isoformat()})


def check_password(field, password, login, name, second_factor=False):
    """InvalidInput naming `field` with the sentence of the rule the password breaks."""
    try:
        password_rules.check(password, login=login, name=name, second_factor=second_factor)
    except password_rules.PasswordRefused as exc:
        raise InvalidInput(exc.code, exc.sentence, {field: [exc.sentence]}) from None


def portal_address(practice, kind="client"):
    """Where a person of `kind` signs in, as every identity email event carries it:
    `portal_path` (relative to PUBLIC_URL) and `portal_subdomain`, the practice's own
    subdomain (None when it has none). notify alone turns them into a link
    (services/notify/domain.py, `portal_url`). Staff sign in at the console
    (/staff/<code>), which is not on the practice's own address."""
    if kind == "staff":
        return {"portal_path": f"/staff/{practice.code}", "portal_subdomain": None}
    return {"portal_path": f"/p/{practice.code}", "portal_subdomain": practice.subdomain or None}


def email_data(practice, login, kind="client"):
    """What every identity email event carries: where to write and what to call the
    practice — never health information."""
    return {"login": login, "practice_name": practice.name, **portal_address(practice, kind)}


def chart_name(chart):
    return " ".join(p for p in (chart.get("first_name"), chart.get("last_name")) if p)
