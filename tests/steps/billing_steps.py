"""Steps the subscription tests share: the dev clock, the card, subscribing, changing."""
from fractions import Fraction

VALID_CARD = {"gateway_token": "tok_visa_abc", "brand": "visa", "last4": "4242", "exp_month": 12,
              "exp_year": 2031}


def half_up(numerator, denominator=1) -> int:
    """Independent of the code under test: exact fraction, rounded half-up."""
    value = Fraction(numerator, denominator)
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def at(client, day: str, time: str = "09:00:00") -> None:
    response = client.call("PUT", "/v1/_dev/clock", None, {"now": f"{day}T{time}-03:00"})
    assert response.status_code == 200, response.data


def add_card(client, account_id: str, token: str, **overrides) -> dict:
    response = client.call("PUT", f"/v1/accounts/{account_id}/card", token, {**VALID_CARD, **overrides})
    assert response.status_code == 200, response.data
    return response.data


def subscribe(client, account_id: str, token: str, **body) -> dict:
    response = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token, body)
    assert response.status_code == 201, response.data
    return response.data


def plan(client, account_id: str, token: str, subscription_id: str) -> dict:
    response = client.call("GET", f"/v1/accounts/{account_id}/subscriptions/{subscription_id}", token)
    assert response.status_code == 200, response.data
    return response.data


def change(client, account_id: str, token: str, subscription_id: str, body: dict, preview: bool = False):
    suffix = "/changes/preview" if preview else "/changes"
    return client.call("POST", f"/v1/accounts/{account_id}/subscriptions/{subscription_id}{suffix}", token, body)


def account(client, account_id: str, token: str) -> dict:
    return client.call("GET", f"/v1/accounts/{account_id}", token).data
