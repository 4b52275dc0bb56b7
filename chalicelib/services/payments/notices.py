"""E-mails about money (pt-BR): payment confirmed and card charge failed to the account (billing list
plus the owner, PRODUCT.md §1), and alerts to the finance team (bank return files refused or with
entries to check, payments that matched no invoice). Refund requests and chargebacks alert the team
through a standing notice written with the change (services/subscriptions/standing_notices.py: crash-safe)."""
from datetime import date

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.adapters.email import render
from chalicelib.domain.money import format_brl
from chalicelib.store.billing import AccountSnapshot

METHOD_LABELS = {"card": "cartão de crédito", "pix": "Pix", "boleto": "boleto", "pix_automatico": "Pix Automático"}


def snapshot_recipients(snapshot: AccountSnapshot) -> list[str]:
    """The billing list plus the owner, from the account's live items (no further read)."""
    account = snapshot.account
    if account is None:
        return []
    billing = account.billing_data.as_dict() if account.billing_data else {}
    emails = list(billing.get("billing_emails") or [])
    emails += [m.email for m in snapshot.members if m.user_id == account.owner_user_id and m.email]
    return list(dict.fromkeys(email.lower() for email in emails))


def _product_label(reinstated: dict) -> str:
    return reinstated.get("product_name") or reinstated.get("product_id") or reinstated["subscription_id"]


def _brazilian_date(day) -> str:
    return day.strftime("%d/%m/%Y")


class PaymentNotices:
    def __init__(self, mailer, finance_team_email: str):
        self._mailer = mailer
        self._finance = finance_team_email

    def payment_confirmed(self, snapshot: AccountSnapshot, payment, invoice, message_key: str | None = None,
                          queued_at=None, reinstated: list[dict] = (), not_reinstated: bool = False) -> None:
        """`message_key`, `queued_at`: the same message if it has to be sent again (see settlement).
        `reinstated`: the `subscription.reinstated` events of a manual renewal (data); `not_reinstated`:
        the payment was for a subscription that could not come back, and became credit to refund."""
        account = snapshot.account
        if account is None:
            return
        remaining = max(invoice.total_cents - (invoice.paid_cents or 0), 0)
        email = render("payment_confirmed", snapshot_recipients(snapshot), account_name=account.name,
                       amount=format_brl(payment.amount_cents),
                       method_label=METHOD_LABELS.get(payment.method, payment.method),
                       paid_on=_brazilian_date(payment.paid_at.astimezone(SAO_PAULO)),
                       invoice_number=invoice.label, status=invoice.status if payment.applied_cents else "credit",
                       remaining=format_brl(remaining),
                       credit=format_brl(payment.credit_cents) if payment.credit_cents else "",
                       reinstated=[{"product": _product_label(item),
                                    "period_start": _brazilian_date(date.fromisoformat(item["period_start"])),
                                    "period_end": _brazilian_date(date.fromisoformat(item["period_end"]))}
                                   for item in reinstated],
                       not_reinstated=not_reinstated)
        self._mailer.send(email, account.account_id, message_key=message_key, queued_at=queued_at)

    def card_charge_failed(self, snapshot: AccountSnapshot, invoice_number: str, amount_cents: int, reason: str,
                           next_attempt_on) -> None:
        """invoice_number: the invoice's label (its number, or its id if it has none)."""
        account, card = snapshot.account, snapshot.card
        if account is None:
            return
        card_label = f"{card.brand} final {card.last4}" if card else "cadastrado"
        email = render("card_charge_failed", snapshot_recipients(snapshot), account_name=account.name,
                       amount=format_brl(amount_cents), invoice_number=invoice_number, card_label=card_label,
                       reason=reason, next_attempt_on=_brazilian_date(next_attempt_on) if next_attempt_on else None)
        self._mailer.send(email, account.account_id)

    def finance_alert(self, title: str, lines: list[str], action: str, account_id: str | None = None) -> None:
        email = render("finance_alert", [self._finance], title=title, lines=lines, action=action)
        self._mailer.send(email, account_id)

    def unmatched_payment(self, item) -> None:
        self.finance_alert(
            "Pagamento sem fatura correspondente",
            [f"Valor: {format_brl(item.amount_cents)} ({METHOD_LABELS.get(item.method, item.method)})",
             f"Origem: {item.source}", f"Referência informada: {item.reference}",
             f"Registro: {item.receipt_key}"],
            "Identifique o cliente e credite o valor manualmente (crédito na conta) ou devolva-o.")
