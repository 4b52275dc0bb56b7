"""An invitation is claimed only by a token whose issuer vouches for the e-mail (`email_verified`):
required outside the local stage; a local dev token may omit it."""
import pytest

from chalicelib.wiring import Container, set_container
from tests.api.test_auth import jwks_url, prod_settings, rs256, rsa_key  # noqa: F401 — fixtures
from tests.support import make_token


@pytest.fixture
def prod_invite(client, rsa_key, jwks_url):  # noqa: F811
    """An account created and an invitation sent in the local stage; then the stage becomes prod."""
    account_id, owner = client.create_account("alice")
    invite = client.call("POST", f"/v1/accounts/{account_id}/members", owner,
                         {"email": "bruno@example.com", "role": "finance"})
    assert invite.status_code == 201, invite.data
    set_container(Container(prod_settings(jwks_url)))
    return client, account_id


@pytest.mark.parametrize("claims", [{}, {"email_verified": False}, {"email_verified": "false"}])
def test_outside_local_an_unverified_email_does_not_claim_the_invitation(prod_invite, rsa_key, claims):  # noqa: F811
    client, account_id = prod_invite
    token = rs256(rsa_key, sub="bruno", email="bruno@example.com", **claims)
    refused = client.call("GET", f"/v1/accounts/{account_id}", token)
    assert refused.status_code == 403, refused.data
    assert refused.data["error"]["code"] == "email_not_verified"
    assert "e-mail" in refused.data["error"]["message"]
    # still pending: the verified owner of the address claims it afterwards
    verified = rs256(rsa_key, sub="bruno", email="bruno@example.com", email_verified=True)
    joined = client.call("GET", f"/v1/accounts/{account_id}", verified)
    assert joined.status_code == 200 and joined.data["role"] == "finance"


def test_an_unverified_email_without_an_invitation_still_gets_the_404(prod_invite, rsa_key):  # noqa: F811
    client, account_id = prod_invite
    token = rs256(rsa_key, sub="carla", email="carla@example.com")
    response = client.call("GET", f"/v1/accounts/{account_id}", token)
    assert response.status_code == 404 and response.data["error"]["code"] == "account_not_found"


def test_in_the_local_stage_a_dev_token_may_omit_the_claim_but_not_deny_it(client):
    account_id, owner = client.create_account("alice")
    for email in ("bruno@example.com", "carla@example.com"):
        client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": email, "role": "member"})
    denied = client.call("GET", f"/v1/accounts/{account_id}",
                         make_token("carla", "carla@example.com", email_verified=False))
    assert denied.status_code == 403 and denied.data["error"]["code"] == "email_not_verified"
    joined = client.call("GET", f"/v1/accounts/{account_id}", make_token("bruno", "bruno@example.com"))
    assert joined.status_code == 200 and joined.data["role"] == "member"
