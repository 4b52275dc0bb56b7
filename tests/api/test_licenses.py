"""Software licenses end to end (docs/licensing.md): keys per seat, machine activation, signed
license files verified offline with only the JWKS, the seed's rules on unpaid contracts (Promob:
mandatory loses the license, optional keeps it and loses support and updates), rate limits."""
import json
from datetime import datetime, timezone

import jwt
import pytest

from chalicelib.adapters.events import RecordingPublisher
from chalicelib.domain.licensing import RateLimits, is_key
from tests.steps.billing_steps import at, change, subscribe
from tests.steps.invoicing_steps import billable_account, invoices
from tests.steps.payment_steps import dev_pay
from tests.steps.standing_steps import audit_actions, check_overdue, issue_invoices
from tests.support import make_token

pytestmark = pytest.mark.ddblocal

PROMOB = "promob-cats-mandatory"  # 2 machines per key
OPTIONAL = "promob-cats-optional"  # 1 machine per key
ACTIVATE, VALIDATE, DEACTIVATE = "/v1/licenses/activate", "/v1/licenses/validate", "/v1/licenses/deactivate"


@pytest.fixture
def published(aws):
    recorder = RecordingPublisher(aws.clock)
    aws.__dict__["events"] = recorder
    return recorder.published


def keys(client, account_id, token, status="active") -> list[dict]:
    response = client.call("GET", f"/v1/accounts/{account_id}/licenses", token)
    assert response.status_code == 200, response.data
    return [k for k in response.data["items"] if status is None or k["status"] == status]


def activate(client, key, fingerprint, name="Estação 1"):
    return client.call("POST", ACTIVATE, None, {"license_key": key, "fingerprint": fingerprint, "machine_name": name})


def validate(client, key, fingerprint):
    return client.call("POST", VALIDATE, None, {"license_key": key, "fingerprint": fingerprint})


def offline_verify(client, token: str) -> dict:
    """What the vendor's program does offline: only the published public keys, no call to Renova."""
    jwks = client.call("GET", "/v1/licenses/jwks.json").data
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [k for k in jwks["keys"] if k["kid"] == kid]
    public_key = jwt.PyJWK(jwk).key
    return jwt.decode(token, public_key, algorithms=["EdDSA"], options={"verify_exp": False, "verify_iat": False})


def promob_account(client, user="promob", quantity=3):
    """Promob Studio (mandatory contract) with `quantity` seats, its first month paid by boleto."""
    account_id, token = billable_account(client, user, due_day=None, name="Marcenaria Exemplo")
    sub = subscribe(client, account_id, token, product_id=PROMOB, periodicity="monthly", quantity=quantity,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    return account_id, token, sub


def test_every_seat_has_a_readable_unique_key_listed_by_owner_and_admin_only(client):
    account_id, owner, sub = promob_account(client, "keys-owner", quantity=3)
    items = keys(client, account_id, owner)
    assert len(items) == 3 and len({k["key"] for k in items}) == 3
    assert all(is_key(k["key"]) and k["key"].startswith("RNV-") for k in items)
    assert sorted(k["seat"] for k in items) == [1, 2, 3]
    assert {(k["product_id"], k["subscription_id"], k["machines_per_license"]) for k in items} == {
        (PROMOB, sub["id"], 2)}
    assert keys(client, account_id, owner) == items  # listing again creates nothing

    for role, status in (("admin", 200), ("finance", 403), ("member", 403)):
        email = f"{role}@example.com"
        client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": email, "role": role})
        response = client.call("GET", f"/v1/accounts/{account_id}/licenses", make_token(f"{role}-1", email))
        assert response.status_code == status, (role, response.data)
    other, stranger = client.create_account("stranger")
    assert client.call("GET", f"/v1/accounts/{account_id}/licenses", stranger).status_code == 404
    assert keys(client, other, stranger) == []  # a product without license keys has none
    assert "license.key_created" in audit_actions(client, account_id, owner)


def test_activation_answers_a_file_verified_offline_with_the_jwks_and_a_tampered_one_is_refused(client, published):
    account_id, owner, sub = promob_account(client, "file-owner", quantity=1)
    [key] = keys(client, account_id, owner)
    response = activate(client, key["key"].lower().replace("-", ""), "fp-workstation-1", "Projetos 1")
    assert response.status_code == 200, response.data
    token = response.data["license_file"]
    claims = offline_verify(client, token)
    assert claims == response.data["claims"] | {"exp": claims["exp"]}
    assert (claims["sub"], claims["acc"], claims["prd"], claims["fpr"]) == (key["key"], account_id, PROMOB,
                                                                           "fp-workstation-1")
    assert (claims["lic"], claims["sup"], claims["upd"]) == ("active", True, True)
    assert claims["kid"] == jwt.get_unverified_header(token)["kid"] and jwt.get_unverified_header(token)["alg"] == "EdDSA"
    assert claims["exp"] > claims["iat"] and claims["upd_until"]

    header, payload, signature = token.split(".")
    forged = dict(claims, lic="active", exp=claims["exp"] + 10 * 365 * 86400)
    forged_payload = jwt.utils.base64url_encode(json.dumps(forged).encode()).decode()
    with pytest.raises(jwt.InvalidSignatureError):
        offline_verify(client, f"{header}.{forged_payload}.{signature}")

    assert [m["name"] for m in keys(client, account_id, owner)[0]["machines"]] == ["Projetos 1"]
    assert [e["type"] for e in published if e["type"].startswith("license.")] == ["license.activated"]
    assert "license.activated" in audit_actions(client, account_id, owner)


def test_machine_limit_is_409_with_the_machines_and_deactivation_frees_the_slot(client, published):
    account_id, owner, _ = promob_account(client, "limit-owner", quantity=1)
    [key] = keys(client, account_id, owner)
    assert activate(client, key["key"], "fp-1", "Máquina 1").status_code == 200
    assert activate(client, key["key"], "fp-2", "Máquina 2").status_code == 200
    again = activate(client, key["key"], "fp-1", "Máquina 1")  # the same machine: no new slot
    assert again.status_code == 200 and len(again.data["machines"]) == 2
    refused = activate(client, key["key"], "fp-3", "Máquina 3")
    assert refused.status_code == 409, refused.data
    error = refused.data["error"]
    assert error["code"] == "machine_limit_reached" and "2 máquina" in error["message"]
    assert [m["name"] for m in error["details"]["machines"]] == ["Máquina 1", "Máquina 2"]

    gone = client.call("POST", DEACTIVATE, None, {"license_key": key["key"], "fingerprint": "fp-2"})
    assert gone.status_code == 200, gone.data
    assert validate(client, key["key"], "fp-2").data["error"]["code"] == "machine_not_activated"
    assert activate(client, key["key"], "fp-3", "Máquina 3").status_code == 200

    path = f"/v1/accounts/{account_id}/licenses/{key['id']}/deactivate"
    assert client.call("POST", path, owner, {"fingerprint": "fp-1"}).status_code == 200
    assert client.call("POST", path, owner, {"fingerprint": "fp-1"}).data["error"]["code"] == "machine_not_found"
    [after] = keys(client, account_id, owner)
    assert [m["fingerprint"] for m in after["machines"]] == ["fp-3"]
    assert [e["type"] for e in published if e["type"].startswith("license.")] == [
        "license.activated", "license.activated", "license.deactivated", "license.activated", "license.deactivated"]
    finance = make_token("fin-1", "fin@example.com")
    client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": "fin@example.com", "role": "finance"})
    assert client.call("POST", path, finance, {"fingerprint": "fp-3"}).status_code == 403


def _renewal_due_friday_before_carnival(client, user, product, quantity=1):
    """Monthly by boleto from 5 January 2027, first month paid; the renewal, due Friday 5 February
    (Carnival on Monday 8 and Tuesday 9), issued on 29 January and left unpaid."""
    account_id, token = billable_account(client, user, due_day=None, name="Marcenaria Exemplo")
    at(client, "2027-01-05")
    sub = subscribe(client, account_id, token, product_id=product, periodicity="monthly", quantity=quantity,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    [key] = keys(client, account_id, token)
    assert activate(client, key["key"], "fp-1").status_code == 200
    assert issue_invoices(client, "2027-01-29")["invoices_issued"] == 1
    [renewal] = invoices(client, account_id, token, status="open")
    return account_id, token, key["key"], renewal["id"]


def test_mandatory_unpaid_is_suspended_without_extending_exp_then_none_and_payment_restores(client):
    account_id, token, key, renewal = _renewal_due_friday_before_carnival(client, "late-promob", PROMOB)
    at(client, "2027-02-01")
    paid = offline_verify(client, validate(client, key, "fp-1").data["license_file"])
    assert (paid["lic"], paid["upd_until"]) == ("active", "2027-02-05")
    # The paid period ends on 5 February; 3 business days of grace after Carnival: through the 12th.
    assert datetime.fromtimestamp(paid["exp"], timezone.utc) == datetime(2027, 2, 13, 3, tzinfo=timezone.utc)

    assert check_overdue(client, "2027-02-13")["suspended"] == 1
    suspended = offline_verify(client, validate(client, key, "fp-1").data["license_file"])
    assert (suspended["lic"], suspended["sup"], suspended["upd"]) == ("suspended", False, False)
    assert suspended["exp"] == paid["exp"]  # not extended

    at(client, "2027-02-15", "10:00:00")
    assert dev_pay(client, renewal, "boleto").status_code == 200
    restored = offline_verify(client, validate(client, key, "fp-1").data["license_file"])  # at once
    assert (restored["lic"], restored["sup"], restored["upd"], restored["upd_until"]) == (
        "active", True, True, "2027-03-05")
    assert restored["exp"] > paid["exp"]


def test_mandatory_cancelled_for_non_payment_answers_none(client):
    account_id, token, key, _ = _renewal_due_friday_before_carnival(client, "gone-promob", PROMOB)
    check_overdue(client, "2027-02-13")
    assert check_overdue(client, "2027-04-07")["cancelled"] == 1
    response = validate(client, key, "fp-1")
    assert response.status_code == 200, response.data
    claims = offline_verify(client, response.data["license_file"])
    assert (claims["lic"], claims["sup"], claims["upd"]) == ("none", False, False)
    assert claims["exp"] == claims["iat"]  # nothing left to use offline
    refused = activate(client, key, "fp-new")
    assert refused.status_code == 409 and refused.data["error"]["code"] == "license_not_active"


def test_optional_contract_keeps_the_license_forever_with_updates_frozen_at_the_last_paid_period(client):
    account_id, token, key, _ = _renewal_due_friday_before_carnival(client, "optional-owner", OPTIONAL)
    at(client, "2027-02-01")
    paid = offline_verify(client, validate(client, key, "fp-1").data["license_file"])
    assert (paid["lic"], paid["sup"], paid["upd"], paid["upd_until"]) == ("active", True, True, "2027-02-05")
    assert "exp" not in paid  # a perpetual license
    assert check_overdue(client, "2027-02-13")["suspended"] == 1
    for day in ("2027-02-13", "2027-04-07", "2027-09-01"):
        check_overdue(client, day)
        claims = offline_verify(client, validate(client, key, "fp-1").data["license_file"])
        assert (claims["lic"], claims["sup"], claims["upd"], claims["upd_until"]) == (
            "active", False, False, "2027-02-05"), day
        assert "exp" not in claims
    assert activate(client, key, "fp-2").data["error"]["code"] == "machine_limit_reached"  # 1 machine per key


def test_seats_removed_retire_their_keys_and_free_their_machines(client, published):
    """Seats leave at a renewal of the active licenses only (the plan routes refuse to remove them):
    the keys of the seats added last are retired and their machines freed."""
    account_id, owner = billable_account(client, "seats-owner", due_day=None)
    at(client, "2026-03-01")
    sub = subscribe(client, account_id, owner, product_id=PROMOB, periodicity="monthly", quantity=3,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    by_seat = {k["seat"]: k for k in keys(client, account_id, owner)}
    assert activate(client, by_seat[3]["key"], "fp-3a").status_code == 200
    assert activate(client, by_seat[1]["key"], "fp-1a").status_code == 200
    members = f"/v1/accounts/{account_id}/members"
    assert client.call("POST", members, owner, {"email": "ana@example.com", "role": "member"}).status_code == 201
    client.call("GET", f"/v1/accounts/{account_id}", make_token("ana", "ana@example.com"))  # joins: 2 active
    assert client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/renewal", owner,
                       {"renewal_mode": "active_only"}).status_code == 200
    assert issue_invoices(client, "2026-03-25")["invoices_issued"] == 1  # renews 2 licenses
    # Retired by the run itself, before any listing or check-in: the machine is free already.
    assert [e["data"]["fingerprint"] for e in published if e["type"] == "license.deactivated"] == ["fp-3a"]

    gone = validate(client, by_seat[3]["key"], "fp-3a")  # out of force at once
    assert gone.status_code == 200 and offline_verify(client, gone.data["license_file"])["lic"] == "none"
    [retired] = keys(client, account_id, owner, status="retired")
    assert retired["id"] == by_seat[3]["id"] and retired["machines"] == [] and retired["retired_at"]
    assert sorted(k["seat"] for k in keys(client, account_id, owner)) == [1, 2]
    assert [m["fingerprint"] for m in keys(client, account_id, owner)[0]["machines"]] == ["fp-1a"]
    assert activate(client, by_seat[3]["key"], "fp-3b").data["error"]["code"] == "license_key_not_found"
    assert activate(client, by_seat[2]["key"], "fp-3a").status_code == 200  # the machine moves to a live key
    [freed] = [e["data"] for e in published if e["type"] == "license.deactivated"]
    assert (freed["license_id"], freed["fingerprint"], freed["reason"]) == (by_seat[3]["id"], "fp-3a", "seat_removed")
    assert "license.key_retired" in audit_actions(client, account_id, owner)


def test_seats_bought_get_new_keys_at_once(client):
    account_id, owner, sub = promob_account(client, "more-seats-owner", quantity=1)
    [first] = keys(client, account_id, owner)
    result = change(client, account_id, owner, sub["id"], {"quantity": 3})
    assert result.status_code == 200, result.data
    live = keys(client, account_id, owner)
    assert sorted(k["seat"] for k in live) == [1, 2, 3] and first in live


def test_brute_force_on_activate_is_throttled_and_never_tells_keys_apart(client, aws):
    account_id, owner, _ = promob_account(client, "brute-owner", quantity=1)
    [key] = keys(client, account_id, owner)
    unknown_but_well_formed = "RNV-ABCD-EFGH-JKMN-PQRS-0"
    answers = [activate(client, guess, "fp-x") for guess in
               ("nonsense", key["key"][:-1] + ("0" if key["key"][-1] != "0" else "1"), unknown_but_well_formed)]
    assert {(a.status_code, a.data["error"]["code"], a.data["error"]["message"]) for a in answers} == {
        (404, "license_key_not_found", "Chave de licença não encontrada.")}
    limit = RateLimits().failures_per_source  # the limits the container builds the service with
    statuses = [activate(client, f"RNV-ABCD-EFGH-JKMN-{n:04d}-0", "fp-x").status_code for n in range(limit)]
    assert statuses[:limit - 3] == [404] * (limit - 3) and statuses[-1] == 429
    throttled = activate(client, key["key"], "fp-x")  # even the right key, from that source, for a while
    assert throttled.status_code == 429 and throttled.data["error"]["code"] == "too_many_attempts"
    assert throttled.data["error"]["details"]["retry_after_seconds"] > 0
    assert throttled.headers["Retry-After"] == str(throttled.data["error"]["details"]["retry_after_seconds"])


def test_calls_on_one_key_are_limited_whatever_the_source(client, aws):
    from chalicelib.errors import Throttled

    account_id, owner, _ = promob_account(client, "key-rate-owner", quantity=1)
    [key] = keys(client, account_id, owner)
    licensing = aws.licensing
    licensing.activate(key["key"], "fp-1", "Máquina", "10.0.0.1")
    with pytest.raises(Throttled):
        for n in range(RateLimits().per_key):
            licensing.validate(key["key"], "fp-1", f"10.0.1.{n}")


@pytest.mark.parametrize("body", [
    {},
    {"license_key": "RNV-0000", "fingerprint": "x" * 129, "machine_name": "PC"},
    {"license_key": "RNV-0000", "fingerprint": "fp", "machine_name": "PC\u0000"},
    {"license_key": 12, "fingerprint": "fp", "machine_name": "PC"},
    {"license_key": "RNV-0000", "fingerprint": "fp", "machine_name": "PC", "extra": 1},
])
def test_bad_input_is_422_in_portuguese_never_500(client, body):
    response = client.call("POST", ACTIVATE, None, body)
    assert response.status_code == 422, response.data
    assert response.data["error"]["code"] == "validation_error"


def test_jwks_publishes_ed25519_public_keys_only(client):
    jwks = client.call("GET", "/v1/licenses/jwks.json")
    assert jwks.status_code == 200
    [jwk] = jwks.data["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA") and "d" not in jwk


def test_a_partner_batch_client_key_follows_the_batch(client, aws):
    """A batch whose licensed product has license keys: the client's seat gets a key whose file says
    what the batch's standing gives (entitlements' batch_seat)."""
    from chalicelib.catalog import load_catalog

    catalog = load_catalog()
    licensed = catalog.product("conta-azul-pro").model_copy(update={"licensing": "keys"})
    aws.__dict__["catalog"] = catalog.model_copy(update={"products": [
        licensed if p.id == licensed.id else p for p in catalog.products]})
    partner, partner_token = billable_account(client, "partner", due_day=15, name="Contabilidade Parceira")
    batch = subscribe(client, partner, partner_token, product_id="conta-azul-mais", periodicity="monthly",
                      quantity=2, payment_method="boleto")
    assert dev_pay(client, batch["invoice_id"], "boleto").status_code == 200
    licenses = f"/v1/accounts/{partner}/batches/{batch['id']}/licenses"
    free = client.call("GET", licenses, partner_token).data["items"][0]["id"]
    assigned = client.call("POST", f"{licenses}/{free}/assign", partner_token,
                           {"name": "Cliente do parceiro", "owner_email": "cliente@example.com"})
    assert assigned.status_code == 200, assigned.data
    client_account = assigned.data["client_account_id"]
    [key] = aws.licensing.list(client_account, "system")
    assert (key.source, key.subscription_id, key.product_id) == ("batch_seat", batch["id"], "conta-azul-pro")
    answer = activate(client, key.key, "fp-client")
    assert answer.status_code == 200, answer.data
    claims = offline_verify(client, answer.data["license_file"])
    assert (claims["lic"], claims["acc"], claims["prd"]) == ("active", client_account, "conta-azul-pro")


def test_another_accounts_license_is_never_reached_through_ones_own_account(client):
    account_id, owner, _ = promob_account(client, "victim-owner", quantity=1)
    [key] = keys(client, account_id, owner)
    assert activate(client, key["key"], "fp-1").status_code == 200
    other, intruder = client.create_account("intruder-owner")
    answer = client.call("POST", f"/v1/accounts/{other}/licenses/{key['id']}/deactivate", intruder,
                         {"fingerprint": "fp-1"})
    assert answer.status_code == 404 and answer.data["error"]["code"] == "license_not_found"
    assert [m["fingerprint"] for m in keys(client, account_id, owner)[0]["machines"]] == ["fp-1"]
