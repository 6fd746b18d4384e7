"""One's own two-step sign-in (docs/identity.md, "Two-factor sign-in"), for anyone signed
in: staff (always on; they may replace their recovery codes), clients and contacts (they
may turn it on, and off unless their practice requires it).

The sign-in's second step itself is in gateway/api/session/routes.py (`/api/v1/session/mfa`).
"""
from gateway.api.security import schemas
from gateway.router import ANY, RouteTable

table = RouteTable()
TAGS = ("two-step sign-in",)
BASE = "/api/v1/security/two-factor"


@table.route("GET", BASE, auth=ANY, response=schemas.TwoFactorStatus, tags=TAGS,
             summary="Is two-step sign-in on for you, and is it required")
def get_two_factor(ctx):
    return ctx.app.rpc.call("identity", "get_mfa_status", ctx.who.wire)


@table.route("POST", BASE + "/enrolment", errors=(409,),
             auth=ANY, response=schemas.TwoFactorSecret, tags=TAGS,
             summary="Start turning two-step sign-in on: a new authenticator secret",
             description="Add the secret (or the otpauth URI) to an authenticator app, then "
                         "confirm with a code. A new call replaces an unconfirmed secret. "
                         "409 `mfa_already_enrolled`.")
def begin_two_factor(ctx):
    return ctx.app.rpc.call("identity", "begin_mfa_enrolment", ctx.who.wire)


@table.route("POST", BASE + "/enrolment/confirm", errors=(409, 429),
             auth=ANY, request=schemas.TwoFactorCode,
             response=schemas.TwoFactorEnrolled, tags=TAGS,
             summary="Confirm the authenticator with a code; returns ten recovery codes once",
             description="422 `invalid_code` or `code_already_used`; 409 "
                         "`mfa_enrolment_not_started`, "
                         "`mfa_already_enrolled`; 429 after repeated wrong codes.")
def confirm_two_factor(ctx):
    return ctx.app.rpc.call("identity", "confirm_mfa_enrolment", ctx.who.wire, dict(ctx.body))


@table.route("POST", BASE + "/recovery-codes", errors=(404, 429),
             auth=ANY, request=schemas.TwoFactorCode,
             response=schemas.RecoveryCodes, tags=TAGS,
             summary="Replace your recovery codes (needs a code from the app)",
             description="The old codes stop working. 422 `invalid_code` or "
                         "`code_already_used`; 404 "
                         "`mfa_not_enrolled`; 429.")
def regenerate_codes(ctx):
    return ctx.app.rpc.call("identity", "regenerate_recovery_codes", ctx.who.wire,
                            dict(ctx.body))


@table.route("POST", BASE + "/disable", errors=(404, 429), auth=ANY,
             request=schemas.TwoFactorDisable,
             response=schemas.TwoFactorOff, tags=TAGS,
             summary="Turn two-step sign-in off (clients and contacts, where not required)",
             description="403 `mfa_required` for staff and where the practice requires it; "
                         "422 `invalid_code` or `code_already_used`; 404 `mfa_not_enrolled`.")
def disable_two_factor(ctx):
    return ctx.app.rpc.call("identity", "disable_mfa", ctx.who.wire, dict(ctx.body))
