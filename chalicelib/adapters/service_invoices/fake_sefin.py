"""The local stage's SEFIN Nacional: an HTTPS server on 127.0.0.1 speaking the national API
(`POST /nfse`, `GET /dps/{id}`, `GET /nfse/{chave}`, `POST /nfse/{chave}/eventos`) with mutual TLS.

Like the real one it accepts TLS 1.2 at most and only a client certificate issued by its CA (here the
dev CA of dev_certificates.py): a call without one fails in the TLS handshake. What it receives it
gunzips, decodes, validates against the official XSD, and checks the XMLDSig signature with signxml
against the dev CA, and that the signer is the certificate of the TLS connection and the provider's
CNPJ. Then it answers as the Swagger says: 201 with the authorised NFS-e (a full NFS-e of layout 1.01,
signed by the fake, 50-digit access key with its check digit, sequential nNFSe) or 400 with the
SEFIN's error list and its pt-BR messages (Anexo I/II codes: E0004, E0006, E0014, E0037, E0042, E0044,
E0046, E0061, E0080, E0188, E0202, E0206, E0235, E0238, E0302, E0714, E0717, E0718 for the DPS; E0812, E0822, E0840, E1827,
E1831, E1980, E1989, E1991 for events; E1226 for a body that is not a gzip+base64 document of the
layout). The same DPS twice is refused with E0014, as the real API does (Anexo I: "Conjunto de Série,
Número, Código do Município Emissor e CNPJ/CPF informado nesta DPS já existe em uma NFS-e gerada a partir
de uma DPS enviada anteriormente").

Not checked (the national registries and the municipalities' parameters are not here): the CNC and
Simples Nacional registrations, the municipality's rates and deadlines, dhEmi against the clock (the
local stage's clock can be moved forward).

Test controls on paths the real API does not have:
- `POST /_fake/scenario` with any of
  {"reject_next": {"code", "message"}}: the next DPS is refused with that code;
  {"drop_answer_next": true}: the next DPS is accepted and stored, and the connection is closed
  without an answer ("timeout after the SEFIN accepted");
  {"reject_cancellations": true | {"code", "message"}}: cancellations are refused (default E0822,
  the municipality's deadline passed) until {"reject_cancellations": false};
  {"fail_next": true}: the next DPS gets a 500 ("Falha durante o processamento do DPS") and is not kept;
- `GET /_fake/received`: every DPS received, newest first: {invoice_id, dps_id, dps_xml (the signed
  DPS, decoded), status (issued | cancelled | substituted | rejected | failed), access_key, events, received_at,
  answer}. `invoice_id` is read back from serv/infoCompl/xInfComp ("Fatura <id>"), where dps.py puts it.
- `POST /_fake/reset`: forget everything.

`FakeSefinServer(host, port, certificates_dir).start()` runs it in a thread (`.url`, `.stop()`)."""
import base64
import binascii
import gzip
import json
import logging
import re
import secrets
import ssl
import threading
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from chalicelib.adapters.service_invoices import layout, schemas

log = logging.getLogger(__name__)

APP_VERSION = "SefinNac_Fake_1.0"
DEFAULT_ISS_RATE = "2.00"  # the municipality's parametrised rate when the DPS carries none
DEFAULT_REGISTRY_ADDRESS = {"xLgr": "Rua das Flores", "nro": "100", "xBairro": "Centro", "CEP": "95020000"}
_INVOICE = re.compile(r"\bFatura (\S+)")
NS = {"n": layout.NAMESPACE, "ds": layout.XMLDSIG_NAMESPACE}

# Anexo I / II messages, as the SEFIN writes them.
MESSAGES = {
    "E0004": "Conteúdo do identificador informado na DPS difere da concatenação dos campos correspondentes.",
    "E0006": "Ambiente informado diverge do ambiente de recebimento para o qual o emitente enviou a DPS.",
    "E0014": ("Conjunto de Série, Número, Código do Município Emissor e CNPJ/CPF informado nesta DPS já existe "
              "em uma NFS-e gerada a partir de uma DPS enviada anteriormente."),
    "E0037": ("O código do município emissor informado na DPS é inexistente no cadastro de convênio municipal do "
              "sistema nacional."),
    "E0042": "Chave de NFS-e a ser substituída é inválida.",
    "E0044": ("NFS-e não existe na base de dados do autorizador de NFS-e nacional. Informe uma chave de NFS-e "
              "existente."),
    "E0046": ("Uma NFS-e cancelada não pode ser substituída. Informe uma chave de NFS-e não cancelada "
              "anteriormente."),
    "E0061": ("Os campos identificação do Tomador (se identificado na DPS), data de competência (dCompet), e valor "
              "do serviço (vServ), não podem ser alterados quando a opção do simples nacional for MEI "
              "(opSimpNac = 2) ou ME/EPP (opSimpNac = 3)."),
    "E0080": "CNPJ do prestador informado na DPS é inválido.",
    "E0188": "CNPJ do tomador informado na DPS é inválido.",
    "E0202": "Na emissão da NFS-e não é permitido que o prestador do serviço seja igual ao tomador do serviço.",
    "E0206": "CPF do tomador informado na DPS é inválido.",
    "E0235": ("O endereço nacional do tomador do serviço deve ser informado na DPS quando o tomador for "
              "identificado pelo CNPJ."),
    "E0714": "Arquivo enviado com erro na assinatura.",
    "E0717": "É obrigatória a existência da assinatura da DPS quando for enviado para Web Service.",
    "E0718": "A assinatura deve ser feita com o certificado digital do emitente da DPS.",
    "E0812": ("O CNPJ do autor do pedido de registro de evento não corresponde à base do CNPJ informada no "
              "certificado digital da assinatura do pedido."),
    "E0822": ("O prazo para o cancelamento da NFS-e expirou, conforme parametrização do município de incidência "
              "do ISSQN."),
    "E0840": ("O Sistema Nacional NFS-e não pode recepecionar o EVENTO DE CANCELAMENTO DE NFS-e pois, o evento de "
              "Cancelamento de NFS-e já está vinculado à NFS-e indicada no evento enviado, impedindo sua recepção."),
    "E0238": ("O código do município informado na DPS para o endereço do tomador do serviço não existe conforme "
              "tabela de município do IBGE."),
    "E0302": ("O código do local da prestação do serviço não existe conforme a tabela de municípios IBGE "
              "disponibilizada no ANEXO_A-MUNICIPIO_IBGE-PAISES_ISO2-SNNFSe."),
    "E1226": "Estrutura descompactada mal formada.",
    "E1827": ("Conteúdo do identificador informado no identificador do Pedido de Registro de Evento difere da "
              "concatenação dos campos correspondentes."),
    "E1831": ("O pedido de registro de evento não pode ser validado pois a NFS-e indicada não existe no Ambiente "
              "de Dados Nacional NFS-e."),
    "E1980": "Arquivo enviado com erro na assinatura.",
    "E1989": "A assinatura é obrigatória quando for enviado para o Web Service.",
    "E1991": "A assinatura deve ser feita com o certificado digital do emitente do Pedido de Registro de Evento.",
}


class Refused(Exception):
    def __init__(self, code: str, complement: str = "", message: str | None = None, status: int = 400):
        super().__init__(code)
        self.code, self.status = code, status
        self.message = message or MESSAGES.get(code, code)
        self.complement = complement

    def item(self) -> dict:
        item = {"codigo": self.code, "descricao": self.message} if self.code else {"descricao": self.message}
        if self.complement:
            item["complemento"] = self.complement
        return item


def _now() -> datetime:
    from chalicelib.adapters.clock import SystemClock

    return SystemClock().now().replace(microsecond=0)


def _decode(text) -> bytes:
    if not isinstance(text, str) or not text:
        raise Refused("E1226", "o campo com o documento compactado não foi informado")
    try:
        return gzip.decompress(base64.b64decode(text, validate=True))
    except (binascii.Error, OSError, EOFError, ValueError) as exc:
        raise Refused("E1226", f"não é GZip em base64: {type(exc).__name__}") from None


def _parse(xml: bytes):
    from lxml import etree

    try:
        return etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise Refused("E1226", f"XML mal formado: {exc}") from None


def _text(node, path: str) -> str | None:
    found = node.find(path, NS)
    return found.text if found is not None else None


def _cents(value: str | None) -> int:
    return int((Decimal(value or "0") * 100).to_integral_value(ROUND_HALF_UP))


def _service_description(code: str) -> str:
    """xTribNac: the subitem of the national list (LC 116/2003) from PyNFe's copy of the list."""
    from importlib.resources import files

    try:
        rows = (files("pynfe") / "data" / "ISSQN" / "Lista-Servicos.txt").read_text("utf-8-sig").splitlines()
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - PyNFe is pinned
        rows = []
    key = str(int(code[:4])) if code[:4].isdigit() else ""
    for row in rows:
        number, _, description = row.partition("\t")
        if number.strip() == key and description.strip():
            return description.strip().capitalize()
    return f"Serviço {code}"


class FakeSefin:
    """The state and the rules; FakeSefinServer puts them on HTTPS."""

    def __init__(self, certificates, environment: str = layout.RESTRICTED, registry: dict | None = None,
                 iss_rate: str = DEFAULT_ISS_RATE):
        self.certificates = certificates  # dev_certificates.DevCertificates: the CA and the fake's own key
        self.tp_amb = layout.environment_code(environment)
        self.registry = registry or {}  # CNPJ -> {"xNome", "xLgr", "nro", "xBairro", "CEP"} (the CNC's data)
        self.iss_rate = iss_rate
        self._lock = threading.RLock()
        self._signer = None
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.receipts: list[dict] = []
            self.nfse: dict[str, dict] = {}  # access key -> record
            self.by_dps: dict[str, str] = {}  # DPS id -> access key
            self.numbers: dict[str, int] = {}  # emitter -> last nNFSe
            self.n_dfse = 0
            self.reject_next: dict | None = None
            self.drop_answer_next = False
            self.reject_cancellations: dict | None = None
            self.fail_next = False

    # --- controls -----------------------------------------------------------------------------------
    def scenario(self, body: dict) -> dict:
        with self._lock:
            if "reject_next" in body:
                reject = body["reject_next"]
                self.reject_next = ({"code": str(reject.get("code") or "E0000"),
                                     "message": str(reject.get("message") or "Rejeição simulada.")}
                                    if reject else None)
            if "drop_answer_next" in body:
                self.drop_answer_next = bool(body["drop_answer_next"])
            if "fail_next" in body:
                self.fail_next = bool(body["fail_next"])
            if "reject_cancellations" in body:
                reject = body["reject_cancellations"]
                if reject is True or isinstance(reject, dict):
                    reject = reject if isinstance(reject, dict) else {}
                    self.reject_cancellations = {"code": str(reject.get("code") or "E0822"),
                                                 "message": reject.get("message")}
                else:
                    self.reject_cancellations = None
            return {"reject_next": self.reject_next, "drop_answer_next": self.drop_answer_next,
                    "reject_cancellations": self.reject_cancellations, "fail_next": self.fail_next}

    def received(self) -> list[dict]:
        """What the fake received, newest first (the dev route GET /v1/_dev/service-invoices)."""
        with self._lock:
            items = []
            for receipt in reversed(self.receipts):
                key = self.by_dps.get(receipt["dps_id"] or "")
                record = self.nfse.get(key) if key else None
                items.append({
                    "invoice_id": receipt["invoice_id"], "dps_id": receipt["dps_id"], "dps_xml": receipt["dps_xml"],
                    "status": record["status"] if record else self._failed_or_rejected(receipt), "access_key": key,
                    "events": [dict(event) for event in record["events"]] if record else [],
                    "received_at": receipt["received_at"], "answer": dict(receipt["answer"]),
                })
            return items

    @staticmethod
    def _failed_or_rejected(receipt: dict) -> str:
        return "failed" if receipt["answer"].get("status", 0) >= 500 else "rejected"

    # --- the API ------------------------------------------------------------------------------------
    def _envelope(self, **fields) -> dict:
        return {"tipoAmbiente": int(self.tp_amb), "versaoAplicativo": APP_VERSION,
                "dataHoraProcessamento": layout.xml_datetime(_now()), **fields}

    def issue(self, body, client_cert) -> tuple[int, dict, bool]:
        """POST /nfse -> (status, answer, drop the connection instead of answering)."""
        receipt = {"invoice_id": None, "dps_id": None, "dps_xml": None, "received_at": layout.xml_datetime(_now()),
                   "answer": {}}
        with self._lock:
            self.receipts.append(receipt)
            try:
                xml = _decode((body or {}).get("dpsXmlGZipB64") if isinstance(body, dict) else None)
                receipt["dps_xml"] = xml.decode("utf-8", errors="replace")
                root = _parse(xml)
                info = root.find("n:infDPS", NS)
                receipt["dps_id"] = info.get("Id") if info is not None else None
                match = _INVOICE.search(_text(root, "n:infDPS/n:serv/n:infoCompl/n:xInfComp") or "")
                receipt["invoice_id"] = match.group(1) if match else None
                if self.fail_next:
                    self.fail_next = False
                    raise Refused("", message="Falha durante o processamento do DPS", status=500)
                record = self._authorise(xml, root, client_cert)
            except Refused as refused:
                receipt["answer"] = {"status": refused.status, **refused.item()}
                return refused.status, self._envelope(idDPS=receipt["dps_id"], erros=[refused.item()]), False
            receipt["answer"] = {"status": 201, "chaveAcesso": record["access_key"]}
            drop, self.drop_answer_next = self.drop_answer_next, False
            return 201, self._envelope(idDps=record["dps_id"], chaveAcesso=record["access_key"],
                                       nfseXmlGZipB64=_gzip_b64(record["nfse_xml"]), alertas=[]), drop

    def find_dps(self, dps_id: str, client_cert) -> tuple[int, dict]:
        with self._lock:
            key = self.by_dps.get(dps_id)
            if not re.fullmatch(r"DPS[0-9]{42}", dps_id or ""):
                return 400, self._envelope(erro={"descricao": "Identificador de DPS inválido"})
            if key is None:
                return 404, self._envelope(erro={"descricao": "Não foi gerada uma NFS-e com o identificador de "
                                                              "DPS informado"})
            if not self._is_actor(self.nfse[key], client_cert):
                return 403, self._envelope(erro={"descricao": "Consulta desta NFS-e não é permitida para este "
                                                              "usuário."})
            return 200, self._envelope(idDps=dps_id, chaveAcesso=key)

    def get_nfse(self, key: str, client_cert) -> tuple[int, dict]:
        with self._lock:
            if not re.fullmatch(r"[0-9]{50}", key or ""):
                return 400, self._envelope(erro={"descricao": "A chave de acesso consultada deve conter 50 números."})
            record = self.nfse.get(key)
            if record is None:
                return 404, self._envelope(erro={"descricao": "Chave de acesso não encontrada."})
            if not self._is_actor(record, client_cert):
                return 403, self._envelope(erro={"descricao": "Consulta desta NFS-e não é permitida para este "
                                                              "usuário."})
            return 200, self._envelope(chaveAcesso=key, nfseXmlGZipB64=_gzip_b64(record["nfse_xml"]))

    def register_event(self, key: str, body, client_cert) -> tuple[int, dict]:
        with self._lock:
            try:
                xml = _decode((body or {}).get("pedidoRegistroEventoXmlGZipB64") if isinstance(body, dict) else None)
                event = self._event(key, xml, _parse(xml), client_cert)
            except Refused as refused:
                return refused.status, self._envelope(erro=refused.item())
            return 201, self._envelope(eventoXmlGZipB64=_gzip_b64(event["xml"]))

    # --- rules --------------------------------------------------------------------------------------
    def _is_actor(self, record: dict, client_cert) -> bool:
        cnpj = _certificate_cnpj(client_cert)
        return bool(cnpj) and cnpj[:8] in (record["provider"][:8], (record["taker"] or "")[:8])

    def _verify_signature(self, xml: bytes, root, client_cert, codes: tuple[str, str, str]) -> str:
        """signxml's verifier against the dev CA; the signer must be the TLS client. Returns the signer's
        CNPJ. codes: (missing, invalid, other signer)."""
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
        from signxml import SignatureConfiguration, XMLVerifier
        from signxml.exceptions import InvalidInput, InvalidSignature

        missing, invalid, other = codes
        if root.find("ds:Signature", NS) is None:
            raise Refused(missing)
        signed = root[0]
        try:
            result = XMLVerifier().verify(
                xml, ca_pem_file=str(self.certificates.ca_cert),
                expect_config=SignatureConfiguration(location="./", expect_references=1))
        except (InvalidSignature, InvalidInput) as exc:
            raise Refused(invalid, str(exc)[:200]) from None
        signed_xml = result.signed_xml
        if signed_xml is None or signed_xml.get("Id") != signed.get("Id"):
            raise Refused(invalid, "a assinatura não referencia o elemento com o Id do documento")
        if client_cert is None:
            raise Refused(other, "conexão sem certificado de cliente")
        tls_key = client_cert.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        if _pem_key(result.signature_key) != _pem_key(tls_key):
            raise Refused(other, "o certificado da assinatura não é o certificado da conexão TLS")
        return _certificate_cnpj(client_cert) or ""

    def _authorise(self, xml: bytes, root, client_cert) -> dict:
        from validate_docbr import CNPJ, CPF

        if root.tag != f"{{{layout.NAMESPACE}}}DPS":
            raise Refused("E1226", "o documento não é uma DPS")
        found = schemas.errors(xml, schemas.DPS)
        if found:
            field, message = found[0]
            raise Refused("E1226", f"{field}: {message}"[:500])
        signer = self._verify_signature(xml, root, client_cert, ("E0717", "E0714", "E0718"))
        info = root.find("n:infDPS", NS)
        dps_id = info.get("Id")
        provider = _text(info, "n:prest/n:CNPJ") or _text(info, "n:prest/n:CPF") or ""
        if signer != provider:
            raise Refused("E0718", "o CNPJ do certificado difere do CNPJ do prestador")
        if _text(info, "n:tpAmb") != self.tp_amb:
            raise Refused("E0006")
        expected = layout.dps_id(_text(info, "n:cLocEmi"), provider, _text(info, "n:serie"), int(_text(info, "n:nDPS")))
        if dps_id != expected:
            raise Refused("E0004", f"esperado {expected}")
        if len(provider) == 14 and not CNPJ().validate(provider):
            raise Refused("E0080")
        if dps_id in self.by_dps:
            raise Refused("E0014")
        taker_cnpj, taker_cpf = _text(info, "n:toma/n:CNPJ"), _text(info, "n:toma/n:CPF")
        if taker_cnpj and not CNPJ().validate(taker_cnpj):
            raise Refused("E0188")
        if taker_cpf and not CPF().validate(taker_cpf):
            raise Refused("E0206")
        if taker_cnpj and taker_cnpj[:8] == provider[:8]:
            raise Refused("E0202")
        if taker_cnpj and info.find("n:toma/n:end/n:endNac", NS) is None:
            raise Refused("E0235")
        from chalicelib.adapters.service_invoices.municipalities import is_municipality

        for path, code in (("n:cLocEmi", "E0037"), ("n:serv/n:locPrest/n:cLocPrestacao", "E0302"),
                           ("n:toma/n:end/n:endNac/n:cMun", "E0238")):
            value = _text(info, path)
            if value is not None and not is_municipality(value):
                raise Refused(code, value)
        substituted = self._substituted(info, provider)
        if self.reject_next:
            reject, self.reject_next = self.reject_next, None
            raise Refused(reject["code"], message=reject["message"])
        record = self._generate(root, info, provider, taker_cnpj or taker_cpf, dps_id, client_cert)
        if substituted is not None:
            substituted["status"] = "substituted"
            substituted["events"].append({"code": "105102", "description": "Cancelamento de NFS-e por Substituição",
                                          "registered_at": record["issued_at"], "substitute": record["access_key"]})
        return record

    def _substituted(self, info, provider: str) -> dict | None:
        key = _text(info, "n:subst/n:chSubstda")
        if not key:
            return None
        if not layout.is_access_key(key) or key[9:23] != provider.zfill(14) or key[:7] != _text(info, "n:cLocEmi"):
            raise Refused("E0042")
        record = self.nfse.get(key)
        if record is None:
            raise Refused("E0044")
        if record["status"] != "issued":
            raise Refused("E0046")
        regime = _text(info, "n:prest/n:regTrib/n:opSimpNac")
        if regime in ("2", "3"):
            old = record["dps"]
            taker = _text(info, "n:toma/n:CNPJ") or _text(info, "n:toma/n:CPF")
            if (taker != record["taker"] or _text(info, "n:dCompet") != old["dCompet"]
                    or _text(info, "n:valores/n:vServPrest/n:vServ") != old["vServ"]):
                raise Refused("E0061")
        return record

    def _generate(self, root, info, provider: str, taker: str | None, dps_id: str, client_cert) -> dict:
        from chalicelib.adapters.service_invoices.municipalities import municipality

        now = _now()
        self.numbers[provider] = number = self.numbers.get(provider, 0) + 1
        self.n_dfse += 1
        issuing = _text(info, "n:cLocEmi")
        key = layout.access_key(issuing, provider, number, now.date(), secrets.randbelow(10**9))
        place = _text(info, "n:serv/n:locPrest/n:cLocPrestacao") or issuing
        nfse_xml = self._nfse_xml(root, info, provider, key, number, now, municipality(issuing), municipality(place),
                                  client_cert)
        record = {"access_key": key, "dps_id": dps_id, "provider": provider, "taker": taker, "status": "issued",
                  "number": number, "issued_at": layout.xml_datetime(now), "nfse_xml": nfse_xml, "events": [],
                  "dps": {"dCompet": _text(info, "n:dCompet"), "vServ": _text(info, "n:valores/n:vServPrest/n:vServ")}}
        self.nfse[key] = record
        self.by_dps[dps_id] = key
        return record

    def _values(self, info) -> dict:
        """TCValoresNFSe, computed as Anexo I says: vBC = vServ - vDescIncond; vISSQN = vBC x rate;
        vTotalRet = CP + IRRF + CSLL + ISS if retained + PIS/COFINS if retained; vLiq = vServ - discounts -
        retentions."""
        value = lambda path: _cents(_text(info, "n:valores/" + path))  # noqa: E731
        service = value("n:vServPrest/n:vServ")
        unconditional, conditional = value("n:vDescCondIncond/n:vDescIncond"), value("n:vDescCondIncond/n:vDescCond")
        rate = Decimal(_text(info, "n:valores/n:trib/n:tribMun/n:pAliq") or self.iss_rate)
        base = service - unconditional
        iss = int((Decimal(base) * rate / 100).to_integral_value(ROUND_HALF_UP))
        retained = iss if _text(info, "n:valores/n:trib/n:tribMun/n:tpRetISSQN") in ("2", "3") else 0
        pis_cofins = _text(info, "n:valores/n:trib/n:tribFed/n:piscofins/n:tpRetPisCofins") or "0"
        pis = value("n:trib/n:tribFed/n:piscofins/n:vPis") if pis_cofins in ("1", "3", "4", "5", "9") else 0
        cofins = value("n:trib/n:tribFed/n:piscofins/n:vCofins") if pis_cofins in ("1", "3", "4", "6", "7") else 0
        federal = (value("n:trib/n:tribFed/n:vRetCP") + value("n:trib/n:tribFed/n:vRetIRRF")
                   + value("n:trib/n:tribFed/n:vRetCSLL"))
        total = federal + retained + pis + cofins
        return {"vBC": layout.money(base), "pAliqAplic": str(rate.quantize(Decimal("0.01"))),
                "vISSQN": layout.money(iss), "vTotalRet": layout.money(total) if total else None,
                "vLiq": layout.money(service - unconditional - conditional - total)}

    def _emitter(self, provider: str, client_cert, issuing, info):
        from nfelib.nfse.bindings.v1_0 import Tcemitente, TcenderecoEmitente
        from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import Tsuf

        entry = {**DEFAULT_REGISTRY_ADDRESS, **self.registry.get(provider, {})}
        name = entry.get("xNome") or _certificate_name(client_cert) or "EMITENTE"
        return Tcemitente(
            CNPJ=provider if len(provider) == 14 else None, CPF=provider if len(provider) == 11 else None,
            IM=_text(info, "n:prest/n:IM"), xNome=name,
            enderNac=TcenderecoEmitente(xLgr=entry["xLgr"], nro=entry["nro"], xBairro=entry["xBairro"],
                                        cMun=issuing.code, UF=Tsuf(issuing.uf), CEP=entry["CEP"]),
            fone=_text(info, "n:prest/n:fone"), email=_text(info, "n:prest/n:email"))

    def _nfse_xml(self, root, info, provider, key, number, now, issuing, place, client_cert) -> bytes:
        import copy

        from lxml import etree
        from nfelib.nfse.bindings.v1_0 import Nfse, TcinfNfse, TcvaloresNfse
        from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import (TsambGeradorNfse, TsprocEmissao,
                                                                  TstipoEmissao, Tstat)

        from chalicelib.adapters.service_invoices.dps import serialize
        from chalicelib.adapters.service_invoices.signing import sign

        values = self._values(info)
        nfse = Nfse(versao=layout.LAYOUT_VERSION, infNFSe=TcinfNfse(
            Id="NFS" + key, xLocEmi=issuing.name, xLocPrestacao=place.name, nNFSe=str(number),
            cLocIncid=place.code, xLocIncid=place.name,
            xTribNac=_service_description(_text(info, "n:serv/n:cServ/n:cTribNac") or ""),
            verAplic=APP_VERSION, ambGer=TsambGeradorNfse("2"), tpEmis=TstipoEmissao("1"),
            procEmi=TsprocEmissao("1"), cStat=Tstat("100"), dhProc=layout.xml_datetime(now), nDFSe=str(self.n_dfse),
            emit=self._emitter(provider, client_cert, issuing, info),
            valores=TcvaloresNfse(**values)))
        skeleton = _parse(serialize(nfse))
        skeleton.find("n:infNFSe", NS).append(copy.deepcopy(root))  # the DPS exactly as signed
        unsigned = etree.tostring(skeleton, xml_declaration=True, encoding="UTF-8")
        signed = sign(unsigned, self._server_certificate())
        schemas.validate(signed, schemas.NFSE)
        return signed

    def _event(self, key: str, xml: bytes, root, client_cert) -> dict:
        import copy

        from lxml import etree
        from nfelib.nfse.bindings.v1_0 import Evento
        from nfelib.nfse.bindings.v1_0.tipos_eventos_v1_01 import TcinfEvento, TcpedRegEvt
        from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import TsambGeradorEvt

        from chalicelib.adapters.service_invoices.dps import serialize
        from chalicelib.adapters.service_invoices.signing import sign

        if root.tag != f"{{{layout.NAMESPACE}}}pedRegEvento":
            raise Refused("E1226", "o documento não é um pedido de registro de evento")
        found = schemas.errors(xml, schemas.EVENT_REQUEST)
        if found:
            field, message = found[0]
            raise Refused("E1226", f"{field}: {message}"[:500])
        signer = self._verify_signature(xml, root, client_cert, ("E1989", "E1980", "E1991"))
        info = root.find("n:infPedReg", NS)
        if (_text(info, "n:CNPJAutor") or "")[:8] != signer[:8]:
            raise Refused("E0812")
        request_key = _text(info, "n:chNFSe")
        code = next((etree.QName(child).localname[1:] for child in info
                     if etree.QName(child).localname.startswith("e") and etree.QName(child).localname[1:].isdigit()),
                    "")
        if request_key != key or info.get("Id") != layout.event_request_id(request_key, code or "000000"):
            raise Refused("E1827")
        record = self.nfse.get(key)
        if record is None:
            raise Refused("E1831")
        if code == layout.CANCELLATION_EVENT:
            if record["status"] != "issued":
                raise Refused("E0840")
            if self.reject_cancellations:
                reject = self.reject_cancellations
                raise Refused(reject["code"], message=reject.get("message"))
        now = _now()
        self.n_dfse += 1
        sequence = 1 + sum(1 for event in record["events"] if event["code"] == code)
        event = Evento(versao=layout.LAYOUT_VERSION, infEvento=TcinfEvento(
            Id=layout.event_id(info.get("Id"), sequence), verAplic=APP_VERSION, ambGer=TsambGeradorEvt("2"),
            nSeqEvento=str(sequence), dhProc=layout.xml_datetime(now), nDFSe=str(self.n_dfse),
            pedRegEvento=TcpedRegEvt(versao=layout.LAYOUT_VERSION)))
        skeleton = _parse(serialize(event))
        holder = skeleton.find("n:infEvento/n:pedRegEvento", NS)
        holder.getparent().replace(holder, copy.deepcopy(root))  # the request exactly as signed
        signed = sign(etree.tostring(skeleton, xml_declaration=True, encoding="UTF-8"), self._server_certificate())
        schemas.validate(signed, schemas.EVENT)
        entry = {"code": code, "description": _text(info, f"n:e{code}/n:xDesc") or code,
                 "registered_at": layout.xml_datetime(now), "reason_code": _text(info, f"n:e{code}/n:cMotivo"),
                 "reason": _text(info, f"n:e{code}/n:xMotivo")}
        record["events"].append(entry)
        if code == layout.CANCELLATION_EVENT:
            record["status"] = "cancelled"
        return {**entry, "xml": signed}

    def _server_certificate(self):
        if self._signer is None:
            self._signer = self.certificates.server_certificate()
        return self._signer


def _gzip_b64(xml: bytes) -> str:
    return base64.b64encode(gzip.compress(xml)).decode("ascii")


def _pem_key(pem) -> bytes:
    return b"".join((pem if isinstance(pem, bytes) else pem.encode()).split())


def _certificate_cnpj(certificate) -> str | None:
    if certificate is None:
        return None
    from chalicelib.adapters.service_invoices.certificates import A1Certificate

    return A1Certificate(None, certificate).cnpj


def _certificate_name(certificate) -> str | None:
    if certificate is None:
        return None
    from chalicelib.adapters.service_invoices.certificates import A1Certificate

    return A1Certificate(None, certificate).legal_name or None


def _handler(sefin: FakeSefin):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: the stack prints its own lines
            pass

        def _client_certificate(self):
            from cryptography import x509

            der = self.connection.getpeercert(binary_form=True)
            return x509.load_der_x509_certificate(der) if der else None

        def _send(self, status: int, data) -> None:
            raw = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _dispatch(self):
            try:
                return self._route()
            except Exception:  # a bug of the fake: answer like the SEFIN's own failure, and say it in the log
                log.exception("fake SEFIN failed on %s %s", self.command, self.path)
                return self._send(500, {"erros": [{"descricao": "Falha durante o processamento do DPS"}]})

        def _route(self):
            path = self.path.split("?", 1)[0]
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            client = self._client_certificate()
            method = self.command
            if path == "/_fake/received" and method == "GET":
                return self._send(200, sefin.received())
            if path == "/_fake/scenario" and method == "POST":
                return self._send(200, sefin.scenario(body if isinstance(body, dict) else {}))
            if path == "/_fake/reset" and method == "POST":
                sefin.reset()
                return self._send(200, {"reset": True})
            if path in ("/nfse", "/SefinNacional/nfse") and method == "POST":
                status, data, drop = sefin.issue(body, client)
                if drop:  # accepted and stored; the answer is lost on the way back
                    self.close_connection = True
                    return None
                return self._send(status, data)
            match = re.fullmatch(r"(?:/SefinNacional)?/dps/([^/]+)", path)
            if match and method in ("GET", "HEAD"):
                status, data = sefin.find_dps(match.group(1), client)
                if method == "HEAD":
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self._send(status, data)
            match = re.fullmatch(r"(?:/SefinNacional)?/nfse/([^/]+)", path)
            if match and method == "GET":
                return self._send(*sefin.get_nfse(match.group(1), client))
            match = re.fullmatch(r"(?:/SefinNacional)?/nfse/([^/]+)/eventos", path)
            if match and method == "POST":
                return self._send(*sefin.register_event(match.group(1), body, client))
            return self._send(404, {"erro": {"descricao": f"{method} {path} não existe nesta API."}})

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _dispatch

    return Handler


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, context: ssl.SSLContext):
        super().__init__(address, handler)
        self._context = context

    def get_request(self):
        sock, address = self.socket.accept()
        # The handshake happens in the request's own thread (on its first read), so a client that
        # never finishes one does not hold up the others.
        return self._context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address):  # a refused handshake is the expected outcome
        log.debug("fake SEFIN: connection from %s ended with an error", client_address, exc_info=True)


def server_context(certificates) -> ssl.SSLContext:
    """TLS 1.2 at most (the real API offers 1.0 to 1.2), a client certificate from the dev CA required."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cafile=str(certificates.ca_cert))
    context.load_cert_chain(str(certificates.server_cert), str(certificates.server_key))
    return context


class FakeSefinServer:
    """FakeSefin on https://host:port (port 0: any free one). `certificates_dir` holds the dev
    certificates (dev_certificates.ensure_dev_certificates makes them there when missing)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, certificates_dir: str | Path | None = None,
                 environment: str = layout.RESTRICTED, cnpj: str | None = None, legal_name: str | None = None,
                 registry: dict | None = None):
        from chalicelib.adapters.service_invoices import dev_certificates

        directory = Path(certificates_dir) if certificates_dir else default_certificates_dir()
        self.certificates = dev_certificates.ensure_dev_certificates(
            directory, cnpj or dev_certificates.DEFAULT_CNPJ, legal_name or dev_certificates.DEFAULT_LEGAL_NAME)
        self.sefin = FakeSefin(self.certificates, environment, registry)
        self._server = _TlsServer((host, port), _handler(self.sefin), server_context(self.certificates))
        self.url = f"https://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-sefin")

    def start(self) -> "FakeSefinServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def default_certificates_dir() -> Path:
    """The repository's git-ignored .local/nfse-certificates (where the local stack keeps its state)."""
    return Path(__file__).resolve().parents[3] / ".local" / "nfse-certificates"


_embedded: dict[tuple, FakeSefinServer] = {}
_embedded_lock = threading.Lock()


def embedded(certificates_dir: str | Path | None = None, cnpj: str | None = None, legal_name: str | None = None,
             environment: str = layout.RESTRICTED) -> FakeSefinServer:
    """This process's own fake SEFIN, started on first use (tests, a local process without
    SEFIN_BASE_URL): one per certificates directory, provider and environment."""
    key = (str(certificates_dir or default_certificates_dir()), cnpj, environment)
    with _embedded_lock:
        if key not in _embedded:
            _embedded[key] = FakeSefinServer(certificates_dir=certificates_dir, cnpj=cnpj, legal_name=legal_name,
                                             environment=environment).start()
        return _embedded[key]
