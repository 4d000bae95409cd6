"""``salesflow dead-letters``: list, show and redrive what a consumer could not apply."""
from __future__ import annotations

import argparse
import json
from typing import Any

from contracts.subjects import redrive_subject
from services.cli import tables
from services.cli.client import Client
from services.runtime import dead_letters
from services.runtime.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("dead-letters", help="events a consumer could not apply / 死信: list, "
                       "show one, or apply again (redrive) once the cause is fixed")
    p.add_argument("action", nargs="?", default="list", choices=("list", "show", "redrive"),
                   help="list (default), show N, redrive N (or --all)")
    p.add_argument("seq", nargs="?", type=int, help="the dead letter's number (see the list)")
    p.add_argument("--all", action="store_true", help="with redrive: every dead letter, in order")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


async def run(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    js = client.nc.jetstream(timeout=10.0)
    if args.action == "list":
        return show_list(await dead_letters.letters(js), await dead_letters.counts(js), args.json)
    if args.action == "redrive" and args.all:
        return await redrive_all(client, await dead_letters.letters(js))
    if args.seq is None:
        print(f"salesflow dead-letters {args.action}: give the dead letter's number "
              f"/ 请给出死信编号")
        return 2
    if args.action == "show":
        found = await dead_letters.letter(js, args.seq)
        if found is None:
            print(f"there is no dead letter {args.seq} / 没有编号为 {args.seq} 的死信")
            return 1
        detail = {**found.summary(), "headers": found.headers,
                  "data": json.loads(found.data or b"null")}
        print(tables.json_text(detail))
        return 0
    found = await dead_letters.letter(js, args.seq)
    if found is None:
        print(f"there is no dead letter {args.seq} / 没有编号为 {args.seq} 的死信")
        return 1
    return await redrive_one(client, found)


def show_list(found: list[dead_letters.Letter], counts: dict[str, int], as_json: bool) -> int:
    if as_json:
        print(tables.json_text({"counts": counts, "letters": [x.summary() for x in found]}))
        return 0
    if not found:
        print("no dead letters / 没有死信")
        return 0
    print(f"{'No. 编号':>9}  {'consumer 消费者':16}  {'stream 来源':22}  {'type 事件':28}  "
          f"error 原因")
    for x in found:
        print(f"{x.seq:>9}  {tables.visible(x.consumer):16}  {tables.visible(x.stream):22}  "
              f"{tables.visible(x.headers.get('Salesflow-Type', '-')):28}  "
              f"{tables.visible(x.error[:100])}")
    total = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
    print(f"dead letters per consumer / 各消费者死信数: {total}")
    print("Fix the cause, then `salesflow dead-letters redrive N` (or --all) / "
          "排除原因后用 redrive 重新投递")
    return 0


async def redrive_one(client: Client, letter: dead_letters.Letter) -> int:
    reply = await client.query(redrive_subject(letter.consumer), {"seq": letter.seq}, timeout=60)
    print(tables.visible(reply.get("message", "")))
    return 0


async def redrive_all(client: Client, found: list[dead_letters.Letter]) -> int:
    failed = 0
    for letter in found:
        try:
            await redrive_one(client, letter)
        except Exception as error:  # noqa: BLE001 - go on with the others, say which failed
            failed += 1
            print(f"dead letter {letter.seq}: {tables.visible(str(error))}")
    print(f"redriven {len(found) - failed} of {len(found)} / 已重新投递 {len(found) - failed} 条")
    return 1 if failed else 0
