"""Sales' routing tables: command name -> use case, other departments' event -> reaction."""
from __future__ import annotations

from contracts.commands import sales as cmd
from contracts.commands import sales_followup as followup
from contracts.commands.imports_samples import ImportSample
from events.engineering import ProcessInstructionsIssued
from events.envelope import Department
from events.production import (
    SALES_PROMISE_TIMER,
    DelayNotified,
    DeliveryPromiseMissed,
    LotCompleted,
)
from events.quality import InspectionFailed, InspectionPassed
from services.runtime.spec import ServiceSpec
from services.sales.application import PROGRESS_OF
from services.sales.application import SalesApplication as App
from services.sales.complaint_cases import (
    COMPLAINT_COMMANDS,
    COMPLAINT_PREPARERS,
    COMPLAINT_REACTIONS,
)
from services.sales.customers import CUSTOMER_COMMANDS, CUSTOMER_PREPARERS
from services.sales.meeting_cases import MEETING_COMMANDS
from services.sales.order_cases import ORDER_COMMANDS

SPEC = ServiceSpec(
    department=Department.SALES,
    application=App,
    commands={
        cmd.RequestSample: App.request_sample,
        cmd.UpdateSampleMaterials: App.update_sample_materials,
        cmd.CompleteCosting: App.complete_costing,
        cmd.PrepareQuotation: App.prepare_quotation,
        cmd.SignQuotation: App.sign_quotation,
        cmd.ApprovePrice: App.approve_price,
        cmd.OpenSampleApplication: App.open_sample_application,
        cmd.ApproveSampleApplication: App.approve_sample_application,
        cmd.SendQuotation: App.send_quotation,
        cmd.RejectPrice: App.reject_price,
        cmd.ResolvePriceEscalation: App.resolve_price_escalation,
        cmd.ChaseOrder: App.chase_order,
        followup.ShipSample: App.ship_sample,
        followup.ConfirmSampleReceipt: App.confirm_sample_receipt,
        followup.RecordTrial: App.record_trial,
        followup.RecordSampleApproval: App.record_sample_approval,
        followup.AgreeNgFix: App.agree_ng_fix,
        followup.StartNewSampleRound: App.start_new_sample_round,
        followup.NoteSampleMonth: App.note_sample_month,
        ImportSample: App.import_sample,
        **CUSTOMER_COMMANDS,
        **ORDER_COMMANDS,
        **COMPLAINT_COMMANDS,
        **MEETING_COMMANDS,
    },
    preparers={**CUSTOMER_PREPARERS, **COMPLAINT_PREPARERS},
    reactions={
        # Promise events of orders (``promises="order"``) are routed on to the order record.
        **{event_cls: App.on_progress for event_cls in PROGRESS_OF},
        DelayNotified: App.on_delay_notified,
        DeliveryPromiseMissed: App.on_promise_missed,
        LotCompleted: App.on_order_progress,
        InspectionPassed: App.on_order_progress,
        InspectionFailed: App.on_order_progress,
        ProcessInstructionsIssued: App.on_order_progress,
        # R-C4 redirected complaints and R-C2 analyses of the production, quality and
        # engineering complaint desks.
        **COMPLAINT_REACTIONS,
    },
    # Sales' own timers of old: production decides them now; here they only move tracking on.
    timers={SALES_PROMISE_TIMER: App.on_promise_due},
)
