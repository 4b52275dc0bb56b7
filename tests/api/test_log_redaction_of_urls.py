"""A card number typed into a path or a query string never reaches a log: not the application's
JSON lines (the account id comes from the path) nor the access log of the local server."""
import json
import logging

import pytest
from chalice import local

from chalicelib.observability.logging import JsonFormatter, redact_text
from scripts import chalice_local

PAN = "4111111111111111"


def test_a_card_number_in_the_path_or_the_query_is_redacted_in_the_app_log(client, capsys):
    account_id, owner = client.create_account("alice")
    capsys.readouterr()
    client.call("GET", f"/v1/accounts/{PAN}", owner)
    client.call("GET", f"/v1/accounts/{PAN}/members?cursor=abc{PAN}def", owner)
    client.call("GET", f"/v1/accounts/{account_id}/members?cursor=4111%201111%201111%201111", owner)
    output = capsys.readouterr().out
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert lines and all(line["account_id"] in ("[redacted]", account_id) for line in lines)
    assert PAN not in output and "4111%201111" not in output


@pytest.mark.parametrize("text", [
    f"/v1/accounts/{PAN}", f"/v1/x?cursor=eyJ{PAN}fQ", "/v1/x?c=4111%201111%201111%201111",
    "/v1/x?c=4111+1111+1111+1111", "/v1/x?c=4111%2D1111%2D1111%2D1111", "/v1/x?c=%34%31%31%31" + "1" * 12,
])
def test_path_and_query_fields_are_redacted_also_percent_encoded(text):
    record = logging.LogRecord("renova.test", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"path": text, "query": {"cursor": text}}
    line = json.loads(JsonFormatter().format(record))
    assert "[redacted]" in line["path"] and "[redacted]" in line["query"]["cursor"]
    assert "1111" not in line["path"] + line["query"]["cursor"]


def test_an_ordinary_url_is_left_as_it_is():
    path = "/v1/accounts/acc_24118b804b0e231241a8/invoices?status=open&limit=20&cursor=eyJhIjoxfQ%3D%3D"
    assert redact_text(path) == path


def test_the_local_server_access_log_is_redacted(monkeypatch, capsys):
    monkeypatch.setattr(local.ChaliceRequestHandler, "log_message", local.ChaliceRequestHandler.log_message)
    chalice_local.install()
    handler = local.ChaliceRequestHandler.__new__(local.ChaliceRequestHandler)
    handler.client_address = ("127.0.0.1", 50000)
    for target in (f"/v1/accounts/{PAN}", f"/v1/accounts/acc_1/members?cursor=x{PAN}y",
                   "/v1/accounts/acc_1/members?cursor=4111%201111%201111%201111"):
        handler.requestline = f"GET {target} HTTP/1.1"
        handler.log_request(404)  # what http.server calls after each answer
    log = capsys.readouterr().err.splitlines()
    assert len(log) == 3 and all('" 404 -' in line and "[redacted]" in line for line in log)
    assert all(PAN not in line and "4111%20" not in line for line in log)
    assert '"GET /v1/accounts/[redacted] HTTP/1.1" 404 -' in log[0]
