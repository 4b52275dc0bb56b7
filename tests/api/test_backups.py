"""Backups end to end through HTTP with the dev clock (PRODUCT.md §9)."""
import csv
import io
import zipfile
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from chalicelib.store.backups import BackupRepository
from tests.support import VALID_BILLING_DATA, make_token

# Also runs on AWS DynamoDB Local (second pass of `make test`), see docs/reliability.md.
pytestmark = pytest.mark.ddblocal

TUESDAY_14H = "2026-12-01T14:00:00-03:00"  # a business day
TUESDAY_20H = "2026-12-01T20:00:00-03:00"
EXPECTED_FILES = {
    "dados_de_faturamento.csv", "membros.csv", "assinaturas.csv", "faturas.csv", "itens_de_fatura.csv",
    "pagamentos.csv", "solicitacoes.csv", "mensagens_das_solicitacoes.csv",
}


def at(client, instant: str) -> None:
    assert client.call("PUT", "/v1/_dev/clock", None, {"now": instant}).status_code == 200


def backups_path(account_id: str) -> str:
    return f"/v1/accounts/{account_id}/backups"


def run_backups(client) -> dict:
    response = client.call("POST", "/v1/_dev/jobs/run-backups")
    assert response.status_code == 200, response.data
    return response.data


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def a_real_account(client):
    """An account with real rows in every file the product has today: billing data, two members, a
    subscription with its first invoice, a request with its first message."""
    account_id, owner = client.create_account("alice", "Marcenaria Alice")
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-data", owner, VALID_BILLING_DATA).status_code == 200
    client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": "bruno@example.com", "role": "finance"})
    subscribed = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", owner,
                             {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                              "payment_method": "boleto"})
    assert subscribed.status_code == 201, subscribed.data
    opened = client.call("POST", f"/v1/accounts/{account_id}/requests", owner,
                         {"type": "nota_fiscal", "text": "=Preciso da nota fiscal de dezembro; obrigado"})
    assert opened.status_code == 201, opened.data
    return account_id, owner, subscribed.data


def test_a_backup_requested_at_14h_for_20h_runs_at_20h_with_the_accounts_real_rows(client, aws):
    at(client, TUESDAY_14H)
    account_id, owner, subscription = a_real_account(client)
    scheduled = client.call("POST", backups_path(account_id), owner, {"run_at": TUESDAY_20H})
    assert scheduled.status_code == 201, scheduled.data
    assert scheduled.data["status"] == "scheduled"
    assert scheduled.data["run_at"] == TUESDAY_20H

    at(client, "2026-12-01T19:00:00-03:00")
    assert run_backups(client)["generated"] == 0  # the 19h run leaves the 20h backup alone
    at(client, TUESDAY_20H)
    summary = run_backups(client)
    assert (summary["generated"], summary["failed"], summary["in_window"]) == (1, 0, True)
    assert run_backups(client)["generated"] == 0  # run twice: generated once

    listed = client.call("GET", backups_path(account_id), owner).data["items"]
    assert [b["status"] for b in listed] == ["ready"]
    # 7 days after it was generated; the dev clock keeps running, so a loaded machine adds seconds.
    expires_at = datetime.fromisoformat(listed[0]["expires_at"])
    week_later = datetime.fromisoformat("2026-12-08T20:00:00-03:00")
    assert week_later <= expires_at < week_later + timedelta(minutes=1)
    backup_id = listed[0]["id"]
    key = f"backups/{account_id}/{backup_id}.zip"
    archive = zipfile.ZipFile(io.BytesIO(aws.files.get(key)))
    assert set(archive.namelist()) == EXPECTED_FILES

    billing = read_csv(archive, "dados_de_faturamento.csv")
    assert billing == [billing[0]] and billing[0]["Razão social"] == "Marcenaria Exemplo Ltda"
    assert billing[0]["CPF/CNPJ"] == "11.222.333/0001-81" and billing[0]["CEP"] == "95700000"
    assert billing[0]["Cidade"] == "Bento Gonçalves" and billing[0]["Criada em"] == "01/12/2026"
    members = {row["E-mail"]: row for row in read_csv(archive, "membros.csv")}
    assert members["alice@example.com"]["Papel"] == "Proprietário"
    assert members["bruno@example.com"]["Convite pendente"] == "Sim"
    subscriptions = read_csv(archive, "assinaturas.csv")
    assert [(s["Assinatura"], s["Produto"], s["Quantidade"]) for s in subscriptions] == [
        (subscription["id"], "operand-pro", "2")]
    assert subscriptions[0]["Início do período"] == "01/12/2026"
    assert subscriptions[0]["Fim do período"] == "01/01/2027"
    invoices = read_csv(archive, "faturas.csv")
    assert [(i["Fatura"], i["Total (R$)"]) for i in invoices] == [(subscription["invoice_id"], "198,00")]
    lines = read_csv(archive, "itens_de_fatura.csv")
    assert [(line["Fatura"], line["Valor (R$)"]) for line in lines] == [(subscription["invoice_id"], "198,00")]
    assert read_csv(archive, "pagamentos.csv") == []  # nothing paid yet: the header alone
    requests = read_csv(archive, "solicitacoes.csv")
    assert [(r["Tipo"], r["Situação"]) for r in requests] == [("Nota fiscal", "open")]
    # A text that a spreadsheet would run as a formula is written as text.
    assert requests[0]["Texto"] == "'=Preciso da nota fiscal de dezembro; obrigado"
    assert len(read_csv(archive, "mensagens_das_solicitacoes.csv")) == 1

    email = client.call("GET", "/v1/_dev/outbox").data["items"][0]
    assert email["subject"].startswith("Seu backup já está disponível")
    assert email["to"] == ["alice@example.com"] and email["account_id"] == account_id


def test_downloads_are_refused_at_10h_on_a_business_day_and_allowed_at_10h_on_sunday(client):
    at(client, TUESDAY_14H)
    account_id, owner = client.create_account("alice")
    client.call("POST", backups_path(account_id), owner, {"run_at": TUESDAY_20H})
    at(client, TUESDAY_20H)
    run_backups(client)
    backup_id = client.call("GET", backups_path(account_id), owner).data["items"][0]["id"]
    download = f"{backups_path(account_id)}/{backup_id}/download"

    at(client, "2026-12-02T10:00:00-03:00")  # Wednesday
    refused = client.call("GET", download, owner)
    assert refused.status_code == 409
    assert refused.data["error"]["code"] == "download_window_closed"
    assert "19h" in refused.data["error"]["message"]
    assert refused.data["error"]["details"]["opens_at"] == "2026-12-02T19:00:00-03:00"

    at(client, "2026-12-06T10:00:00-03:00")  # Sunday
    allowed = client.call("GET", download, owner)
    assert allowed.status_code == 200, allowed.data
    link_expires = datetime.fromisoformat(allowed.data["expires_at"])  # 15 minutes, on a running clock
    assert timedelta(0) <= link_expires - datetime.fromisoformat("2026-12-06T10:15:00-03:00") < timedelta(minutes=1)
    query = parse_qs(urlparse(allowed.data["url"]).query)
    assert query["X-Amz-Expires"] == ["900"]
    assert f"backups/{account_id}/{backup_id}.zip" in allowed.data["url"]
    assert "attachment" in query["response-content-disposition"][0]

    at(client, "2026-12-09T21:00:00-03:00")  # past the 7 days: refused even inside the download window
    expired = client.call("GET", download, owner)
    assert expired.status_code == 409 and expired.data["error"]["code"] == "backup_expired"
    listed = client.call("GET", backups_path(account_id), owner).data["items"]
    assert listed[0]["status"] == "expired"


def test_a_time_outside_the_window_is_refused_with_the_window_or_moved_when_asked(client):
    at(client, TUESDAY_14H)
    account_id, owner = client.create_account("alice")
    refused = client.call("POST", backups_path(account_id), owner, {"run_at": "2026-12-01T15:00:00-03:00"})
    assert refused.status_code == 422
    assert refused.data["error"]["code"] == "outside_backup_window"
    assert "entre 19h e 4h" in refused.data["error"]["message"]
    moved = client.call("POST", backups_path(account_id), owner,
                        {"run_at": "2026-12-02T15:00:00-03:00", "next_window": True})
    assert moved.status_code == 201, moved.data
    assert moved.data["run_at"] == "2026-12-02T19:00:00-03:00"
    utc = client.call("POST", backups_path(account_id), owner, {"run_at": "2026-12-02T02:30:00Z"})
    assert utc.status_code == 201 and utc.data["run_at"] == "2026-12-01T23:30:00-03:00"
    past = client.call("POST", backups_path(account_id), owner, {"run_at": "2026-11-30T20:00:00-03:00"})
    assert past.status_code == 422 and past.data["error"]["details"]["fields"][0]["field"] == "run_at"


def test_the_job_does_nothing_outside_the_window_and_catches_up_a_missed_hour(client):
    at(client, TUESDAY_14H)
    account_id, owner = client.create_account("alice")
    client.call("POST", backups_path(account_id), owner, {"run_at": "2026-12-01T21:30:00-03:00"})
    at(client, "2026-12-02T10:00:00-03:00")  # the whole night's runs were missed
    summary = run_backups(client)
    assert (summary["generated"], summary["in_window"]) == (0, False)
    at(client, "2026-12-02T19:00:00-03:00")  # the next window's first run picks it up
    assert run_backups(client)["generated"] == 1
    assert client.call("GET", backups_path(account_id), owner).data["items"][0]["status"] == "ready"


def test_only_the_owner_schedules_and_at_most_three_wait_at_once(client):
    at(client, TUESDAY_14H)
    account_id, owner = client.create_account("alice")
    client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": "ana@example.com", "role": "admin"})
    admin = make_token("ana", "ana@example.com")
    refused = client.call("POST", backups_path(account_id), admin, {"run_at": TUESDAY_20H})
    assert refused.status_code == 403
    for _ in range(3):
        assert client.call("POST", backups_path(account_id), owner, {"run_at": TUESDAY_20H}).status_code == 201
    fourth = client.call("POST", backups_path(account_id), owner, {"run_at": TUESDAY_20H})
    assert fourth.status_code == 409 and fourth.data["error"]["code"] == "too_many_pending_backups"
    assert len(client.call("GET", backups_path(account_id), admin).data["items"]) == 3


def test_a_backup_not_yet_generated_cannot_be_downloaded(client):
    at(client, "2026-12-06T10:00:00-03:00")
    account_id, owner = client.create_account("alice")
    backup = client.call("POST", backups_path(account_id), owner, {"run_at": "2026-12-06T20:00:00-03:00"}).data
    response = client.call("GET", f"{backups_path(account_id)}/{backup['id']}/download", owner)
    assert response.status_code == 409 and response.data["error"]["code"] == "backup_not_ready"


def test_a_backup_whose_account_is_purged_while_it_is_written_leaves_no_file(client, aws):
    at(client, TUESDAY_14H)
    account_id, owner = client.create_account("alice")
    backup_id = client.call("POST", backups_path(account_id), owner, {"run_at": TUESDAY_20H}).data["id"]
    waiting = BackupRepository().get(account_id, backup_id)
    waiting.delete()  # the purge got there between the job's read and its write
    assert aws.backups.generate(waiting) is False
    assert aws.boto3_client("s3").list_objects_v2(
        Bucket=aws.settings.files_bucket, Prefix=f"backups/{account_id}/").get("KeyCount") == 0
