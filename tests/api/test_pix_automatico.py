"""Pix Automático through the API: authorise (the recurrence the fake PSP received and validated
against the Central Bank's document), the payer's bank approving or rejecting through the webhook
path, replays and late notifications, cancellation, roles and tenant isolation."""
import json

import pytest

from tests.steps.billing_steps import at, plan, subscribe
from tests.support import VALID_BILLING_DATA, make_token

# Conditional writes (the state read, the live recurrence replaced) also run on AWS DynamoDB Local.
pytestmark = pytest.mark.ddblocal

WEBHOOK_TOKEN = {"X-Webhook-Token": "local-pix-token"}


def _subscription(client, paid: bool):
    from tests.steps.invoicing_steps import pay

    at(client, "2026-03-02")
    account_id, token = client.create_account("pix-owner")
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-data", token, VALID_BILLING_DATA).status_code == 200
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="quarterly", quantity=2,
                    payment_method="boleto")
    if paid:
        pay(client, sub["invoice_id"], "boleto")
    return account_id, token, sub


@pytest.fixture
def subscribed(client):
    """A quarterly boleto subscription, its first invoice paid: nothing is due now (journey 2)."""
    return _subscription(client, paid=True)


def _path(account_id: str, subscription_id: str) -> str:
    return f"/v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico"


def _received(client, rec_id: str) -> list[dict]:
    items = client.call("GET", "/v1/_dev/pix-automatico").data["items"]
    return [item for item in items if item["rec_id"] == rec_id]


def _authorise(client, account_id, token, sub) -> dict:
    response = client.call("POST", _path(account_id, sub["id"]), token)
    assert response.status_code == 201, response.data
    return response.data


def test_authorising_creates_the_recurrence_at_the_psp_and_shows_the_qr(client, subscribed):
    account_id, token, sub = subscribed
    created = _authorise(client, account_id, token, sub)
    assert created["status"] == "CRIADA" and len(created["rec_id"]) == 29
    assert created["rec_id"].startswith("RR")  # PERMITE_3R_7D: retries allowed
    assert created["qr_payload"].startswith("000201") and "br.gov.bcb.pix" in created["qr_payload"]
    assert created["qr_url"].startswith("data:image/svg+xml")
    assert created["periodicity"] == "TRIMESTRAL" and created["journey"] == "JORNADA_2"
    received = _received(client, created["rec_id"])
    assert [item["kind"] for item in received] == ["rec"]
    body = received[0]["body"]
    assert body["vinculo"]["contrato"] == sub["id"]
    assert body["vinculo"]["devedor"] == {"cnpj": "11222333000181", "nome": "Marcenaria Exemplo Ltda"}
    assert body["calendario"]["periodicidade"] == "TRIMESTRAL"
    assert body["politicaRetentativa"] == "PERMITE_3R_7D"
    assert "valorMinimoRecebedor" in body["valor"]  # per-license plan: the amount varies
    assert received[0]["status"] == "CRIADA"
    again = client.call("GET", _path(account_id, sub["id"]), token)
    assert again.status_code == 200 and again.data["rec_id"] == created["rec_id"]
    twice = client.call("POST", _path(account_id, sub["id"]), token)
    assert twice.status_code == 409 and twice.data["error"]["code"] == "pix_automatico_exists"


def test_approval_moves_renewals_to_pix_automatico_from_the_next_cycle(client, subscribed):
    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    approved = client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve")
    assert approved.status_code == 200, approved.data
    assert approved.data["items"] == [{"kind": "rec", "id": rec_id, "status": "APROVADA", "outcome": "applied"}]
    shown = plan(client, account_id, token, sub["id"])
    assert shown["payment_method"] == "boleto" and shown["pending_payment_method"] == "pix_automatico"
    read = client.call("GET", _path(account_id, sub["id"]), token).data
    assert read["status"] == "APROVADA" and read["qr_payload"] is None
    assert read["previous_payment_method"] == "boleto"


def test_rejection_keeps_the_method_and_emails_the_customer(client, subscribed):
    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    rejected = client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/reject")
    assert rejected.status_code == 200 and rejected.data["items"][0]["outcome"] == "applied"
    assert plan(client, account_id, token, sub["id"])["pending_payment_method"] is None
    outbox = client.call("GET", "/v1/_dev/outbox").data["items"]
    assert "Pix Automático não autorizado" in outbox[0]["subject"]
    assert "financeiro@exemplo.com.br" in outbox[0]["to"]
    # A new authorisation replaces the finished one.
    assert _authorise(client, account_id, token, sub)["rec_id"] != rec_id


def test_webhook_replays_and_late_notifications_change_nothing(client, subscribed):
    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    notification = client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve").data["notification"]
    replay = client.call("POST", "/v1/webhooks/pix", headers=WEBHOOK_TOKEN, raw=json.dumps(notification))
    assert replay.status_code == 200 and replay.data["items"][0]["outcome"] == "duplicate"
    late = {"recs": [{"idRec": rec_id, "status": "CRIADA", "atualizacao": []}]}
    stale = client.call("POST", "/v1/webhooks/pix", headers=WEBHOOK_TOKEN, raw=json.dumps(late))
    assert stale.data["items"][0]["outcome"] == "stale"
    assert plan(client, account_id, token, sub["id"])["pending_payment_method"] == "pix_automatico"
    unknown = {"recs": [{"idRec": "RR1234567820260101abcdefghijk", "status": "APROVADA"}]}
    assert client.call("POST", "/v1/webhooks/pix", headers=WEBHOOK_TOKEN,
                       raw=json.dumps(unknown)).data["items"][0]["outcome"] == "unmatched"


def test_the_payer_revoking_moves_renewals_to_boleto_with_an_email(client, subscribed):
    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve")
    revoked = {"recs": [{"idRec": rec_id, "status": "CANCELADA", "encerramento": {"cancelamento": {
        "solicitante": "USUARIO_PAGADOR", "codigo": "ACCL", "descricao": "Cancelada pelo pagador."}}}]}
    answer = client.call("POST", "/v1/webhooks/pix", headers=WEBHOOK_TOKEN, raw=json.dumps(revoked))
    assert answer.data["items"][0]["outcome"] == "applied"
    shown = plan(client, account_id, token, sub["id"])
    assert shown["payment_method"] == "boleto" and shown["pending_payment_method"] is None
    assert "cancelado no banco" in client.call("GET", "/v1/_dev/outbox").data["items"][0]["subject"]


def test_webhook_without_the_token_is_refused(client, subscribed):
    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    body = json.dumps({"recs": [{"idRec": rec_id, "status": "APROVADA"}]})
    for headers in ({}, {"X-Webhook-Token": "wrong"}):
        refused = client.call("POST", "/v1/webhooks/pix", headers=headers, raw=body)
        assert refused.status_code == 400 and refused.data["error"]["code"] == "webhook_rejected"
    assert client.call("GET", _path(account_id, sub["id"]), token).data["status"] == "CRIADA"
    bad = client.call("POST", "/v1/webhooks/pix", headers=WEBHOOK_TOKEN, raw="{not json")
    assert bad.status_code == 400 and "message" in bad.data["error"]


def test_cancelling_cancels_the_recurrence_and_restores_the_previous_method(client, subscribed):
    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve")
    cancelled = client.call("DELETE", _path(account_id, sub["id"]), token)
    assert cancelled.status_code == 200 and cancelled.data["status"] == "CANCELADA"
    patch = _received(client, rec_id)[0]
    assert (patch["method"], patch["path"], patch["body"], patch["status"]) == (
        "PATCH", f"/rec/{rec_id}", {"status": "CANCELADA"}, "CANCELADA")
    assert plan(client, account_id, token, sub["id"])["pending_payment_method"] is None
    again = client.call("DELETE", _path(account_id, sub["id"]), token)
    assert again.status_code == 409 and again.data["error"]["code"] == "pix_automatico_not_live"


def test_without_billing_data_the_authorisation_is_refused_in_portuguese(client):
    at(client, "2026-03-02")
    account_id, token = client.create_account("pix-no-data")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", payment_method="boleto")
    refused = client.call("POST", _path(account_id, sub["id"]), token)
    assert refused.status_code == 409 and refused.data["error"]["code"] == "billing_data_required"
    assert "dados de faturamento" in refused.data["error"]["message"]
    missing = client.call("GET", _path(account_id, sub["id"]), token)
    assert missing.status_code == 404 and missing.data["error"]["code"] == "pix_automatico_not_found"


def test_another_account_sees_404_and_a_finance_member_403(client, subscribed):
    account_id, token, sub = subscribed
    _authorise(client, account_id, token, sub)
    other_id, other = client.create_account("pix-stranger")
    for method in ("GET", "POST", "DELETE"):
        assert client.call(method, _path(account_id, sub["id"]), other).status_code == 404
        assert client.call(method, _path(other_id, sub["id"]), other).status_code == 404
    email = "fin@exemplo.com.br"
    client.call("POST", f"/v1/accounts/{account_id}/members", token, {"email": email, "role": "finance"})
    finance = make_token("pix-fin", email)
    client.call("GET", f"/v1/accounts/{account_id}", finance)
    assert client.call("GET", _path(account_id, sub["id"]), finance).status_code == 403
    assert client.call("GET", "/v1/_dev/pix-automatico/RR1234567820260101abcdefghijk/approve").status_code in (404, 405)
    assert client.call("POST", "/v1/_dev/pix-automatico/RR1234567820260101abcdefghijk/approve").status_code == 404


def test_the_renewal_is_charged_at_issue_and_paid_through_the_charge_webhook(client, subscribed):
    from datetime import date, timedelta

    from tests.steps.invoicing_steps import pay, run_job, stored_invoices

    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    assert client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve").status_code == 200
    end = date.fromisoformat(plan(client, account_id, token, sub["id"])["current_period_end"])
    issue_day = (end - timedelta(days=7)).isoformat()
    run_job(client, issue_day)
    run_job(client, issue_day)  # a rerun the same day: no second charge
    [renewal] = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    assert renewal.payment_method == "pix_automatico" and renewal.pix_charge_status == "ATIVA"
    charges = [r for r in _received(client, rec_id) if r["kind"] == "cobr"]
    assert [(c["method"], c["txid"], c["status"]) for c in charges] == [("PUT", renewal.pix_txid, "ATIVA")]

    paid = pay(client, renewal.invoice_id, "pix_automatico")
    assert (paid["gateway"], paid["outcome"], paid["invoice_status"]) == ("pix_automatico", "settled", "paid")
    assert paid["amount_cents"] == renewal.total_cents
    again = client.call("POST", "/v1/_dev/gateway/pay", None, {"invoice_id": renewal.invoice_id,
                                                               "method": "pix_automatico"})
    assert again.status_code == 409  # nothing left to pay
    # The PSP delivering the same notification again changes nothing.
    notification = {"cobsr": [{"idRec": rec_id, "txid": renewal.pix_txid, "status": "CONCLUIDA",
                               "atualizacao": [{"status": "CONCLUIDA", "data": "2026-05-30T10:00:00.000Z"}],
                               "pix": [{"endToEndId": "E12345678202605301000abcdef12345", "txid": renewal.pix_txid,
                                        "valor": f"{renewal.total_cents // 100}.{renewal.total_cents % 100:02d}",
                                        "horario": "2026-05-30T10:00:00.000Z"}]}]}
    replay = client.call("POST", "/v1/webhooks/pix", None, headers=WEBHOOK_TOKEN, raw=json.dumps(notification))
    assert replay.status_code == 200 and replay.data["items"][0]["outcome"] == "duplicate"
    [after] = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    assert (after.status, after.paid_cents, after.pix_charge_status) == ("paid", renewal.total_cents, "CONCLUIDA")


def test_cancelling_the_subscription_cancels_the_recurrence_at_the_psp(client, subscribed):
    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    assert client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve").status_code == 200
    cancelled = client.call("POST", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/cancel", token,
                            {"reason": "Não preciso mais"})
    assert cancelled.status_code in (200, 201), cancelled.data
    read = client.call("GET", _path(account_id, sub["id"]), token).data
    assert read["status"] == "CANCELADA"
    assert any(r["method"] == "PATCH" for r in _received(client, rec_id))


def test_the_job_charges_the_next_day_what_an_unreachable_psp_left_uncharged(client, subscribed, aws):
    from datetime import date, timedelta

    from chalicelib.adapters.pix_automatico import PspError
    from tests.steps.invoicing_steps import run_job, stored_invoices

    class Down:
        def __getattr__(self, name):
            def refuse(*args, **kwargs):
                raise PspError("PSP unreachable: ConnectionError")
            return refuse

    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    assert client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve").status_code == 200
    end = date.fromisoformat(plan(client, account_id, token, sub["id"])["current_period_end"])
    provider = aws.pix_cycle_charges._psp_provider
    aws.pix_cycle_charges._psp_provider = Down
    issue_day = (end - timedelta(days=7)).isoformat()
    run_job(client, issue_day)
    assert run_job(client, issue_day, "08:00:00", job="charge-cards")["pix_cycle_charges"] == {"psp_unavailable": 1}
    aws.pix_cycle_charges._psp_provider = provider
    next_day = (end - timedelta(days=6)).isoformat()
    assert run_job(client, next_day, "08:00:00", job="charge-cards")["pix_cycle_charges"] == {"charged": 1}
    assert run_job(client, job="charge-cards")["pix_cycle_charges"] == {}
    [renewal] = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    assert renewal.pix_charge_status == "ATIVA"
    assert len([r for r in _received(client, rec_id) if r["kind"] == "cobr"]) == 1


def test_a_malformed_notification_is_refused_whole_and_applies_nothing(client, subscribed):
    """A valid approval next to an item that cannot be read: 400, and the approval is not applied
    either, so the PSP's retry of the whole delivery finds nothing half-done."""
    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    approval = {"idRec": rec_id, "status": "APROVADA"}
    for body in ({"recs": [approval], "cobsr": [None]}, {"recs": [approval, {"idRec": rec_id}]},
                 {"recs": [{"idRec": rec_id, "status": "APROVADISSIMA"}]}, {"recs": approval}):
        refused = client.call("POST", "/v1/webhooks/pix", headers=WEBHOOK_TOKEN, raw=json.dumps(body))
        assert refused.status_code == 400 and refused.data["error"]["code"] == "malformed_webhook", body
    assert client.call("GET", _path(account_id, sub["id"]), token).data["status"] == "CRIADA"


def test_a_renewal_above_the_payers_maximum_is_refused_by_their_bank_and_billed_by_boleto(client, subscribed):
    from datetime import date, timedelta

    from tests.steps.invoicing_steps import run_job, stored_invoices

    account_id, token, sub = subscribed
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    approved = client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve?max_amount_cents=100")
    assert approved.status_code == 200, approved.data
    end = date.fromisoformat(plan(client, account_id, token, sub["id"])["current_period_end"])
    run_job(client, (end - timedelta(days=7)).isoformat())
    [renewal] = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    assert renewal.payment_method == "boleto" and renewal.digitable_line
    [charge] = [r for r in _received(client, rec_id) if r["kind"] == "cobr"]
    assert (charge["txid"], charge["status"]) == (renewal.pix_txid, "REJEITADA")
    outbox = client.call("GET", "/v1/_dev/outbox").data["items"]
    assert any(m["template"] == "pix_automatico_boleto" and "máximo" in m["text"] for m in outbox)
    assert client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve?max_amount_cents=0").status_code == 422


def test_meu_plano_shows_the_recurrences_state_from_its_one_query(client, subscribed):
    account_id, token, sub = subscribed
    assert plan(client, account_id, token, sub["id"])["pix_automatico"] is None
    rec_id = _authorise(client, account_id, token, sub)["rec_id"]
    shown = plan(client, account_id, token, sub["id"])["pix_automatico"]
    assert (shown["rec_id"], shown["status"]) == (rec_id, "CRIADA")
    client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve")
    assert plan(client, account_id, token, sub["id"])["pix_automatico"]["status"] == "APROVADA"
    client.call("DELETE", _path(account_id, sub["id"]), token)
    assert plan(client, account_id, token, sub["id"])["pix_automatico"]["status"] == "CANCELADA"


def test_with_the_first_invoice_due_the_composed_qr_pays_it_and_approves_journey_3(client):
    from tests.steps.invoicing_steps import stored_invoices

    account_id, token, sub = _subscription(client, paid=False)
    created = _authorise(client, account_id, token, sub)
    assert created["journey"] == "JORNADA_3" and created["first_payment_invoice_id"] == sub["invoice_id"]
    [invoice] = stored_invoices(account_id)
    assert created["first_payment_cents"] == invoice.total_cents
    invoice_txid = sub["invoice_id"].replace("_", "")  # the immediate charge's txid names its invoice
    [cob] = [r for r in client.call("GET", "/v1/_dev/pix-automatico").data["items"]
             if r["kind"] == "cob" and r["txid"].startswith(invoice_txid)]
    assert cob["status"] == "ATIVA" and cob["body"]["valor"]["original"] == f"{invoice.total_cents / 100:.2f}"

    approved = client.call("POST", f"/v1/_dev/pix-automatico/{created['rec_id']}/approve")
    assert approved.status_code == 200, approved.data
    assert [(i["kind"], i["outcome"]) for i in approved.data["items"]] == [("pix", "settled"), ("rec", "applied")]
    [paid] = stored_invoices(account_id)
    assert (paid.status, paid.paid_cents) == ("paid", invoice.total_cents)
    payments = client.call("GET", f"/v1/accounts/{account_id}/payments", token).data["items"]
    assert [(p["invoice_id"], p["method"], p["amount_cents"]) for p in payments] == [
        (sub["invoice_id"], "pix", invoice.total_cents)]
    replay = client.call("POST", "/v1/webhooks/pix", None, headers=WEBHOOK_TOKEN,
                         raw=json.dumps({"pix": approved.data["notification"]["pix"]}))
    assert replay.status_code == 200 and replay.data["items"][0]["outcome"] == "duplicate"
    assert plan(client, account_id, token, sub["id"])["pix_automatico"]["status"] == "APROVADA"


def test_subscribing_with_pix_automatico_answers_the_composed_qr_that_pays_the_first_invoice(client):
    at(client, "2026-03-02")
    account_id, token = client.create_account("pix-subscriber")
    refused = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token, {
        "product_id": "operand-pro", "periodicity": "monthly", "quantity": 2, "payment_method": "pix_automatico"})
    assert refused.status_code == 409 and refused.data["error"]["code"] == "billing_data_required"
    assert client.call("GET", f"/v1/accounts/{account_id}/subscriptions", token).data["items"] == []
    client.call("PUT", f"/v1/accounts/{account_id}/billing-data", token, VALID_BILLING_DATA)
    made = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token, {
        "product_id": "operand-pro", "periodicity": "monthly", "quantity": 2, "payment_method": "pix_automatico"})
    assert made.status_code == 201, made.data
    authorisation = made.data["pix_automatico_authorisation"]
    assert authorisation["journey"] == "JORNADA_3" and authorisation["first_payment_invoice_id"] == made.data["invoice_id"]
    assert authorisation["qr_payload"].startswith("000201") and made.data["pix_automatico_pending"] is False
    assert made.data["payment_method"] == "boleto" and made.data["pix_automatico"]["status"] == "CRIADA"
    approved = client.call("POST", f"/v1/_dev/pix-automatico/{authorisation['rec_id']}/approve")
    assert [i["outcome"] for i in approved.data["items"]] == ["settled", "applied"]
    shown = plan(client, account_id, token, made.data["id"])
    assert shown["pending_payment_method"] == "pix_automatico" and shown["open_invoices"]["count"] == 0


def test_choosing_pix_automatico_as_the_payment_method_starts_the_authorisation(client, subscribed):
    account_id, token, sub = subscribed
    client.call("POST", f"/v1/accounts/{account_id}/members", token, {"email": "fin2@exemplo.com.br",
                                                                       "role": "finance"})
    finance = make_token("pix-fin2", "fin2@exemplo.com.br")
    client.call("GET", f"/v1/accounts/{account_id}", finance)
    payment_method = f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/payment-method"
    assert client.call("PUT", payment_method, finance, {"payment_method": "boleto"}).status_code == 200
    denied = client.call("PUT", payment_method, finance, {"payment_method": "pix_automatico"})
    assert denied.status_code == 403  # the authorisation names the payer: owner and admin only
    chosen = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/payment-method", token,
                         {"payment_method": "pix_automatico"})
    assert chosen.status_code == 200, chosen.data
    assert chosen.data["pix_automatico"]["status"] == "CRIADA" and chosen.data["pending_payment_method"] is None
    read = client.call("GET", _path(account_id, sub["id"]), token).data
    assert read["journey"] == "JORNADA_2" and read["qr_payload"]
