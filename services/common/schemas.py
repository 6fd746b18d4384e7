"""Loading RPC payloads through marshmallow, with errors people can act on."""
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError

from services.common.errors import InvalidInput


class StrictSchema(Schema):
    """Unknown fields are refused: a misspelt field must not be silently dropped."""

    class Meta:
        unknown = RAISE


class LenientSchema(Schema):
    class Meta:
        unknown = EXCLUDE


def rule(problem):
    """A marshmallow validator from a domain rule that returns a message or None: the
    domain says what is wrong in words a person can act on, the schema only carries it."""
    def check(value):
        message = problem(value)
        if message:
            raise ValidationError(message)
    return check


def load(schema, payload, partial=False):
    """Validate and deserialize `payload`; InvalidInput names each bad field."""
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise InvalidInput("invalid_input", "The request body must be a JSON object.")
    try:
        return schema.load(payload, partial=partial)
    except ValidationError as exc:
        fields = _flatten(exc.messages)
        first = next(iter(fields.items()), ("", ["is invalid"]))
        raise InvalidInput("invalid_input", _sentence(first), fields) from None


def _flatten(messages, prefix=""):
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(_flatten(value, name))
            else:
                flat[name] = [str(v) for v in (value if isinstance(value, list) else [value])]
    else:
        flat[prefix or "_schema"] = [str(m) for m in messages]
    return flat


def _sentence(item):
    name, problems = item
    problem = problems[0] if problems else "is invalid"
    if name in ("_schema", ""):
        return problem
    # a nested field is named by its own key ("primary.member_id" → "Member id"), and a
    # problem that already names it ("Member id is required.") is said once
    parts = [part for part in name.split(".") if not part.isdigit()] or [name]
    label = parts[-1].replace("_", " ").capitalize()
    if problem.lower().startswith(label.lower()):
        return problem
    return f"{label}: {problem}"
