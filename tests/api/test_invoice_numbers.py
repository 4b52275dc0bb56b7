"""Invoice numbers (docs/invoicing.md, "Invoice number"): one sequence per account across every kind
of invoice, allocated in the transaction that writes the invoice; shown in the API and the e-mails.
Invoices written before numbering still answer, with `number` null."""
from datetime import datetime, timezone

import pytest

from chalicelib.errors import ConcurrentUpdate
from chalicelib.services.invoicing.orders import Line, invoice_items, with_account_credit
from chalicelib.store.base import account_pk
from chalicelib.store.billing import WriteSet
from chalicelib.store.invoices import INVOICE_COUNTER_SK, InvoiceCounterItem
from tests.steps.billing_steps import at, change, subscribe
from tests.steps.invoicing_steps import billable_account, invoice, invoices, outbox, pay, run_job, stored_invoices
from tests.unit.boleto.test_boleto_pdf import pdf_text

pytestmark = pytest.mark.ddblocal

NOW = datetime(2026, 4, 20, 13, 0, tzinfo=timezone.utc)


def counter_of(account_id: str) -> int:
    item = InvoiceCounterItem.get(account_pk(account_id), INVOICE_COUNTER_SK, consistent_read=True)
    return int(item.last)


def new_invoice(snapshot, amount_cents: int = 1000):
    """An order invoice built from `snapshot`, numbered after the counter that snapshot read."""
    order = with_account_credit([Line("Armazenamento adicional — 10 GB", amount_cents, "addon")], 0)
    invoice_item, related = invoice_items(snapshot.account_id, order, origin="change", payment_method="boleto",
                                          now=NOW, billed=[], number=snapshot.next_invoice_number(NOW.date()))
    return invoice_item, related


def commit(invoice_item, related) -> None:
    writes = WriteSet()
    for item in (invoice_item, *related):
        writes.create(item)
    writes.commit()


def test_numbers_follow_each_other_per_account_across_invoice_kinds(client, aws, tmp_path):
    account_id, token = billable_account(client, "numbers-owner", due_day=15, name="Numeradora")
    at(client, "2026-04-20", "10:00:00")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2,
                    payment_method="boleto")
    pay(client, sub["invoice_id"])
    at(client, "2026-04-25", "10:00:00")
    changed = change(client, account_id, token, sub["id"], {"quantity": 3})
    assert changed.status_code == 200, changed.data
    pay(client, changed.data["invoice_id"])
    run_job(client, "2026-05-08")
    other_id, other_token = billable_account(client, "numbers-other", due_day=15)
    other = subscribe(client, other_id, other_token, product_id="operand-pro", periodicity="monthly",
                      payment_method="boleto")

    listed = invoices(client, account_id, token)
    assert sorted((i["origin"], i["number"]) for i in listed) == [
        ("change", "2026-000002"), ("renewal", "2026-000003"), ("subscription", "2026-000001")]
    assert counter_of(account_id) == 3
    renewal = next(i for i in listed if i["origin"] == "renewal")
    assert invoice(client, account_id, token, renewal["id"])["number"] == "2026-000003"
    # Another account has its own sequence.
    assert invoice(client, other_id, other_token, other["invoice_id"])["number"] == "2026-000001"

    # Each boleto invoice — the subscription, the change's order, the renewal — is e-mailed by its number.
    mails = {m["subject"].split(":")[0]: m for m in outbox(client) if account_id in m["text"]}
    assert sorted(mails) == ["Fatura 2026-000001", "Fatura 2026-000002", "Fatura 2026-000003"]
    mail = mails["Fatura 2026-000003"]
    assert mail["subject"].startswith("Fatura 2026-000003: seu boleto de ")
    assert "A fatura 2026-000003 da conta Numeradora foi emitida." in mail["text"]
    assert renewal["id"] not in mail["subject"]
    [stored] = [i for i in stored_invoices(account_id) if i.invoice_id == renewal["id"]]
    assert "2026-000003" in pdf_text(aws.files.get(stored.pdf_key), tmp_path)  # the boleto's Nº do documento


def test_an_invoice_from_before_numbering_answers_with_number_null(client, aws):
    account_id, token = billable_account(client, "legacy-owner")
    legacy, _ = new_invoice(aws.billing_repository.snapshot(account_id))
    legacy.number = None
    legacy.save()  # as invoices were written before numbering: no number, no counter

    assert invoice(client, account_id, token, legacy.invoice_id)["number"] is None
    assert [(i["id"], i["number"]) for i in invoices(client, account_id, token)] == [(legacy.invoice_id, None)]
    assert legacy.label == legacy.invoice_id  # what e-mails and the boleto print for it


def test_two_writers_that_read_the_same_counter_cannot_both_take_its_next_number(client, aws):
    """The interleaving of a race, step by step (moto runs one request at a time): both read the
    counter, one commits, the other's transaction is refused whole and its retry takes the next."""
    account_id, _ = billable_account(client, "race-owner")
    repository = aws.billing_repository
    first_read, second_read = repository.snapshot(account_id, True), repository.snapshot(account_id, True)
    first, second = new_invoice(first_read), new_invoice(second_read)
    assert first[0].number == second[0].number == "2026-000001"

    commit(*first)
    with pytest.raises(ConcurrentUpdate):
        commit(*second)
    assert [i.invoice_id for i in stored_invoices(account_id)] == [first[0].invoice_id]  # nothing of it written
    assert counter_of(account_id) == 1

    retried = new_invoice(repository.snapshot(account_id, True))  # read again, as the services retry
    commit(*retried)
    assert sorted(i.number for i in stored_invoices(account_id)) == ["2026-000001", "2026-000002"]
    assert counter_of(account_id) == 2


def test_several_invoices_of_one_transaction_take_consecutive_numbers_and_none_goes_unnumbered(client, aws):
    account_id, _ = billable_account(client, "batch-owner")
    snapshot = aws.billing_repository.snapshot(account_id, True)
    one, two = new_invoice(snapshot), new_invoice(snapshot, 2000)
    writes = WriteSet()
    for item in (*one[1], one[0], two[0], *two[1]):
        writes.create(item)
    writes.commit()
    assert sorted(i.number for i in stored_invoices(account_id)) == ["2026-000001", "2026-000002"]
    assert counter_of(account_id) == 2

    unnumbered, _ = new_invoice(aws.billing_repository.snapshot(account_id, True))
    unnumbered.number = None
    with pytest.raises(ValueError, match="without a number"):
        WriteSet().create(unnumbered)


def test_the_openapi_document_describes_the_number_on_invoices_and_lists(client):
    schemas = client.call("GET", "/v1/openapi.json").data["components"]["schemas"]
    for name in ("InvoiceSummaryOut", "InvoiceOut", "SecondCopyOut"):
        number = schemas[name]["properties"]["number"]
        assert {"type": "string"} in number["anyOf"] and {"type": "null"} in number["anyOf"], number
        assert "number" not in schemas[name].get("required", [])
    assert schemas["InvoicePage"]["properties"]["items"]["items"]["$ref"].endswith("/InvoiceSummaryOut")
