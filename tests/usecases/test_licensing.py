"""Software licenses as use cases on the in-memory fakes: keys follow the seats, machines take and
free slots, the license file follows the subscription's standing, the program's calls are limited."""
import jwt
import pytest

from chalicelib.adapters.license_signing import LicenseSigner, LocalKeys
from chalicelib.domain.licensing import RateLimits, is_key
from chalicelib.errors import Conflict, NotFound, Throttled
from chalicelib.services.licensing.licenses import LicensingService
from chalicelib.store.base import account_pk
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk
from tests.fakes.licensing import FakeLicenseRepository
from tests.usecases.steps import OWNER, subscribe

LIMITS = RateLimits(window_seconds=600, per_key=6, per_source=50, failures_per_source=3)


def licensing_service(world, limits: RateLimits = RateLimits()) -> LicensingService:
    """As wiring/licensing.py builds it, on the fake store (and small limits when a test asks)."""
    return LicensingService(FakeLicenseRepository(world.store), world.billing_repository, world.batch_repository,
                            world.catalog, LicenseSigner(LocalKeys()), world.events, world.clock, limits)


@pytest.fixture
def licensing(world):
    return licensing_service(world)


def claims_of(service, answer) -> dict:
    [jwk] = service.jwks()["keys"]
    return jwt.decode(answer.token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"],
                      options={"verify_exp": False, "verify_iat": False})


def set_subscription(world, account_id: str, subscription_id: str, **fields) -> None:
    item = world.store.billing.get(account_pk(account_id), subscription_sk(subscription_id), model=SubscriptionItem)
    for name, value in fields.items():
        setattr(item, name, value)
    tx = world.store.transaction()
    tx.save(item)
    tx.commit()


def test_keys_follow_the_seats(world, licensing):
    account_id = world.account()
    done = subscribe(world, account_id, quantity=3)
    keys = licensing.list(account_id, OWNER)
    assert [int(k.seat) for k in keys] == [1, 2, 3] and all(is_key(k.key) for k in keys)
    assert [k.key for k in licensing.list(account_id, OWNER)] == [k.key for k in keys]  # nothing more to create

    set_subscription(world, account_id, done.subscription.subscription_id, quantity=1)
    after = licensing.list(account_id, OWNER)
    assert [(int(k.seat), k.status) for k in after] == [(1, "active"), (2, "retired"), (3, "retired")]
    set_subscription(world, account_id, done.subscription.subscription_id, quantity=2)
    again = [k for k in licensing.list(account_id, OWNER) if k.status == "active"]
    assert [int(k.seat) for k in again] == [1, 2] and again[1].key not in {k.key for k in keys}


def test_a_product_without_license_keys_gets_none(world, licensing):
    account_id = world.account()
    subscribe(world, account_id, product_id="operand-pro", quantity=2)
    assert licensing.list(account_id, OWNER) == []


def test_activation_limit_idempotence_and_deactivation(world, licensing):
    account_id = world.account()
    subscribe(world, account_id)
    [key] = licensing.list(account_id, OWNER)
    first = licensing.activate(key.key, "fp-1", "Um", "10.0.0.1")
    assert claims_of(licensing, first)["fpr"] == "fp-1"
    licensing.activate(key.key, "fp-2", "Dois", "10.0.0.1")
    assert len(licensing.activate(key.key, "fp-1", "Um", "10.0.0.2").machines) == 2  # already there
    with pytest.raises(Conflict) as refused:
        licensing.activate(key.key, "fp-3", "Três", "10.0.0.1")
    assert refused.value.code == "machine_limit_reached"
    assert [m["name"] for m in refused.value.details["machines"]] == ["Um", "Dois"]
    licensing.deactivate(key.key, "fp-2", "10.0.0.3")
    licensing.activate(key.key, "fp-3", "Três", "10.0.0.3")
    with pytest.raises(NotFound):
        licensing.validate(key.key, "fp-2", "10.0.0.3")
    assert world.events.types().count("license.activated") == 3
    assert world.events.types().count("license.deactivated") == 1


@pytest.mark.parametrize("status, contract_product, lic, sup", [
    ("suspended", "promob-cats-mandatory", "suspended", False),
    ("cancelled", "promob-cats-mandatory", "none", False),
    ("suspended", "promob-cats-optional", "active", False),
    ("cancelled", "promob-cats-optional", "active", False),
    ("past_due", "promob-cats-mandatory", "active", True),
])
def test_the_file_follows_the_standing(world, licensing, status, contract_product, lic, sup):
    account_id = world.account()
    done = subscribe(world, account_id, product_id=contract_product)
    [key] = licensing.list(account_id, OWNER)
    paid = claims_of(licensing, licensing.activate(key.key, "fp-1", "Um", "10.0.0.1"))
    set_subscription(world, account_id, done.subscription.subscription_id, status=status)
    now = claims_of(licensing, licensing.validate(key.key, "fp-1", "10.0.0.1"))
    assert (now["lic"], now["sup"], now["upd"]) == (lic, sup, sup)
    assert now["upd_until"] == paid["upd_until"]
    if contract_product.endswith("optional"):
        assert "exp" not in now
    elif lic != "none":
        assert now["exp"] == paid["exp"]


def test_wrong_keys_answer_one_404_and_a_source_guessing_is_throttled(world):
    licensing = licensing_service(world, LIMITS)
    account_id = world.account()
    subscribe(world, account_id)
    [key] = licensing.list(account_id, OWNER)
    for guess in ("garbage", "RNV-ABCD-EFGH-JKMN-PQRS-0", key.key[:-1] + ("*" if key.key[-1] != "*" else "0")):
        with pytest.raises(NotFound) as missing:
            licensing.activate(guess, "fp", "PC", "10.9.9.9")
        assert (missing.value.code, missing.value.message) == ("license_key_not_found", "Chave de licença não encontrada.")
    with pytest.raises(Throttled):
        licensing.activate(key.key, "fp", "PC", "10.9.9.9")
    licensing.activate(key.key, "fp", "PC", "10.9.9.8")  # another source is not blocked
    with pytest.raises(Throttled):  # the key itself: per_key calls whatever the source
        for n in range(LIMITS.per_key):
            licensing.validate(key.key, "fp", f"10.1.1.{n}")
    world.at("2026-04-20", "10:11:00")  # the next window
    assert licensing.validate(key.key, "fp", "10.1.2.1").claims["lic"] == "active"
