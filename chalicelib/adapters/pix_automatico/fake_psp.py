"""The local stage's Pix PSP: a small HTTP server on 127.0.0.1 speaking the Central Bank's API Pix
for Pix Automático. Every request body is validated against the schemas of the official OpenAPI
document (../shared/reference/pix/openapi.yaml, or PIX_OPENAPI_PATH; openapi_validation.py) and
refused with 400 and a `problem+json` when it does not fit; what it accepts it answers as the
document says (the PSP assigns `idRec`, location ids and states).

`make run` starts it (scripts/local_stack.py); tests and a local process without PIX_PSP_BASE_URL get
one in-process (`embedded_url`). It keeps everything in memory.

Besides the API (`/oauth/token`, `/locrec`, `/rec`, `/rec/{idRec}`, `/cob/{txid}`, `/cobr/{txid}`), control
endpoints under `/_fake` play the payer's bank and show what was received:
`GET /_fake/requests` (newest first), `POST /_fake/rec/{idRec}/{approve|reject|expire|revoke}` and
`POST /_fake/cobr/{txid}/{pay|fail_attempt|reject}`, which answer the webhook notification (`{"recs": [...]}`,
`{"cobsr": [...]}`) the PSP would send; approving a journey-3 recurrence also pays its immediate
charge, and the answer then carries that Pix too (`"pix": [...]`, what the PSP's `/webhook` sends). An approval may carry the maximum the payer set in their bank
app (`{"valorMaximo": "99.90"}`): the API never shows it to the receiver, but a cycle charge above it
is refused by the payer's PSP (REJEITADA, rejection code AM02), as the real rail does."""
import base64
import json
import os
import re
import secrets
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from chalicelib.adapters.pix_automatico.openapi_validation import validator_for
from chalicelib.domain.pix import crc16_ccitt_false
from chalicelib.domain.pix_automatico import RecurrenceStatus, cents, may_follow

DEFAULT_SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "pix" / "openapi.yaml"
ISPB = "12345678"
RECEIVER = {"cnpj": "11222333000181", "nome": "Renova Software Ltda"}
_TXID = re.compile(r"^[a-zA-Z0-9]{26,35}$")
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# The Pix message catalogue's rejection of an amount the payer did not allow (ISO 20022 AM02).
ABOVE_PAYER_MAXIMUM = {"codigo": "AM02", "descricao": "Valor acima do máximo definido pelo usuário pagador."}


def spec_path() -> Path:
    return Path(os.environ.get("PIX_OPENAPI_PATH") or DEFAULT_SPEC)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def recurrence_qr_payload(location: str, name: str = "RENOVA SOFTWARE", city: str = "CAXIAS DO SUL",
                          charge_location: str | None = None) -> str:
    """The BR Code of journey 2: the recurrence's location (template 80), no amount; of journey 3 (the
    composed QR), the immediate charge's location (template 26) before it."""
    charge = _tlv("26", _tlv("00", "br.gov.bcb.pix") + _tlv("25", charge_location)) if charge_location else ""
    body = (_tlv("00", "01") + charge + _tlv("80", _tlv("00", "br.gov.bcb.pix") + _tlv("25", location))
            + _tlv("52", "0000") + _tlv("53", "986") + _tlv("58", "BR") + _tlv("59", name[:25])
            + _tlv("60", city[:15]) + _tlv("62", _tlv("05", "***")) + "6304")
    return body + crc16_ccitt_false(body)


class Refused(Exception):
    def __init__(self, status: int, title: str, detail: str, violations: list | None = None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.violations = status, title, detail, violations or []

    def problem(self) -> dict:
        problem = {"type": "https://pix.bcb.gov.br/api/v2/error/" + self.title.replace(" ", ""),
                   "title": self.title, "status": self.status, "detail": self.detail}
        if self.violations:
            problem["violacoes"] = [{"razao": v, "propriedade": v.split(":")[0]} for v in self.violations]
        return problem


class FakePsp:
    """The state and the rules; FakePspServer puts it on HTTP."""

    def __init__(self, spec: str | Path | None = None, host: str = "127.0.0.1"):
        self._validator = validator_for(str(spec or spec_path()))
        self._host = host
        self._lock = threading.Lock()
        self.tokens: set[str] = set()
        self.recs: dict[str, dict] = {}
        self.locs: dict[int, dict] = {}
        self.cobrs: dict[str, dict] = {}
        self.cobs: dict[str, dict] = {}  # immediate charges (journey 3's first payment)
        self.received: list[dict] = []
        self.payer_maximum: dict[str, str] = {}  # idRec -> valorMaximo, known to the payer's PSP only
        self._next_loc = 1000

    # --- the API ------------------------------------------------------------------------------------
    def token(self, basic: str | None, form: dict) -> dict:
        if not basic or form.get("grant_type") != "client_credentials":
            raise Refused(401, "NaoAutorizado", "Credenciais do cliente ausentes ou grant_type inválido.")
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": form.get("scope", "")}

    def handle(self, method: str, path: str, query: dict, body, bearer: str | None) -> tuple[int, dict]:
        if bearer not in self.tokens:
            raise Refused(401, "NaoAutorizado", "Token de acesso ausente ou inválido.")
        with self._lock:
            if method == "POST" and path == "/locrec":
                return self._locrec(body)
            if method == "POST" and path == "/rec":
                return self._rec(body)
            match = re.fullmatch(r"/rec/([^/]+)", path)
            if match and method == "GET":
                return 200, self._rec_view(self._find_rec(match.group(1)), query.get("txid"))
            if match and method == "PATCH":
                return self._cancel(match.group(1), body)
            match = re.fullmatch(r"/cob/([^/]+)", path)
            if match and method == "PUT":
                return self._cob(match.group(1), body)
            if match and method == "GET":
                return 200, json.loads(json.dumps(self._find_cob(match.group(1))))
            match = re.fullmatch(r"/cobr/([^/]+)", path)
            if match and method == "PUT":
                return self._cobr(match.group(1), body)
            if match and method == "GET":
                cobr = self.cobrs.get(match.group(1))
                if cobr is None:
                    raise Refused(404, "NaoEncontrado", "Cobrança recorrente não encontrada.")
                return 200, cobr
        raise Refused(404, "NaoEncontrado", f"{method} {path} não existe neste PSP.")

    def _validate(self, template: str, method: str, body) -> None:
        if not isinstance(body, dict):
            raise Refused(400, "RequisicaoInvalida", "O corpo deve ser um objeto JSON.")
        errors = self._validator.errors(template, method, body)
        if errors:
            raise Refused(400, "RequisicaoInvalida", "O corpo não respeita o schema da API Pix.", errors)

    def _log(self, kind: str, method: str, path: str, body, rec_id: str | None = None, txid: str | None = None):
        self.received.append({"kind": kind, "method": method, "path": path, "body": body, "rec_id": rec_id,
                              "txid": txid, "received_at": _now()})

    def _locrec(self, body) -> tuple[int, dict]:
        self._validate("/locrec", "POST", body)
        self._next_loc += 1
        loc = {"id": self._next_loc, "location": f"{self._host}/qr/v2/rec/{uuid.uuid4().hex}",
               "tipo": "rec", "criacao": _now()}
        self.locs[loc["id"]] = loc
        self._log("locrec", "POST", "/locrec", body)
        return 201, dict(loc)

    def _rec(self, body) -> tuple[int, dict]:
        self._validate("/rec", "POST", body)
        loc = None
        if "loc" in body:
            loc = self.locs.get(body["loc"])
            if loc is None or loc.get("idRec"):
                raise Refused(400, "OperacaoInvalida", "Location inexistente ou já vinculada a uma recorrência.")
        first_txid = ((body.get("ativacao") or {}).get("dadosJornada") or {}).get("txid")
        if first_txid is not None and self.cobs.get(first_txid, {}).get("status") != "ATIVA":
            raise Refused(400, "OperacaoInvalida", "A cobrança imediata da jornada 3 não existe ou não está ativa.")
        retry = "R" if body["politicaRetentativa"] == "PERMITE_3R_7D" else "N"
        rec_id = "R" + retry + ISPB + datetime.now(timezone.utc).strftime("%Y%m%d") + "".join(
            secrets.choice(_ALNUM) for _ in range(11))
        rec = {"idRec": rec_id, "vinculo": body["vinculo"], "calendario": body["calendario"],
               "politicaRetentativa": body["politicaRetentativa"], "recebedor": dict(RECEIVER),
               "status": RecurrenceStatus.CRIADA.value,
               "atualizacao": [{"status": RecurrenceStatus.CRIADA.value, "data": _now()}]}
        if "valor" in body:
            rec["valor"] = body["valor"]
        if loc is not None:
            loc["idRec"] = rec_id
            rec["loc"] = loc
        if first_txid is not None:
            rec["ativacao"] = {"tipoJornada": "AGUARDANDO_DEFINICAO", "dadosJornada": {"txid": first_txid}}
        self.recs[rec_id] = rec
        self._log("rec", "POST", "/rec", body, rec_id=rec_id)
        return 201, json.loads(json.dumps(rec))

    def _find_rec(self, rec_id: str) -> dict:
        rec = self.recs.get(rec_id)
        if rec is None:
            raise Refused(404, "NaoEncontrado", "Recorrência não encontrada.")
        return rec

    def _rec_view(self, rec: dict, txid: str | None = None) -> dict:
        view = json.loads(json.dumps(rec))
        if txid is not None:
            linked = ((rec.get("ativacao") or {}).get("dadosJornada") or {}).get("txid")
            if txid not in self.cobs or (linked and linked != txid):
                raise Refused(400, "RecConsultaInvalida", "O txid não corresponde à cobrança imediata da jornada 3.")
        if rec.get("loc"):
            charge = self.cobs[txid]["loc"]["location"] if txid else None
            view["dadosQR"] = {"jornada": "JORNADA_3" if txid else "JORNADA_2",
                               "pixCopiaECola": recurrence_qr_payload(rec["loc"]["location"], charge_location=charge)}
        return view

    def _cob(self, txid: str, body) -> tuple[int, dict]:
        if not _TXID.fullmatch(txid):
            raise Refused(400, "RequisicaoInvalida", "txid deve ter de 26 a 35 caracteres alfanuméricos.")
        self._validate("/cob/{txid}", "PUT", body)
        self._log("cob", "PUT", f"/cob/{txid}", body, txid=txid)
        if txid in self.cobs:
            raise Refused(400, "CobOperacaoInvalida", "Já existe cobrança com este txid.")
        self._next_loc += 1
        loc = {"id": self._next_loc, "location": f"{self._host}/qr/v2/cob/{uuid.uuid4().hex}", "tipoCob": "cob",
               "criacao": _now()}
        cob = {**json.loads(json.dumps(body)), "txid": txid, "revisao": 0, "status": "ATIVA", "loc": loc,
               "location": loc["location"], "calendario": {"criacao": _now(), **body["calendario"]}}
        self.cobs[txid] = cob
        return 201, json.loads(json.dumps(cob))

    def _find_cob(self, txid: str) -> dict:
        cob = self.cobs.get(txid)
        if cob is None:
            raise Refused(404, "NaoEncontrado", "Cobrança não encontrada.")
        return cob

    def _cancel(self, rec_id: str, body) -> tuple[int, dict]:
        self._validate("/rec/{idRec}", "PATCH", body)
        rec = self._find_rec(rec_id)
        self._log("rec", "PATCH", f"/rec/{rec_id}", body, rec_id=rec_id)
        if body.get("status") == "CANCELADA":
            if not may_follow(rec["status"], RecurrenceStatus.CANCELADA):
                raise Refused(400, "OperacaoInvalida", f"Recorrência em status {rec['status']} não pode ser cancelada.")
            self._move(rec, RecurrenceStatus.CANCELADA, {"cancelamento": {
                "solicitante": "USUARIO_RECEBEDOR", "codigo": "SLCR", "descricao": "Cancelada pelo recebedor."}})
        return 200, json.loads(json.dumps(rec))

    def _cobr(self, txid: str, body) -> tuple[int, dict]:
        if not _TXID.fullmatch(txid):
            raise Refused(400, "RequisicaoInvalida", "txid deve ter de 26 a 35 caracteres alfanuméricos.")
        self._validate("/cobr/{txid}", "PUT", body)
        self._log("cobr", "PUT", f"/cobr/{txid}", body, rec_id=body.get("idRec"), txid=txid)
        if txid in self.cobrs:
            raise Refused(400, "OperacaoInvalida", "Já existe cobrança recorrente com este txid.")
        rec = self._find_rec(body["idRec"])
        if rec["status"] != RecurrenceStatus.APROVADA:
            raise Refused(400, "OperacaoInvalida", "A recorrência não está aprovada.")
        cobr = {**json.loads(json.dumps(body)), "txid": txid, "status": "ATIVA",
                "atualizacao": [{"status": "CRIADA", "data": _now()}, {"status": "ATIVA", "data": _now()}]}
        maximum = self.payer_maximum.get(rec["idRec"])
        if maximum is not None and cents(body["valor"]["original"]) > cents(maximum):
            cobr["status"] = "REJEITADA"
            cobr["atualizacao"][-1] = {"status": "REJEITADA", "data": _now()}
            cobr["encerramento"] = {"rejeicao": dict(ABOVE_PAYER_MAXIMUM)}
        self.cobrs[txid] = cobr
        return 201, json.loads(json.dumps(cobr))

    def _move(self, rec: dict, status: RecurrenceStatus, ending: dict | None = None) -> None:
        rec["status"] = status.value
        rec["atualizacao"].append({"status": status.value, "data": _now()})
        if ending:
            rec["encerramento"] = ending

    # --- the payer's bank and the log -----------------------------------------------------------------
    def payer_answers(self, rec_id: str, action: str, body: dict | None = None) -> dict:
        """approve | reject | expire | revoke: the new state, and the webhook body announcing it. An
        approval's body may carry the payer's `valorMaximo`."""
        moves = {"approve": (RecurrenceStatus.APROVADA, None),
                 "reject": (RecurrenceStatus.REJEITADA, {"rejeicao": {
                     "codigo": "AP13", "descricao": "Recusada pelo usuário pagador."}}),
                 "expire": (RecurrenceStatus.EXPIRADA, None),
                 "revoke": (RecurrenceStatus.CANCELADA, {"cancelamento": {
                     "solicitante": "USUARIO_PAGADOR", "codigo": "ACCL", "descricao": "Cancelada pelo pagador."}})}
        if action not in moves:
            raise Refused(404, "NaoEncontrado", f"Ação {action} desconhecida.")
        status, ending = moves[action]
        with self._lock:
            rec = self._find_rec(rec_id)
            if not may_follow(rec["status"], status):
                raise Refused(409, "OperacaoInvalida", f"Recorrência em status {rec['status']} não passa a {status}.")
            maximum = (body or {}).get("valorMaximo") if action == "approve" else None
            if maximum is not None:
                if not isinstance(maximum, str) or not re.fullmatch(r"\d{1,10}\.\d{2}", maximum):
                    raise Refused(400, "RequisicaoInvalida", "valorMaximo deve ter o formato 0.00.")
                self.payer_maximum[rec_id] = maximum
            self._move(rec, status, ending)
            notification = self.notification(rec_id)
            first_txid = ((rec.get("ativacao") or {}).get("dadosJornada") or {}).get("txid")
            if action == "approve" and first_txid:  # journey 3: the payer paid the composed QR's charge
                rec["ativacao"]["tipoJornada"] = "JORNADA_3"
                notification["pix"] = [self._pay_immediate(first_txid)]
            return notification

    def charge_answers(self, txid: str, action: str) -> dict:
        """pay | fail_attempt | reject: the payer's bank settles the cycle charge, refuses one attempt at
        it (the charge stays ATIVA: PERMITE_3R_7D retries), or refuses it for good; answers the webhook
        body (`{"cobsr": [...]}`) announcing it, with the Pix received when paid and the attempts made."""
        moves = {"pay": "CONCLUIDA", "fail_attempt": "ATIVA", "reject": "REJEITADA"}
        if action not in moves:
            raise Refused(404, "NaoEncontrado", f"Ação {action} desconhecida.")
        with self._lock:
            cobr = self.cobrs.get(txid)
            if cobr is None:
                raise Refused(404, "NaoEncontrado", "Cobrança recorrente não encontrada.")
            if cobr["status"] != "ATIVA":
                raise Refused(409, "OperacaoInvalida", f"Cobrança em status {cobr['status']} não muda mais.")
            e2e = "E" + ISPB + datetime.now(timezone.utc).strftime("%Y%m%d%H%M") + secrets.token_hex(6)[:11]
            attempt = self._attempt(cobr, e2e, "PAGA" if action == "pay" else "REJEITADA")
            if action == "fail_attempt":
                attempt["rejeicao"] = {"codigo": "AC06", "descricao": "Tentativa recusada pelo PSP do pagador."}
                return self.charge_notification(txid)
            cobr["status"] = moves[action]
            cobr["atualizacao"].append({"status": cobr["status"], "data": _now()})
            if action == "pay":
                cobr["pix"] = [{"endToEndId": e2e, "txid": txid, "valor": cobr["valor"]["original"],
                                "horario": _now()}]
            return self.charge_notification(txid)

    @staticmethod
    def _attempt(cobr: dict, e2e: str, status: str) -> dict:
        """One attempt of the payer's PSP: on the due date (AGND), then retries (RIFL) a day apart."""
        from datetime import date, timedelta

        attempts = cobr.setdefault("tentativas", [])
        due = date.fromisoformat(cobr["calendario"]["dataDeVencimento"])
        attempt = {"dataLiquidacao": (due + timedelta(days=len(attempts))).isoformat(),
                   "tipo": "RIFL" if attempts else "AGND", "endToEndId": e2e, "status": status,
                   "atualizacao": [{"status": status, "data": _now()}]}
        attempts.append(attempt)
        return attempt

    def _pay_immediate(self, txid: str) -> dict:
        cob = self.cobs[txid]
        cob["status"] = "CONCLUIDA"
        pix = {"endToEndId": "E" + ISPB + datetime.now(timezone.utc).strftime("%Y%m%d%H%M")
               + secrets.token_hex(6)[:11], "txid": txid, "valor": cob["valor"]["original"], "horario": _now()}
        cob["pix"] = [pix]
        return dict(pix)

    def charge_notification(self, txid: str) -> dict:
        cobr = self.cobrs[txid]
        item = {"idRec": cobr["idRec"], "txid": txid, "status": cobr["status"],
                "atualizacao": json.loads(json.dumps(cobr["atualizacao"]))}
        if cobr.get("pix"):
            item["pix"] = json.loads(json.dumps(cobr["pix"]))
        if cobr.get("tentativas"):
            item["tentativas"] = json.loads(json.dumps(cobr["tentativas"]))
        if cobr.get("encerramento"):
            item["encerramento"] = json.loads(json.dumps(cobr["encerramento"]))
        return {"cobsr": [item]}

    def notification(self, rec_id: str) -> dict:
        rec = self.recs[rec_id]
        item = {"idRec": rec_id, "status": rec["status"], "atualizacao": json.loads(json.dumps(rec["atualizacao"]))}
        if rec.get("encerramento"):
            item["encerramento"] = rec["encerramento"]
        return {"recs": [item]}

    def requests_log(self) -> list[dict]:
        with self._lock:
            items = []
            for entry in reversed(self.received):
                status = None
                if entry["kind"] == "cobr" and entry["txid"] in self.cobrs:
                    status = self.cobrs[entry["txid"]]["status"]
                elif entry["kind"] == "cob" and entry["txid"] in self.cobs:
                    status = self.cobs[entry["txid"]]["status"]
                elif entry["rec_id"] in self.recs:
                    status = self.recs[entry["rec_id"]]["status"]
                items.append({**entry, "status": status})
            return json.loads(json.dumps(items))


def _json(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise Refused(400, "RequisicaoInvalida", "O corpo não é JSON.") from None


def _handler(psp: FakePsp):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: the stack prints its own lines
            pass

        def _send(self, status: int, data, content_type: str = "application/json") -> None:
            raw = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _dispatch(self):
            url = urlparse(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                if url.path == "/oauth/token" and self.command == "POST":
                    auth = self.headers.get("Authorization", "")
                    basic = base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else None
                    form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    return self._send(200, psp.token(basic, form))
                if url.path == "/_fake/requests" and self.command == "GET":
                    return self._send(200, psp.requests_log())
                match = re.fullmatch(r"/_fake/rec/([^/]+)/(\w+)", url.path)
                if match and self.command == "POST":
                    return self._send(200, psp.payer_answers(match.group(1), match.group(2), _json(raw)))
                match = re.fullmatch(r"/_fake/cobr/([^/]+)/(\w+)", url.path)
                if match and self.command == "POST":
                    return self._send(200, psp.charge_answers(match.group(1), match.group(2)))
                body = _json(raw)
                auth = self.headers.get("Authorization", "")
                bearer = auth[7:] if auth.startswith("Bearer ") else None
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                status, data = psp.handle(self.command, url.path, query, body, bearer)
                return self._send(status, data)
            except Refused as refused:
                return self._send(refused.status, refused.problem(), "application/problem+json")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    return Handler


class FakePspServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, spec: str | Path | None = None):
        self.psp = FakePsp(spec, host)
        self._server = ThreadingHTTPServer((host, port), _handler(self.psp))
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self.psp._host = f"{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-psp")

    def start(self) -> "FakePspServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


_embedded: FakePspServer | None = None
_embedded_lock = threading.Lock()


def embedded_url() -> str:
    """The URL of this process's own fake PSP, started on first use (tests, a bare local process)."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            _embedded = FakePspServer().start()
        return _embedded.url

