"""Customer use cases of the sales application (R-S1 onboarding, R-S2 customer file)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from contracts.commands.base import Command
from services.runtime.commands import UseCase


class CustomerUseCases:
    """Mixed into ``SalesApplication``: get, call, save, for the customer aggregate."""


CUSTOMER_COMMANDS: Mapping[type[Command], UseCase] = {}
# Async steps run before a command's use case (e.g. storing a document's content).
CUSTOMER_PREPARERS: Mapping[type[Command], Callable[[Any, Any], Awaitable[Any]]] = {}
