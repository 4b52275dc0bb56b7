"""The finance team's lists are written with what they list (on the fakes): a refund enters its
status's list in its own transaction, a credit grant is kept with the account's new balance, a bank
return import is kept with what the file did, and an NFS-e is on the failed list exactly while it is
failed."""
from pathlib import Path

import pytest

from chalicelib.errors import ConcurrentUpdate
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.base import account_pk
from chalicelib.store.credits import new_credit_grant
from chalicelib.store.payments import refund_sk
from chalicelib.store.service_invoices import service_invoice_sk
from tests.usecases.steps import pay, subscribe

STAFF = "fin-1"
CNAB = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cnab"


def paid(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    outcome = pay(world, account_id, done.invoice_id)
    return account_id, done.invoice_id, outcome.payment.payment_id


def test_a_refund_enters_its_status_list_with_its_own_write(world):
    account_id, invoice_id, payment_id = paid(world)
    made = world.refunds.refund_payment(account_id, payment_id, "Desistência no prazo", STAFF)
    assert made.status == "requested"  # Pix: returned by hand
    [listed], _ = world.payment_repository.refunds_by_status("requested", 10, None)
    assert (listed.refund_id, listed.account_id, listed.invoice_id, listed.amount_cents) == \
        (made.refund_id, account_id, invoice_id, made.amount_cents)
    assert world.payment_repository.refunds_by_status("refunded", 10, None)[0] == []
    wire = world.store.billing.raw(account_pk(account_id), refund_sk(made.refund_id))
    assert wire["gsi1pk"]["S"] == "REFUNDS#requested" and wire["gsi1sk"]["S"].endswith(made.refund_id)


def test_a_credit_grant_is_kept_with_the_balance_it_left(world):
    first_account, second_account = world.account(), world.account("Outra Conta", owner="u-other")
    world.credits.grant(first_account, 2_000, "Compensação", STAFF)
    world.clock.advance(minutes=1)
    account, grant = world.credits.grant(first_account, 500, "Ajuste", STAFF)
    world.clock.advance(minutes=1)
    world.credits.grant(second_account, 700, "Cortesia", STAFF)
    assert account.credit_cents == 2_500 and grant.balance_after_cents == 2_500
    everyone, _ = world.credit_repository.page(10, None)
    assert [(g.account_id, g.amount_cents, g.reason, g.granted_by, g.balance_after_cents) for g in everyone] == [
        (second_account, 700, "Cortesia", STAFF, 700), (first_account, 500, "Ajuste", STAFF, 2_500),
        (first_account, 2_000, "Compensação", STAFF, 2_000)]
    mine, _ = world.credit_repository.of_account(first_account, 10, None)
    assert [g.amount_cents for g in mine] == [500, 2_000]


def test_a_grant_on_a_stale_account_writes_nothing(world):
    account_id = world.account()
    stale = world.account_repository.get(account_id)
    world.credits.grant(account_id, 100, "Primeiro", STAFF)  # the account's version moves on
    stale.credit_cents = 999
    grant = new_credit_grant(account_id, "cred_stale", 999, "Concorrente", STAFF, 999, world.clock.now())
    audit = audit_entry(world.clock, account_id, actor=STAFF, action="credit.granted", target=account_id)
    with pytest.raises(ConcurrentUpdate):
        world.credit_repository.grant(stale, grant, audit)
    listed, _ = world.credit_repository.page(10, None)
    assert [g.reason for g in listed] == ["Primeiro"]
    assert world.account_repository.get(account_id).credit_cents == 100


def test_a_bank_return_import_is_kept_with_what_the_file_did(world):
    summary = world.bank_returns.import_file((CNAB / "CNAB240.RET").read_bytes(), "CNAB240.RET", STAFF)
    [kept], _ = world.bank_return_imports.page(10, None)
    assert kept.import_id == summary.id and (kept.name, kept.bank_code, int(kept.layout)) == ("CNAB240.RET", "001", 240)
    assert (kept.records, kept.unmatched, kept.settled, kept.imported_by) == \
        (summary.records, summary.unmatched, summary.settled, STAFF)
    assert [entry["line"] for entry in kept.to_check_list] == sorted(r.line for r in summary.unmatched_records)


def test_an_nfse_is_on_the_failed_list_only_while_it_is_failed(world):
    account_id, invoice_id, _ = paid(world)
    world.service_invoice_authority.reject_next("E0312", "Código de tributação nacional inexistente.")
    assert world.service_invoice_issuer.run_due()["failed"] == 1
    [listed], _ = world.service_invoice_repository.by_status("failed", 10, None)
    assert (listed.account_id, listed.invoice_id, listed.error_code) == (account_id, invoice_id, "E0312")
    assert listed.scheduled_for is not None and listed.scheduled_for > world.clock.now()
    world.clock.advance(days=1, hours=1)
    assert world.service_invoice_issuer.run_due()["issued"] == 1
    assert world.service_invoice_repository.by_status("failed", 10, None)[0] == []
    wire = world.store.billing.raw(account_pk(account_id), service_invoice_sk(invoice_id))
    assert "gsi2pk" not in wire and "gsi2sk" not in wire
