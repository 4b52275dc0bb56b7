"""SefinNacional: the ServiceInvoiceAuthority over the SEFIN Nacional's REST API, with `requests` and
mutual TLS (the vendor's A1 certificate), pointed at "produção restrita", production or the local fake.

The API, as its Swagger ("API NFS-e - Sefin Nacional", basePath /SefinNacional) describes it:

- `POST /nfse` {"dpsXmlGZipB64": gzip+base64 of the signed DPS} -> 201 {tipoAmbiente,
  versaoAplicativo, dataHoraProcessamento, idDps, chaveAcesso, nfseXmlGZipB64, alertas} or
  400/403/500 {..., idDPS, erros: [{codigo, descricao, complemento}]};
- `GET /dps/{id}` -> 200 {idDps, chaveAcesso} or 404 {erro: {codigo, descricao, complemento}};
- `GET /nfse/{chaveAcesso}` -> 200 {chaveAcesso, nfseXmlGZipB64} or 4xx {erro};
- `POST /nfse/{chaveAcesso}/eventos` {"pedidoRegistroEventoXmlGZipB64": ...} -> 201
  {eventoXmlGZipB64} or 400 {erro}.

Errors: a timeout, a connection failure or a 5xx is SefinUnavailable (the DPS may have become an
NFS-e: ask find_by_dps); a 4xx with the SEFIN's message is SefinRejected(code, message). The same DPS
sent twice is refused by the SEFIN with E0014 ("... já existe em uma NFS-e gerada a partir de uma DPS
enviada anteriormente"); `issue` answers that with the NFS-e the first one produced, so a re-send after
a lost answer is harmless."""
import base64
import gzip
import logging
from datetime import datetime

from chalicelib.adapters.service_invoices import SefinRejected, SefinUnavailable, layout
from chalicelib.adapters.service_invoices.certificates import A1Certificate
from chalicelib.adapters.service_invoices.dps import APP_VERSION, DpsBuilder
from chalicelib.adapters.service_invoices.signing import CancellationBuilder, sign_dps, sign_event_request
from chalicelib.domain.service_invoices import DpsData, IssuedNfse, NfseEvent, SignedDps

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = (10, 60)  # connect, read: the SEFIN generates the NFS-e while the request waits
DUPLICATE_DPS = "E0014"
BASE_URLS = {  # docs/service-invoices-adapter.md says where these come from
    layout.RESTRICTED: "https://sefin.producaorestrita.nfse.gov.br/SefinNacional",
    layout.PRODUCTION: "https://sefin.nfse.gov.br/SefinNacional",
}


def gzip_b64(xml: bytes) -> str:
    return base64.b64encode(gzip.compress(xml)).decode("ascii")


def gunzip_b64(text: str) -> bytes:
    return gzip.decompress(base64.b64decode(text))


def _mutual_tls_adapter(context):
    """A requests transport whose every HTTPS connection uses `context` (server verification and the
    client certificate), whatever `verify`/`cert` a call passes."""
    from requests.adapters import HTTPAdapter

    class MutualTlsAdapter(HTTPAdapter):
        def build_connection_pool_key_attributes(self, request, verify, cert=None):
            host_params, _ = super().build_connection_pool_key_attributes(request, True, None)
            return host_params, {"ssl_context": context, "cert_reqs": "CERT_REQUIRED"}

        def cert_verify(self, conn, url, verify, cert):
            conn.cert_reqs = "CERT_REQUIRED"  # the context holds the CA and the client certificate

    return MutualTlsAdapter()


class SefinNacional:
    """ServiceInvoiceAuthority at `base_url` (…/SefinNacional), signing with `certificate` and showing it
    in mutual TLS. `environment`: layout.RESTRICTED (tpAmb 2) or layout.PRODUCTION (tpAmb 1).
    `ca_file`: the CA bundle that signs the server's certificate (default: certifi's; the local fake's
    own CA in the local stage). `clock`: now() for dhEvento (the local stage passes its movable clock)."""

    def __init__(self, base_url: str, certificate: A1Certificate, environment: str = layout.RESTRICTED, *,
                 ca_file: str | None = None, app_version: str = APP_VERSION, clock=None, session=None,
                 timeout=TIMEOUT_SECONDS, incidence_agreement_active: bool = True):
        import requests

        from chalicelib.adapters.service_invoices.certificates import ssl_context

        self.base_url = base_url.rstrip("/")
        self.certificate = certificate
        self.environment = environment
        self._dps = DpsBuilder(environment, app_version, incidence_agreement_active)
        self._events = CancellationBuilder(environment, app_version)
        self._clock = clock
        self._timeout = timeout
        self._session = session or requests.Session()
        self._session.mount("https://", _mutual_tls_adapter(ssl_context(certificate, ca_file)))

    def __repr__(self) -> str:
        return f"SefinNacional({self.base_url!r}, {self.environment})"

    # --- the port ---------------------------------------------------------------------------------------
    def sign(self, dps: DpsData) -> SignedDps:
        dps_id, xml = self._dps.build(dps)
        return SignedDps(dps_id=dps_id, xml=sign_dps(xml, self.certificate))

    def issue(self, dps: SignedDps) -> IssuedNfse:
        status, body = self._call("POST", "/nfse", {"dpsXmlGZipB64": gzip_b64(dps.xml)})
        if status in (200, 201) and body.get("nfseXmlGZipB64"):
            return issued_from(gunzip_b64(body["nfseXmlGZipB64"]))
        code, message = _error(body, status)
        if code == DUPLICATE_DPS:
            existing = self.find_by_dps(dps.dps_id)
            if existing is not None:
                log.info("DPS %s was already an NFS-e (%s): answering that one", dps.dps_id, code)
                return existing
        raise SefinRejected(code, message)

    def find_by_dps(self, dps_id: str) -> IssuedNfse | None:
        status, body = self._call("GET", f"/dps/{_segment(dps_id)}")
        if status == 404:
            return None
        if status != 200 or not body.get("chaveAcesso"):
            raise SefinRejected(*_error(body, status))
        return self.find_by_access_key(body["chaveAcesso"])

    def find_by_access_key(self, access_key: str) -> IssuedNfse | None:
        status, body = self._call("GET", f"/nfse/{_segment(access_key)}")
        if status == 404:
            return None
        if status != 200 or not body.get("nfseXmlGZipB64"):
            raise SefinRejected(*_error(body, status))
        return issued_from(gunzip_b64(body["nfseXmlGZipB64"]))

    def cancel(self, access_key: str, *, reason_code: str, reason: str) -> NfseEvent:
        author = self.certificate.cnpj
        if not author:
            raise ValueError("the certificate carries no CNPJ to sign the cancellation as its author")
        _, request = self._events.build(access_key, author, self._now(), reason_code, reason)
        signed = sign_event_request(request, self.certificate)
        status, body = self._call("POST", f"/nfse/{_segment(access_key)}/eventos",
                                  {"pedidoRegistroEventoXmlGZipB64": gzip_b64(signed)})
        if status in (200, 201) and body.get("eventoXmlGZipB64"):
            return event_from(gunzip_b64(body["eventoXmlGZipB64"]), access_key)
        raise SefinRejected(*_error(body, status))

    # --- the local fake SEFIN's controls (fake_sefin.py), over the same mutual TLS ------------------------
    def fake_control(self, method: str, path: str, body: dict | None = None):
        """`fake_control("GET", "/received")`, `fake_control("POST", "/scenario", {...})`: the local
        stage's dev routes read and steer the fake through this."""
        status, data = self._call(method, f"/_fake{path}", body, raw=True)
        if status >= 400:
            raise SefinRejected(*_error(data if isinstance(data, dict) else {}, status))
        return data

    def received(self) -> list[dict]:
        """The local fake SEFIN's log (GET /_fake/received): what the dev route shows."""
        return self.fake_control("GET", "/received")

    # --- HTTP -------------------------------------------------------------------------------------------
    def _now(self) -> datetime:
        if self._clock is not None:
            return self._clock()
        from chalicelib.adapters.clock import SystemClock

        return SystemClock().now()

    def _call(self, method: str, path: str, body: dict | None = None, raw: bool = False) -> tuple[int, dict]:
        import requests

        try:
            response = self._session.request(method, self.base_url + path, json=body, timeout=self._timeout,
                                             headers={"Accept": "application/json"})
        except requests.Timeout as exc:
            raise SefinUnavailable(f"SEFIN Nacional did not answer {method} {path} in time") from exc
        except requests.RequestException as exc:
            raise SefinUnavailable(f"SEFIN Nacional unreachable ({type(exc).__name__})") from exc
        if response.status_code >= 500:
            code, message = _error(_json(response), response.status_code)
            raise SefinUnavailable(f"SEFIN Nacional answered {response.status_code}: {code} {message}")
        if raw:
            try:
                return response.status_code, response.json()
            except ValueError:
                return response.status_code, {}
        return response.status_code, _json(response)


def _segment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _json(response) -> dict:
    try:
        data = response.json() if response.content else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _message(item: dict) -> tuple[str, str]:
    """A MensagemProcessamento (the Swagger writes codigo/descricao/complemento; answers in the wild
    also capitalise them)."""
    def read(name: str) -> str:
        return str(item.get(name) or item.get(name.capitalize()) or "").strip()

    description = read("descricao") or read("mensagem")
    complement = read("complemento")
    return read("codigo"), f"{description} ({complement})" if complement else description


def _error(body: dict, status: int) -> tuple[str, str]:
    """(code, pt-BR message) from `erros` (POST /nfse) or `erro` (the other endpoints)."""
    items = body.get("erros") or body.get("Erros") or []
    single = body.get("erro") or body.get("Erro")
    if isinstance(single, dict):
        items = [single, *items]
    messages = [_message(item) for item in items if isinstance(item, dict)]
    if not messages:
        return f"HTTP{status}", f"SEFIN Nacional respondeu HTTP {status} sem mensagem de erro"
    code = messages[0][0] or f"HTTP{status}"
    return code, "; ".join(f"{c}: {m}" if c and i else m for i, (c, m) in enumerate(messages))


def _lenient_parser():
    from xsdata.formats.dataclass.parsers import XmlParser
    from xsdata.formats.dataclass.parsers.config import ParserConfig

    # A newer layout adds groups (IBSCBS, ...): read what this one knows rather than fail on an NFS-e
    # that was issued.
    return XmlParser(config=ParserConfig(fail_on_unknown_properties=False, fail_on_unknown_attributes=False))


def issued_from(nfse_xml: bytes) -> IssuedNfse:
    """IssuedNfse read from an authorised NFS-e with nfelib's bindings: the access key (infNFSe/@Id
    without "NFS"), nNFSe, dhProc and the DPS's Id."""
    from nfelib.nfse.bindings.v1_0 import Nfse

    try:
        info = _lenient_parser().from_bytes(nfse_xml, Nfse).infNFSe
        key, number, processed, dps_id = info.Id, info.nNFSe, info.dhProc, info.DPS.infDPS.Id
    except Exception:  # an NFS-e the bindings cannot read is still an NFS-e: take the four fields by path
        from lxml import etree

        root = etree.fromstring(nfse_xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        ns = {"n": layout.NAMESPACE}
        info = root.find("n:infNFSe", ns)
        if info is None:
            raise
        key, number, processed = info.get("Id"), info.findtext("n:nNFSe", namespaces=ns), info.findtext(
            "n:dhProc", namespaces=ns)
        dps_id = info.find("n:DPS/n:infDPS", ns).get("Id")
    return IssuedNfse(access_key=key.removeprefix("NFS"), number=str(number),
                      issued_at=layout.parse_xml_datetime(processed), xml=nfse_xml, dps_id=dps_id)


def event_from(event_xml: bytes, access_key: str) -> NfseEvent:
    from nfelib.nfse.bindings.v1_0 import Evento

    event = _lenient_parser().from_bytes(event_xml, Evento)
    request = event.infEvento.pedRegEvento.infPedReg
    code = request.Id.removeprefix("PRE")[50:56] if request.Id else layout.CANCELLATION_EVENT
    return NfseEvent(access_key=request.chNFSe or access_key, code=code,
                     registered_at=layout.parse_xml_datetime(event.infEvento.dhProc), xml=event_xml)

