"""Production's routing tables."""
from __future__ import annotations

from contracts.commands import complaint_desk as desk_cmd
from contracts.commands import production as cmd
from events.engineering import SamplingScheduled
from events.envelope import Department
from events.production import ORDER_PROMISE_TIMER, PROMISE_TIMER, SALES_PROMISE_TIMER
from events.quality import InspectionFailed
from events.sales import (
    ComplaintEscalated,
    ComplaintImported,
    InternalOrderIssued,
    OrderImported,
    SampleImported,
)
from services.production.application import ProductionApplication as App
from services.runtime.spec import ServiceSpec

SPEC = ServiceSpec(
    department=Department.PRODUCTION,
    application=App,
    commands={
        cmd.PromiseDelivery: App.promise_delivery,
        cmd.NotifyDelay: App.notify_delay,
        cmd.CompleteSample: App.complete_sample,
        cmd.PauseSampleWork: App.pause_sample_work,
        cmd.ResumeSampleWork: App.resume_sample_work,
        cmd.PromiseOrderDelivery: App.promise_order_delivery,
        cmd.NotifyOrderDelay: App.notify_order_delay,
        cmd.CompleteLot: App.complete_lot,
        desk_cmd.RedirectComplaint: App.redirect_complaint,
        desk_cmd.RecordComplaintAnalysis: App.record_complaint_analysis,
    },
    reactions={
        SamplingScheduled: App.on_sampling_scheduled,
        InternalOrderIssued: App.on_internal_order_issued,
        OrderImported: App.on_order_imported,
        InspectionFailed: App.on_inspection_failed,
        SampleImported: App.on_sample_imported,
        ComplaintEscalated: App.on_complaint_escalated,
        ComplaintImported: App.on_complaint_imported,
    },
    timers={
        PROMISE_TIMER: App.on_promise_due,
        SALES_PROMISE_TIMER: App.on_promise_due,
        ORDER_PROMISE_TIMER: App.on_order_promise_due,
    },
)
