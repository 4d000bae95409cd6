"""The quality application: inspections of the lots production completes (R-O4), and the
complaints that reach quality or are escalated to it (R-C4, R-C2)."""
from __future__ import annotations

from eventsourcing.persistence import Tracking

from contracts.commands import complaint_desk as desk_cmd
from contracts.commands import quality as cmd
from contracts.replies import EventRef
from events import quality as ev
from events.envelope import Department, Role
from events.production import LotCompleted
from events.sales import ComplaintEscalated
from services.complaint_desk import ComplaintDesk, DeskTerms, desk_id
from services.domain import Context
from services.quality.inspection import Inspection, inspection_id
from services.runtime.store import DepartmentApplication


# Who answers complaints in quality, and the events its desk records (R-C4, R-C2).
DESK = DeskTerms(roles=(Role.QC_INSPECTOR, Role.QUALITY_ENGINEER),
                 redirected=ev.QualityComplaintRedirected,
                 opened=ev.QualityComplaintInvestigationOpened,
                 analysed=ev.QualityComplaintAnalysed)


class QualityApplication(DepartmentApplication):
    """Quality's event store and use cases."""

    name = Department.QUALITY.value

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

    # -- complaints (R-C4, R-C2): the desk shared with the other departments ----------------
    def complaint_desk(self, complaint_no: str) -> ComplaintDesk:
        """The complaint as quality knows it, or a new desk: a complaint never escalated here is
        refused by the rule (R-C2), not as a missing record."""
        return self.load_or_new(ComplaintDesk, desk_id(complaint_no))

    def redirect_complaint(self, c: desk_cmd.RedirectComplaint, ctx: Context) -> list[EventRef]:
        desk = self.complaint_desk(c.complaint_no)
        desk.redirect(ctx, DESK, complaint_no=c.complaint_no, channel=c.channel,
                      customer=c.customer, summary=c.summary, how=c.how)
        return self.store(desk)

    def record_complaint_analysis(self, c: desk_cmd.RecordComplaintAnalysis,
                                  ctx: Context) -> list[EventRef]:
        desk = self.complaint_desk(c.complaint_no)
        desk.record_analysis(ctx, DESK, complaint_no=c.complaint_no, cause=c.cause,
                             measures=c.measures)
        return self.store(desk)

    def on_complaint_escalated(self, event: ComplaintEscalated, tracking: Tracking) -> None:
        desk = self.complaint_desk(event.complaint_no)
        desk.open_investigation(self.reaction_context(event), DESK, event)
        self.store(desk, tracking=tracking)
