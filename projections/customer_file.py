"""The customers and their electronic file (R-S1, R-S2): who the customer is, and its documents
by category and date.

Customer rows are folded (a disclosure is appended), so the model records the ids of the
events it applied and is handed each event once; documents are keyed by their event id."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any, ClassVar

from events import customers as ev
from events.customers import DocumentCategory
from events.envelope import DomainEvent
from projections import registry
from projections.model import Build, Item, ReadModel
from projections.store import ViewStore

CUSTOMER_COLUMNS = ("customer_no", "name", "contact_person", "salesperson", "assistant", "status",
                    "disclosures", "submitted_at", "window_sent_at")
DOCUMENT_COLUMNS = ("customer_no", "category", "filed_on", "title", "filename", "media_type",
                    "sha256", "size", "filed_by", "filed_at", "event_id")
# The file is kept in DOMAIN.md's order: basic data, product information, drawings, quotations.
_CATEGORY_ORDER = "CASE category " + " ".join(
    f"WHEN '{c.value}' THEN {i}" for i, c in enumerate(DocumentCategory)) + " ELSE 99 END"


def _at(event: ev.CustomerEvent) -> str:
    return event.timestamp.astimezone(UTC).isoformat()


class CustomerFile(ReadModel):
    """Read model ``customers``: one row per customer (``customers``), per document
    (``customer_documents``)."""

    name: ClassVar[str] = "customers"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]] = ("customers", "customer_documents", "customers_applied")
    applied: ClassVar[str | None] = "customers_applied"

    def wants(self, event: DomainEvent) -> bool:
        return isinstance(event, ev.CustomerEvent)

    def ddl(self) -> list[str]:
        return [
            "CREATE TABLE {customers} (customer_no TEXT PRIMARY KEY, "
            "name TEXT NOT NULL, contact_person TEXT, salesperson TEXT NOT NULL, assistant TEXT, "
            "status TEXT NOT NULL, disclosures TEXT NOT NULL DEFAULT '', "
            "submitted_at TEXT NOT NULL, window_sent_at TEXT)",
            "CREATE TABLE {customer_documents} (event_id TEXT PRIMARY KEY, "
            "customer_no TEXT NOT NULL, category TEXT NOT NULL, "
            "filed_on TEXT NOT NULL, title TEXT NOT NULL, filename TEXT NOT NULL, "
            "media_type TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, "
            "filed_by TEXT NOT NULL, filed_at TEXT NOT NULL)",
            "CREATE INDEX {index}_documents_customer "
            "ON {customer_documents} (customer_no, category, filed_on)",
        ]

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        for event, _, _ in items:
            if isinstance(event, ev.CustomerEvent):
                self._fold(store, c, build, event)

    def _fold(self, store: ViewStore, c: Any, b: Build, e: ev.CustomerEvent) -> None:
        key = {"customer_no": e.customer_no}
        if isinstance(e, ev.CustomerSubmitted):
            c.execute(b.sql(store,
                "INSERT INTO {customers} (customer_no, name, contact_person, salesperson, status, "
                "submitted_at) VALUES (%(customer_no)s, %(name)s, %(person)s, %(salesperson)s, "
                "'submitted', %(at)s) ON CONFLICT (customer_no) DO NOTHING"),
                {**key, "name": e.name, "person": e.contact.person, "salesperson": e.salesperson,
                 "at": _at(e)})
        elif isinstance(e, ev.CustomerConfirmed):
            c.execute(b.sql(store, "UPDATE {customers} SET assistant = %(assistant)s, "
                                   "status = 'confirmed' WHERE customer_no = %(customer_no)s"),
                      {**key, "assistant": e.assistant})
        elif isinstance(e, ev.ContactDisclosureApproved):
            c.execute(b.sql(store,
                "UPDATE {customers} SET disclosures = CASE WHEN disclosures = '' THEN %(d)s "
                "ELSE disclosures || ',' || %(d)s END WHERE customer_no = %(customer_no)s"),
                {**key, "d": e.disclosed_department.value})
        elif isinstance(e, ev.ContactWindowSent):
            c.execute(b.sql(store, "UPDATE {customers} SET status = 'window_sent', "
                                   "window_sent_at = %(at)s WHERE customer_no = %(customer_no)s"),
                      {**key, "at": _at(e)})
        elif isinstance(e, ev.CustomerDocumentFiled):
            marks = ", ".join(["%s"] * len(DOCUMENT_COLUMNS))
            c.execute(b.sql(store,
                f"INSERT INTO {{customer_documents}} ({', '.join(DOCUMENT_COLUMNS)}) "
                f"VALUES ({marks}) ON CONFLICT (event_id) DO NOTHING"),
                (e.customer_no, e.category.value, e.filed_on.isoformat(), e.title, e.filename,
                 e.media_type, e.sha256, e.size, e.actor.user, _at(e), str(e.event_id)))

    # -- queries ----------------------------------------------------------------------------
    def customers(self, store: ViewStore) -> list[dict[str, Any]]:
        with store.read() as c:
            b = registry.require_live(store, c, self)
            c.execute(b.sql(store, f"SELECT {', '.join(CUSTOMER_COLUMNS)} FROM {{customers}} "
                                   "ORDER BY customer_no"))
            return [dict(r) for r in c.fetchall()]

    def customer(self, store: ViewStore, customer_no: str) -> dict[str, Any] | None:
        with store.read() as c:
            b = registry.require_live(store, c, self)
            c.execute(b.sql(store, f"SELECT {', '.join(CUSTOMER_COLUMNS)} FROM {{customers}} "
                                   "WHERE customer_no = %(customer_no)s"),
                      {"customer_no": customer_no})
            found = c.fetchone()
            return dict(found) if found else None

    def documents(self, store: ViewStore, customer_no: str,
                  category: str | None = None) -> list[dict[str, Any]]:
        """The customer's file, by category (in the file's order), then date, then filing order."""
        params = {"customer_no": customer_no, "category": category}
        clause = " AND category = %(category)s" if category else ""
        with store.read() as c:
            b = registry.require_live(store, c, self)
            c.execute(b.sql(store,
                f"SELECT {', '.join(DOCUMENT_COLUMNS[:-1])} FROM {{customer_documents}} "
                f"WHERE customer_no = %(customer_no)s{clause} "
                f"ORDER BY {_CATEGORY_ORDER}, filed_on, filed_at, event_id"), params)
            return [dict(r) for r in c.fetchall()]
