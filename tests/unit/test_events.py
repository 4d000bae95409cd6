"""One definition per event: registry, subjects, stored form, upcasting."""
from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from events import REGISTRY, sales
from events.envelope import Department, DomainEvent
from events.registry import EventRegistry
from services.runtime.store import PydanticMapper
from tests.unit.builders import sample_at


def test_every_event_has_a_past_tense_name_a_subject_in_its_departments_stream() -> None:
    for cls in REGISTRY.classes():
        assert cls.subject().startswith(f"salesflow.{cls.department.value}.")
        assert cls.__name__.endswith(("ed", "Sent", "Received", "Returned", "Sales", "AtRisk",
                                      "Withdrawn")), cls.__name__
    names = {c.__name__ for c in REGISTRY.classes()}
    assert {"SampleRequested", "DeliveryPromised", "SamplingScheduled", "SampleCompleted"} <= names


def test_events_are_frozen_and_refuse_unknown_fields() -> None:
    event = sample_at("requested").collect_events()[0]
    with pytest.raises(ValidationError):
        event.customer = "other"  # type: ignore[misc, attr-defined]
    data = event.model_dump()
    data["surprise"] = 1
    with pytest.raises(ValidationError):
        sales.SampleRequested.model_validate(data)


def test_the_store_keeps_the_event_as_its_own_json_under_its_registry_key() -> None:
    event = sample_at("requested").collect_events()[0]
    mapper = PydanticMapper(transcoder=None)  # type: ignore[arg-type]
    stored = mapper.to_stored_event(event)
    assert stored.topic == "SampleRequested.v1"
    assert mapper.to_domain_event(stored) == event


def test_an_old_stored_version_is_upcast_to_the_current_class() -> None:
    class Noted(DomainEvent):
        department: ClassVar[Department] = Department.SALES
        aggregate: ClassVar[str] = "note"
        version: ClassVar[int] = 2
        text: str
        author: str

    registry = EventRegistry()
    registry.register(Noted)

    @registry.upcaster("Noted", 1)
    def add_author(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "author": "unknown"}

    event = sample_at("requested").collect_events()[0]
    envelope = event.model_dump(include={"originator_id", "originator_version", "timestamp",
                                         "event_id", "actor", "correlation_id", "causation_id"})
    upgraded = registry.decode("Noted.v1", {**envelope, "text": "hello"})
    assert isinstance(upgraded, Noted) and upgraded.author == "unknown"
    with pytest.raises(ValueError, match="defined twice"):
        registry.register(type("Noted", (Noted,), {}))
