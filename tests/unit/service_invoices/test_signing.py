"""The signed DPS and cancellation request: still valid against the official XSDs, and their XMLDSig
checked by verifiers that share nothing with signxml (xmlsec1, and a verification written out by hand);
tampering with any signed byte breaks both. Also the A1 certificate: PKCS#12 and PEM, the CNPJ as
ICP-Brasil writes it, the TLS context that never leaves the key on disk."""
import base64
import json
import os
import tempfile
from datetime import date, datetime

import pytest
from cryptography import x509
from lxml import etree

from chalicelib.adapters.service_invoices import layout, schemas
from chalicelib.adapters.service_invoices.certificates import (CertificateError, from_secret, load_pem,
                                                               load_pkcs12, ssl_context)
from chalicelib.adapters.service_invoices.dps import DpsBuilder
from chalicelib.adapters.service_invoices.signing import CancellationBuilder, sign_dps, sign_event_request
from tests.unit.service_invoices.conftest import PERSON, PROVIDER_CNPJ, SAO_PAULO, WITHHOLDINGS, dps_data
from tests.unit.service_invoices.independent import hand_verify, xmlsec1_verify

KEY = layout.access_key("4305108", PROVIDER_CNPJ, 1, date(2026, 4, 1), 123456789)


@pytest.fixture(scope="module")
def ca(certificates):
    return x509.load_pem_x509_certificate(certificates.ca_cert.read_bytes())


@pytest.mark.parametrize("data", [dps_data(), dps_data(taker=PERSON), dps_data(withholdings=WITHHOLDINGS),
                                  dps_data(discount_cents=1000),
                                  dps_data(substitutes_access_key=KEY, substitution_reason="Reembolso parcial")],
                         ids=["cnpj", "cpf", "withholdings", "discount", "substitution"])
def test_a_signed_dps_is_valid_and_verifies_independently(data, a1, certificates, ca, tmp_path):
    dps_id, xml = DpsBuilder().build(data)
    signed = sign_dps(xml, a1)

    assert schemas.errors(signed, schemas.DPS) == []
    root = etree.fromstring(signed)
    assert [etree.QName(child).localname for child in root] == ["infDPS", "Signature"]
    assert root[1].nsmap == {None: "http://www.w3.org/2000/09/xmldsig#"}  # no ds: prefix
    assert hand_verify(signed, ca) == dps_id
    ok, output = xmlsec1_verify(signed, certificates.ca_cert, "infDPS", tmp_path)
    assert ok, output


@pytest.mark.parametrize("before, after", [
    (b"<vServ>199.90</vServ>", b"<vServ>199.91</vServ>"),
    (b"<CNPJ>11444777000161</CNPJ>", b"<CNPJ>11444777000242</CNPJ>"),
    (b"<tpAmb>2</tpAmb>", b"<tpAmb>1</tpAmb>"),
])
def test_tampering_breaks_the_signature(before, after, a1, certificates, ca, tmp_path):
    _, xml = DpsBuilder().build(dps_data())
    signed = sign_dps(xml, a1)
    assert before in signed
    tampered = signed.replace(before, after, 1)

    with pytest.raises(AssertionError, match="digest"):
        hand_verify(tampered, ca)
    ok, _ = xmlsec1_verify(tampered, certificates.ca_cert, "infDPS", tmp_path)
    assert not ok


def test_a_signature_by_another_ca_does_not_chain_to_the_test_ca(tmp_path, certificates, ca):
    from chalicelib.adapters.service_invoices.dev_certificates import ensure_dev_certificates

    stranger = ensure_dev_certificates(tmp_path / "other", PROVIDER_CNPJ).client_certificate()
    _, xml = DpsBuilder().build(dps_data())
    signed = sign_dps(xml, stranger)

    with pytest.raises(Exception):
        hand_verify(signed, ca)
    ok, _ = xmlsec1_verify(signed, certificates.ca_cert, "infDPS", tmp_path)
    assert not ok


def test_the_cancellation_request(a1, certificates, ca, tmp_path):
    request_id, xml = CancellationBuilder().build(KEY, PROVIDER_CNPJ, datetime(2026, 4, 2, 9, 30, tzinfo=SAO_PAULO),
                                                  "2", "Serviço não prestado: reembolso integral")
    signed = sign_event_request(xml, a1)

    assert request_id == f"PRE{KEY}101101"
    assert schemas.errors(signed, schemas.EVENT_REQUEST) == []
    info = etree.fromstring(signed)[0]
    ns = {"n": "http://www.sped.fazenda.gov.br/nfse"}
    assert info.findtext("n:tpAmb", namespaces=ns) == "2"
    assert info.findtext("n:dhEvento", namespaces=ns) == "2026-04-02T09:30:00-03:00"
    assert info.findtext("n:CNPJAutor", namespaces=ns) == PROVIDER_CNPJ
    assert info.findtext("n:chNFSe", namespaces=ns) == KEY
    assert info.findtext("n:e101101/n:xDesc", namespaces=ns) == "Cancelamento de NFS-e"
    assert info.findtext("n:e101101/n:cMotivo", namespaces=ns) == "2"
    assert hand_verify(signed, ca) == request_id
    ok, output = xmlsec1_verify(signed, certificates.ca_cert, "infPedReg", tmp_path)
    assert ok, output


@pytest.mark.parametrize("args, field", [
    ((KEY[:-1] + str((int(KEY[-1]) + 1) % 10), PROVIDER_CNPJ, "2", "Serviço não prestado agora"), "infPedReg/chNFSe"),
    ((KEY, PROVIDER_CNPJ, "3", "Serviço não prestado agora"), "infPedReg/e101101/cMotivo"),
    ((KEY, PROVIDER_CNPJ, "2", "curto"), "infPedReg/e101101/xMotivo"),
])
def test_a_broken_cancellation_is_refused_naming_its_field(args, field):
    key, cnpj, code, reason = args
    with pytest.raises(ValueError) as refused:
        CancellationBuilder().build(key, cnpj, datetime(2026, 4, 2, 9, 30, tzinfo=SAO_PAULO), code, reason)

    assert refused.value.field == field


def test_the_a1_from_pkcs12_and_from_pem_is_the_same(certificates, a1):
    from_pem = load_pem(certificates.client_cert.read_bytes(), certificates.client_key.read_bytes())

    assert from_pem.certificate == a1.certificate and len(from_pem.chain) == len(a1.chain) == 1
    assert a1.cnpj == PROVIDER_CNPJ and a1.legal_name == "RENOVA SOFTWARE LTDA"
    assert "PRIVATE" not in repr(a1) and "private_key" not in repr(a1)


def test_the_cnpj_comes_from_the_icp_brasil_other_name(certificates):
    other = certificates.issue_client("11444777000161", "MARCENARIA SAO JOAO LTDA")
    names = other.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

    assert [name.type_id.dotted_string for name in names] == ["2.16.76.1.3.3"]
    assert other.cnpj == "11444777000161"


def test_a_wrong_password_is_a_certificate_error(certificates):
    with pytest.raises(CertificateError):
        load_pkcs12(certificates.client_p12.read_bytes(), "wrong")


class _Secrets:
    def __init__(self, secret: dict):
        self.secret, self.asked = secret, []

    def get_secret_value(self, SecretId):  # noqa: N803 - boto3's name
        self.asked.append(SecretId)
        return {"SecretString": json.dumps(self.secret)}


def test_the_certificate_from_secrets_manager(certificates, a1):
    client = _Secrets({"pkcs12_base64": base64.b64encode(certificates.client_p12.read_bytes()).decode(),
                       "password": certificates.client_password})

    loaded = from_secret(client, "renova-prod-nfse-certificate")

    assert loaded.certificate == a1.certificate and client.asked == ["renova-prod-nfse-certificate"]
    with pytest.raises(CertificateError):
        from_secret(_Secrets({"password": "x"}), "broken")


def test_the_tls_context_leaves_no_key_on_disk(a1, certificates):
    before = {entry for entry in os.listdir(tempfile.gettempdir()) if entry.startswith("nfse-tls-")}

    context = ssl_context(a1, str(certificates.ca_cert))

    after = {entry for entry in os.listdir(tempfile.gettempdir()) if entry.startswith("nfse-tls-")}
    assert after == before
    assert context.verify_mode.name == "CERT_REQUIRED" and context.check_hostname
