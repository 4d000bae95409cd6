"""Registry: event type name + version -> class, subject; and upcasters for older stored shapes."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from events.envelope import Department, DomainEvent

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(KeyError):
    """Raised for a type name the registry does not know."""


class EventRegistry:
    """Maps ``Name.vN`` keys to event classes and upgrades old versions to the current one."""

    def __init__(self) -> None:
        self._classes: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, *classes: type[DomainEvent]) -> None:
        for cls in classes:
            name = cls.type_name()
            known = self._classes.get(name)
            if known is not None and known is not cls:
                raise ValueError(f"event type {name} is defined twice")
            self._classes[name] = cls

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: register a function turning version ``from_version`` data into the next."""

        def register(func: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = func
            return func

        return register

    def cls(self, name: str) -> type[DomainEvent]:
        try:
            return self._classes[name]
        except KeyError:
            raise UnknownEventType(name) from None

    def classes(self, department: Department | None = None) -> list[type[DomainEvent]]:
        return [c for c in self._classes.values() if department is None or c.department == department]

    def decode(self, key: str, data: dict[str, Any]) -> DomainEvent:
        """Build the current class from stored/wire data of type key ``Name.vN``."""
        name, _, ver = key.rpartition(".v")
        cls = self.cls(name)
        version = int(ver)
        while version < cls.version:
            data = self._upcasters[(name, version)](data)
            version += 1
        return cls.model_validate(data)

    def decode_json(self, key: str, raw: bytes | str) -> DomainEvent:
        name, _, ver = key.rpartition(".v")
        cls = self.cls(name)
        if int(ver) == cls.version:
            return cls.model_validate_json(raw)
        return self.decode(key, json.loads(raw))



def _default_registry() -> EventRegistry:
    from events import customers, engineering, production, quality, sales, sla, users

    registry = EventRegistry()
    for module in (sales, customers, engineering, production, quality, sla, users):
        registry.register(*module.EVENTS)
    return registry


REGISTRY = _default_registry()
