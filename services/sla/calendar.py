"""The company calendar as a record (one for the company): holidays, make-up working days and
changes of the working week that an admin declares, each from tomorrow at the earliest.

Nothing declared ever reaches back: every entry starts after the day it is made, so a deadline
already passed, or a working-hour count up to now, is the same with or without it (issue 9:
"a changed calendar never silently recomputes history").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar import CalendarEntry, WorkingCalendar
from events import sla as ev
from events.envelope import Role
from services.domain import Aggregate, Context, Forbidden, RuleBroken, record_id

CALENDAR_ID = record_id("calendar", "company")


@dataclass
class CompanyCalendar(Aggregate):
    """Every entry the company declared, in order; ``on(base)`` is the calendar they make."""

    entries: list[CalendarEntry] = field(default_factory=list)

    def on(self, base: WorkingCalendar) -> WorkingCalendar:
        return base.with_entries(self.entries)

    def declare_holiday(self, ctx: Context, base: WorkingCalendar, first_day: date,
                        last_day: date, name: str) -> None:
        calendar = self._may_change(ctx, base, first_day, "first_day")
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        if not any(calendar.is_working_day(d) for d in days):
            raise RuleBroken(None, f"every day from {first_day} to {last_day} is already off",
                             f"{first_day} 至 {last_day} 每天都已是休息日", field="first_day")
        self.trigger(ev.HolidayDeclared, ctx, first_day=first_day, last_day=last_day, name=name)

    def declare_workday(self, ctx: Context, base: WorkingCalendar, day: date, name: str) -> None:
        calendar = self._may_change(ctx, base, day, "day")
        if calendar.is_working_day(day):
            raise RuleBroken(None, f"{day} is already a working day", f"{day} 已是工作日",
                             field="day")
        self.trigger(ev.WorkdayDeclared, ctx, day=day, name=name)

    def change_working_hours(self, ctx: Context, base: WorkingCalendar, effective_from: date,
                             weekdays: tuple[int, ...], periods: tuple[ev.WorkingPeriod, ...],
                             name: str) -> None:
        calendar = self._may_change(ctx, base, effective_from, "effective_from")
        if (calendar.weekdays_on(effective_from) == frozenset(weekdays)
                and calendar.periods_on(effective_from) == tuple((p.start, p.end) for p in periods)):
            raise RuleBroken(None, f"these are already the working hours on {effective_from}",
                             f"{effective_from} 起的工作时间已是如此", field="effective_from")
        self.trigger(ev.WorkingHoursChanged, ctx, effective_from=effective_from,
                     weekdays=weekdays, periods=periods, name=name)

    def _may_change(self, ctx: Context, base: WorkingCalendar, first: date,
                    field_name: str) -> WorkingCalendar:
        """The admin may change days from tomorrow (company zone) on; the calendar as it is."""
        if ctx.actor.role is not Role.ADMIN:
            raise Forbidden(None, f"only admin may change the company calendar; "
                                  f"{ctx.actor.user} acts as {ctx.actor.role.value}",
                            f"只有 admin 可以修改公司日历；{ctx.actor.user} 的角色是 "
                            f"{ctx.actor.role.value}", field="actor.role")
        tomorrow = ctx.recorded.astimezone(ZoneInfo(base.zone)).date() + timedelta(days=1)
        if first < tomorrow:
            raise RuleBroken(
                None, f"a calendar change takes effect from tomorrow ({tomorrow}) at the "
                      f"earliest, so no deadline already passed moves; {first} is too early",
                f"日历变更最早从明天（{tomorrow}）起生效，已过去的期限不会改变；{first} 太早",
                field=field_name)
        return self.on(base)

    def when_HolidayDeclared(self, e: ev.HolidayDeclared) -> None:
        self.entries.append(e)

    def when_WorkdayDeclared(self, e: ev.WorkdayDeclared) -> None:
        self.entries.append(e)

    def when_WorkingHoursChanged(self, e: ev.WorkingHoursChanged) -> None:
        self.entries.append(e)
