"""Group commit: the commands waiting together are decided one after another and their events
written in one transaction.

One commit per command capped a department service near 330 commands/s (SQLite or PostgreSQL:
the commit, not the decision, is the cost). Commands that arrive while a batch is being written
wait, and form the next batch (up to ``Settings.command_batch_size``; a window of
``command_batch_window_ms`` may wait for more). A batch, in one worker thread:

1. Each command is decided on its own: a repeat of a handled command id gets its first reply;
   otherwise its use case runs with ``store()`` captured (``DepartmentApplication.capturing``)
   instead of writing. A refusal, or any error of its own, answers that command alone.
2. A command that loads or saves a record an earlier command of the batch saves, or that repeats
   an earlier one's command id, waits for the next batch, where it is decided on the stored
   state: exactly as if the commands had come one at a time, in order.
3. The events of the commands kept and their command log rows go in ONE transaction. On
   ``IntegrityError`` (another copy of the service, or a reaction, changed a record meanwhile)
   each command is written alone, and the one that conflicts is reloaded and retried alone. Any
   other error stores nothing and answers every command of the batch with it (``unavailable``
   for an outage).

Replies go out only after the commit. One batch is written at a time per service, the
notification log still grows in commit order, and a batch's events are in it in the order of
their commands: the relay and the consumers see nothing new.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError

from contracts.commands.base import Command
from contracts.replies import CommandReply, EventRef
from services.domain import Context, DomainError
from services.runtime.store import Capture, CommandKey, DepartmentApplication

log = logging.getLogger(__name__)

UseCase = Callable[[Any, Any, Context], list[EventRef]]


class Decider(Protocol):
    """What a group commit asks of the command bus."""

    def earlier_reply(self, key: CommandKey) -> CommandReply | None: ...

    def run_alone(self, use_case: UseCase, command: Command, key: CommandKey | None,
                  first_attempt: int) -> CommandReply: ...

    def refusal(self, error: Exception, command: str) -> CommandReply: ...

    def stored(self) -> None: ...


@dataclass
class Waiting:
    """A command waiting for its batch, and where its reply goes."""

    use_case: UseCase
    command: Command
    key: CommandKey | None
    reply: asyncio.Future[CommandReply]


@dataclass
class Decided:
    """A command whose use case ran captured: its events are waiting for the batch's commit."""

    index: int
    waiting: Waiting
    capture: Capture
    events: list[EventRef]


@dataclass
class BatchCounts:
    """What the group commits did so far (status and tests)."""

    batches: int = 0
    commands: int = 0
    largest: int = 0
    deferred: int = 0
    fallbacks: int = 0


class GroupCommit:
    """Collects a service's commands into batches; ``submit`` answers one command."""

    def __init__(self, app: DepartmentApplication, decider: Decider, size: int = 200,
                 window: float = 0.0) -> None:
        self.app, self.decider, self.size, self.window = app, decider, max(size, 1), window
        self.queue: deque[Waiting] = deque()
        self.counts = BatchCounts()
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, use_case: UseCase, command: Command,
                     key: CommandKey | None) -> CommandReply:
        loop = asyncio.get_running_loop()
        waiting = Waiting(use_case, command, key, loop.create_future())
        self.queue.append(waiting)
        draining = self._draining
        if draining is None or draining.done() or draining.get_loop() is not loop:
            self._draining = loop.create_task(self._drain(), name=f"{self.app.name}-commit")
        return await waiting.reply

    async def _drain(self) -> None:
        """Batch after batch while commands wait; every waiting command gets an answer."""
        batch: list[Waiting] = []
        try:
            while self.queue:
                if self.window > 0 and len(self.queue) < self.size:
                    await asyncio.sleep(self.window)
                batch = [self.queue.popleft() for _ in range(min(self.size, len(self.queue)))]
                # a caller that stopped waiting before its batch began: not applied
                batch = [w for w in batch if not w.reply.done()]
                if not batch:
                    continue
                try:
                    replies = await asyncio.to_thread(self.decide_and_write, batch)
                except asyncio.CancelledError:
                    raise
                except BaseException as error:  # a bug, or the process dying: the callers see it
                    for w in batch:
                        if not w.reply.done():
                            w.reply.set_exception(error)
                    batch = []
                    if isinstance(error, (KeyboardInterrupt, SystemExit)):
                        raise
                    continue
                later = [w for w, reply in zip(batch, replies, strict=True) if reply is None]
                for w, reply in zip(batch, replies, strict=True):
                    if reply is not None and not w.reply.done():
                        w.reply.set_result(reply)
                self.queue.extendleft(reversed(later))
                batch = []
        finally:  # cancelled (the loop is closing): nobody waits forever, nothing left behind
            for w in [*batch, *self.queue]:
                if not w.reply.done():
                    w.reply.cancel()
            self.queue.clear()

    def decide_and_write(self, batch: list[Waiting]) -> list[CommandReply | None]:
        """Each command's reply, or None for one that waits for the next batch."""
        replies: list[CommandReply | None] = [None] * len(batch)
        written: set[uuid.UUID] = set()
        ids: set[str] = set()
        kept: list[Decided] = []
        for index, waiting in enumerate(batch):
            key = waiting.key
            if key is not None:
                if key.command_id in ids:  # decided after the first copy is stored
                    continue
                ids.add(key.command_id)
            outcome = self.decide(index, waiting, written)
            if isinstance(outcome, Decided):
                touched = outcome.capture.loaded | outcome.capture.written
                if touched & written:  # decided on a state the batch changes: next batch
                    continue
                written |= outcome.capture.written
                kept.append(outcome)
            elif outcome is not None:
                replies[index] = outcome
        if kept:
            self.write(kept, replies)
        deferred = sum(reply is None for reply in replies)
        self.counts.batches += 1
        self.counts.commands += len(batch) - deferred
        self.counts.deferred += deferred
        self.counts.largest = max(self.counts.largest, len(batch))
        return replies

    def decide(self, index: int, waiting: Waiting,
               written: set[uuid.UUID]) -> Decided | CommandReply | None:
        """The command's reply when it is answered without writing, else its captured save;
        None when a record it read is being changed by the batch (see ``decide_and_write``)."""
        command, key = waiting.command, waiting.key
        try:
            if key is not None and (earlier := self.decider.earlier_reply(key)) is not None:
                return earlier
            ctx = self.app.context(command.actor, command.correlation_id, command.occurred_at)
            with self.app.capturing() as capture:
                try:
                    events = waiting.use_case(self.app, command, ctx)
                except DomainError as error:
                    # A refusal made on a record the batch changes is decided again on it.
                    if capture.loaded & written:
                        return None
                    return self.decider.refusal(error, command.name)
            if key is not None and sum(bool(s.events) for s in capture.saved) > 1:
                raise RuntimeError(f"{command.name} saved twice; a use case saves once")
            return Decided(index, waiting, capture, events)
        except IntegrityError:  # raised by the use case itself: its first attempt conflicted
            return self.decider.run_alone(waiting.use_case, command, key, 2)
        except Exception as error:  # noqa: BLE001 - answers this command alone
            return self.decider.refusal(error, command.name)

    def write(self, kept: list[Decided], replies: list[CommandReply | None]) -> None:
        """One transaction for every kept command; on a conflict, one each."""
        try:
            self.app.record_captured([d.capture for d in kept], self.handled_rows(kept))
        except IntegrityError:
            self.counts.fallbacks += 1
            log.info("%s: a batch of %d commands conflicted; writing them one by one",
                     self.app.name, len(kept))
            for decided in kept:
                replies[decided.index] = self.write_alone(decided)
        except Exception as error:  # noqa: BLE001 - nothing stored: every command is told
            reply = self.decider.refusal(error, "batch")
            for decided in kept:
                replies[decided.index] = reply
            return
        else:
            for decided in kept:
                replies[decided.index] = CommandReply(ok=True, events=decided.events)
        self.decider.stored()

    def write_alone(self, decided: Decided) -> CommandReply:
        waiting = decided.waiting
        try:
            self.app.record_captured([decided.capture], self.handled_rows([decided]))
        except IntegrityError:
            # The record changed under the batch, or another copy stored this command id.
            if waiting.key is not None and (earlier := self.decider.earlier_reply(waiting.key)):
                return earlier
            return self.decider.run_alone(waiting.use_case, waiting.command, waiting.key, 2)
        except Exception as error:  # noqa: BLE001 - this command alone is told
            return self.decider.refusal(error, waiting.command.name)
        return CommandReply(ok=True, events=decided.events)

    def handled_rows(self, kept: list[Decided]) -> tuple[Any, ...]:
        return tuple(self.app.handled_row(d.waiting.key, d.events) for d in kept
                     if d.waiting.key is not None and d.events)
