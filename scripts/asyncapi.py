"""Writes docs/asyncapi.json, the AsyncAPI 2.6 description of the events other practice
systems can subscribe to, from the same declarations as docs/events.md (each service's
events.py: type, version, text, marshmallow schema of `data`). The gateway serves the
file at /api/v1/asyncapi.json; a test checks it is current, valid against AsyncAPI's own
JSON Schema, and that the events the running services publish match it.

    python -m scripts.asyncapi [--check]
"""
import importlib
import inspect
import json
import sys
import textwrap

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter

from scripts.event_catalog import PUBLISHERS, ROOT

TARGET = ROOT / "docs" / "asyncapi.json"
AMQP_BINDING = "0.2.0"

ENVELOPE_FIELDS = {
    "id": {"type": "string", "format": "uuid",
           "description": "the event's id; skip one you have already handled"},
    "type": {"type": "string", "description": "noun.past_tense, also the routing key"},
    "occurred_at": {"type": "string", "format": "date-time",
                    "description": "UTC time of the transaction that made it true"},
    "practice_id": {"type": "string", "description": "the practice (tenant) it belongs to"},
    "actor": {"type": "object", "required": ["kind"],
              "properties": {"kind": {"type": "string",
                                      "enum": ["client", "contact", "staff", "system"]},
                             "id": {"type": ["string", "null"]}},
              "description": "who caused it"},
}


def declared(service):
    from services.common.events import EventType
    module = importlib.import_module(f"services.{service}.events")
    return sorted((v for _, v in inspect.getmembers(module)
                   if isinstance(v, EventType) and not v.private), key=lambda e: e.type)


def _converter():
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # inline nested
    spec = APISpec(title="events", version="1", openapi_version="3.0.3", plugins=[plugin])
    return OpenAPIConverter(openapi_version="3.0.3", schema_name_resolver=lambda s: None,
                            spec=spec)


def _json_schema(converter, schema):
    """marshmallow → JSON Schema; OpenAPI's `nullable` becomes a type union, and new
    fields may appear within a version (only a breaking change bumps it), so the
    services' strictness about unknown fields is not promised to subscribers."""
    def fix(node):
        if isinstance(node, dict):
            if node.get("additionalProperties") is False:
                del node["additionalProperties"]
            if node.pop("nullable", False) and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)
        return node
    if schema is None:
        return {"type": "object"}
    return fix(converter.schema2jsonschema(schema()))


def message(converter, event):
    doc = textwrap.dedent(event.doc).strip()
    return {
        "name": event.type,
        "title": f"{event.type} (version {event.version})",
        "summary": doc.split("\n\n", 1)[0].replace("\n", " "),
        "description": doc,
        "contentType": "application/json",
        "headers": {"type": "object", "properties": {
            "nameko.correlation_id": {"type": "string",
                                      "description": "follows the request that caused it"}}},
        "payload": {
            "type": "object",
            "required": ["id", "type", "version", "occurred_at", "practice_id", "actor", "data"],
            "properties": {**ENVELOPE_FIELDS,
                           "type": {"type": "string", "const": event.type},
                           "version": {"type": "integer", "const": event.version,
                                       "description": "bumped on a breaking change of data"},
                           "data": _json_schema(converter, event.schema)}},
        "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING}},
    }


def build():
    converter = _converter()
    channels, messages = {}, {}
    for service in PUBLISHERS:
        for event in declared(service):
            messages[event.type] = message(converter, event)
            channels[event.type] = {
                "description": f"routing key `{event.type}` on the topic exchange "
                               f"`{service}.events`",
                "bindings": {"amqp": {
                    "is": "routingKey",
                    "exchange": {"name": f"{service}.events", "type": "topic",
                                 "durable": True, "autoDelete": False, "vhost": "/"},
                    "bindingVersion": AMQP_BINDING}},
                "subscribe": {"operationId": f"on_{event.type.replace('.', '_')}",
                              "summary": messages[event.type]["summary"],
                              "message": {"$ref": f"#/components/messages/{event.type}"}},
            }
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "Haven events", "version": "1",
                 "description": "What Haven's services publish, for other practice systems. "
                                "Bind a durable queue of your own to `<service>.events` with the "
                                "routing keys you want; delivery is at least once (skip an `id` "
                                "you have handled). docs/events.md and docs/integration.md say "
                                "more; deploy/examples/appointments_mirror.py is a subscriber.",
                 "license": {"name": "AGPL-3.0-or-later"}},
        "servers": {"broker": {"url": "{host}:5672", "protocol": "amqp",
                               "description": "the practice's RabbitMQ (its vhost in AMQP_URI)",
                               "variables": {"host": {"default": "127.0.0.1"}}}},
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages},
    }


def render():
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def main(argv):
    text = render()
    if "--check" in argv:
        if (TARGET.read_text() if TARGET.exists() else "") != text:
            print("docs/asyncapi.json is out of date: run python -m scripts.asyncapi")
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
