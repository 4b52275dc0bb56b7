"""Pix Automático webhooks (`POST /v1/webhooks/pix`), the PSP's notifications of recurrences
(`{"recs": [...]}`, WebhookRecBody), cycle charges (`{"cobsr": [...]}`, WebhookCobRBody) and the
Pix received on journey 3's immediate charges (`{"pix": [...]}`, WebhookPixBody).

Who may call: in AWS the PSP reaches the API's custom domain over mutual TLS (API Gateway checks
its client certificate against the truststore before the Lambda runs, and the request context
carries it); with PIX_WEBHOOK_TOKEN set (always in the local stage) the header `X-Webhook-Token`
must equal it, compared in constant time. Anything else answers 400 and records nothing.

Each recurrence item is applied through PixAutomaticoService.apply: replays are `duplicate`, late
ones `stale`. Each cycle-charge item goes to PixChargeNotifications (pix_charge_payments.py): a
concluded charge settles its invoice through the exactly-once settlement, any state is mirrored on
the invoice when it is a step forward. Each Pix received goes to PixImmediatePayments
(pix_first_payments.py), which settles the invoice its txid names."""
import hmac
import json
import logging
import re
from dataclasses import dataclass

from chalicelib.errors import BadRequest
from chalicelib.domain.pix_automatico import RecurrenceStatus
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.payments.pix_automatico import Notification
from chalicelib.services.payments.webhooks import rejected

_log = get_logger("pix_webhooks")


@dataclass(frozen=True)
class ItemOutcome:
    kind: str  # rec | cobr | pix
    id: str | None
    status: str | None
    outcome: str
    invoice_id: str | None = None
    payment_id: str | None = None
    invoice_status: str | None = None


class PixWebhookService:
    def __init__(self, settings, recurrences, charges, immediate):
        """`charges`: PixChargeNotifications (cycle charges); `immediate`: PixImmediatePayments."""
        self._immediate = immediate
        self._settings = settings
        self._recurrences = recurrences
        self._charges = charges

    def receive(self, raw_body: bytes, token_header: str | None, client_certificate: bool = False) -> list[ItemOutcome]:
        self.verify(token_header, client_certificate)
        try:
            body = json.loads(raw_body or b"null")
        except ValueError as exc:
            raise BadRequest("Corpo do webhook não é JSON.", code="malformed_json") from exc
        _check_shape(body)  # the whole body before any item is applied: nothing half-done
        outcomes = []
        for item in _items(body, "pix"):  # before the recurrence it may come with (journey 3)
            done = self._immediate.apply(item)
            outcomes.append(ItemOutcome("pix", item.get("txid"), None, done.outcome, done.invoice_id,
                                        done.payment_id, done.invoice_status))
        for item in _items(body, "recs"):
            rec_id, status = item["idRec"], item["status"]
            ending = item.get("encerramento") if isinstance(item.get("encerramento"), dict) else {}
            detail = ending.get("rejeicao") or ending.get("cancelamento") or {}
            notification = Notification(rec_id, status, detail.get("codigo"), detail.get("solicitante"))
            outcomes.append(ItemOutcome("rec", rec_id, status, self._recurrences.apply(notification)))
        for item in _items(body, "cobsr"):
            txid, status = item["txid"], item["status"]
            done = self._charges.apply(item)
            outcomes.append(ItemOutcome("cobr", txid, status, done.outcome, done.invoice_id, done.payment_id,
                                        done.invoice_status))
        return outcomes

    def verify(self, token_header: str | None, client_certificate: bool) -> None:
        expected = self._settings.pix_webhook_token
        if expected:
            if token_header and hmac.compare_digest(token_header.encode(), expected.encode()):
                return
            raise rejected("token", "pix")
        if not self._settings.is_local and client_certificate:
            return
        raise rejected("no client certificate", "pix")


# What each list's items must carry (WebhookRecBody, WebhookCobRBody): a notification without them
# cannot be matched to anything, so the delivery is refused (400) and the PSP sends it again.
_REQUIRED = {"recs": ("idRec", "status"), "cobsr": ("txid", "status"), "pix": ("endToEndId", "valor")}


def _check_shape(body) -> None:
    if not isinstance(body, dict):
        raise BadRequest("Corpo do webhook deve ser um objeto com recs, cobsr ou pix.", code="malformed_webhook")
    for key, fields in _REQUIRED.items():
        items = body.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(
                isinstance(item, dict) and all(isinstance(item.get(name), str) for name in fields) for item in items):
            log_event(_log, "pix webhook malformed", level=logging.WARNING, key=key)
            raise BadRequest(f"Webhook Pix malformado: cada item de {key} deve ser um objeto com "
                             f"{' e '.join(fields)}.", code="malformed_webhook")
    recurrence_states = {status.value for status in RecurrenceStatus}
    if any(item["status"] not in recurrence_states for item in body.get("recs") or []):
        raise BadRequest("Webhook Pix malformado: status de recorrência desconhecido.", code="malformed_webhook")
    if any(not re.fullmatch(r"\d{1,10}\.\d{2}", item["valor"]) for item in body.get("pix") or []):
        raise BadRequest("Webhook Pix malformado: valor do Pix fora do formato 0.00.", code="malformed_webhook")


def _items(body: dict, key: str) -> list[dict]:
    return body.get(key) or []


class DevPixAutomatico:
    """Local stage: the fake PSP plays the payer's bank; its notification comes in through `receive`
    with the stage's token, as a real delivery does."""

    def __init__(self, settings, psp, webhooks):
        self._settings = settings
        self._psp = psp
        self._webhooks = webhooks

    def answer(self, rec_id: str, action: str, payer_max_cents: int | None = None) -> tuple[dict, list[ItemOutcome]]:
        """`payer_max_cents`: the maximum per payment the payer sets in their bank app as they approve."""
        from chalicelib.adapters.pix_automatico import PspError
        from chalicelib.errors import Conflict, NotFound

        try:
            from urllib.parse import quote

            from chalicelib.domain.pix_automatico import reais

            body = {"valorMaximo": reais(payer_max_cents)} if payer_max_cents else None
            notification = self._psp.fake_control("POST", f"/rec/{quote(rec_id, safe='')}/{action}", body)
        except PspError as error:
            if error.status is None:
                from chalicelib.services.payments.pix_automatico import psp_unavailable

                raise psp_unavailable(error) from error
            if error.status == 404:
                raise NotFound("Recorrência não encontrada no PSP local.", code="pix_automatico_not_found") from error
            raise Conflict("O PSP local recusou a resposta do pagador: " + str(error.problem.get("detail", "")),
                           code="pix_automatico_not_live") from error
        # Journey 3's Pix comes by the PSP's charge webhook, apart from the recurrence's: two deliveries.
        outcomes = []
        for key in ("pix", "recs"):
            if notification.get(key):
                raw = json.dumps({key: notification[key]}).encode()
                outcomes += self._webhooks.receive(raw, self._settings.pix_webhook_token)
        return notification, outcomes

    def charge(self, txid: str, action: str) -> tuple[dict, list[ItemOutcome]]:
        """pay | reject: the payer's bank concludes or refuses a cycle charge; the PSP's notification
        comes in through `receive`, as a real delivery does."""
        from urllib.parse import quote

        from chalicelib.adapters.pix_automatico import PspError
        from chalicelib.errors import Conflict, NotFound
        from chalicelib.services.payments.pix_automatico import psp_unavailable

        try:
            notification = self._psp.fake_control("POST", f"/cobr/{quote(txid, safe='')}/{action}")
        except PspError as error:
            if error.status is None:
                raise psp_unavailable(error) from error
            if error.status == 404:
                raise NotFound("Cobrança do Pix Automático não encontrada no PSP local.",
                               code="pix_charge_not_found") from error
            raise Conflict("O PSP local recusou: " + str(error.problem.get("detail", "")),
                           code="invoice_not_payable") from error
        raw = json.dumps(notification).encode()
        return notification, self._webhooks.receive(raw, self._settings.pix_webhook_token)

    def received(self) -> list[dict]:
        from chalicelib.adapters.pix_automatico import PspError
        from chalicelib.services.payments.pix_automatico import psp_unavailable

        try:
            return self._psp.fake_control("GET", "/requests")
        except PspError as error:
            raise psp_unavailable(error) from error
