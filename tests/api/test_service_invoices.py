"""The NFS-e through the HTTP contract (API.md): the invoice's `service_invoice` (null until paid,
then pending, issued with short-lived links, failed with a pt-BR error), the issue-service-invoices
job, `GET /v1/_dev/service-invoices`, and the failed NFS-e in the finance team's requests. The SEFIN
is the in-memory one (tests/fakes/service_invoices.py); the use cases are tested in
tests/usecases/test_service_invoices.py."""
import pytest

from tests.fakes.service_invoices import InMemorySefin, render_danfse
from tests.steps.payment_steps import customer, dev_pay
from tests.support import make_token


@pytest.fixture
def sefin(aws):
    fake = InMemorySefin(aws.clock)
    aws.__dict__["service_invoice_authority"] = fake
    aws.__dict__["render_danfse"] = render_danfse
    return fake


def get_invoice(client, c) -> dict:
    response = client.call("GET", f"{c.path}/invoices/{c.invoice_id}", c.token)
    assert response.status_code == 200, response.data
    return response.data


def run_job(client) -> dict:
    response = client.call("POST", "/v1/_dev/jobs/issue-service-invoices")
    assert response.status_code == 200, response.data
    return response.data


def test_an_invoice_shows_its_nfse_from_payment_to_issue(client, sefin):
    c = customer(client, day="2026-12-01")
    assert get_invoice(client, c)["service_invoice"] is None  # not paid yet
    assert dev_pay(client, c.invoice_id, "pix").status_code == 200
    assert get_invoice(client, c)["service_invoice"]["status"] == "pending"
    summary = run_job(client)
    assert (summary["job"], summary["processed"], summary["issued"]) == ("issue-service-invoices", 1, 1)
    nfse = get_invoice(client, c)["service_invoice"]
    assert (nfse["status"], nfse["number"], len(nfse["access_key"]), nfse["error"]) == ("issued", "1", 50, None)
    assert nfse["issued_at"] and "X-Amz-Expires=900" in nfse["pdf_url"] and "X-Amz-Expires=900" in nfse["xml_url"]
    listed = client.call("GET", "/v1/_dev/service-invoices").data["items"]
    assert [(i["invoice_id"], i["status"], i["access_key"]) for i in listed] == \
        [(c.invoice_id, "issued", nfse["access_key"])]
    assert listed[0]["dps_id"].startswith("DPS4305108") and "<DPS>" in listed[0]["dps_xml"]
    assert run_job(client)["processed"] == 0


def test_a_rejected_nfse_shows_the_reason_and_reaches_the_finance_team(client, sefin):
    c = customer(client, day="2026-12-01")
    sefin.reject_next("E0312", "Código de tributação nacional inexistente para o município.")
    dev_pay(client, c.invoice_id, "pix")
    assert run_job(client)["failed"] == 1
    nfse = get_invoice(client, c)["service_invoice"]
    assert nfse["status"] == "failed" and "Código de tributação nacional inexistente" in nfse["error"]
    assert nfse["pdf_url"] is None and nfse["access_key"] is None
    staff = make_token("fin-1", "carla@vendor.example", groups=["finance"])
    requests = client.call("GET", "/v1/admin/requests?status=open", staff).data["items"]
    assert any(r["account_id"] == c.account_id and r["type"] == "nota_fiscal" for r in requests), requests


def test_another_account_sees_no_nfse_of_this_one(client, sefin):
    c = customer(client, day="2026-12-01")
    other = customer(client, "other")
    dev_pay(client, c.invoice_id, "pix")
    run_job(client)
    response = client.call("GET", f"{other.path}/invoices/{c.invoice_id}", other.token)
    assert response.status_code == 404


def test_the_dev_listing_is_only_in_the_local_stage(client, sefin, aws):
    aws.__dict__["settings"] = aws.settings.model_copy(update={"stage": "prod"})
    assert client.call("GET", "/v1/_dev/service-invoices").status_code == 404


def test_an_invoice_paid_again_after_a_chargeback_keeps_its_one_nfse(client, sefin):
    from tests.steps.payment_steps import deliver_stripe, stripe_event, stripe_payload

    c = customer(client, method="card", day="2026-12-01")
    deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800, payment_id="pi_nf", event_id="evt_nf"))
    run_job(client)
    first = get_invoice(client, c)["service_invoice"]
    dispute = stripe_payload("charge.dispute.created", {"id": "dp_nf", "object": "dispute", "payment_intent": "pi_nf",
                                                        "amount": 19_800}, "evt_dispute_nf")
    assert deliver_stripe(client, dispute).data["outcome"] == "charged_back"
    repaid = client.call("POST", f"{c.path}/invoices/{c.invoice_id}/pay", c.token)
    assert repaid.status_code == 201 and repaid.data["invoice_status"] == "paid"
    assert run_job(client)["processed"] == 0
    after = get_invoice(client, c)["service_invoice"]
    assert [after[k] for k in ("status", "number", "access_key")] == [first[k] for k in ("status", "number",
                                                                                       "access_key")]
    assert len(client.call("GET", "/v1/_dev/service-invoices").data["items"]) == 1
