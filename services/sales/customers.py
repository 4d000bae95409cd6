"""Customer use cases of the sales application (R-S1 onboarding, R-S2 customer file)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from contracts.commands import customers as cmd
from contracts.commands.base import Command
from contracts.replies import EventRef
from services.domain import Context, NotFound
from services.runtime import object_store
from services.runtime.commands import UseCase
from services.sales.customer import Customer, customer_id

if TYPE_CHECKING:
    from services.runtime.store import DepartmentApplication as _Application
else:
    _Application = object


class CustomerUseCases(_Application):
    """Mixed into ``SalesApplication``: get, call, save, for the customer aggregate."""

    def customer(self, customer_no: str) -> Customer:
        try:
            return self.repository.get(customer_id(customer_no),  # type: ignore[no-any-return]
                                       projector_func=Customer.project)
        except AggregateNotFoundError:
            raise NotFound(None, f"customer {customer_no} does not exist",
                           f"客户 {customer_no} 不存在", field="customer_no") from None

    def submit_customer(self, c: cmd.SubmitCustomer, ctx: Context) -> list[EventRef]:
        customer = self.load_or_new(Customer, customer_id(c.customer_no))
        customer.submit(ctx, customer_no=c.customer_no, name=c.customer_name, contact=c.contact,
                        salesperson=c.salesperson)
        return self.store(customer)

    def confirm_customer(self, c: cmd.ConfirmCustomer, ctx: Context) -> list[EventRef]:
        customer = self.customer(c.customer_no)
        customer.confirm(ctx, c.assistant)
        return self.store(customer)

    def approve_contact_disclosure(self, c: cmd.ApproveContactDisclosure,
                                   ctx: Context) -> list[EventRef]:
        customer = self.customer(c.customer_no)
        customer.approve_disclosure(ctx, c.department, c.head)
        return self.store(customer)

    def send_contact_window(self, c: cmd.SendContactWindow, ctx: Context) -> list[EventRef]:
        customer = self.customer(c.customer_no)
        customer.send_window(ctx, c.contacts)
        return self.store(customer)

    def file_customer_document(self, c: cmd.FileCustomerDocument, ctx: Context) -> list[EventRef]:
        sha256, size = object_store.checked(c)
        customer = self.customer(c.customer_no)
        customer.file_document(ctx, category=c.category, title=c.title, filename=c.filename,
                               media_type=c.media_type, filed_on=c.filed_on,
                               sha256=sha256, size=size)
        # Only now, with the role, the customer's state and the file checked: a refused command
        # leaves nothing in the object store. A retry after a concurrent save stores it once.
        c.store_content()
        return self.store(customer)


CUSTOMER_COMMANDS: Mapping[type[Command], UseCase] = {
    cmd.SubmitCustomer: CustomerUseCases.submit_customer,
    cmd.ConfirmCustomer: CustomerUseCases.confirm_customer,
    cmd.ApproveContactDisclosure: CustomerUseCases.approve_contact_disclosure,
    cmd.SendContactWindow: CustomerUseCases.send_contact_window,
    cmd.FileCustomerDocument: CustomerUseCases.file_customer_document,
}
# Async steps run before a command's use case (e.g. checking a document's content).
CUSTOMER_PREPARERS: Mapping[type[Command], Callable[..., Awaitable[Any]]] = {
    cmd.FileCustomerDocument: object_store.check_content,
}
