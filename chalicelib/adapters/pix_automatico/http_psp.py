"""The PSP adapter over plain HTTP (`requests`): the Central Bank's API Pix is the same at every PSP
(Efí, Inter, Banco do Brasil, Sicoob, ...), so one client serves them all, pointed at the PSP's base
URL. Each PSP asks for the same two credentials (docs/pix-automatico.md):

- OAuth 2 client credentials: `client_id` and `client_secret` exchanged at the token URL (HTTP Basic,
  `grant_type=client_credentials`, the scopes in SCOPES) for a bearer token, kept until a minute
  before it expires;
- mutual TLS: the vendor's client certificate and key, issued by the PSP, on every call (the token's
  too), and optionally the PSP's CA bundle.

The local stage points it at the fake PSP (plain HTTP on 127.0.0.1, no certificate)."""
import threading
import time
from dataclasses import dataclass

from chalicelib.adapters.pix_automatico import SCOPES, PspError

TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class PspCredentials:
    base_url: str
    client_id: str
    client_secret: str
    token_url: str = ""          # default: <base_url>/oauth/token
    cert_file: str | None = None  # PEM client certificate (mutual TLS)
    key_file: str | None = None   # PEM private key of that certificate
    ca_file: str | None = None    # the PSP's CA bundle, when not a public one


class HttpPsp:
    def __init__(self, credentials: PspCredentials, session=None, clock=time.monotonic):
        import requests

        self._credentials = credentials
        self._session = session or requests.Session()
        # Per request, not on the session: REQUESTS_CA_BUNDLE in the environment would override a
        # session's `verify` (requests' merge_environment_settings), never a request's own.
        self._tls = {"verify": credentials.ca_file or True}
        if credentials.cert_file and credentials.key_file:
            self._tls["cert"] = (credentials.cert_file, credentials.key_file)
        self._clock = clock
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None

    @property
    def base_url(self) -> str:
        return self._credentials.base_url.rstrip("/")

    # The port (chalicelib.adapters.pix_automatico.PixAutomaticoPsp).
    def create_location(self) -> dict:
        return self._call("POST", "/locrec", {"tipo": "rec"})

    def create_recurrence(self, body: dict) -> dict:
        return self._call("POST", "/rec", body)

    def get_recurrence(self, rec_id: str, txid: str | None = None) -> dict:
        return self._call("GET", f"/rec/{_segment(rec_id)}", params={"txid": txid} if txid else None)

    def cancel_recurrence(self, rec_id: str) -> dict:
        return self._call("PATCH", f"/rec/{_segment(rec_id)}", {"status": "CANCELADA"})

    def create_immediate_charge(self, txid: str, body: dict) -> dict:
        return self._call("PUT", f"/cob/{_segment(txid)}", body)

    def create_cycle_charge(self, txid: str, body: dict) -> dict:
        return self._call("PUT", f"/cobr/{_segment(txid)}", body)

    def get_cycle_charge(self, txid: str) -> dict:
        return self._call("GET", f"/cobr/{_segment(txid)}")

    # Local stage only: the fake PSP's control endpoints (chalicelib.adapters.pix_automatico.fake_psp).
    def fake_control(self, method: str, path: str, body: dict | None = None) -> dict | list:
        return self._call(method, f"/_fake{path}", body, authenticated=False)

    def _call(self, method: str, path: str, body: dict | None = None, params: dict | None = None,
              authenticated: bool = True):
        response = self._send(method, path, body, params, authenticated)
        if response.status_code == 401 and authenticated:
            self._token = None  # revoked or expired early: one new token, one more try
            response = self._send(method, path, body, params, authenticated)
        return _answer(response)

    def _send(self, method: str, path: str, body: dict | None, params: dict | None, authenticated: bool):
        import requests

        headers = {"Authorization": f"Bearer {self._access_token()}"} if authenticated else {}
        try:
            return self._session.request(method, self.base_url + path, json=body, params=params,
                                         headers=headers, timeout=TIMEOUT_SECONDS, **self._tls)
        except requests.RequestException as exc:
            raise PspError(f"PSP unreachable: {type(exc).__name__}") from exc

    def _access_token(self) -> str:
        import requests

        with self._lock:
            if self._token and self._token[1] > self._clock():
                return self._token[0]
            c = self._credentials
            try:
                response = self._session.post(c.token_url or f"{self.base_url}/oauth/token",
                                              auth=(c.client_id, c.client_secret),
                                              data={"grant_type": "client_credentials", "scope": " ".join(SCOPES)},
                                              timeout=TIMEOUT_SECONDS, **self._tls)
            except requests.RequestException as exc:
                raise PspError(f"PSP token endpoint unreachable: {type(exc).__name__}") from exc
            data = _answer(response)
            token = data.get("access_token") if isinstance(data, dict) else None
            if not token:
                raise PspError("PSP token answer without access_token", response.status_code)
            lifetime = float(data.get("expires_in") or 300)
            self._token = (token, self._clock() + max(lifetime - 60, 1))
            return token


def _segment(value: str) -> str:
    """A path parameter as one URL segment, whatever it carries."""
    from urllib.parse import quote

    return quote(value, safe="")


def _answer(response):
    try:
        data = response.json() if response.content else {}
    except ValueError:
        data = {}
    if response.status_code >= 400:
        problem = data if isinstance(data, dict) else {}
        detail = problem.get("detail") or problem.get("title") or f"HTTP {response.status_code}"
        raise PspError(f"PSP refused: {detail}", response.status_code, problem)
    return data
