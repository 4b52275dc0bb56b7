"""NFS-e Nacional at the SEFIN Nacional: one port (the SEFIN's API as the national system exposes it),
the HTTP adapter for "produção restrita" and production (mutual TLS with the vendor's A1 certificate),
and the local fake SEFIN (fake_sefin.py) that checks what it receives like the real one.

The use cases hand over plain values (chalicelib.domain.service_invoices.DpsData); building the
layout's XML, validating it against the XSD and signing it happen here (dps.py, signing.py)."""
from typing import Protocol

from chalicelib.domain.service_invoices import DpsData, IssuedNfse, NfseEvent, SignedDps


class SefinRejected(Exception):
    """The SEFIN refused the document: a person must fix something (code and pt-BR message as the
    SEFIN gave them). Never retried as is."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SefinUnavailable(Exception):
    """The SEFIN could not be reached or did not answer in time (timeout, 5xx): the DPS may or may not
    have become an NFS-e; ask `find_by_dps` before sending it again."""


class ServiceInvoiceAuthority(Protocol):
    def sign(self, dps: DpsData) -> SignedDps:
        """The DPS in the national layout, validated against the XSD and signed (XMLDSig, enveloped)
        with the vendor's certificate. Raises ValueError naming the field when the XSD refuses it."""

    def issue(self, dps: SignedDps) -> IssuedNfse:
        """`POST /nfse` (gzip + base64 inside JSON). Raises SefinRejected or SefinUnavailable."""

    def find_by_dps(self, dps_id: str) -> IssuedNfse | None:
        """`GET /dps/{id}` then `GET /nfse/{chave}`: the NFS-e this DPS already produced, if any."""

    def cancel(self, access_key: str, *, reason_code: str, reason: str) -> NfseEvent:
        """`POST /nfse/{chave}/eventos` with the cancellation event (e101101). Raises SefinRejected
        (e.g. past the municipality's deadline) or SefinUnavailable."""
