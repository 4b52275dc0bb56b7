"""In-memory Pix Automático collaborators: the recurrence repository on the fake table, and the fake
PSP's own rules (chalicelib.adapters.pix_automatico.fake_psp.FakePsp: the same schema validation and
states) called in process instead of over HTTP."""
from chalicelib.adapters.pix_automatico import PspError
from chalicelib.adapters.pix_automatico.fake_psp import FakePsp, Refused
from chalicelib.store.base import account_pk
from chalicelib.store.pix_automatico import (
    LOOKUP_SK, PixRecurrenceItem, PixRecurrenceRepository, recurrence_lookup_pk, recurrence_sk,
)


class FakePixRecurrenceRepository:
    replace_condition = staticmethod(PixRecurrenceRepository.replace_condition)
    state_condition = staticmethod(PixRecurrenceRepository.state_condition)

    def __init__(self, store):
        self._store = store

    def get(self, account_id: str, subscription_id: str) -> PixRecurrenceItem | None:
        return self._store.billing.get(account_pk(account_id), recurrence_sk(subscription_id), PixRecurrenceItem)

    def by_rec_id(self, rec_id: str) -> PixRecurrenceItem | None:
        hits = self._store.billing.index_query("gsi1pk", recurrence_lookup_pk(rec_id), "gsi1sk",
                                               lambda sk: sk == LOOKUP_SK, PixRecurrenceItem)
        return self.get(hits[0].account_id, hits[0].subscription_id) if hits else None


class InProcessPsp:
    """The port on FakePsp, without the HTTP server; `calls` counts what each use case asked."""

    def __init__(self, spec=None):
        self.fake = FakePsp(spec)
        self._token = self.fake.token("client:secret", {"grant_type": "client_credentials"})["access_token"]
        self.calls: list[tuple[str, str]] = []
        self.down = False

    def _do(self, method: str, path: str, body=None, query=None):
        self.calls.append((method, path))
        if self.down:
            raise PspError("PSP unreachable: ConnectionError")
        try:
            return self.fake.handle(method, path, query or {}, body, self._token)[1]
        except Refused as refused:
            raise PspError(refused.detail, refused.status, refused.problem()) from refused

    def create_location(self):
        return self._do("POST", "/locrec", {"tipo": "rec"})

    def create_recurrence(self, body):
        return self._do("POST", "/rec", body)

    def get_recurrence(self, rec_id, txid=None):
        return self._do("GET", f"/rec/{rec_id}", query={"txid": txid} if txid else None)

    def cancel_recurrence(self, rec_id):
        return self._do("PATCH", f"/rec/{rec_id}", {"status": "CANCELADA"})

    def create_immediate_charge(self, txid, body):
        return self._do("PUT", f"/cob/{txid}", body)

    def create_cycle_charge(self, txid, body):
        return self._do("PUT", f"/cobr/{txid}", body)

    def get_cycle_charge(self, txid):
        return self._do("GET", f"/cobr/{txid}")

    def fake_control(self, method, path, body=None):
        if path == "/requests":
            return self.fake.requests_log()
        _, kind, key, action = path.split("/")
        try:
            if kind == "cobr":
                return self.fake.charge_answers(key, action)
            return self.fake.payer_answers(key, action, body)
        except Refused as refused:
            raise PspError(refused.detail, refused.status, refused.problem()) from refused
