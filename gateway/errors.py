"""ONE mapping from what can go wrong to what the HTTP client sees.

HavenError subclasses keep their status, code, sentence and field errors. werkzeug's
HTTPExceptions become JSON with a sentence. Anything else is a 500 with a fixed sentence:
its class and code location are logged with the correlation id (never its text, which
may quote a chart value), and never shown (STYLE.md, trap 4).
"""
import logging

from werkzeug.exceptions import HTTPException

from services.common.errors import HavenError, Unavailable  # noqa: F401  (gateway.rpc raises it)
from services.common.logs import correlation_id, safe_traceback

log = logging.getLogger("gateway.errors")


class InvalidJson(HavenError):
    """The body is not JSON at all (a body of the wrong shape is InvalidInput, 422)."""
    status = 400
    default_code = "invalid_json"

    def __init__(self):
        super().__init__("invalid_json", "The request body is not valid JSON.")


class JsonTooDeep(HavenError):
    """JSON nested deeper than any request of the API needs (a parser-exhausting probe)."""
    status = 400
    default_code = "json_too_deep"

    def __init__(self, limit):
        super().__init__("json_too_deep", f"The request body is nested too deeply: at most "
                         f"{limit} levels of objects and lists are accepted.")


class BodyTooLarge(HavenError):
    """A body past its address's limit, declared or found while it is read (chunked)."""
    status = 413
    default_code = "payload_too_large"

    def __init__(self, limit_words):
        super().__init__("payload_too_large", "The request body is too large: at most "
                         f"{limit_words} are accepted here.")


class InvalidChunkedBody(HavenError):
    """A `Transfer-Encoding: chunked` body whose chunks are malformed or cut short."""
    status = 400
    default_code = "invalid_chunked_body"

    def __init__(self):
        super().__init__("invalid_chunked_body", "The request body's chunked encoding is "
                         "malformed or was cut short. Send it again (or with a "
                         "Content-Length).")


INTERNAL = {"error": "internal_error",
            "message": "Something went wrong on our side. Please try again."}

HTTP_SENTENCES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthenticated", "Please sign in."),
    403: ("forbidden", "You are not allowed to do that."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    406: ("not_acceptable", "This address answers in JSON only."),
    408: ("request_timeout", "The request took too long to arrive."),
    411: ("length_required", "Send a Content-Length header with the body."),
    413: ("payload_too_large", "The request body is too large."),
    414: ("uri_too_long", "The address is too long."),
    415: ("unsupported_media_type", "Send the request body as application/json."),
    431: ("headers_too_large", "The request headers are too large."),
}


def error_body(exc):
    """(status, body dict, extra headers) for any exception; never the exception's text."""
    if isinstance(exc, HavenError):
        status = exc.status if 400 <= exc.status < 600 else 500
        if status == 500:
            _log_unexpected(exc)
            return 500, dict(INTERNAL), {}
        headers = {}
        retry = (exc.fields or {}).get("retry_after") if isinstance(exc.fields, dict) else None
        if status in (429, 503) and retry is not None:
            headers["Retry-After"] = str(int(retry))
        return status, _safe_dict(exc), headers
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        if status >= 500:
            _log_unexpected(exc)
            return 500, dict(INTERNAL), {}
        code, message = HTTP_SENTENCES.get(status, ("http_error", "The request was refused."))
        headers = {}
        valid = getattr(exc, "valid_methods", None)
        if status == 405 and valid:
            headers["Allow"] = ", ".join(sorted(valid))
        return status, {"error": code, "message": message}, headers
    _log_unexpected(exc)
    return 500, dict(INTERNAL), {}


def _safe_dict(exc):
    """A HavenError's own body; it carries a code and a sentence written for people."""
    try:
        body = exc.to_dict()
    except Exception:  # a malformed remote error: say nothing more than a 500 would
        return {"error": "error", "message": "The request was refused."}
    body["error"] = str(body.get("error") or exc.default_code)
    body["message"] = str(body.get("message") or "The request was refused.")
    return body


def _log_unexpected(exc):
    # The class and frames locate the bug; the text may quote a chart value: never logged.
    log.error("unhandled error", extra={"error_type": type(exc).__name__,
                                        # a RemoteError's own class name, from the service
                                        "remote_error_type": getattr(exc, "exc_type", None),
                                        "traceback": safe_traceback(exc),
                                        "correlation_id": correlation_id.get()})
