"""The request bodies of the command endpoints in the OpenAPI document: each command's own
contract (one definition), without ``actor``, which the gateway fills in."""
from __future__ import annotations

from typing import Any

from contracts.commands.base import Command

REF = "#/components/schemas/{model}"


class Components:
    """Schemas the command bodies refer to, added to the document's components."""

    def __init__(self) -> None:
        self.schemas: dict[str, dict[str, Any]] = {}

    def command_body(self, cls: type[Command]) -> dict[str, Any]:
        schema = cls.model_json_schema(ref_template=REF)
        for name, definition in schema.pop("$defs", {}).items():
            known = self.schemas.setdefault(name, definition)
            if known != definition:
                raise ValueError(f"two different schemas are both called {name}")
        schema["properties"].pop("actor", None)
        schema["required"] = [f for f in schema.get("required", []) if f != "actor"]
        if not schema["required"]:
            del schema["required"]
        name = f"{cls.__name__}Request"
        self.schemas[name] = schema
        return {"$ref": REF.format(model=name)}

    def add_to(self, document: dict[str, Any]) -> dict[str, Any]:
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in self.schemas.items():
            if name != "Actor" or _uses_actor(document, self.schemas):
                schemas.setdefault(name, schema)
        return document


def _uses_actor(document: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> bool:
    import json

    text = json.dumps({k: v for k, v in schemas.items() if k != "Actor"})
    return '"#/components/schemas/Actor"' in text or '"#/components/schemas/Actor"' in json.dumps(
        document.get("paths", {}))
