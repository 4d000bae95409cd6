"""R-C7 on the complaint record: the on-site visit of a complex complaint (scheduled with
technical support, the salesperson and quality, then its findings) and the archived Complaint
Handling Form. Mixed into ``ComplaintRecord``."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from events.sales import complaint as ev
from events.sales.complaint import Severity
from services.domain import Context, RuleBroken
from services.sales import complaint_rules as rules
from services.sales.complaint_rules import TECHNICAL_SUPPORT

if TYPE_CHECKING:
    from events.envelope import DomainEvent


class ComplaintVisits:
    """Command methods and state changes of R-C7."""

    if TYPE_CHECKING:  # the record's, see ``ComplaintRecord``
        complaint_no: str
        severity: Severity | None
        form_no: str
        visit_pending: bool
        archived: bool

        def trigger(self, event_cls: type[DomainEvent], ctx: Context, **facts: Any) -> Any: ...
        def _expect(self, step: str) -> None: ...

    def schedule_visit(self, ctx: Context, *, visit_on: date, technical_support: str,
                       salesperson: str, quality: str) -> None:
        ctx.require("R-C7", TECHNICAL_SUPPORT, "schedule a visit to the customer", "安排客户拜访")
        self._expect("visit")
        if self.severity is not Severity.COMPLEX:
            raise rules.wrong_severity("visit", self.complaint_no, self.severity)
        self.trigger(ev.ComplaintVisitScheduled, ctx, visit_on=visit_on,
                     technical_support=technical_support, salesperson=salesperson,
                     quality=quality)

    def record_visit(self, ctx: Context, findings: str) -> None:
        ctx.require("R-C7", TECHNICAL_SUPPORT, "record a visit's findings", "登记拜访结果")
        self._expect("visit")
        if not self.visit_pending:
            raise RuleBroken("R-C7", f"no visit of complaint {self.complaint_no} is scheduled "
                             "and awaiting its findings", f"客诉 {self.complaint_no} 没有待登记的拜访")
        self.trigger(ev.ComplaintVisitRecorded, ctx, findings=findings)

    def archive_form(self, ctx: Context) -> None:
        ctx.require("R-C7", TECHNICAL_SUPPORT, "archive the Complaint Handling Form",
                    "归档客诉处理单")
        self._expect("archive")
        if self.archived:
            raise RuleBroken("R-C7", f"form {self.form_no} is already archived",
                             f"处理单 {self.form_no} 已归档")
        self.trigger(ev.ComplaintFormArchived, ctx, form_no=self.form_no)

    # -- state changes ----------------------------------------------------------------------------
    def when_ComplaintVisitScheduled(self, e: ev.ComplaintVisitScheduled) -> None:
        self.visit_pending = True

    def when_ComplaintVisitRecorded(self, e: ev.ComplaintVisitRecorded) -> None:
        self.visit_pending = False

    def when_ComplaintFormArchived(self, e: ev.ComplaintFormArchived) -> None:
        self.archived = True

