"""Sales' routing tables: command name -> use case, other departments' event -> reaction."""
from __future__ import annotations

from contracts.commands import sales as cmd
from events.envelope import Department
from services.runtime.spec import ServiceSpec
from services.sales.customers import CUSTOMER_COMMANDS, CUSTOMER_PREPARERS
from services.sales.application import PROGRESS_OF, SalesApplication as App

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
        **CUSTOMER_COMMANDS,
    },
    preparers=CUSTOMER_PREPARERS,
    reactions={event_cls: App.on_progress for event_cls in PROGRESS_OF},
)
