"""Admin commands of the company calendar (service ``sla``): holidays, make-up working days and
changes of the working week, each from a date (``salesflow.cmd.sla.<name>``).

The windows only stop absurd dates; the SLA service applies the exact rule (from tomorrow in
the company's zone, so no deadline already passed ever moves).
"""
from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Annotated, ClassVar, Self

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from contracts.commands.base import Command
from contracts.commands.bounds import bilingual, date_window
from events.sla import WorkingPeriod

# Holidays are announced up to a year ahead (the State Council publishes the next year's in
# November); a year more covers frame plans. Back: a week, so the service's "not before
# tomorrow" refusal names the rule instead of a window.
CalendarDay = Annotated[date, AfterValidator(
    date_window(back=timedelta(days=7), ahead=timedelta(days=2 * 366)))]
# The longest holiday China observes is 8-9 days; a month covers a company shutdown.
MAX_HOLIDAY_DAYS = 31
EntryName = Annotated[str, Field(min_length=1, max_length=80)]


def _refuse(model: str, field: str, kind: str, en: str, zh: str, value: object) -> ValidationError:
    """A refusal of one field found by a check across fields, naming that field."""
    return ValidationError.from_exception_data(model, [{
        "type": bilingual(kind, en, zh), "loc": (field,), "input": value}])


class DeclareHoliday(Command):
    """Days off (节假日), from ``first_day`` to ``last_day`` inclusive; the company's entry wins
    over the packaged public holidays and over an earlier make-up day on the same date."""

    name: ClassVar[str] = "declare_holiday"
    first_day: CalendarDay = Field(description="First day off / 放假第一天")
    last_day: CalendarDay = Field(description=f"Last day off, at most {MAX_HOLIDAY_DAYS} days "
                                              "after the first / 放假最后一天")
    # `title`, not `name`: a command's `name` is its subject's last part (the event's `name`).
    title: EntryName = Field(description="What it is, e.g. 国庆节 / 名称")

    @model_validator(mode="after")
    def a_span_of_days(self) -> Self:
        if self.last_day < self.first_day:
            raise _refuse(type(self).__name__, "last_day", "date_order",
                          "must not be before first_day", "不能早于 first_day（放假第一天）",
                          self.last_day.isoformat())
        if (self.last_day - self.first_day).days + 1 > MAX_HOLIDAY_DAYS:
            raise _refuse(type(self).__name__, "last_day", "holiday_too_long",
                          f"a holiday spans at most {MAX_HOLIDAY_DAYS} days",
                          f"一次放假最多 {MAX_HOLIDAY_DAYS} 天", self.last_day.isoformat())
        return self


class DeclareWorkday(Command):
    """A make-up working day (调休上班) on a day that would otherwise be off."""

    name: ClassVar[str] = "declare_workday"
    day: CalendarDay = Field(description="The working day / 调休上班日")
    title: EntryName = Field(description="Why, e.g. 国庆节调休 / 名称")


class ChangeWorkingHours(Command):
    """From ``effective_from`` on, these weekdays (0 = Monday) and periods are working time."""

    name: ClassVar[str] = "change_working_hours"
    effective_from: CalendarDay = Field(description="First day of the new hours / 生效日期")
    weekdays: tuple[Annotated[int, Field(ge=0, le=6)], ...] = Field(
        min_length=1, max_length=7, description="Working weekdays, 0 = Monday … 6 = Sunday / 工作日")
    periods: tuple[WorkingPeriod, ...] = Field(
        min_length=1, max_length=6, description="Working periods of a day, local time, in order, "
                                                "e.g. 08:00-12:00 and 13:00-17:00 / 工作时段")
    title: str = Field(default="", max_length=80, description="Why / 说明")

    @field_validator("weekdays")
    @classmethod
    def each_weekday_once(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(value)) != len(value):
            raise bilingual("weekday_repeated", "names a weekday twice", "重复的星期")
        return tuple(sorted(value))

    @field_validator("periods")
    @classmethod
    def in_order(cls, value: tuple[WorkingPeriod, ...]) -> tuple[WorkingPeriod, ...]:
        for before, after in itertools.pairwise(value):
            if after.start < before.end:
                raise bilingual("periods_overlap",
                                "periods must be in order of time and must not overlap",
                                "工作时段须按时间顺序排列且不能重叠")
        return value


COMMANDS: tuple[type[Command], ...] = (DeclareHoliday, DeclareWorkday, ChangeWorkingHours)
