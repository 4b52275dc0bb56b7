"""What the invoicing job bills for one account and due date, before anything is written.

- Renewals: every period of a renewing subscription that starts before the coverage end and was not
  billed yet (from `billed_through`), priced by services.renewals (due-day landing, active seats).
- Lapsed items: the unpaid items of the account's overdue open invoices, under each product's
  consolidation policy (domain.consolidation.plan_invoice): `carry` moves them into the new
  invoice and the old one is superseded; `separate` leaves the old invoice payable on its own.
- What a cancellation still bills for a renewal due on the same day (a batch license cancelled late,
  a renewal a late notice billed at once) joins the renewal's invoice, and its own invoice is
  superseded: one invoice, one boleto, per account and due date (Promob: "o boleto que contempla o
  pagamento das assinaturas"), whatever the consolidation policy.
- One invoice per payment method (an invoice is paid by one method: the boleto, or the card on the
  due date); carried items join the main one (boleto when any renewal is paid by boleto).
- Account credit pays first. A superseded invoice gives back what it had applied or received, so
  the new invoice settles the whole debt once: nothing created, nothing lost."""
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.consolidation import plan_invoice
from chalicelib.domain.money import apply_account_credit, format_brl
from chalicelib.services.invoicing.drafts import PAYABLE, AccountBill, Draft, invoice_line
from chalicelib.services.invoicing.lapsed_items import (
    carry_the_rest, carried, joins_the_renewal, open_groups, reissues,
)
from chalicelib.services.invoicing.orders import Line
from chalicelib.services.invoicing.renewal_billing import consolidation_of, pending_renewals, renewal_drafts
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem


def overdue_invoice_ids(snapshot: AccountSnapshot, today: date) -> list[str]:
    """Open invoices already past their due date: the lapsed items consolidation looks at."""
    return [summary.invoice_id for summary in snapshot.open_invoices
            if summary.status in PAYABLE and summary.due_date < today]


def same_due_invoice_ids(snapshot: AccountSnapshot, due_date: date) -> list[str]:
    """Open invoices due on the day the run bills: a cancellation's bill for that renewal joins it."""
    return [summary.invoice_id for summary in snapshot.open_invoices
            if summary.status in PAYABLE and summary.due_date == due_date]


def bill_account(catalog: Catalog, snapshot: AccountSnapshot, overdue: list[InvoiceItem],
                 due_date: date, coverage_end: date) -> AccountBill:
    """`overdue`: the overdue invoices, and those due on `due_date` (same_due_invoice_ids)."""
    account = snapshot.account
    renewals = pending_renewals(catalog, snapshot, coverage_end)
    if not renewals:
        return AccountBill([], [], account.credit_cents)
    joining = [invoice for invoice in overdue if joins_the_renewal(invoice, due_date)]
    overdue = [invoice for invoice in overdue if invoice.status in PAYABLE and invoice.due_date < due_date]
    groups = open_groups(overdue)
    policies = {s.subscription_id: consolidation_of(catalog, s) for s in snapshot.subscriptions}
    plan = plan_invoice(coverage_end, [r.charge for r in renewals],
                        [group.charge(policies) for group in groups.values()])
    drafts = renewal_drafts(renewals, due_date)
    main = drafts[0]
    by_id = {invoice.invoice_id: invoice for invoice in overdue}
    superseded = [by_id[invoice_id] for invoice_id in plan.superseded_invoice_ids]
    main.lines[:0] = [line for item in plan.lines if item.invoice_id for line in groups[item.subscription_id].lines]
    main.lines.extend(carried(line, invoice.invoice_id) for invoice in joining for line in invoice.lines
                      if line.subscription_id)
    superseded.extend(joining)
    returned_credit = carry_the_rest(main, superseded)
    drafts.extend(reissues(plan.reissue_separately, groups, by_id))
    credit = _apply_credit(drafts, account.credit_cents + returned_credit)
    return AccountBill(drafts, superseded, credit)


def _apply_credit(drafts: list[Draft], available: int) -> int:
    for draft in drafts:
        total = draft.total_cents
        if total <= 0 or not available:
            continue
        application = apply_account_credit(total, available)
        available = application.remaining_credit_cents
        applied = application.applied_cents
        credit = Line(f"Crédito da conta aplicado ({format_brl(applied)})", -applied, "credit")
        draft.lines.append(invoice_line(credit))
    return available
