"""Logs are JSON lines with the request id and account id, and never carry a token or a card number."""
import json
import logging

from chalicelib.observability.logging import JsonFormatter, redact
from tests.support import make_token


def captured_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_a_refused_request_is_logged_as_json_with_request_and_account_ids(client, capsys):
    account_id, owner = client.create_account("alice")
    capsys.readouterr()
    response = client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", owner, {"due_day": 3})
    assert response.status_code == 422
    lines = captured_lines(capsys)
    refused = [line for line in lines if line["message"] == "request refused"]
    assert refused and refused[0]["account_id"] == account_id
    assert refused[0]["request_id"] == response.headers["X-Request-Id"]
    assert refused[0]["status"] == 422


def test_tokens_never_reach_the_log(client, capsys):
    token = make_token("mallory", expires_in=-60)
    client.call("GET", "/v1/catalog", token)
    output = capsys.readouterr().out
    assert token not in output and token.split(".")[1] not in output


def test_card_numbers_and_secret_fields_are_redacted():
    formatter = JsonFormatter()
    record = logging.LogRecord("renova.test", logging.INFO, __file__, 1, "paid with 4111 1111 1111 1111",
                               None, None)
    record.fields = {"gateway_token": "tok_123", "note": "cartão 5500-0000-0000-0004", "amount_cents": 1000}
    line = json.loads(formatter.format(record))
    assert "4111" not in line["message"]
    assert line["gateway_token"] == "[redacted]"
    assert "5500" not in line["note"] and line["amount_cents"] == 1000
    assert redact({"nested": [{"authorization": "Bearer x"}]}) == {"nested": [{"authorization": "[redacted]"}]}


def test_our_own_ids_are_logged_whole_even_when_they_hold_a_long_digit_run():
    from chalicelib.observability.logging import account_id_var, request_id_var

    formatter = JsonFormatter()
    record = logging.LogRecord("renova.test", logging.INFO, __file__, 1, "request refused", None, None)
    own_account, own_request = "acc_739e1f82026283868703", "f72002f2fae84e33a8a4111111111111"
    account_token, request_token = account_id_var.set(own_account), request_id_var.set(own_request)
    try:
        line = json.loads(formatter.format(record))
        assert (line["account_id"], line["request_id"]) == (own_account, own_request)
        account_id_var.set("4111111111111111")  # an id of another shape, from the caller's path
        assert json.loads(formatter.format(record))["account_id"] == "[redacted]"
    finally:
        account_id_var.reset(account_token)
        request_id_var.reset(request_token)
