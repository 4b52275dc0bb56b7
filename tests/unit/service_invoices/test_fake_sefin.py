"""SefinNacional against the local fake SEFIN over real HTTPS with mutual TLS: what the real API would
refuse, what it authorises, the answers it loses, the DPS it already has, cancellations."""
import base64
import dataclasses
import gzip
import socket
import ssl

import pytest
import requests
from lxml import etree

from chalicelib.adapters.service_invoices import SefinRejected, SefinUnavailable, layout, schemas
from chalicelib.adapters.service_invoices.dps import DpsBuilder
from chalicelib.adapters.service_invoices.sefin import SefinNacional, gzip_b64
from chalicelib.adapters.service_invoices.signing import sign_dps
from chalicelib.domain.service_invoices import Taker
from tests.unit.service_invoices.conftest import (CAXIAS_DO_SUL, COMPANY, PERSON, PROVIDER, PROVIDER_CNPJ,
                                                  WITHHOLDINGS, dps_data)
from tests.unit.service_invoices.independent import xmlsec1_verify

NS = {"n": layout.NAMESPACE}


def _host_port(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("https://").split(":")
    return host, int(port)


def test_a_connection_without_a_client_certificate_fails_in_the_handshake(fake, certificates):
    context = ssl.create_default_context(cafile=str(certificates.ca_cert))
    with socket.create_connection(_host_port(fake.url), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(b"GET /dps/x HTTP/1.1\r\nHost: x\r\n\r\n")
                tls.recv(1)


def test_requests_without_the_certificate_gets_no_answer(fake, certificates):
    with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        requests.get(fake.url + "/dps/DPS" + "0" * 42, verify=str(certificates.ca_cert), timeout=10)


def test_a_certificate_from_another_ca_is_refused(fake, tmp_path):
    from chalicelib.adapters.service_invoices.dev_certificates import ensure_dev_certificates

    stranger = ensure_dev_certificates(tmp_path, PROVIDER_CNPJ)
    client = SefinNacional(fake.url, stranger.client_certificate(), ca_file=str(fake.certificates.ca_cert))

    with pytest.raises(SefinUnavailable):
        client.find_by_dps("DPS" + "0" * 42)


def test_a_valid_dps_becomes_an_nfse(sefin, fake, certificates, tmp_path):
    signed = sefin.sign(dps_data(withholdings=WITHHOLDINGS, service_amount_cents=2_000_000))

    issued = sefin.issue(signed)

    assert len(issued.access_key) == 50 and layout.is_access_key(issued.access_key)
    parts = layout.parse_access_key(issued.access_key)
    assert parts["city_code"] == CAXIAS_DO_SUL and parts["registration"] == PROVIDER_CNPJ
    assert parts["generator"] == "2" and parts["registration_type"] == "2"
    assert issued.number == "1" and issued.dps_id == signed.dps_id and issued.issued_at.utcoffset() is not None
    root = etree.fromstring(issued.xml)
    assert schemas.errors(issued.xml, schemas.NFSE) == []
    info = root.find("n:infNFSe", NS)
    assert info.get("Id") == "NFS" + issued.access_key
    assert info.findtext("n:xLocEmi", namespaces=NS) == "Caxias do Sul"
    assert info.findtext("n:emit/n:xNome", namespaces=NS) == "RENOVA SOFTWARE LTDA"
    values = {child.tag.rsplit("}")[1]: child.text for child in info.find("n:valores", NS)}
    # ISS 2% of 20,000.00 retained, IRRF 300, CSLL 200, PIS 130, COFINS 600.
    assert values == {"vBC": "20000.00", "pAliqAplic": "2.00", "vISSQN": "400.00", "vTotalRet": "1630.00",
                      "vLiq": "18370.00"}
    # The DPS inside the NFS-e is byte for byte the one signed: its signature still holds, and so does
    # the fake SEFIN's own.
    ok, output = xmlsec1_verify(issued.xml, certificates.ca_cert, "infDPS", tmp_path,
                                "//*[local-name()='DPS']/*[local-name()='Signature']")
    assert ok, output
    ok, output = xmlsec1_verify(issued.xml, certificates.ca_cert, "infNFSe", tmp_path,
                                "/*/*[local-name()='Signature']")
    assert ok, output
    received = fake.sefin.received()
    assert received[0]["invoice_id"] == "inv_2026_000123" and received[0]["status"] == "issued"
    assert received[0]["access_key"] == issued.access_key and received[0]["dps_xml"] == signed.xml.decode()


def test_numbers_are_sequential_per_emitter(sefin):
    first = sefin.issue(sefin.sign(dps_data(number=10)))
    second = sefin.issue(sefin.sign(dps_data(number=11, taker=PERSON)))

    assert (first.number, second.number) == ("1", "2") and first.access_key != second.access_key


def test_find_by_dps_and_by_access_key(sefin):
    signed = sefin.sign(dps_data(number=20))
    assert sefin.find_by_dps(signed.dps_id) is None

    issued = sefin.issue(signed)

    assert sefin.find_by_dps(signed.dps_id) == issued
    assert sefin.find_by_access_key(issued.access_key) == issued


def test_the_same_dps_twice_is_e0014_at_the_api_and_the_existing_nfse_for_the_adapter(sefin, fake):
    signed = sefin.sign(dps_data(number=30))
    issued = sefin.issue(signed)

    status, raw = _post(fake, sefin, signed.xml)
    again = sefin.issue(signed)

    assert status == 400 and raw["erros"][0]["codigo"] == "E0014" and raw["idDPS"] == signed.dps_id
    assert again == issued
    assert [item["answer"].get("codigo") for item in fake.sefin.received()[:3]] == ["E0014", "E0014", None]


def _post(fake, sefin, xml: bytes):
    status, body = sefin._call("POST", "/nfse", {"dpsXmlGZipB64": gzip_b64(xml)})
    return status, body


def test_an_answer_lost_after_acceptance_is_unavailable_then_found(sefin, fake):
    signed = sefin.sign(dps_data(number=40))
    sefin.fake_control("POST", "/scenario", {"drop_answer_next": True})

    with pytest.raises(SefinUnavailable):
        sefin.issue(signed)

    found = sefin.find_by_dps(signed.dps_id)
    assert found is not None and found.dps_id == signed.dps_id
    assert sefin.issue(signed) == found  # the re-send is harmless


def test_an_unsigned_dps_is_refused(sefin, fake):
    _, unsigned = DpsBuilder().build(dps_data(number=50))

    status, body = _post(fake, sefin, unsigned)

    assert status == 400 and body["erros"][0]["codigo"] == "E0717"


def test_a_tampered_dps_is_refused(sefin, fake):
    signed = sefin.sign(dps_data(number=51))
    tampered = signed.xml.replace(b"<vServ>199.90</vServ>", b"<vServ>1.00</vServ>")

    with pytest.raises(SefinRejected) as refused:
        sefin.issue(dataclasses.replace(signed, xml=tampered))

    assert refused.value.code == "E0714" and "assinatura" in refused.value.message


def test_a_dps_signed_by_another_certificate_than_the_connection_is_refused(sefin, certificates):
    other = certificates.issue_client("11444777000161", "MARCENARIA SAO JOAO LTDA")
    provider = dataclasses.replace(PROVIDER, cnpj="11444777000161")
    _, xml = DpsBuilder().build(dps_data(number=52, provider=provider, taker=PERSON))
    signed = sign_dps(xml, other)

    with pytest.raises(SefinRejected) as refused:
        sefin.issue(dataclasses.replace(sefin.sign(dps_data(number=52)), xml=signed))

    assert refused.value.code == "E0718"


def test_a_dps_of_another_provider_signed_with_our_certificate_is_refused(sefin):
    provider = dataclasses.replace(PROVIDER, cnpj="11444777000161")

    with pytest.raises(SefinRejected) as refused:
        sefin.issue(sefin.sign(dps_data(number=53, provider=provider, taker=PERSON)))

    assert refused.value.code == "E0718"


@pytest.mark.parametrize("taker, code", [
    (dataclasses.replace(COMPANY, document="11444777000162"), "E0188"),
    (dataclasses.replace(PERSON, document="52998224726"), "E0206"),
    (dataclasses.replace(COMPANY, document="45723174000200"), "E0202"),  # the provider, another branch
    (Taker(document="11444777000161", name="Sem Endereço Ltda", address=None), "E0235"),
])
def test_taker_rules_of_the_sefin(sefin, taker, code):
    with pytest.raises(SefinRejected) as refused:
        sefin.issue(sefin.sign(dps_data(number=60, taker=taker)))

    assert refused.value.code == code and refused.value.message


def test_an_id_that_differs_from_its_fields_is_e0004(sefin, fake, a1):
    _, xml = DpsBuilder().build(dps_data(number=61))
    wrong = xml.replace(b"<nDPS>61</nDPS>", b"<nDPS>62</nDPS>")

    status, body = _post(fake, sefin, sign_dps(wrong, a1))

    assert status == 400 and body["erros"][0]["codigo"] == "E0004"


def test_a_production_dps_at_the_restricted_environment_is_e0006(sefin, a1, fake):
    _, xml = DpsBuilder(environment="production").build(dps_data(number=62))

    status, body = _post(fake, sefin, sign_dps(xml, a1))

    assert status == 400 and body["erros"][0]["codigo"] == "E0006"


def test_a_body_that_is_not_gzip_base64_is_e1226(sefin):
    status, body = sefin._call("POST", "/nfse", {"dpsXmlGZipB64": "not base64!"})

    assert status == 400 and body["erros"][0]["codigo"] == "E1226"


def test_a_scenario_rejection(sefin):
    sefin.fake_control("POST", "/scenario", {"reject_next": {"code": "E0160", "message": "Simples divergente."}})

    with pytest.raises(SefinRejected) as refused:
        sefin.issue(sefin.sign(dps_data(number=70)))
    issued = sefin.issue(sefin.sign(dps_data(number=71)))

    assert (refused.value.code, refused.value.message) == ("E0160", "Simples divergente.")
    assert issued.number == "1"
    assert [item["status"] for item in sefin.fake_control("GET", "/received")] == ["issued", "rejected"]


def test_a_cancellation_is_registered(sefin, fake):
    issued = sefin.issue(sefin.sign(dps_data(number=80)))

    event = sefin.cancel(issued.access_key, reason_code="2", reason="Serviço não prestado: reembolso integral")

    assert event.code == "101101" and event.access_key == issued.access_key
    assert event.registered_at.utcoffset() is not None
    assert schemas.errors(event.xml, schemas.EVENT) == []
    info = etree.fromstring(event.xml).find("n:infEvento", NS)
    assert info.get("Id") == f"EVT{issued.access_key}101101001"
    item = fake.sefin.received()[0]
    assert item["status"] == "cancelled"
    assert [(e["code"], e["reason_code"]) for e in item["events"]] == [("101101", "2")]
    with pytest.raises(SefinRejected) as again:
        sefin.cancel(issued.access_key, reason_code="2", reason="Serviço não prestado: reembolso integral")
    assert again.value.code == "E0840"


def test_a_cancellation_past_the_deadline_is_refused(sefin):
    issued = sefin.issue(sefin.sign(dps_data(number=81)))
    sefin.fake_control("POST", "/scenario", {"reject_cancellations": True})

    with pytest.raises(SefinRejected) as refused:
        sefin.cancel(issued.access_key, reason_code="1", reason="Erro na emissão da nota fiscal")

    assert refused.value.code == "E0822" and "prazo" in refused.value.message
    sefin.fake_control("POST", "/scenario", {"reject_cancellations": False})
    assert sefin.cancel(issued.access_key, reason_code="1", reason="Erro na emissão da nota fiscal").code == "101101"


def test_cancelling_an_unknown_nfse_is_e1831(sefin):
    unknown = layout.access_key(CAXIAS_DO_SUL, PROVIDER_CNPJ, 999, dps_data().competence, 1)

    with pytest.raises(SefinRejected) as refused:
        sefin.cancel(unknown, reason_code="9", reason="Outro motivo qualquer aqui")

    assert refused.value.code == "E1831"


def test_a_substitution_replaces_the_nfse(sefin, fake):
    original = sefin.issue(sefin.sign(dps_data(number=90)))

    substitute = sefin.issue(sefin.sign(dps_data(number=91, discount_cents=5000,
                                                 substitutes_access_key=original.access_key,
                                                 substitution_reason="Reembolso parcial da assinatura")))

    statuses = {item["access_key"]: item["status"] for item in fake.sefin.received()}
    assert statuses == {original.access_key: "substituted", substitute.access_key: "issued"}
    with pytest.raises(SefinRejected) as again:
        sefin.issue(sefin.sign(dps_data(number=92, substitutes_access_key=original.access_key,
                                        substitution_reason="Reembolso parcial da assinatura")))
    assert again.value.code == "E0046"


def test_a_simples_substitution_cannot_change_the_service_value(sefin):
    original = sefin.issue(sefin.sign(dps_data(number=93)))

    with pytest.raises(SefinRejected) as refused:
        sefin.issue(sefin.sign(dps_data(number=94, service_amount_cents=9990,
                                        substitutes_access_key=original.access_key,
                                        substitution_reason="Reembolso parcial da assinatura")))

    assert refused.value.code == "E0061"


def test_received_is_newest_first_with_the_dev_route_fields(sefin):
    sefin.issue(sefin.sign(dps_data(number=100, invoice_id="inv_a")))
    sefin.issue(sefin.sign(dps_data(number=101, invoice_id="inv_b")))

    items = sefin.fake_control("GET", "/received")

    assert [item["invoice_id"] for item in items] == ["inv_b", "inv_a"]
    assert set(items[0]) >= {"invoice_id", "dps_id", "dps_xml", "status", "access_key", "events"}
    signed = base64.b64decode(gzip_b64(items[0]["dps_xml"].encode()))
    assert gzip.decompress(signed).startswith(b"<?xml")


def test_a_server_error_is_unavailable(sefin):
    sefin.fake_control("POST", "/scenario", {"fail_next": True})
    signed = sefin.sign(dps_data(number=110))

    with pytest.raises(SefinUnavailable, match="500"):
        sefin.issue(signed)

    assert sefin.find_by_dps(signed.dps_id) is None
    assert sefin.fake_control("GET", "/received")[0]["status"] == "failed"
    assert sefin.issue(signed).dps_id == signed.dps_id


def test_a_server_that_never_answers_is_a_timeout(a1, certificates):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        client = SefinNacional(f"https://127.0.0.1:{silent.getsockname()[1]}", a1, ca_file=str(certificates.ca_cert),
                               timeout=(0.5, 0.5))

        with pytest.raises(SefinUnavailable):
            client.find_by_dps("DPS" + "0" * 42)


def test_a_taker_city_outside_the_ibge_table_is_e0238(sefin):
    taker = dataclasses.replace(COMPANY, address=dataclasses.replace(COMPANY.address, ibge_city_code="3550309"))

    with pytest.raises(SefinRejected) as refused:
        sefin.issue(sefin.sign(dps_data(number=120, taker=taker)))

    assert refused.value.code == "E0238"


def test_an_nfse_of_a_newer_layout_is_still_read(sefin, monkeypatch):
    from chalicelib.adapters.service_invoices import sefin as module

    issued = sefin.issue(sefin.sign(dps_data(number=130)))
    newer = issued.xml.replace(b"<xLocEmi>", b"<xFuturo>1</xFuturo><xLocEmi>")
    assert module.issued_from(newer) == dataclasses.replace(issued, xml=newer)

    def unreadable():
        raise RuntimeError("bindings cannot read this")

    monkeypatch.setattr(module, "_lenient_parser", unreadable)
    assert module.issued_from(issued.xml) == issued  # the four fields by path
