"""``salesflow``: run the system, drive the demo, read the tables and the audit trail."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

from pydantic import ValidationError

from contracts.subjects import (
    PROCESSES,
    QUERY_HISTORY,
    QUERY_SAMPLES,
)
from services.cli import (
    as_of,
    calendar,
    complaints,
    customers,
    dead_letters,
    export,
    imports,
    months,
    orders,
    packs,
    rebuild,
    sla,
    status,
    tables,
    users,
)
from services.cli.client import Client
from services.runtime.connect import NatsUnavailable
from services.runtime.nats_server import PortTaken
from services.runtime.preflight import StartRefused
from services.runtime.settings import Settings

UP_HELP = (
    "start NATS (embedded unless NATS_URL is set), every service and the projections, each its own "
    "process; waits until each answers. Refused when another `up` uses the same data directory or a "
    "store cannot be opened (exit code 2). Restarts a child that dies; one that keeps dying on start "
    "stops everything (exit code 1). Ctrl-C, SIGTERM, closing the terminal (SIGHUP) or closing its "
    "output stops the services first and NATS last. Logs: <data>/logs")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="salesflow", description=(
        "Event-sourced sales / engineering / production / quality workflow. "
        "Every command finds the running system through SALESFLOW_DATA_DIR (default ./data) "
        "or NATS_URL."))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("up", help=UP_HELP, description=UP_HELP)
    demo = sub.add_parser("demo", help="drive sample requests, customer orders and complaints "
                                       "of several customers through the system, as the staff "
                                       "would / 演示")
    demo.add_argument("--customers", type=int, default=12,
                      help="how many samples (default 12: every scenario once)")
    demo.add_argument("--prefix", default=None, help="request number prefix (default: S + time); "
                      "orders are numbered <prefix>-O01 ...")
    samples = sub.add_parser("samples", help="print the Sample Record Summary / 打样记录汇总表")
    samples.add_argument("--customer", help="only this customer")
    samples.add_argument("--status", help="only this status, e.g. returned")
    samples.add_argument("--month", help="only samples requested in YYYY-MM")
    as_of.add_argument(samples)
    samples.add_argument("--json", action="store_true", help="print JSON instead of a table")
    history = sub.add_parser("history", help="audit trail of one record: every event, who, when")
    history.add_argument("record", help="record number, e.g. a sample request number")
    history.add_argument("--json", action="store_true", help="print JSON instead of a table")
    months.add_parsers(sub)
    orders.add_parsers(sub)
    complaints.add_parsers(sub)
    sla.add_parser(sub)
    customers.add_parsers(sub)
    calendar.add_parser(sub)
    dead_letters.add_parser(sub)
    rebuild.add_parser(sub)
    users.add_parser(sub)
    export.add_parser(sub)
    imports.add_parser(sub)
    packs.add_parser(sub)
    state = sub.add_parser("status", help="which components answer, their role, each relay's backlog, "
                                          "each consumer's progress and the dead letters; exit code 1 "
                                          "when a component does not answer")
    state.add_argument("--json", action="store_true", help="print JSON instead of tables")
    service = sub.add_parser("service", help="run one component in the foreground (used by `up`)")
    service.add_argument("name", choices=PROCESSES)
    return p


# Every command but `up` and `service`: (arguments, settings, connected client) -> exit code.
Handler = Callable[[argparse.Namespace, Settings, Client], Awaitable[int]]


async def cmd_demo(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    from services.cli import demo, demo_complaints, demo_orders

    prefix = args.prefix or time.strftime("S%y%m%d-%H%M%S")
    started = time.perf_counter()
    numbers = await demo.run(client, args.customers, prefix)
    print(f"demo done: {len(numbers)} samples, {len(demo_orders.SCENARIOS) + 1} orders and "
          f"{len(demo_complaints.SCENARIOS)} complaints in {time.perf_counter() - started:.1f} s; "
          f"see them with `salesflow samples`, `salesflow orders` and `salesflow complaints`, one "
          f"trail with `salesflow history {numbers[0]}`, `{prefix}-O01` or `{prefix}-K01`")
    return 0


async def cmd_samples(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    return await as_of.show(client, QUERY_SAMPLES, args, settings.zone(),
                            ("customer", "status", "month"), tables.samples)


async def cmd_history(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    rows = await client.query(QUERY_HISTORY, {"record_no": args.record})
    if args.json:
        print(tables.json_text(rows))
    elif not rows:
        print(f"no events for record {args.record} / 没有记录 {args.record} 的事件")
        return 1
    else:
        print(tables.history(rows, settings.zone()))
    return 0




async def with_client(handler: Handler, args: argparse.Namespace, settings: Settings) -> int:
    """Connect to the running system, run one command's handler, disconnect."""
    client = await Client.open(settings)
    try:
        return await handler(args, settings, client)
    finally:
        await client.close()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except BrokenPipeError:
        # `salesflow samples | head`: the reader has what it wanted; no traceback, and nothing
        # left for Python's final flush to fail on.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell tool killed by it


def event_loop_factory(component: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop for the gateway, where it is installed: an HTTP server spends most of its time in
    the event loop; the services keep asyncio's own."""
    if component != "gateway":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]


def settings_from_env() -> Settings:
    """The settings, or one sentence naming the environment variable that is wrong."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        variable = "NATS_URL" if field == "nats_url" else f"SALESFLOW_{field.upper()}"
        raise BadSetting(f"{variable}={first.get('input')!r} is not valid: {first['msg']} "
                         f"/ 环境变量 {variable} 的值无效") from None


class BadSetting(ValueError):
    """An environment variable holds a value the settings refuse."""


def run(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("nats", "faststream"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = settings_from_env()
        if args.command == "up":
            from services.runtime.supervisor import run_up

            return run_up(settings)
        if args.command == "service":
            from services.runtime.components import run_component

            with asyncio.Runner(loop_factory=event_loop_factory(args.name)) as runner:
                runner.run(run_component(args.name, settings))
            return 0
        if args.command == "calendar":  # reads without a running system too
            return asyncio.run(calendar.run(args, settings))
        if args.command == "import":  # checks the file before connecting
            return asyncio.run(imports.run(args, settings))
        handler = {"demo": cmd_demo, "samples": cmd_samples, "history": cmd_history,
                   "rebuild": rebuild.run, "status": status.run, "sample-month": months.run,
                   "note-month": months.run, "customers": customers.run,
                   "customer-file": customers.run, "dead-letters": dead_letters.run,
                   "orders": orders.run, "order-month": orders.run,
                   "note-order-month": orders.run, "complaints": complaints.run,
                   "complaint-month": complaints.run, "note-complaint-month": complaints.run,
                   "sla": sla.run, "users": users.run, "export": export.run,
                   "pack": packs.run}[args.command]
        return asyncio.run(with_client(handler, args, settings))
    except (NatsUnavailable, PortTaken, StartRefused, BadSetting) as error:
        print(f"salesflow: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
