"""The complaint desk's use cases, mixed into the production, quality and engineering
applications (R-C4, R-C2): get, call, save, with the department's own ``DeskTerms``."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from eventsourcing.persistence import Tracking

from contracts.commands import complaint_desk as cmd
from contracts.replies import EventRef
from events.sales import ComplaintEscalated, ComplaintImported
from services.complaint_desk import ComplaintDesk, DeskTerms, desk_id
from services.domain import Context

if TYPE_CHECKING:
    from services.runtime.store import DepartmentApplication as _Application
else:
    _Application = object


class ComplaintDeskUseCases(_Application):
    """The department names its roles and events in ``desk``."""

    desk: ClassVar[DeskTerms]

    def complaint_desk(self, complaint_no: str) -> ComplaintDesk:
        """The complaint as this department knows it, or a new desk: a complaint never escalated
        here is refused by the rule (R-C2), not as a missing record."""
        return self.load_or_new(ComplaintDesk, desk_id(complaint_no))

    def redirect_complaint(self, c: cmd.RedirectComplaint, ctx: Context) -> list[EventRef]:
        desk = self.complaint_desk(c.complaint_no)
        desk.redirect(ctx, self.desk, complaint_no=c.complaint_no, channel=c.channel,
                      customer=c.customer, summary=c.summary, how=c.how)
        return self.store(desk)

    def record_complaint_analysis(self, c: cmd.RecordComplaintAnalysis,
                                  ctx: Context) -> list[EventRef]:
        desk = self.complaint_desk(c.complaint_no)
        desk.record_analysis(ctx, self.desk, complaint_no=c.complaint_no, cause=c.cause,
                             measures=c.measures)
        return self.store(desk)

    def on_complaint_escalated(self, event: ComplaintEscalated, tracking: Tracking) -> None:
        desk = self.complaint_desk(event.complaint_no)
        desk.open_investigation(self.reaction_context(event), self.desk, event)
        self.store(desk, tracking=tracking)

    def on_complaint_imported(self, event: ComplaintImported, tracking: Tracking) -> None:
        """Issue 12: a complaint imported as escalated to this department is investigated here."""
        desk = self.complaint_desk(event.complaint_no)
        desk.open_imported(self.reaction_context(event), self.desk, event)
        self.store(desk, tracking=tracking)
