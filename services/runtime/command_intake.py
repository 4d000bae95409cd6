"""Commands from NATS to the command bus: each request answered on its own task, many at once.

A plain nats-py queue subscription, not a FastStream subscriber: commands in flight together are
what a group commit writes together (``services.runtime.group_commit``), and FastStream's path
for one message (middlewares, dependency injection, the message object resolved in a worker
thread) cost more CPU than deciding and storing the command. The reply is the bus's reply, as
JSON; the command's name is the last token of the subject.

At most ``concurrency`` commands are handled at once; the rest wait in the subscription (and
NATS), which keeps a flood from piling up in memory. Stopping unsubscribes, then lets the
commands in hand finish (a few seconds at most) so none is stored without being answered.
"""
from __future__ import annotations

import asyncio
import logging

from nats.aio.client import Client as Nats
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from contracts.subjects import command_wildcard, queue_group
from services.runtime.commands import CommandBus, reply_bytes

log = logging.getLogger(__name__)


class CommandIntake:
    """The department's command subscription, answering through ``bus``."""

    def __init__(self, nc: Nats, department: str, bus: CommandBus, concurrency: int = 400) -> None:
        self.nc, self.department, self.bus = nc, department, bus
        self.slots = asyncio.Semaphore(max(concurrency, 1))
        self.in_hand: set[asyncio.Task[None]] = set()
        self.subscription: Subscription | None = None

    async def start(self) -> None:
        self.subscription = await self.nc.subscribe(
            command_wildcard(self.department), queue=queue_group(self.department),
            cb=self._on_message)
        await self.nc.flush()  # the server has it: a caller told "ready" finds the subscription

    async def _on_message(self, msg: Msg) -> None:
        # Called one message after another by the subscription: take a slot, hand over, return.
        await self.slots.acquire()
        task = asyncio.create_task(self._answer(msg))
        self.in_hand.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.in_hand.discard(task)
        self.slots.release()

    async def _answer(self, msg: Msg) -> None:
        command = msg.subject.rsplit(".", 1)[-1]
        reply = await self.bus.handle(command, msg.data)
        if not msg.reply:
            return  # published, not requested: nobody waits for the answer
        try:
            await self.nc.publish(msg.reply, reply_bytes(reply))
        except Exception:
            log.warning("%s: could not answer %s", self.department, command, exc_info=True)

    async def stop(self, patience: float = 5.0) -> None:
        """No new commands; those in hand are answered (``patience`` seconds at most)."""
        if self.subscription is not None:
            try:
                await self.subscription.unsubscribe()
            except Exception:  # noqa: BLE001 - the connection is already closed
                log.info("%s: command subscription already gone", self.department)
            self.subscription = None
        if self.in_hand:
            _, late = await asyncio.wait(set(self.in_hand), timeout=patience)
            for task in late:
                task.cancel()
            if late:
                log.warning("%s: %d commands still in hand after %.0f s were cancelled",
                            self.department, len(late), patience)
