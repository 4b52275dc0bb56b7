"""Matrices over the whole route table: a new route is covered by adding it, nothing else."""
import pytest
from openapi_spec_validator import validate

from chalicelib.api.access import Access
from tests.steps.routes import app_routes, fill, spec_id, specs
from tests.support import make_token

ACCOUNT_SCOPED = [s for s in specs() if s.access.account_scoped]
FINANCE_ONLY = [s for s in specs() if s.access is Access.FINANCE_STAFF]
WITH_BODY = [s for s in specs() if s.method in ("POST", "PUT", "PATCH")]

# What PRODUCT.md §1 implies, written out independently of the code: billing screens and actions
# for owner, admin and finance; changes that cost money and member management for owner and admin;
# a member sees only the account itself. A route missing here fails test_every_account_route_has_an_expected_role_set.
BILLING = {"owner", "admin", "finance"}
MANAGERS = {"owner", "admin"}
EVERYONE = {"owner", "admin", "finance", "member"}
OWNER = {"owner"}
EXPECTED_ROLES = {
    "GET /v1/accounts/{account_id}": EVERYONE,
    "PUT /v1/accounts/{account_id}/billing-data": BILLING,
    "PUT /v1/accounts/{account_id}/billing-settings": BILLING,
    "GET /v1/accounts/{account_id}/members": BILLING,
    "POST /v1/accounts/{account_id}/members": MANAGERS,
    "PATCH /v1/accounts/{account_id}/members/{user_id}": MANAGERS,
    "GET /v1/accounts/{account_id}/audit": MANAGERS,
    "GET /v1/accounts/{account_id}/subscriptions": BILLING,
    "POST /v1/accounts/{account_id}/subscriptions": MANAGERS,
    "GET /v1/accounts/{account_id}/subscriptions/{subscription_id}": BILLING,
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/changes/preview": MANAGERS,
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/changes": MANAGERS,
    # §15: a coupon changes what the subscription costs, as a plan change does.
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/coupon": MANAGERS,
    "PUT /v1/accounts/{account_id}/subscriptions/{subscription_id}/renewal": BILLING,
    "PUT /v1/accounts/{account_id}/subscriptions/{subscription_id}/payment-method": BILLING,
    "PUT /v1/accounts/{account_id}/card": BILLING,
    "DELETE /v1/accounts/{account_id}/card": BILLING,
    "GET /v1/accounts/{account_id}/storage": BILLING,
    # §9: the owner schedules backups and downloads them (the file holds every member and all
    # billing data); the billing roles see the list. §1, §10: requests are billing actions.
    "GET /v1/accounts/{account_id}/backups": BILLING,
    "POST /v1/accounts/{account_id}/backups": OWNER,
    "GET /v1/accounts/{account_id}/backups/{backup_id}/download": OWNER,
    # §4: invoices, their boletos and the 2ª via are billing screens and actions.
    "GET /v1/accounts/{account_id}/invoices": BILLING,
    "GET /v1/accounts/{account_id}/invoices/{invoice_id}": BILLING,
    "POST /v1/accounts/{account_id}/invoices/{invoice_id}/second-copy": BILLING,
    # §4, §6: paying an invoice now and the payment history are billing actions and screens.
    "POST /v1/accounts/{account_id}/invoices/{invoice_id}/pay": BILLING,
    "GET /v1/accounts/{account_id}/payments": BILLING,
    "GET /v1/accounts/{account_id}/requests": BILLING,
    "POST /v1/accounts/{account_id}/requests": BILLING,
    "GET /v1/accounts/{account_id}/requests/{request_id}/messages": BILLING,
    "POST /v1/accounts/{account_id}/requests/{request_id}/messages": BILLING,
    # §7, §8: entitlements are a billing screen; cancelling and undoing it cost money (owner, admin);
    # partner batches: the partner's billing roles see the licenses, its managers change them.
    "GET /v1/accounts/{account_id}/entitlements": BILLING,
    "GET /v1/accounts/{account_id}/subscriptions/{subscription_id}/cancellation-quote": MANAGERS,
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/cancel": MANAGERS,
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/reactivate": MANAGERS,
    "GET /v1/accounts/{account_id}/batches/{subscription_id}/licenses": BILLING,
    "POST /v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/assign": MANAGERS,
    "POST /v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/substitute": MANAGERS,
    "POST /v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/transfer": MANAGERS,
    "POST /v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/cancel": MANAGERS,
    # Software licenses: the keys and their machines are the owner's and the admin's to see and free.
    "GET /v1/accounts/{account_id}/licenses": MANAGERS,
    "POST /v1/accounts/{account_id}/licenses/{license_id}/deactivate": MANAGERS,
    # Pix Automático: authorising a recurrence changes how renewals are paid (owner, admin).
    "POST /v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico": MANAGERS,
    "GET /v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico": MANAGERS,
    "DELETE /v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico": MANAGERS,
}


def test_every_route_is_declared_through_the_endpoint_decorator():
    declared = sorted((s.path, s.method) for s in specs())
    assert declared == app_routes()


def test_every_account_route_has_an_expected_role_set():
    assert sorted(spec_id(s) for s in ACCOUNT_SCOPED) == sorted(EXPECTED_ROLES)


@pytest.mark.parametrize("spec", ACCOUNT_SCOPED, ids=spec_id)
def test_another_accounts_ids_answer_404(client, spec):
    victim_id, _ = client.create_account("victim")
    _, intruder = client.create_account("intruder")
    response = client.call(spec.method, fill(spec.path, account_id=victim_id, user_id="victim"),
                           intruder, {} if spec.body else None)
    assert response.status_code == 404, response.data
    assert response.data["error"]["code"] == "account_not_found"


@pytest.mark.parametrize("spec", ACCOUNT_SCOPED, ids=spec_id)
@pytest.mark.parametrize("role", ["owner", "admin", "finance", "member"])
def test_role_matrix(client, spec, role):
    account_id, owner = client.create_account("owner-user")
    token = owner
    if role != "owner":
        email = f"{role}@example.com"
        client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": email, "role": role})
        token = make_token(f"{role}-user", email)
    response = client.call(spec.method, fill(spec.path, account_id=account_id, user_id=f"{role}-user"),
                           token, {} if spec.body else None)
    if role in EXPECTED_ROLES[spec_id(spec)]:
        assert response.status_code not in (401, 403), response.data
        assert (response.data or {}).get("error", {}).get("code") != "account_not_found"
    else:
        assert response.status_code == 403, response.data
        assert response.data["error"]["code"] == "role_not_allowed"


@pytest.mark.parametrize("spec", FINANCE_ONLY, ids=spec_id)
def test_finance_routes_refuse_every_customer_role(client, spec):
    """The vendor's finance team is the token group `finance`; an account's own roles (its owner, or a
    member with the account's "finance" role) never reach these routes."""
    account_id, owner = client.create_account("owner-user")
    client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": "finance@example.com", "role": "finance"})
    for token in (owner, make_token("finance-user", "finance@example.com")):
        response = client.call(spec.method, fill(spec.path, account_id=account_id), token, {} if spec.body else None)
        assert response.status_code == 403, response.data
        assert response.data["error"]["code"] == "finance_only"


MALFORMED = {
    "invalid json": ("{not json", "application/json"),
    "json array": ("[1, 2, 3]", "application/json"),
    "wrong types": ('{"name": 123, "due_day": "x", "email": 5, "role": [], "now": 1, "active": "sim"}',
                    "application/json"),
    "missing fields": ("{}", "application/json"),
    "one megabyte string": ('{"name": "' + "a" * 1_000_000 + '"}', "application/json"),
    "wrong content type": ("name=x", "application/x-www-form-urlencoded"),
    "text plain": ('{"name": "x"}', "text/plain"),
    "deep nesting": ("[" * 5000 + "]" * 5000, "application/json"),
}


@pytest.mark.parametrize("spec", WITH_BODY, ids=spec_id)
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_bodies_get_4xx_in_the_error_shape(client, spec, case):
    account_id, owner = client.create_account("owner-user")
    payload, content_type = MALFORMED[case]
    response = client.call(spec.method, fill(spec.path, account_id=account_id, user_id="owner-user"),
                           owner, raw=payload, headers={"Content-Type": content_type})
    if spec.body is None and not spec.raw_body:
        # A route without a body ignores what it is sent, but must still answer sanely.
        assert response.status_code < 500, (case, response.data)
        return
    assert 400 <= response.status_code < 500, (case, response.status_code, response.data)
    error = response.data["error"]
    assert set(error) == {"code", "message", "details"} and error["code"].islower()


@pytest.mark.parametrize("spec", specs(), ids=spec_id)
def test_no_route_answers_500_to_junk_query_strings(client, spec):
    account_id, owner = client.create_account("owner-user")
    path = fill(spec.path, account_id=account_id, user_id="owner-user")
    response = client.call(spec.method, path + "?limit=abc&cursor=%00%ff&status=☃", owner,
                           {} if spec.body else None)
    assert response.status_code < 500, response.data


def test_openapi_covers_every_route_and_validates(client):
    document = client.call("GET", "/v1/openapi.json").data
    validate(document)
    documented = sorted((path, method.upper()) for path, ops in document["paths"].items() for method in ops)
    assert documented == app_routes()
