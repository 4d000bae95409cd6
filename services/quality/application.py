"""The quality application: inspections of the lots production completes (R-O4), and the
complaints that reach quality or are escalated to it (R-C4, R-C2)."""
from __future__ import annotations

from eventsourcing.persistence import Tracking

from contracts.commands import quality as cmd
from contracts.replies import EventRef
from events import quality as ev
from events.envelope import Department, Role
from events.production import LotCompleted
from services.complaint_desk import DeskTerms
from services.complaint_desk_cases import ComplaintDeskUseCases
from services.domain import Context
from services.quality.inspection import Inspection, inspection_id
from services.runtime.store import DepartmentApplication

# Who answers complaints in quality, and the events its desk records (R-C4, R-C2).
DESK = DeskTerms(roles=(Role.QC_INSPECTOR, Role.QUALITY_ENGINEER),
                 redirected=ev.QualityComplaintRedirected,
                 opened=ev.QualityComplaintInvestigationOpened,
                 analysed=ev.QualityComplaintAnalysed)


class QualityApplication(ComplaintDeskUseCases, DepartmentApplication):
    """Quality's event store and use cases."""

    name = Department.QUALITY.value
    desk = DESK

    def inspection(self, order_no: str, lot_no: str) -> Inspection:
        """The lot's inspection, or a new one that refuses to be inspected until production
        reports the lot (R-O4: an order of steps, not a missing record)."""
        return self.load_or_new(Inspection, inspection_id(order_no, lot_no))

    def inspect_lot(self, c: cmd.InspectLot, ctx: Context) -> list[EventRef]:
        inspection = self.inspection(c.order_no, c.lot_no)
        inspection.inspect(ctx, c.result, c.findings, c.note)
        return self.store(inspection)

    def on_lot_completed(self, event: LotCompleted, tracking: Tracking) -> None:
        inspection = self.inspection(event.order_no, event.lot_no)
        inspection.request(self.reaction_context(event), event)
        self.store(inspection, tracking=tracking)
