"""The NFS-e end to end through the real adapter: the DPS built with the national layout's bindings,
validated and signed, sent over mutual TLS to this process's fake SEFIN Nacional, which checks the XSD,
the signature and the client certificate like the real one (chalicelib/adapters/service_invoices). A
payment issues it, a refund cancels it with the cancellation event, a partial refund substitutes it
with a DPS the SEFIN accepts (a Simples provider's substitute keeps the service value)."""
import pytest

from tests.steps.payment_steps import customer, dev_pay

STAFF_GROUPS = ["finance"]


@pytest.fixture
def staff():
    from tests.support import make_token

    return make_token("fin-nfse", "carla@vendor.example", groups=STAFF_GROUPS)


@pytest.fixture
def sefin(aws):
    """This process's fake SEFIN, emptied: the tests read what it received."""
    aws.service_invoice_authority.fake_control("POST", "/reset")
    return aws.service_invoice_authority


def run_job(client) -> dict:
    response = client.call("POST", "/v1/_dev/jobs/issue-service-invoices")
    assert response.status_code == 200, response.data
    return response.data


def received(client) -> list[dict]:
    return client.call("GET", "/v1/_dev/service-invoices").data["items"]


def nfse_of(client, c) -> dict:
    return client.call("GET", f"{c.path}/invoices/{c.invoice_id}", c.token).data["service_invoice"]


def payments(client, c) -> list[dict]:
    return client.call("GET", f"{c.path}/payments", c.token).data["items"]


def test_paid_issued_by_the_national_layout_signed_and_sent_over_mtls_then_cancelled_by_a_refund(
        client, sefin, staff):
    c = customer(client, day="2026-12-01")
    dev_pay(client, c.invoice_id, "pix")
    assert run_job(client)["issued"] == 1
    issued = nfse_of(client, c)
    assert issued["status"] == "issued" and len(issued["access_key"]) == 50
    [dps] = received(client)
    assert (dps["invoice_id"], dps["status"], dps["access_key"]) == (c.invoice_id, "issued", issued["access_key"])
    assert "<Signature" in dps["dps_xml"] and "<CNPJ>45723174000110</CNPJ>" in dps["dps_xml"]
    assert c.invoice_id in dps["dps_xml"]  # the invoice it declares, in the DPS's free text

    refund = client.call("POST", f"/v1/admin/accounts/{c.account_id}/payments/{payments(client, c)[0]['id']}/refund",
                         staff, {"reason": "Cliente desistiu da compra"})
    assert refund.status_code == 201, refund.data
    assert run_job(client)["cancelled"] == 1
    assert nfse_of(client, c)["status"] == "cancelled"
    [after] = received(client)
    assert after["status"] == "cancelled" and [e["code"] for e in after["events"]] == ["101101"]


def test_a_partial_refund_substitutes_it_with_a_dps_the_sefin_accepts(client, sefin, staff):
    c = customer(client, day="2026-12-01")
    dev_pay(client, c.invoice_id, "pix", 5_000)
    dev_pay(client, c.invoice_id, "pix")  # the rest
    run_job(client)
    first_key = nfse_of(client, c)["access_key"]
    first_payment = next(p for p in payments(client, c) if p["amount_cents"] == 5_000)
    refund = client.call("POST", f"/v1/admin/accounts/{c.account_id}/payments/{first_payment['id']}/refund",
                         staff, {"reason": "Desconto negociado"})
    assert refund.status_code == 201, refund.data
    assert run_job(client)["substituted"] == 1
    substitute = nfse_of(client, c)
    assert substitute["status"] == "issued" and substitute["access_key"] != first_key
    newest, original = received(client)
    assert newest["status"] == "issued" and f"<chSubstda>{first_key}</chSubstda>" in newest["dps_xml"]
    assert "<vDescIncond>50.00</vDescIncond>" in newest["dps_xml"]
    assert original["access_key"] == first_key
