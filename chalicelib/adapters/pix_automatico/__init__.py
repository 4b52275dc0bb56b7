"""Pix Automático at the vendor's PSP (the receiver's bank): one port, the Central Bank's API Pix
v2.9.0 as every PSP exposes it (recurrences `/rec`, recurrence locations `/locrec`, cycle charges
`/cobr`), reached with OAuth 2 client credentials over mutual TLS (http_psp.HttpPsp). The local
stage talks to the fake PSP (fake_psp.py) through the same adapter, over HTTP on 127.0.0.1.

The port speaks the API's own JSON bodies: the use cases build them (chalicelib.domain.pix_automatico)
and read the answers; nothing here knows a subscription."""
from typing import Protocol

# What the adapter asks the PSP for, per OAuth 2 scope of the specification.
SCOPES = ("rec.write", "rec.read", "cobr.write", "cobr.read", "cob.write", "cob.read",
          "payloadlocationrec.write", "payloadlocationrec.read")


class PspError(Exception):
    """The PSP refused a request (4xx, with the problem's `title`/`detail`) or could not be reached."""

    def __init__(self, message: str, status: int | None = None, problem: dict | None = None):
        super().__init__(message)
        self.status = status
        self.problem = problem or {}


class PixAutomaticoPsp(Protocol):
    def create_location(self) -> dict:
        """`POST /locrec` {"tipo": "rec"}: the location the recurrence's QR points to (journeys 2, 3)."""

    def create_recurrence(self, body: dict) -> dict:
        """`POST /rec` with a RecSolicitada: the RecGerada, with the PSP's `idRec` and `status`."""

    def get_recurrence(self, rec_id: str, txid: str | None = None) -> dict:
        """`GET /rec/{idRec}` (`?txid=` for journey 3): RecCompleta, with `dadosQR.pixCopiaECola`."""

    def cancel_recurrence(self, rec_id: str) -> dict:
        """`PATCH /rec/{idRec}` {"status": "CANCELADA"}."""

    def create_immediate_charge(self, txid: str, body: dict) -> dict:
        """`PUT /cob/{txid}` with a CobSolicitada: journey 3's payment of what is due now, paid with
        the recurrence's composed QR (`GET /rec/{idRec}?txid=`)."""

    def create_cycle_charge(self, txid: str, body: dict) -> dict:
        """`PUT /cobr/{txid}` with a CobRSolicitada: the CobRGerada. The same txid twice is refused."""

    def get_cycle_charge(self, txid: str) -> dict:
        """`GET /cobr/{txid}`: CobRCompleta, with its `status` and `valor.original`."""
