"""Partner batches (Conta Azul Mais): the licenses of a batch subscription and the seat a client
account holds.

- `~LIC#<subscription_id>#<license_id>` in the partner's partition: a license that has (or had) a
  client. A batch can hold hundreds of licenses and only the batch routes read them, so they stay
  out of the live range every screen reads. A license not stored is simply available.
- `SEAT` in the client's partition: which partner, batch and license the client's access comes
  from, so the client's entitlements need two reads, whatever the partner's size."""
from pynamodb.attributes import ListAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib.store.attributes import DateAttribute
from chalicelib.store.base import BillingItem, account_pk
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk

SEAT_SK = "SEAT"


def license_prefix(subscription_id: str) -> str:
    return f"{HISTORY}LIC#{subscription_id}#"


def license_sk(subscription_id: str, license_id: str) -> str:
    return f"{license_prefix(subscription_id)}{license_id}"


class BatchLicenseItem(BillingItem, discriminator="batch_license"):
    account_id = UnicodeAttribute()  # the partner
    subscription_id = UnicodeAttribute()  # the batch
    license_id = UnicodeAttribute()
    status = UnicodeAttribute()  # assigned | leaving | left
    client_account_id = UnicodeAttribute(null=True)  # None: cancelled before anyone had it
    client_name = UnicodeAttribute(null=True)
    assigned_on = DateAttribute(null=True)
    previous_client_account_ids = ListAttribute(of=UnicodeAttribute, default=list)
    leave_reason = UnicodeAttribute(null=True)  # transfer | cancel
    leaves_on = DateAttribute(null=True)  # the batch renewal it leaves at
    client_subscription_id = UnicodeAttribute(null=True)  # transfer: the client's own subscription
    invoice_id = UnicodeAttribute(null=True)  # cancel: the invoice billing it once more
    version = VersionAttribute()


class SeatItem(BillingItem, discriminator="batch_seat"):
    """A client account's license from a partner's batch."""

    account_id = UnicodeAttribute()  # the client
    partner_account_id = UnicodeAttribute()
    batch_subscription_id = UnicodeAttribute()
    license_id = UnicodeAttribute()
    ends_on = DateAttribute(null=True)  # set when the license leaves the batch
    version = VersionAttribute()


class BatchRepository:
    def licenses(self, partner_id: str, subscription_id: str) -> list[BatchLicenseItem]:
        return list(BatchLicenseItem.query(account_pk(partner_id),
                                           BatchLicenseItem.sk.startswith(license_prefix(subscription_id)),
                                           consistent_read=True))

    def license(self, partner_id: str, subscription_id: str, license_id: str) -> BatchLicenseItem | None:
        return _get(BatchLicenseItem, account_pk(partner_id), license_sk(subscription_id, license_id))

    def seat(self, client_id: str) -> SeatItem | None:
        return _get(SeatItem, account_pk(client_id), SEAT_SK)

    def batch_subscription(self, partner_id: str, subscription_id: str) -> SubscriptionItem | None:
        return _get(SubscriptionItem, account_pk(partner_id), subscription_sk(subscription_id))


def _get(model, pk: str, sk: str):
    try:
        return model.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None
