"""Signing in and out, refreshing, the principal, changing the password."""
from gateway.api.session import schemas
from gateway.auth import (CSRF_COOKIE, REFRESH_COOKIE, check_csrf, clear_session_cookies,
                          set_session_cookies)
from gateway.http import json_response
from gateway.router import ANY_MCP, PUBLIC, RouteTable
from services.common.errors import InvalidInput, Unauthenticated

table = RouteTable()
TAGS = ("session",)


TOKEN_FIELDS = ("access_token", "refresh_token")
# Device tokens (services/identity/domain/devices.py) a browser holds, newest first, one
# per account signed in from it; sent only to the sign-in route.
DEVICE_COOKIE = "haven_device"
DEVICE_COOKIE_PATH = "/api/v1/session"
DEVICE_COOKIE_SECONDS = 180 * 24 * 3600
DEVICE_TOKENS_KEPT = 5


def signed_in(ctx, tokens, delivery, status=200):
    """Browsers (delivery "cookie") get the tokens only as HttpOnly cookies: a token in a
    JSON body is readable by any script on the page, which is what HttpOnly prevents.
    API clients (delivery "body") get them in the body and no cookie."""
    body = schemas.Tokens().dump(tokens)
    if delivery == "body":
        return json_response(body, status)
    body.pop("device_token", None)
    if tokens.get("mfa_required"):
        # A second step is due: there is no session (and no session cookie) yet.
        response = json_response(body, status)
    else:
        for name in TOKEN_FIELDS:
            body.pop(name, None)
        response = json_response(body, status)
        set_session_cookies(response, tokens, ctx.app.refresh_seconds,
                            ctx.app.secure_cookies, csrf=ctx.request.cookies.get(CSRF_COOKIE))
    if tokens.get("device_token"):
        remember_device(ctx, response, tokens["device_token"])
    return response


def held_device_tokens(request):
    return [t for t in (request.cookies.get(DEVICE_COOKIE) or "").split("~") if t]


def remember_device(ctx, response, token):
    """The new token first; older ones of other accounts kept, the oldest dropped."""
    kept = [token] + [t for t in held_device_tokens(ctx.request) if t != token]
    response.set_cookie(DEVICE_COOKIE, "~".join(kept[:DEVICE_TOKENS_KEPT]),
                        max_age=DEVICE_COOKIE_SECONDS, path=DEVICE_COOKIE_PATH,
                        secure=ctx.app.secure_cookies, httponly=True, samesite="Strict")


DELIVERY_DOC = (" With `token_delivery: \"body\"` the tokens come in the body instead and "
                "no cookie is set (for API clients using `Authorization: Bearer`); by "
                "default they are only in cookies, never in the body.")


@table.route("POST", "/api/v1/session", errors=(401, 429),
             request=schemas.SignIn, response=schemas.Tokens,
             summary="Sign in", tags=TAGS, description=(
                 "Sets the cookies haven_access and haven_refresh (HttpOnly) and haven_csrf "
                 "(readable; send it back as X-CSRF-Token on unsafe requests)." + DELIVERY_DOC +
                 " A right password also sets haven_device (HttpOnly, path /api/v1/session; "
                 "or `device_token` in the body for API clients): presented again, it keeps "
                 "this device's sign-ins to that account free of the back-off that others' "
                 "failed attempts cause. 429 `too_many_attempts` with `fields.retry_after`."))
def sign_in(ctx):
    payload = dict(ctx.body)
    delivery = payload.pop("token_delivery")
    given = payload.pop("device_token", None)
    payload["device_tokens"] = (([given] if given else []) +
                                held_device_tokens(ctx.request))[:DEVICE_TOKENS_KEPT]
    payload["source_ip"] = ctx.request.remote_addr
    tokens = ctx.app.rpc.call("identity", "authenticate", payload)
    return signed_in(ctx, tokens, delivery)


@table.route("POST", "/api/v1/session/refresh", errors=(401, 403), request=schemas.RefreshRequest,
             response=schemas.Tokens, summary="Exchange a refresh token for a new pair",
             tags=TAGS, description="Uses the body's refresh_token, else the haven_refresh "
                                    "cookie (which then needs X-CSRF-Token). The new pair "
                                    "goes back the way the old one came: in the body, or "
                                    "as cookies only.")
def refresh(ctx):
    token = ctx.body.get("refresh_token")
    delivery = "body" if token else "cookie"
    if not token:
        token = ctx.request.cookies.get(REFRESH_COOKIE)
        if not token:
            raise Unauthenticated("unauthenticated", "Please sign in.")
        check_csrf(ctx.request)
    try:
        tokens = ctx.app.rpc.call("identity", "refresh", {"refresh_token": token,
                                                          "source_ip": ctx.request.remote_addr})
    except Unauthenticated as exc:
        response = json_response(exc.to_dict(), 401)
        clear_session_cookies(response, ctx.app.secure_cookies)
        return response
    return signed_in(ctx, tokens, delivery)


@table.route("GET", "/api/v1/session", auth=ANY_MCP, response=schemas.Principal,
             summary="Who is signed in", tags=TAGS)
def get_session(ctx):
    return ctx.raw(ctx.app.readmodels.principal(ctx.who))


@table.route("DELETE", "/api/v1/session", auth=ANY_MCP, response=schemas.SignedOut,
             summary="Sign out", tags=TAGS)
def sign_out(ctx):
    sid = ctx.who.session_id
    ctx.app.rpc.call("identity", "sign_out", ctx.who.wire,
                     {"session_id": sid, "source_ip": ctx.request.remote_addr})
    # This replica refuses the token at once; the others hear session.revoked.
    ctx.app.revoke([sid])
    response = json_response({"status": "signed_out"})
    clear_session_cookies(response, ctx.app.secure_cookies)
    return response


@table.route("POST", "/api/v1/session/password", errors=(429,),
             auth=ANY_MCP, request=schemas.ChangePassword,
             response=schemas.Tokens, summary="Change your password", tags=TAGS,
             description="Allowed while a password change is required. Returns a fresh pair: "
                         "as cookies to a cookie session, in the body to a Bearer caller.")
def change_password(ctx):
    if ctx.body["current_password"] == ctx.body["new_password"]:
        raise InvalidInput("invalid_input", "Choose a password different from the current one.",
                           {"new_password": ["Must differ from the current password."]})
    tokens = ctx.app.rpc.call("identity", "change_password", ctx.who.wire,
                              dict(ctx.body, source_ip=ctx.request.remote_addr))
    return signed_in(ctx, tokens, "cookie" if ctx.who.via_cookie else "body")


@table.route("POST", "/api/v1/session/mfa/enrolment", errors=(401, 409, 429),
             request=schemas.MfaToken,
             response=schemas.MfaEnrolment, summary="Two-step sign-in: a new authenticator "
             "secret", tags=TAGS, description="For a sign-in answered with `mfa_enrol: true`.")
def mfa_enrolment(ctx):
    return ctx.app.rpc.call("identity", "start_mfa_enrolment", dict(ctx.body))


@table.route("POST", "/api/v1/session/mfa", errors=(401, 409, 429),
             request=schemas.MfaCode, response=schemas.Tokens,
             summary="Two-step sign-in: the code from the authenticator app", tags=TAGS,
             description="422 `invalid_code` (a wrong code) or `code_already_used` (a code "
                         "already accepted: wait for the next one), with "
                         "`fields.attempts_left`." + DELIVERY_DOC)
def mfa_complete(ctx):
    payload = dict(ctx.body)
    delivery = payload.pop("token_delivery")
    payload["source_ip"] = ctx.request.remote_addr
    tokens = ctx.app.rpc.call("identity", "complete_mfa", payload)
    return signed_in(ctx, tokens, delivery)
