"""Every subject, stream and durable name of salesflow, in one place."""
from __future__ import annotations

from events.envelope import Department

PREFIX = "salesflow"
DEPARTMENTS: tuple[Department, ...] = tuple(Department)

# Headers the relay puts on every event message.
HEADER_TYPE = "Salesflow-Type"
HEADER_DEPARTMENT = "Salesflow-Department"
# The event's notification id in its department's store (the relay aligns itself by it).
HEADER_NOTIFICATION = "Salesflow-Notification"

PROJECTIONS = "projections"
# Every process a running system is made of: the four departments and the projections.
COMPONENTS: tuple[str, ...] = (*(d.value for d in DEPARTMENTS), PROJECTIONS)
# The HTTP gateway owns no store and no stream: a process of `salesflow up`, not a component.
GATEWAY = "gateway"
PROCESSES: tuple[str, ...] = (*COMPONENTS, GATEWAY)
QUERY_SAMPLES = f"{PREFIX}.query.samples"
QUERY_HISTORY = f"{PREFIX}.query.history"
QUERY_SAMPLE_MONTH = f"{PREFIX}.query.sample_month"
QUERY_ORDERS = f"{PREFIX}.query.orders"
QUERY_ORDER_MONTH = f"{PREFIX}.query.order_month"
QUERY_COMPLAINTS = f"{PREFIX}.query.complaints"
QUERY_COMPLAINT_MONTH = f"{PREFIX}.query.complaint_month"
# The monthly sales meeting's resource needs and improvements (R-M2).
QUERY_MEETING_INPUTS = f"{PREFIX}.query.meeting_inputs"
QUERY_CUSTOMERS = f"{PREFIX}.query.customers"
QUERY_CUSTOMER_FILE = f"{PREFIX}.query.customer_file"
QUERY_DEAD_LETTERS = f"{PREFIX}.query.dead_letters"
QUERY_CALENDAR = f"{PREFIX}.query.calendar"
# The company calendar's entries on the SLA stream (``events.sla.CalendarEvent``), which every
# department service follows (``services.runtime.calendar_feed``).
CALENDAR_SUBJECTS = f"{PREFIX}.sla.calendar.>"
# The accounts (``events.users``) on the SLA stream, which the gateway follows.
USER_SUBJECTS = f"{PREFIX}.sla.user.>"
QUERY_SLA = f"{PREFIX}.query.sla"
CTL_REBUILD = f"{PREFIX}.ctl.projections.rebuild"
CTL_REBUILD_PROGRESS = f"{PREFIX}.ctl.projections.rebuild.progress"
DEAD_LETTER_STREAM = "SALESFLOW_DEAD_LETTERS"
DEAD_LETTER_SUBJECTS = f"{PREFIX}.dlq.>"
# KV bucket of the leases: which copy of each component runs its relay and consumers.
LEASE_BUCKET = "salesflow_leases"


def stream_name(department: Department | str) -> str:
    """JetStream stream holding one department's events."""
    return f"SALESFLOW_{Department(department).value.upper()}"


def stream_subjects(department: Department | str) -> str:
    return f"{PREFIX}.{Department(department).value}.>"


def command_subject(department: Department | str, command: str) -> str:
    return f"{PREFIX}.cmd.{Department(department).value}.{command}"


def command_wildcard(department: Department | str) -> str:
    return f"{PREFIX}.cmd.{Department(department).value}.*"


def status_subject(component: str) -> str:
    return f"{PREFIX}.ctl.{component}.status"


def durable_name(consumer: str, source: str) -> str:
    """Durable consumer of ``consumer`` (a department or 'projections') on ``source`` (a
    department's stream, or 'timers')."""
    return f"{consumer}-from-{source}"


def dead_letter_subject(consumer: str, stream: str) -> str:
    """Where ``consumer`` puts what it could not apply from ``stream``."""
    return f"{PREFIX}.dlq.{consumer}.{stream.lower()}"


def queue_group(component: str) -> str:
    return f"{PREFIX}-{component}"


def redrive_subject(component: str) -> str:
    """Ask ``component`` to apply one of its dead letters again."""
    return f"{PREFIX}.ctl.{component}.redrive"
