"""Requests to the finance team ("Solicitações", PRODUCT.md §10): an account opens one (nota fiscal,
more licenses, other) and exchanges messages with the team in a thread.

Status: `open` while it waits for the team (new, or the customer wrote again), `answered` after the
team's reply, `closed` when the team closes it; a closed request takes no more messages. The team is
e-mailed on every customer message; the account (billing list and owner) on every reply."""
from enum import StrEnum

from chalicelib.adapters.email import render
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.recipients import billing_recipients
from chalicelib.store.base import account_pk
from chalicelib.store.requests import RequestItem, new_message_item, request_sk

TYPE_LABELS = {"nota_fiscal": "Nota fiscal", "licenses": "Licenças", "other": "Outro"}


class RequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


CUSTOMER, FINANCE = "customer", "finance"


class RequestService:
    def __init__(self, repository, accounts, mailer, clock, finance_team_email: str):
        self._repo = repository
        self._accounts = accounts
        self._mailer = mailer
        self._clock = clock
        self._team = finance_team_email

    def open(self, account_id: str, request_type: str, text: str, actor: str,
             request_id: str | None = None) -> RequestItem:
        """`request_id`: chosen by a use case that opens the request itself and must open it once
        (the id is recorded first; see `opened`)."""
        account = self._account(account_id)
        now = self._clock.now()
        request_id = request_id or sortable_id("req", now)
        request = RequestItem(
            pk=account_pk(account_id), sk=request_sk(request_id), account_id=account_id,
            request_id=request_id, request_type=request_type, status=RequestStatus.OPEN.value, text=text,
            opened_by=actor, last_activity_at=now, message_count=1, created_at=now,
        )
        request.index_by_status()
        message = new_message_item(request, sortable_id("msg", now), CUSTOMER, actor, text, now)
        audit = audit_entry(self._clock, account_id, actor=actor, action="request.opened",
                            target=request_id, after={"type": request_type, "status": request.status})
        self._repo.open(request, message, audit)
        self._mailer.send(render("request_opened", [self._team], account_name=account.name,
                                 account_id=account_id, request_id=request_id,
                                 type_label=TYPE_LABELS[request_type], text=text), account_id=account_id)
        return request

    def opened(self, account_id: str, request_id: str) -> bool:
        return self._repo.get(account_id, request_id) is not None

    def list(self, account_id: str, limit: int, after: str | None):
        return self._repo.list(account_id, limit, after)

    def get(self, account_id: str, request_id: str) -> RequestItem:
        request = self._repo.get(account_id, request_id)
        if request is None:
            raise NotFound("Solicitação não encontrada.", code="request_not_found")
        return request

    def messages(self, account_id: str, request_id: str, limit: int, after: str | None):
        self.get(account_id, request_id)
        return self._repo.messages(account_id, request_id, limit, after)

    def customer_message(self, account_id: str, request_id: str, text: str, actor: str):
        """The account writes in the thread: the request waits for the team again."""
        request = self.get(account_id, request_id)
        message = self._add(request, CUSTOMER, actor, text, RequestStatus.OPEN, "request.message_added")
        account = self._account(account_id)
        self._mailer.send(render("request_customer_reply", [self._team], account_name=account.name,
                                 account_id=account_id, request_id=request_id,
                                 type_label=TYPE_LABELS.get(request.request_type, request.request_type),
                                 text=text), account_id=account_id)
        return request, message

    # --- the finance team -------------------------------------------------------------------
    def find(self, request_id: str) -> RequestItem:
        """A request by id alone (admin routes); every account's requests are in reach of the team."""
        account_id = self._repo.account_of(request_id)
        if account_id is None:
            raise NotFound("Solicitação não encontrada.", code="request_not_found")
        return self.get(account_id, request_id)

    def by_status(self, status: str, limit: int, after: dict | None):
        return self._repo.by_status(status, limit, after)

    def answer(self, request_id: str, text: str, close: bool, actor: str):
        request = self.find(request_id)
        status = RequestStatus.CLOSED if close else RequestStatus.ANSWERED
        action = "request.closed" if close else "request.answered"
        message = self._add(request, FINANCE, actor, text, status, action)
        account = self._account(request.account_id)
        self._mailer.send(render("request_answered", billing_recipients(self._accounts, account),
                                 account_name=account.name, closed=close, text=text,
                                 type_label=TYPE_LABELS.get(request.request_type, request.request_type)),
                          account_id=request.account_id)
        return request, message

    def _add(self, request: RequestItem, author: str, actor: str, text: str, status: RequestStatus,
             action: str):
        if request.status == RequestStatus.CLOSED:
            raise Conflict("Esta solicitação está encerrada; abra uma nova solicitação.",
                           code="request_closed")
        now = self._clock.now()
        before = {"status": request.status}
        request.status = status.value
        request.last_activity_at = now
        request.message_count = (request.message_count or 0) + 1
        request.index_by_status()
        message = new_message_item(request, sortable_id("msg", now), author, actor, text, now)
        audit = audit_entry(self._clock, request.account_id, actor=actor, action=action,
                            target=request.request_id, before=before,
                            after={"status": request.status, "author": author})
        self._repo.add_message(request, message, audit)
        return message

    def _account(self, account_id: str):
        account = self._accounts.get(account_id)
        if account is None:
            raise NotFound("Conta não encontrada.", code="account_not_found")
        return account
