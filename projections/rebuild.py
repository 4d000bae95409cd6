"""A rebuild: new builds of some read models, filled from the streams beside the live builds.

Queries keep reading the live builds meanwhile. The rebuild has its own position in each
stream (tracking key ``<live key>#<token>``), stored with its writes. When it stands at or past
the live position in every stream, ``finish`` swaps its builds in, in one transaction under the
projector's write lock, so no live batch falls between: the live consumers then go on from
their own position, and events the new builds already hold are skipped by their event id.
``abandon`` forgets the builds and drops their tables; the live builds never changed.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from eventsourcing.persistence import Tracking

from projections import registry
from projections.model import Item, ReadModel
from projections.projector import Projector, Target

log = logging.getLogger(__name__)


@dataclass
class Run:
    """One rebuild of some read models; ``state`` is building, done or abandoned."""

    projector: Projector
    token: str
    targets: list[Target]
    state: str = "building"
    applied: int = field(default=0)

    @classmethod
    def begin(cls, projector: Projector, models: Sequence[ReadModel]) -> Run:
        token = registry.new_token()
        store = projector.store
        with store.write() as c:
            targets = [(m, registry.create(store, c, m, token, "building")) for m in models]
        return cls(projector, token, targets)

    @property
    def names(self) -> list[str]:
        return [model.name for model, _ in self.targets]

    def key(self, live_key: str) -> str:
        return f"{live_key}#{self.token}"

    def position(self, live_key: str) -> int:
        return self.projector.store.position(self.key(live_key))

    def apply(self, items: Sequence[Item]) -> None:
        """Fold a batch into the new builds, with this rebuild's position in that stream."""
        store = self.projector.store
        with store.write() as c:
            if self.state != "building":
                return  # swapped in or abandoned: a late batch must not write any more
            self.projector.fold(c, self.targets, items)
            last = items[-1][1]
            store.track(c, Tracking(self.key(last.application_name), last.notification_id))
        self.applied += len(items)

    def finish(self, live_keys: Sequence[str]) -> bool:
        """Swap the new builds in if they have caught up with the live position in every
        stream (``live_keys``: the live consumers' tracking keys); False if not yet."""
        store, projector = self.projector.store, self.projector
        before = (dict(projector.live), list(projector.stale))
        try:
            with store.write() as c:
                if self.state != "building":
                    return False
                for key in live_keys:
                    if store.position_in(c, self.key(key)) < store.position_in(c, key):
                        return False
                for _, build in self.targets:
                    registry.promote(store, c, build)
                store.forget(c, [self.key(key) for key in live_keys])
                # Inside the lock: the next live batch already folds into the new builds.
                self.state = "done"
                projector.live.update({model.name: (model, build) for model, build in self.targets})
                projector.stale = [m for m in projector.stale if m.name not in self.names]
        except BaseException:
            if self.state == "done":  # the commit failed: nothing was swapped
                self.state = "building"
                projector.live, projector.stale = before
            raise
        log.info("rebuilt read models %s swapped in", ", ".join(self.names))
        return True

    def abandon(self) -> None:
        """Forget the new builds and drop their tables; the live builds are untouched."""
        store = self.projector.store
        with store.write() as c:
            if self.state != "building":
                return
            self.state = "abandoned"
            for model, _ in self.targets:
                registry.forget(store, c, model.name, self.token)
            store.forget(c, [k for k in store.tracked_keys(c) if k.endswith(f"#{self.token}")])
            registry.collect_garbage(store, c, self.projector.models.all())
        log.warning("rebuild of %s abandoned; the previous tables are still served",
                    ", ".join(self.names))

    def collect_garbage(self) -> None:
        """Drop the tables the swap replaced (called a little later: a query may still read
        them on PostgreSQL, where a statement sees what was committed when it started)."""
        store = self.projector.store
        with store.write() as c:
            registry.collect_garbage(store, c, self.projector.models.all())
