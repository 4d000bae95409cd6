"""Every field of every command is described in English and in Chinese ("English / 中文"): the
dashboard's forms label each field with the half of the page's language."""
from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from contracts.commands import ALL

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic models an annotation holds (``X | None``, ``list[X]``, ``Annotated[X, ...]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for inner in typing.get_args(annotation):
        yield from models_in(inner)


def fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[tuple[str, str | None]]:
    """``Model.field`` and its description, for the model and every model nested in it."""
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield f"{model.__name__}.{name}", info.description
        for inner in models_in(info.annotation):
            yield from fields(inner, seen)


def test_every_command_field_has_an_english_and_a_chinese_description() -> None:
    seen: set[type[BaseModel]] = set()
    lacking = [f"{where}: {text!r}" for commands in ALL.values() for command in commands.values()
               for where, text in fields(command, seen)
               if not (text and CJK.search(text) and LATIN.search(text))]
    assert not lacking, "\n".join(lacking)


def test_the_walk_reaches_nested_models() -> None:
    """The test above cannot pass by not looking: it sees the actor's and a contact's fields."""
    seen: set[type[BaseModel]] = set()
    names = {where for commands in ALL.values() for command in commands.values()
             for where, _ in fields(command, seen)}
    assert {"Actor.user", "Actor.role", "WorkingPeriod.start", "MaterialSet.drawings"} <= names
