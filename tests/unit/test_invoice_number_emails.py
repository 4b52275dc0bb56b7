"""Every e-mail that names an invoice names it by its number (what the customer's finance team files),
in the subject when the subject names the invoice, and in both the text and the HTML bodies."""
import pytest

from chalicelib.adapters.email import render

NUMBER = "2026-000123"
LINES = [{"description": "Operand Pro — 2 licenças", "amount": "R$ 198,00", "carried": False}]
BOLETO = {"line": "34191.09008 00000.000000 00000.000000 1 00000000019900", "pix": "000201pix"}
OVERDUE = dict(account_name="Marcenaria", invoice_number=NUMBER, total="R$ 199,00", due_date="15/05/2026",
               suspend_on="20/05/2026", cancel_on="15/07/2026", invoice_url="https://portal/faturas/inv_1",
               card=None, subscriptions=[{"product_name": "Promob", "blocked": "licença de uso bloqueada"}])

CASES = {
    "invoice_issued": (True, dict(
        account_name="Marcenaria", invoice_number=NUMBER, total="R$ 199,00", due_date="15/05/2026", lines=LINES,
        boleto=BOLETO, card=None, paid=False, invoice_url="https://portal/faturas/inv_1", superseded=[])),
    "invoice_reminder": (True, dict(
        account_name="Marcenaria", invoice_number=NUMBER, amount="R$ 199,00", due_date="15/05/2026",
        days_left=3, lines=LINES, boleto=BOLETO, invoice_url="https://portal/faturas/inv_1")),
    "card_charge_failed": (True, dict(
        account_name="Marcenaria", amount="R$ 199,00", invoice_number=NUMBER, card_label="visa final 4242",
        reason="saldo insuficiente", next_attempt_on="18/05/2026")),
    "invoice_overdue": (False, OVERDUE),
    "license_suspended": (False, OVERDUE),
    "payment_confirmed": (False, dict(
        account_name="Marcenaria", amount="R$ 199,00", method_label="Pix", paid_on="10/05/2026",
        invoice_number=NUMBER, status="paid", remaining="R$ 0,00", credit="", reinstated=[], not_reinstated=False)),
}


@pytest.mark.parametrize("template", sorted(CASES))
def test_the_invoice_is_named_by_its_number(template):
    in_subject, context = CASES[template]
    email = render(template, ["financeiro@exemplo.com.br"], **context)
    assert NUMBER in email.text and NUMBER in email.html
    assert (NUMBER in email.subject) is in_subject
    assert "inv_" not in email.subject


def test_a_replaced_boleto_names_the_old_the_new_and_the_order_invoice_by_number():
    email = render(
        "boleto_replaced", ["financeiro@exemplo.com.br"], account_name="Marcenaria",
        old_invoice_number="2026-000007", old_total="R$ 199,00", old_due_date="15/05/2026", had_boleto=True,
        replacement={"number": "2026-000009", "total": "R$ 398,00", "due_date": "15/05/2026",
                     "url": "https://portal/faturas/inv_9", "paid": False, "lines": LINES},
        order_invoice_number="2026-000008")
    assert email.subject == "O boleto da fatura 2026-000007 foi substituído — Marcenaria"
    for body in (email.text, email.html):
        assert all(number in body for number in ("2026-000007", "2026-000008", "2026-000009"))


def test_an_issued_invoice_lists_the_invoices_it_consolidates_by_number():
    context = dict(CASES["invoice_issued"][1], superseded=["2026-000004", "2026-000005"])
    email = render("invoice_issued", ["financeiro@exemplo.com.br"], **context)
    assert email.subject == f"Fatura {NUMBER}: seu boleto de R$ 199,00 vence em 15/05/2026 — Marcenaria"
    assert "itens em atraso de: 2026-000004, 2026-000005" in email.text
