"""Pix Automático recurrences: one item per subscription in the account's partition
(pk = ACCOUNT#<id>, sk = PIXREC#<subscription id>), found by the PSP's `idRec` through gsi1
(gsi1pk = PIXREC#<idRec>) when a webhook names only the recurrence.

A new authorisation replaces a finished one (rejected, expired, cancelled) under the same key; while
one is live (CRIADA, APROVADA) creating another fails its condition. A change of state is a
conditional write on the state it was read in, so two deliveries of the same notification, or a late
one, change it once (services/payments/pix_automatico.py)."""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.errors import Conflict
from chalicelib.store.base import BillingItem, account_pk

LOOKUP_SK = "PIXREC"


def recurrence_sk(subscription_id: str) -> str:
    return f"PIXREC#{subscription_id}"


def recurrence_lookup_pk(rec_id: str) -> str:
    return f"PIXREC#{rec_id}"


class PixRecurrenceItem(BillingItem, discriminator="pix_recurrence"):
    account_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    rec_id = UnicodeAttribute()
    status = UnicodeAttribute()  # CRIADA | APROVADA | REJEITADA | EXPIRADA | CANCELADA (the PSP's)
    journey = UnicodeAttribute(default="JORNADA_2")
    qr_payload = UnicodeAttribute(null=True)  # Pix copia e cola of the recurrence's QR
    location = UnicodeAttribute(null=True)
    location_id = NumberAttribute(null=True)
    previous_method = UnicodeAttribute(null=True)  # the renewal method it replaces once approved
    amount = UnicodeAttribute(null=True)  # the `valor` sent, as JSON
    periodicidade = UnicodeAttribute(null=True)
    start = UnicodeAttribute(null=True)  # calendario.dataInicial
    status_changed_at = UnicodeAttribute(null=True)
    ending_code = UnicodeAttribute(null=True)  # rejection or cancellation code (AP13, ACCL, ...)
    created_by = UnicodeAttribute(null=True)
    # Journey 3: the invoice paid with the composed QR, its immediate charge's txid and amount.
    first_invoice_id = UnicodeAttribute(null=True)
    first_txid = UnicodeAttribute(null=True)
    first_cents = NumberAttribute(null=True)


def new_recurrence(account_id: str, subscription_id: str, rec_id: str, **fields) -> PixRecurrenceItem:
    return PixRecurrenceItem(pk=account_pk(account_id), sk=recurrence_sk(subscription_id), account_id=account_id,
                             subscription_id=subscription_id, rec_id=rec_id, gsi1pk=recurrence_lookup_pk(rec_id),
                             gsi1sk=LOOKUP_SK, **fields)


class PixRecurrenceRepository:
    def get(self, account_id: str, subscription_id: str) -> PixRecurrenceItem | None:
        try:
            return PixRecurrenceItem.get(account_pk(account_id), recurrence_sk(subscription_id), consistent_read=True)
        except PixRecurrenceItem.DoesNotExist:
            return None

    def by_rec_id(self, rec_id: str) -> PixRecurrenceItem | None:
        for item in PixRecurrenceItem.lookup_index.query(recurrence_lookup_pk(rec_id), limit=1):
            # The index is eventually consistent: read the item itself for its current state.
            return self.get(item.account_id, item.subscription_id)
        return None

    @staticmethod
    def replace_condition(previous: PixRecurrenceItem | None):
        """Create when there is none; replace only the finished one that was read."""
        if previous is None:
            return PixRecurrenceItem.pk.does_not_exist()
        return (PixRecurrenceItem.rec_id == previous.rec_id) & (PixRecurrenceItem.status == previous.status)

    @staticmethod
    def state_condition(item: PixRecurrenceItem, status_read: str):
        return (PixRecurrenceItem.rec_id == item.rec_id) & (PixRecurrenceItem.status == status_read)


RECURRENCE_CHANGED = Conflict("A autorização do Pix Automático mudou enquanto era alterada; tente de novo.",
                              code="pix_automatico_changed")
