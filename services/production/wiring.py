"""Production's routing tables."""
from __future__ import annotations

from contracts.commands import production as cmd
from events.engineering import SamplingScheduled
from events.envelope import Department
from events.production import PROMISE_TIMER, SALES_PROMISE_TIMER
from services.production.application import ProductionApplication as App
from services.runtime.spec import ServiceSpec

SPEC = ServiceSpec(
    department=Department.PRODUCTION,
    application=App,
    commands={
        cmd.PromiseDelivery: App.promise_delivery,
        cmd.NotifyDelay: App.notify_delay,
        cmd.CompleteSample: App.complete_sample,
    },
    reactions={SamplingScheduled: App.on_sampling_scheduled},
    timers={PROMISE_TIMER: App.on_promise_due, SALES_PROMISE_TIMER: App.on_promise_due},
)
