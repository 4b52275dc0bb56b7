"""The local fake PSP over HTTP: it validates every body against the Central Bank's OpenAPI document
(the document's own request examples pass; an invalid body is refused with 400 problem+json), asks
for an OAuth 2 token, answers per the document, and the real adapter (HttpPsp) speaks to it —
including over mutual TLS with a throwaway CA (the way a PSP is reached in production)."""
import datetime as dt
import ssl

import pytest
import requests

from chalicelib.adapters.pix_automatico import PspError
from chalicelib.adapters.pix_automatico.fake_psp import FakePspServer, spec_path
from chalicelib.adapters.pix_automatico.http_psp import HttpPsp, PspCredentials
from chalicelib.adapters.pix_automatico.openapi_validation import SpecDocument, validator_for

pytestmark = pytest.mark.skipif(not spec_path().exists(), reason="the API Pix OpenAPI document is not here")

OPERATIONS = [("/rec", "POST"), ("/rec/{idRec}", "PATCH"), ("/cobr/{txid}", "PUT"), ("/solicrec", "POST"),
              ("/locrec", "POST")]
REC = {"vinculo": {"contrato": "sub_abc", "objeto": "Operand Pro",
                   "devedor": {"cnpj": "11222333000181", "nome": "Marcenaria Exemplo Ltda"}},
       "calendario": {"dataInicial": "2026-04-15", "periodicidade": "MENSAL"},
       "valor": {"valorMinimoRecebedor": "120.00"}, "politicaRetentativa": "PERMITE_3R_7D"}


@pytest.fixture(scope="module")
def server():
    running = FakePspServer().start()
    yield running
    running.stop()


@pytest.fixture
def psp(server):
    return HttpPsp(PspCredentials(server.url, "client", "secret"))


@pytest.mark.parametrize("path, method", OPERATIONS)
def test_the_documents_own_request_examples_pass(path, method):
    spec = SpecDocument(spec_path())
    examples = spec.request_examples(path, method)
    if path != "/locrec":
        assert examples, f"{method} {path} has no example"
    for name, example in examples.items():
        assert validator_for(str(spec_path())).errors(path, method, example) == [], name


@pytest.mark.parametrize("change, where", [
    (lambda b: b["vinculo"].pop("contrato"), "vinculo"),
    (lambda b: b["calendario"].update(periodicidade="DIARIA"), "calendario/periodicidade"),
    (lambda b: b["vinculo"]["devedor"].update(cnpj="123"), "vinculo/devedor"),
    (lambda b: b["vinculo"]["devedor"].update(cpf="12345678909"), "vinculo/devedor"),  # both: neither one
    (lambda b: b["valor"].update(valorMinimoRecebedor="120"), "valor/valorMinimoRecebedor"),
    (lambda b: b.update(politicaRetentativa="SEMPRE"), "politicaRetentativa"),
    (lambda b: b["calendario"].update(dataInicial="2026-02-30"), "calendario/dataInicial"),
])
def test_an_invalid_recurrence_is_refused_with_where_and_why(psp, server, change, where):
    import copy

    body = copy.deepcopy(REC)
    change(body)
    before = len(server.psp.recs)
    with pytest.raises(PspError) as refused:
        psp.create_recurrence(body)
    assert refused.value.status == 400
    assert any(v["propriedade"].startswith(where) for v in refused.value.problem["violacoes"])
    assert len(server.psp.recs) == before


def test_a_recurrence_is_created_read_and_cancelled(psp, server):
    location = psp.create_location()
    created = psp.create_recurrence({**REC, "loc": location["id"]})
    assert created["status"] == "CRIADA" and created["idRec"].startswith("RR") and len(created["idRec"]) == 29
    assert created["loc"]["location"] == location["location"]
    read = psp.get_recurrence(created["idRec"])
    assert read["dadosQR"]["jornada"] == "JORNADA_2" and read["dadosQR"]["pixCopiaECola"].startswith("000201")
    assert psp.cancel_recurrence(created["idRec"])["status"] == "CANCELADA"
    with pytest.raises(PspError) as twice:
        psp.cancel_recurrence(created["idRec"])
    assert twice.value.status == 400


def test_a_cycle_charge_needs_an_approved_recurrence_and_a_fresh_txid(psp, server):
    created = psp.create_recurrence(dict(REC))
    charge = {"idRec": created["idRec"], "calendario": {"dataDeVencimento": "2026-05-15"},
              "valor": {"original": "120.00"}, "ajusteDiaUtil": True,
              "recebedor": {"agencia": "0057", "conta": "12345", "tipoConta": "CORRENTE"}}
    txid = "renova" + "a" * 26
    with pytest.raises(PspError):
        psp.create_cycle_charge(txid, charge)  # not approved yet
    notification = server.psp.payer_answers(created["idRec"], "approve")
    assert notification["recs"][0]["status"] == "APROVADA"
    assert psp.create_cycle_charge(txid, charge)["status"] == "ATIVA"
    with pytest.raises(PspError):
        psp.create_cycle_charge(txid, charge)  # one charge per txid
    log = psp.fake_control("GET", "/requests")
    assert log[0]["kind"] == "cobr" and log[0]["txid"] == txid and log[0]["status"] == "ATIVA"


def test_without_a_token_the_psp_answers_401(server):
    response = requests.post(server.url + "/rec", json=REC, timeout=5)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_the_token_is_asked_once_and_renewed_when_refused(server):
    asked = []
    session = requests.Session()
    original = session.post

    def post(url, **kwargs):
        asked.append(kwargs["data"]["scope"])
        return original(url, **kwargs)

    session.post = post
    psp = HttpPsp(PspCredentials(server.url, "client", "secret"), session=session)
    psp.create_location()
    psp.create_location()
    assert len(asked) == 1 and "rec.write" in asked[0] and "cobr.write" in asked[0]
    server.psp.tokens.clear()  # revoked at the PSP
    psp.create_location()
    assert len(asked) == 2


def _certificates(tmp_path):
    """A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)

    def issue(subject, issuer_name, issuer_key, key, ca=False, san=None):
        builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=1)).not_valid_after(now + dt.timedelta(hours=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(name, data):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    def key_pem(key):
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Teste CA")])
    ca = issue("Teste CA", ca_name, ca_key, ca_key, ca=True)
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    server_cert = issue("127.0.0.1", ca_name, ca_key, server_key,
                        san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_cert = issue("renova", ca_name, ca_key, client_key)
    pem = serialization.Encoding.PEM
    return {"ca": write("ca.pem", ca.public_bytes(pem)),
            "server_cert": write("server.pem", server_cert.public_bytes(pem)),
            "server_key": write("server.key", key_pem(server_key)),
            "client_cert": write("client.pem", client_cert.public_bytes(pem)),
            "client_key": write("client.key", key_pem(client_key))}


def test_the_adapter_presents_its_client_certificate_over_mutual_tls(tmp_path):
    files = _certificates(tmp_path)
    server = FakePspServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files["server_cert"], files["server_key"])
    context.load_verify_locations(files["ca"])
    context.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no connection
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    server.start()
    try:
        url = server.url.replace("http://", "https://")
        with_cert = HttpPsp(PspCredentials(url, "client", "secret", cert_file=files["client_cert"],
                                           key_file=files["client_key"], ca_file=files["ca"]))
        assert with_cert.create_location()["id"] > 0
        without = HttpPsp(PspCredentials(url, "client", "secret", ca_file=files["ca"]))
        with pytest.raises(PspError):
            without.create_location()
    finally:
        server.stop()
