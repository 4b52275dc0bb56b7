"""In-memory NFS-e collaborators: the NFS-e repository and the finance requests' repository on the
fake table (tests/fakes/dynamo.py judges their conditions), and a SEFIN Nacional that keeps what it
authorised by DPS id and follows the port's contract (chalicelib.adapters.service_invoices):

- `issue` of a DPS id already authorised is refused (the SEFIN never authorises one DPS id twice);
- `reject_next(code, message)`: the next `issue` is refused;
- `down`: every call raises SefinUnavailable before anything is stored;
- `timeout_after_accept`: the next `issue` stores the NFS-e, then raises SefinUnavailable (the
  answer lost on the way back);
- `reject_cancellation(code, message)`: the next `cancel` is refused.

`issued` counts NFS-e authorised; `received()` lists what arrived, newest first, as the local fake
SEFIN's listing does; `dps` keeps the DpsData each DPS id was signed from, for the tests to read."""
import gzip
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.adapters.service_invoices import SefinRejected, SefinUnavailable
from chalicelib.domain.service_invoices import DpsData, IssuedNfse, NfseEvent, SignedDps
from chalicelib.store.base import account_pk
from chalicelib.store.requests import (
    REF_SK, REQUEST_PREFIX, RequestItem, RequestMessageItem, RequestRefItem, message_prefix, ref_pk, request_sk,
    status_partition,
)
from chalicelib.store.service_invoices import (
    COUNTER_SK, DpsCounterItem, ServiceInvoiceItem, dps_counter_pk, dps_lookup_pk, service_invoice_sk,
    work_partitions,
)
from chalicelib.store.backups import utc_key
from tests.fakes.dynamo import TransactionCancelled, update_operation


_EVENT_NAMES = {"e101101": "Cancelamento de NFS-e", "e105102": "Cancelamento de NFS-e por Substituição"}


class FakeServiceInvoiceRepository:
    """store.service_invoices.ServiceInvoiceRepository on the fake table."""

    def __init__(self, store):
        self._store = store
        self.dps_numbers_taken = 0

    def get(self, account_id: str, invoice_id: str) -> ServiceInvoiceItem | None:
        return self._store.billing.get(account_pk(account_id), service_invoice_sk(invoice_id), ServiceInvoiceItem)

    def save(self, item: ServiceInvoiceItem, audit=None) -> bool:
        tx = self._store.transaction()
        tx.save(item)
        if audit is not None:
            tx.save(audit)
        try:
            tx.commit()
        except TransactionCancelled:
            return False
        return True

    def due(self, now: datetime, limit: int) -> list[ServiceInvoiceItem]:
        bound = f"{utc_key(now)}#~"
        items = []
        for partition in work_partitions():
            items += self._store.billing.index_query("due_pk", partition, "due_sk", lambda sk: sk <= bound,
                                                     ServiceInvoiceItem)[:limit]
        return items

    def by_status(self, status: str, limit: int, after: dict | None):
        from chalicelib.store.service_invoices import status_list_pk

        hits = self._store.billing.index_query("gsi2pk", status_list_pk(status), "gsi2sk", model=ServiceInvoiceItem)
        return list(reversed(hits))[:limit], None

    def by_dps_id(self, dps_id: str) -> ServiceInvoiceItem | None:
        hits = self._store.billing.index_query("gsi1pk", dps_lookup_pk(dps_id), "gsi1sk", model=ServiceInvoiceItem)
        return hits[0] if hits else None

    def next_dps_number(self, series: str) -> int:
        counter = DpsCounterItem(pk=dps_counter_pk(series), sk=COUNTER_SK)
        self._store.billing.write_one("update", update_operation(
            counter, [DpsCounterItem.last.add(1), DpsCounterItem.type.set(DpsCounterItem)]))
        self.dps_numbers_taken += 1
        return int(self._store.billing.get(dps_counter_pk(series), COUNTER_SK, DpsCounterItem).last)


class FakeRequestRepository:
    """store.requests.RequestRepository on the fake table."""

    def __init__(self, store):
        self._store = store

    def open(self, request: RequestItem, first_message: RequestMessageItem, audit) -> None:
        ref = RequestRefItem(pk=ref_pk(request.request_id), sk=REF_SK, account_id=request.account_id,
                             request_id=request.request_id, created_at=request.created_at)
        tx = self._store.transaction()
        tx.save(request, condition=RequestItem.pk.does_not_exist())
        tx.save(first_message, condition=RequestMessageItem.pk.does_not_exist())
        tx.save(ref, condition=RequestRefItem.pk.does_not_exist())
        tx.save(audit)
        tx.commit()

    def add_message(self, request: RequestItem, message: RequestMessageItem, audit) -> None:
        tx = self._store.transaction()
        tx.save(request)
        tx.save(message, condition=RequestMessageItem.pk.does_not_exist())
        tx.save(audit)
        tx.commit()

    def get(self, account_id: str, request_id: str) -> RequestItem | None:
        return self._store.billing.get(account_pk(account_id), request_sk(request_id), RequestItem)

    def account_of(self, request_id: str) -> str | None:
        ref = self._store.billing.get(ref_pk(request_id), REF_SK, RequestRefItem)
        return ref.account_id if ref else None

    def list(self, account_id: str, limit: int, after_sk: str | None):
        items = self._store.billing.query(account_pk(account_id), lambda sk: sk.startswith(REQUEST_PREFIX),
                                          RequestItem, newest_first=True)
        return items[:limit], None

    def messages(self, account_id: str, request_id: str, limit: int, after_sk: str | None):
        prefix = message_prefix(request_id)
        return self._store.billing.query(account_pk(account_id), lambda sk: sk.startswith(prefix),
                                         RequestMessageItem)[:limit], None

    def by_status(self, status: str, limit: int, after: dict | None):
        hits = self._store.billing.index_query("gsi1pk", status_partition(status), "gsi1sk", model=RequestItem)
        return list(reversed(hits))[:limit], None


@dataclass
class Received:
    dps_id: str
    dps_xml: bytes
    status: str = "rejected"  # issued | rejected | cancelled | substituted, as the local fake SEFIN says
    access_key: str | None = None
    events: list[dict] = field(default_factory=list)  # {"code", "description", "registered_at"}


class InMemorySefin:
    """The ServiceInvoiceAuthority port in memory (see the module's docstring)."""

    def __init__(self, clock):
        self._clock = clock
        self.authorised: dict[str, IssuedNfse] = {}  # by DPS id
        self.cancelled: dict[str, NfseEvent] = {}  # by access key
        self.dps: dict[str, DpsData] = {}
        self.records: list[Received] = []
        self.calls: list[str] = []
        self.down = False
        self.timeout_after_accept = False
        self._rejection: tuple[str, str] | None = None
        self._cancel_rejection: tuple[str, str] | None = None

    @property
    def issued(self) -> int:
        return len(self.authorised)

    def reject_next(self, code: str, message: str) -> None:
        self._rejection = (code, message)

    def reject_cancellation(self, code: str, message: str) -> None:
        self._cancel_rejection = (code, message)

    # --- the port ---------------------------------------------------------------------------
    def sign(self, dps: DpsData) -> SignedDps:
        self.calls.append("sign")
        if len(dps.national_service_code) != 6 or not dps.national_service_code.isdigit():
            raise ValueError("cTribNac: 6 dígitos")
        registration = "2" if len(dps.provider.cnpj) == 14 else "1"
        dps_id = (f"DPS{dps.provider.ibge_city_code}{registration}{dps.provider.cnpj.zfill(14)}"
                  f"{dps.series.zfill(5)}{dps.number:015d}")
        self.dps[dps_id] = dps
        xml = f'<DPS><infDPS Id="{dps_id}"><vServ>{dps.service_amount_cents}</vServ></infDPS></DPS>'.encode()
        return SignedDps(dps_id=dps_id, xml=xml)

    def issue(self, dps: SignedDps) -> IssuedNfse:
        self.calls.append("issue")
        self._reachable()
        record = Received(dps.dps_id, dps.xml)
        self.records.insert(0, record)
        if dps.dps_id in self.authorised:
            raise SefinRejected("E0014", "DPS já utilizada para emitir uma NFS-e.")
        if self._rejection is not None:
            code, message = self._rejection
            self._rejection = None
            raise SefinRejected(code, message)
        data = self.dps[dps.dps_id]
        number = str(len(self.authorised) + 1)
        # 50 digits: the provider's city (7), its registration type and CNPJ (15), year and month (4), a sequence.
        access_key = f"{data.provider.ibge_city_code}2{data.provider.cnpj}{self._clock.now():%y%m}{int(number):024d}"
        if data.substitutes_access_key:
            self._cancel(data.substitutes_access_key, "e105102")
        nfse = IssuedNfse(access_key=access_key, number=number, issued_at=self._clock.now(),
                          xml=b"<NFSe><chNFSe>" + access_key.encode() + b"</chNFSe></NFSe>", dps_id=dps.dps_id)
        self.authorised[dps.dps_id] = nfse
        record.status, record.access_key = "issued", access_key
        if self.timeout_after_accept:
            self.timeout_after_accept = False
            raise SefinUnavailable("read timeout after the SEFIN accepted")
        return nfse

    def find_by_dps(self, dps_id: str) -> IssuedNfse | None:
        self.calls.append("find_by_dps")
        self._reachable()
        return self.authorised.get(dps_id)

    def cancel(self, access_key: str, *, reason_code: str, reason: str) -> NfseEvent:
        self.calls.append("cancel")
        self._reachable()
        if self._cancel_rejection is not None:
            code, message = self._cancel_rejection
            self._cancel_rejection = None
            raise SefinRejected(code, message)
        if reason_code not in ("1", "2", "9") or not 15 <= len(reason) <= 255:
            raise SefinRejected("E1235", "Motivo do cancelamento inválido.")
        if access_key in self.cancelled:
            raise SefinRejected("E0840", "NFS-e já cancelada.")
        return self._cancel(access_key, "e101101")

    # --- helpers ----------------------------------------------------------------------------
    def _cancel(self, access_key: str, code: str) -> NfseEvent:
        if not any(n.access_key == access_key for n in self.authorised.values()):
            raise SefinRejected("E0206", "NFS-e inexistente.")
        event = NfseEvent(access_key=access_key, code=code, registered_at=self._clock.now() + timedelta(seconds=1),
                          xml=gzip.compress(f"<evento>{code}</evento>".encode()))
        self.cancelled[access_key] = event
        for record in self.records:
            if record.access_key == access_key:
                record.status = "cancelled"
                record.events.append({"code": code.removeprefix("e"), "description": _EVENT_NAMES[code],
                                      "registered_at": event.registered_at.isoformat()})
        return event

    def _reachable(self) -> None:
        if self.down:
            raise SefinUnavailable("connection refused")

    def received(self) -> list[dict]:
        return [{"dps_id": r.dps_id, "dps_xml": r.dps_xml.decode(), "status": r.status, "access_key": r.access_key,
                 "events": list(r.events)} for r in self.records]

    def live(self) -> list[IssuedNfse]:
        """Authorised and not cancelled (nor replaced)."""
        return [n for n in self.authorised.values() if n.access_key not in self.cancelled]


def render_danfse(nfse_xml: bytes) -> bytes:
    """A stand-in DANFSe: the renderer belongs to the PDF adapter; this one only proves which XML it got."""
    return b"%PDF-1.4 DANFSe " + nfse_xml
