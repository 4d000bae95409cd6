"""Bounds of command fields: time windows around "now", numbers, months.

Why each window is what it is: ``docs/decisions.md``, "Every command field is bounded".

"Now" is ``info.context["now"]`` when the command bus gives it (the application's clock), else
the wall clock: ``Model.model_validate_json(payload, context={"now": aware_datetime})``.

Refusals are ``PydanticCustomError``s whose message holds both languages, and whose context
holds them apart (``ctx["en"]``, ``ctx["zh"]``), so a reply can show each in its own field.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, ValidationInfo
from pydantic_core import PydanticCustomError

# A calendar date is "today" somewhere on Earth from UTC-12 to UTC+14: a day field checked
# against that span never refuses a date that is today in the company's zone, whatever zone is
# configured. The aggregates apply the company zone's exact rule (e.g. a receipt not after today).
_WESTMOST = timedelta(hours=-12)
_EASTMOST = timedelta(hours=14)


def bilingual(kind: str, en: str, zh: str) -> PydanticCustomError:
    """A validation error whose message is ``en / zh``; ``ctx`` keeps each language apart.

    Neither may hold the client's input: pydantic fills ``{name}`` placeholders of the message
    from ``ctx``, in the values too."""
    return PydanticCustomError(kind, "{en} / {zh}", {"en": en, "zh": zh})


def now_of(info: ValidationInfo) -> datetime:
    """The validation context's ``now`` (an aware datetime), else the wall clock."""
    context = info.context
    now = context.get("now") if isinstance(context, Mapping) else None
    if isinstance(now, datetime) and now.utcoffset() is not None:
        return now
    return datetime.now(UTC)


def latest_today(now: datetime) -> date:
    """The latest calendar date anywhere on Earth at ``now``."""
    return (now.astimezone(UTC) + _EASTMOST).date()


def earliest_today(now: datetime) -> date:
    """The earliest calendar date anywhere on Earth at ``now``."""
    return (now.astimezone(UTC) + _WESTMOST).date()


def _days(span: timedelta) -> str:
    return f"{span.days} days"


def moment_window(back: timedelta, ahead: timedelta) -> Callable[[datetime, ValidationInfo],
                                                                  datetime]:
    """Validator: an aware datetime from ``now - back`` to ``now + ahead``."""

    def check(value: datetime, info: ValidationInfo) -> datetime:
        now = now_of(info)
        earliest, latest = now - back, now + ahead
        if value < earliest:
            raise bilingual(
                "datetime_too_early",
                f"must not be more than {_days(back)} before now ({_utc(earliest)})",
                f"不能早于当前时间 {back.days} 天以前（{_utc(earliest)}）")
        if value > latest:
            raise bilingual(
                "datetime_too_late",
                f"must not be more than {_days(ahead)} after now ({_utc(latest)})",
                f"不能晚于当前时间 {ahead.days} 天以后（{_utc(latest)}）")
        return value

    return check


def day_window(earliest: date | timedelta) -> Callable[[date, ValidationInfo], date]:
    """Validator: a date from ``earliest`` (a fixed date, or that long before today) to today."""

    def check(value: date, info: ValidationInfo) -> date:
        now = now_of(info)
        first = earliest if isinstance(earliest, date) else earliest_today(now) - earliest
        last = latest_today(now)
        if value < first:
            raise bilingual("date_too_early", f"must be on or after {first.isoformat()}",
                            f"不能早于 {first.isoformat()}")
        if value > last:
            raise bilingual("date_too_late", f"must not be after today ({last.isoformat()})",
                            f"不能晚于今天（{last.isoformat()}）")
        return value

    return check


def date_window(back: timedelta, ahead: timedelta) -> Callable[[date, ValidationInfo], date]:
    """Validator: a date from ``back`` before today to ``ahead`` after today (anywhere on Earth)."""

    def check(value: date, info: ValidationInfo) -> date:
        now = now_of(info)
        first, last = earliest_today(now) - back, latest_today(now) + ahead
        if value < first:
            raise bilingual("date_too_early", f"must be on or after {first.isoformat()}",
                            f"不能早于 {first.isoformat()}")
        if value > last:
            raise bilingual("date_too_late", f"must be on or before {last.isoformat()}",
                            f"不能晚于 {last.isoformat()}")
        return value

    return check


# Business time (``occurred_at``): when it happened on the floor, recorded later. Not in the
# future (a few seconds are allowed for the skew between the sender's clock and the service's),
# and not more than a month back: later than that a record is a correction, and a typo in the
# year (2025 for 2026) is refused instead of dating the step a year early.
OCCURRED_SKEW = timedelta(seconds=5)
OCCURRED_BACK = timedelta(days=31)


def occurred_window(value: datetime, info: ValidationInfo) -> datetime:
    """Validator: an aware business time from ``OCCURRED_BACK`` before now to now (plus skew)."""
    now = now_of(info)
    earliest, latest = now - OCCURRED_BACK, now + OCCURRED_SKEW
    if value > latest:
        raise bilingual(
            "datetime_in_future",
            f"must not be in the future (now is {_utc(now)}; "
            f"{OCCURRED_SKEW.seconds} s of clock skew allowed)",
            f"不能晚于当前时间（现在是 {_utc(now)}；允许 {OCCURRED_SKEW.seconds} 秒的时钟误差）")
    if value < earliest:
        raise bilingual(
            "datetime_too_early",
            f"must not be more than {_days(OCCURRED_BACK)} before now ({_utc(earliest)})",
            f"不能早于当前时间 {OCCURRED_BACK.days} 天以前（{_utc(earliest)}）")
    return value


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
FIRST_MONTH = "2000-01"


def month_window(value: str, info: ValidationInfo) -> str:
    """Validator: a real month ``YYYY-MM`` (two-digit month) from 2000-01 to the current month."""
    return _month_until(value, info, ahead=0)


def month_ahead_window(value: str, info: ValidationInfo) -> str:
    """Validator: a real month from 2000-01 to ``MONTHS_AHEAD`` months after the current one."""
    return _month_until(value, info, ahead=MONTHS_AHEAD)


MONTHS_AHEAD = 12


def _month_until(value: str, info: ValidationInfo, ahead: int) -> str:
    match = _MONTH.fullmatch(value)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        # The value is not echoed: pydantic would fill "{...}" in it from the error's context.
        raise bilingual("month_invalid", "is not a month: write YYYY-MM, e.g. 2026-01",
                        "不是有效的月份：请写成 YYYY-MM，例如 2026-01")
    today = latest_today(now_of(info))
    current = today.strftime("%Y-%m")
    index = today.year * 12 + today.month - 1 + ahead
    last = f"{index // 12:04d}-{index % 12 + 1:02d}"
    if value < FIRST_MONTH:
        raise bilingual("month_too_early", f"must be {FIRST_MONTH} or later",
                        f"不能早于 {FIRST_MONTH}")
    if value > last and ahead == 0:
        raise bilingual("month_too_late", f"must not be after the current month ({current})",
                        f"不能晚于本月（{current}）")
    if value > last:
        raise bilingual("month_too_late", f"must not be more than {ahead} months after the "
                        f"current month ({last} at the latest)",
                        f"不能晚于本月之后 {ahead} 个月（最晚 {last}）")
    return value


# -- the bounded field types commands use ----------------------------------------------------
# When a command's step happened on the floor (see ``occurred_window``).
OccurredAt = Annotated[AwareDatetime, AfterValidator(occurred_window)]
# A promised time (R-S7): a sample takes 12 to 48 working hours, so a promise a year ahead is a
# typo; the relay schedules a timer at that time and the calendar counts working hours up to
# it. Past: the aggregate refuses a past promise (R-S7); the window only stops absurd values.
PromiseTime = Annotated[AwareDatetime, AfterValidator(
    moment_window(back=timedelta(days=3), ahead=timedelta(days=366)))]
# The delivery date a customer asks for on an order (R-O1): orders are entered up to a month
# late, and frame orders reach a year or two ahead.
RequestedDay = Annotated[date, AfterValidator(
    date_window(back=timedelta(days=31), ahead=timedelta(days=2 * 366)))]
# The day goods were shipped, named in a complaint (R-C2): complaints come up to years later.
ShippedDay = Annotated[date, AfterValidator(day_window(timedelta(days=5 * 366)))]
# The day of an on-site visit for a complaint (R-C7): recorded up to a month late, planned ahead.
VisitDay = Annotated[date, AfterValidator(
    date_window(back=timedelta(days=31), ahead=timedelta(days=366)))]
# A planned sampling start: may be recorded after the fact (up to a month), planned up to a year.
PlannedStart = Annotated[AwareDatetime, AfterValidator(
    moment_window(back=timedelta(days=30), ahead=timedelta(days=366)))]
# The day the customer confirmed a sample's receipt: starts the trial follow-up clock (R-S6).
ReceiptDay = Annotated[date, AfterValidator(day_window(timedelta(days=366)))]
# The date a customer document is kept by (R-S2): registration papers may be decades old.
DocumentDay = Annotated[date, AfterValidator(day_window(date(1970, 1, 1)))]
# Checked by ``month_window`` alone, so "2026-1" gets the sentence that says how to write it;
# the schema still documents the form.
Month = Annotated[str, AfterValidator(month_window), Field(json_schema_extra={
    "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "maxLength": 7})]

# The month of a meeting whose inputs are entered ahead (R-M2): up to a year on; the aggregate
# allows the current month's meeting and the next one's.
MeetingMonth = Annotated[str, AfterValidator(month_ahead_window), Field(json_schema_extra={
    "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "maxLength": 7})]
# When a meeting's resource need or improvement is due (R-M2): a month back, two years on.
FollowUpDay = Annotated[date, AfterValidator(
    date_window(back=timedelta(days=31), ahead=timedelta(days=2 * 366)))]

# Money in the quotation's currency. Die-cut parts cost fractions of a yuan each: unit prices
# keep 6 decimals (0.0035), costs 4; no single figure reaches a million.
MAX_AMOUNT = Decimal(1_000_000)
UnitPrice = Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT, max_digits=13, decimal_places=6)]
Cost = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, max_digits=11, decimal_places=4)]
# A business number (order, lot, note, exception): what a paper form's number box holds, safe in
# a NATS subject and a timer key.
Number = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
# A person named in a command (a holder, a receiver): a user name or a name as written.
Person = Annotated[str, Field(min_length=1, max_length=80)]
# Pieces in one lot or order: die-cut parts go by the ten thousand, not by the billion.
MAX_QUANTITY = 10_000_000
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


# History imported from the old Excel tables (issue 12): from 2000-01-01 (older than any table
# the company keeps: a typo) to now, or to ``ahead`` after now for what an open record looks
# forward to (a promised time, a requested delivery).
HISTORY_START = date(2000, 1, 1)


def history_moment(ahead: timedelta) -> Callable[[datetime, ValidationInfo], datetime]:
    """Validator: a moment from 2000-01-01 to ``ahead`` after now."""

    def check(value: datetime, info: ValidationInfo) -> datetime:
        if value.date() < HISTORY_START:
            raise bilingual("datetime_too_early", f"must be on or after {HISTORY_START}",
                            f"不能早于 {HISTORY_START}")
        if value > now_of(info) + ahead:
            if ahead <= OCCURRED_SKEW:
                raise bilingual("datetime_too_late", "must not be in the future",
                                "不能晚于当前时间")
            raise bilingual("datetime_too_late", f"must not be more than {ahead.days} days "
                            "after now", f"不能晚于当前时间 {ahead.days} 天以后")
        return value

    return check


def history_day(ahead: timedelta = timedelta(0)) -> Callable[[date, ValidationInfo], date]:
    """Validator: a day from 2000-01-01 to ``ahead`` after today (anywhere on Earth)."""

    def check(value: date, info: ValidationInfo) -> date:
        last = latest_today(now_of(info)) + ahead
        if value < HISTORY_START:
            raise bilingual("date_too_early", f"must be on or after {HISTORY_START}",
                            f"不能早于 {HISTORY_START}")
        if value > last:
            raise bilingual("date_too_late", f"must not be after {last}", f"不能晚于 {last}")
        return value

    return check
