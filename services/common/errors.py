"""Errors that cross RPC with a stable name, a code for programs and a sentence for people.

nameko rebuilds a remote exception as its own class only when the class's dotted path
is registered on the caller's side (STYLE.md, trap 3); `deserialize_to_instance` does
that, so raise these classes and never service-local subclasses.
Their args stay JSON-able: (code, message, fields as a JSON string) — nameko turns every
non-string value inside exception args into a string, so `fields` travels encoded.
"""
import json

from nameko.exceptions import deserialize_to_instance


class HavenError(Exception):
    status = 500
    default_code = "internal_error"

    def __init__(self, code=None, message="Something went wrong.", fields=None):
        encoded = fields if isinstance(fields, str) else json.dumps(fields or {})
        super().__init__(code or self.default_code, message, encoded)

    @property
    def code(self):
        return self.args[0]

    @property
    def message(self):
        return self.args[1]

    @property
    def fields(self):
        return json.loads(self.args[2])

    def to_dict(self):
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


@deserialize_to_instance
class InvalidInput(HavenError):
    status = 422
    default_code = "invalid_input"


@deserialize_to_instance
class Unauthenticated(HavenError):
    status = 401
    default_code = "unauthenticated"


@deserialize_to_instance
class Forbidden(HavenError):
    status = 403
    default_code = "forbidden"


@deserialize_to_instance
class NotFound(HavenError):
    status = 404
    default_code = "not_found"


@deserialize_to_instance
class Conflict(HavenError):
    status = 409
    default_code = "conflict"


@deserialize_to_instance
class TooManyRequests(HavenError):
    """Throttled; `fields` may carry {"retry_after": seconds}."""
    status = 429
    default_code = "too_many_requests"


@deserialize_to_instance
class Unavailable(HavenError):
    """Another part of Haven did not answer in time; the caller may try again. The one
    503 of Haven: a service raises it across RPC, the gateway when a service is silent."""
    status = 503
    default_code = "unavailable"

    def __init__(self, code=None, message=None, fields=None):
        super().__init__(code, message or "That part of the portal is not answering right now. "
                                          "Please try again in a moment.", fields)


EXPECTED = (InvalidInput, Unauthenticated, Forbidden, NotFound, Conflict, TooManyRequests, Unavailable)
