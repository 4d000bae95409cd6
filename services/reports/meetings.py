"""When the weekly (R-M1) and monthly (R-M2) sales meetings are held, and when their packs are due.

Pure: the company calendar is passed in (``WorkingCalendar.from_env`` with the company's entries
applied), nothing is read from the clock. A meeting whose day is not a working day moves to the
previous working day at the same time, and says why in both languages.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from contracts.calendar import WorkingCalendar, packaged_day_name

WEEKLY_WEEKDAY = 5  # Saturday (R-M1)
WEEKLY_TIME = time(9, 30)
MONTHLY_WEEKDAY = 4  # Friday, the last of the month (R-M2)
MONTHLY_TIME = time(14)
# Working hours before the meeting by which its pack is ready: time to print and read it.
PACK_LEAD_HOURS = 1.0
# A company calendar without a working day in a year would make the walk back endless.
_MAX_DAYS_BACK = 366
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
MeetingKind = Literal["weekly", "monthly"]


@dataclass(frozen=True)
class Meeting:
    """A sales meeting: when it is held and, if a day off moved it, when it was meant to be."""

    kind: MeetingKind
    period: str  # the ISO week (YYYY-Www) or the month (YYYY-MM) it reviews
    rule: str
    nominal: datetime
    at: datetime
    reason_en: str = ""
    reason_zh: str = ""

    @property
    def moved_from(self) -> datetime | None:
        """The nominal time when the meeting was moved, else None."""
        return self.nominal if self.at != self.nominal else None

    def describe_en(self) -> str:
        """The meeting's time, and its move if any, as one English sentence."""
        name = "Weekly sales meeting" if self.kind == "weekly" else "Monthly sales meeting"
        text = f"{name} ({self.rule}): {day_en(self.at.date())} {self.at:%H:%M}"
        return f"{text}. {self.reason_en}" if self.reason_en else text

    def describe_zh(self) -> str:
        """The meeting's time, and its move if any, as one Chinese sentence."""
        name = "周销售例会" if self.kind == "weekly" else "月度销售会议"
        text = f"{name}（{self.rule}）：{day_zh(self.at.date())} {self.at:%H:%M}"
        return f"{text}。{self.reason_zh}" if self.reason_zh else text


def day_en(d: date) -> str:
    return f"{WEEKDAYS_EN[d.weekday()]} {d.isoformat()}"


def day_zh(d: date) -> str:
    return f"{d.isoformat()}（{WEEKDAYS_ZH[d.weekday()]}）"


def parse_week(week: str) -> tuple[int, int]:
    """``YYYY-Www`` (an ISO week, e.g. 2026-W40) as (year, week); ValueError in both languages."""
    year, sep, number = week.strip().upper().partition("-W")
    try:
        if not (sep and len(year) == 4 and len(number) == 2):
            raise ValueError(week)
        date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise ValueError(f"{week!r} is not an ISO week: write YYYY-Www, e.g. 2026-W40 "
                         f"/ 周应写作 YYYY-Www，例如 2026-W40") from None
    return int(year), int(number)


def parse_month(month: str) -> tuple[int, int]:
    """``YYYY-MM`` as (year, month); ValueError in both languages."""
    year, sep, number = month.strip().partition("-")
    try:
        if not (sep and len(year) == 4 and len(number) == 2):
            raise ValueError(month)
        date(int(year), int(number), 1)
    except ValueError:
        raise ValueError(f"{month!r} is not a month: write YYYY-MM, e.g. 2026-10 "
                         f"/ 月份应写作 YYYY-MM，例如 2026-10") from None
    return int(year), int(number)


def week_of(d: date) -> str:
    """The ISO week holding ``d``, as ``YYYY-Www``."""
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def week_days(week: str) -> tuple[date, date]:
    """The Monday and the Sunday of an ISO week."""
    year, number = parse_week(week)
    return date.fromisocalendar(year, number, 1), date.fromisocalendar(year, number, 7)


def month_days(month: str) -> tuple[date, date]:
    """The first and the last day of a month."""
    year, number = parse_month(month)
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def last_weekday(month: str, weekday: int) -> date:
    """The last given weekday (0 = Monday) of a month."""
    _, last = month_days(month)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def weekly_meeting(week: str, calendar: WorkingCalendar) -> Meeting:
    """R-M1: the weekly sales meeting of an ISO week, Saturday 09:30 unless that is a day off."""
    year, number = parse_week(week)
    day = date.fromisocalendar(year, number, WEEKLY_WEEKDAY + 1)
    return _meeting("weekly", f"{year}-W{number:02d}", "R-M1", day, WEEKLY_TIME, calendar)


def monthly_meeting(month: str, calendar: WorkingCalendar) -> Meeting:
    """R-M2: the monthly sales meeting, the month's last Friday at 14:00 unless that is a day off."""
    year, number = parse_month(month)
    day = last_weekday(month, MONTHLY_WEEKDAY)
    return _meeting("monthly", f"{year}-{number:02d}", "R-M2", day, MONTHLY_TIME, calendar)


def pack_due(meeting: Meeting, calendar: WorkingCalendar,
             lead_hours: float = PACK_LEAD_HOURS) -> datetime:
    """When the meeting's pack must be ready: ``lead_hours`` working hours before the meeting
    (R-M1: before Saturday 09:30; R-M2: before the last Friday's 14:00)."""
    return calendar.subtract_working_hours(meeting.at, lead_hours)


def _meeting(kind: MeetingKind, period: str, rule: str, day: date, at: time,
             calendar: WorkingCalendar) -> Meeting:
    nominal = calendar.at(day, at)
    if calendar.is_working_day(day):
        return Meeting(kind, period, rule, nominal, nominal)
    held = _previous_working_day(day, calendar)
    why_en, why_zh = _day_off(day, calendar)
    what_en = "weekly meeting" if kind == "weekly" else "monthly meeting"
    what_zh = "周例会" if kind == "weekly" else "月度会议"
    return Meeting(
        kind, period, rule, nominal, calendar.at(held, at),
        reason_en=(f"{day_en(day)} is {why_en}: the {what_en} moves to the previous working day, "
                   f"{day_en(held)} at {at:%H:%M}."),
        reason_zh=f"{day_zh(day)}为{why_zh}，{what_zh}提前至上一个工作日 {day_zh(held)} {at:%H:%M}。")


def _previous_working_day(day: date, calendar: WorkingCalendar) -> date:
    for back in range(1, _MAX_DAYS_BACK + 1):
        if calendar.is_working_day(candidate := day - timedelta(days=back)):
            return candidate
    raise ValueError(f"No working day within {_MAX_DAYS_BACK} days before {day.isoformat()} "
                     f"/ {day.isoformat()} 之前 {_MAX_DAYS_BACK} 天内没有工作日")


def _day_off(day: date, calendar: WorkingCalendar) -> tuple[str, str]:
    """Why ``day`` is not a working day, in English and Chinese."""
    kind = calendar.day_kind(day)
    if kind == "company_holiday":
        return "a company holiday", "公司假日"
    if kind == "public_holiday":
        name = packaged_day_name(day)
        return (f"a public holiday ({name})" if name else "a public holiday",
                f"法定节假日（{_HOLIDAY_ZH.get(name or '', name)}）" if name else "法定节假日")
    return "not a working day", "非工作日"


# The packaged holidays' names (chinesecalendar's English names) in Chinese.
_HOLIDAY_ZH = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
               "Labour Day": "劳动节", "Dragon Boat Festival": "端午节",
               "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
               "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"}


def zone_of(calendar: WorkingCalendar) -> ZoneInfo:
    """The company calendar's time zone."""
    return ZoneInfo(calendar.zone)
