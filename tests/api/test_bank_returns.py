"""Bank return files (CNAB 240/400) imported end to end: by the finance team over HTTP and when a
file lands in the bucket; liquidations settle by nosso número exactly once, entry confirmations
mark the boleto registered, rejections alert the team, a malformed file is refused whole. And the
daily CNAB 240 remittance of the boletos issued."""
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.adapters.bank_files import parse_return_file, read_remittance
from chalicelib.services.invoicing.orders import Line
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import BoletoDocument, NossoNumeroItem, nosso_numero_pk
from chalicelib.store.payments import PaymentItem, ReceiptItem
from tests.steps.billing_steps import at
from tests.steps.payment_steps import customer, dev_pay, invoice, subjects, with_boleto, write_invoice
from tests.support import make_token

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`

CNAB = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cnab"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 12, 1, 10, tzinfo=SAO_PAULO)
FINANCE = "financeiro@renova.local"


def reference(name: str) -> bytes:
    return (CNAB / name).read_bytes()


@pytest.fixture
def staff():
    return make_token("fin-1", "carla@vendor.example", groups=["finance"])


def upload(client, staff, content: bytes, name: str = "retorno.ret", content_type: str = "application/octet-stream"):
    return client.call("POST", f"/v1/admin/bank-returns?name={name}", staff, raw=content,
                       headers={"Content-Type": content_type})


def seeded_invoice(aws, account_id: str, amount_cents: int, bank: str, printed: str):
    """An open invoice for `amount_cents` whose boleto carries the nosso número `printed`."""
    item = write_invoice(aws, account_id, [Line("Fatura avulsa", amount_cents, "fee")], now=NOW)
    with_boleto(aws, item, bank, printed, NOW)
    return item


def stored_payments(account_id: str) -> list[PaymentItem]:
    return list(PaymentItem.query(account_pk(account_id), PaymentItem.sk.startswith("~PAY#")))


# --- the reference files: the values their README lists --------------------------------------
def test_cnab240_banco_do_brasil_first_pair_settles_with_its_values(aws, client, staff):
    c = customer(client, day="2026-12-01")
    seeded = seeded_invoice(aws, c.account_id, 34_400, "001", "14499570000020673")
    response = upload(client, staff, reference("CNAB240.RET"), "CNAB240.RET")
    assert response.status_code == 200, response.data
    assert (response.data["layout"], response.data["bank_code"], response.data["records"]) == (240, "001", 35)
    assert (response.data["settled"], response.data["unmatched"]) == (1, 34)
    [payment] = stored_payments(c.account_id)
    assert (payment.invoice_id, payment.amount_cents, payment.fee_cents, payment.method, payment.source) == \
        (seeded.invoice_id, 34_400, 103, "boleto", "bank_file")
    assert payment.paid_at.astimezone(SAO_PAULO).date() == date(2011, 12, 29)
    assert payment.credited_on == date(2012, 1, 2) and payment.nosso_numero == "14499570000020673"
    assert invoice(c.account_id, seeded.invoice_id).status == "paid"


def test_cnab240_santander_confirms_the_entry_then_settles(aws, client, staff):
    c = customer(client, day="2026-12-01")
    seeded = seeded_invoice(aws, c.account_id, 1_000, "033", "000000000140-6")
    response = upload(client, staff, reference("CNAB240SANTANDER.RET"))
    assert (response.data["bank_code"], response.data["registered"], response.data["settled"]) == ("033", 1, 1)
    boleto = NossoNumeroItem.get(nosso_numero_pk("033:140"), "NOSSO")
    assert boleto.registered_on == date(2016, 4, 1)
    [payment] = stored_payments(c.account_id)
    assert (payment.amount_cents, payment.credited_on) == (1_000, date(2016, 4, 4))
    assert invoice(c.account_id, seeded.invoice_id).status == "paid"


def test_cnab400_itau_first_record_settles_with_its_fee(aws, client, staff):
    c = customer(client, day="2026-12-01")
    seeded_invoice(aws, c.account_id, 4_000, "341", "109/00000011-5")
    response = upload(client, staff, reference("CNAB400ITAU.RET"), content_type="text/plain")
    assert (response.data["layout"], response.data["bank_code"], response.data["records"]) == (400, "341", 52)
    assert response.data["settled"] == 1
    [payment] = stored_payments(c.account_id)
    assert (payment.amount_cents, payment.fee_cents) == (4_000, 210)  # 40,00 paid, 37,90 credited


def test_cnab400_bradesco_first_record_marks_the_boleto_registered(aws, client, staff):
    c = customer(client, day="2026-12-01")
    seeded_invoice(aws, c.account_id, 145_000, "237", "09/00000000030-3")
    response = upload(client, staff, reference("CNAB400BRADESCO.RET"))
    assert (response.data["layout"], response.data["bank_code"], response.data["records"]) == (400, "237", 6)
    assert (response.data["registered"], response.data["settled"], response.data["ignored"]) == (5, 0, 1)
    assert NossoNumeroItem.get(nosso_numero_pk("237:30"), "NOSSO").registered_on == date(2015, 5, 15)
    assert stored_payments(c.account_id) == []  # 02 is no money


# --- exactly once, all or nothing ------------------------------------------------------------
def test_importing_cnab240_twice_settles_each_matching_invoice_once(aws, client, staff):
    records = parse_return_file(reference("CNAB240.RET")).records[:3]
    c = customer(client, day="2026-12-01")
    seeded = [seeded_invoice(aws, c.account_id, r.paid_cents, "001", r.nosso_numero) for r in records]

    first = upload(client, staff, reference("CNAB240.RET"))
    second = upload(client, staff, reference("CNAB240.RET"))

    assert (first.data["settled"], first.data["duplicates"]) == (3, 0)
    assert first.data["settled_cents"] == sum(r.paid_cents for r in records)
    assert (second.data["settled"], second.data["duplicates"], second.data["unmatched"]) == (0, 35, 0)
    for item, record in zip(seeded, records):
        stored = invoice(c.account_id, item.invoice_id)
        assert (stored.status, stored.paid_cents) == ("paid", record.paid_cents)
    assert len(stored_payments(c.account_id)) == 3
    assert client.call("GET", f"/v1/accounts/{c.account_id}", c.token).data["credit_cents"] == 0
    # The 32 payments that are not ours are listed once, in one e-mail, for the team.
    alerts = [s for s in subjects(client, FINANCE) if s.startswith("[Renova] Retorno bancário")]
    assert len(alerts) == 1


def corrupted(content: bytes, line_number: int) -> bytes:
    lines = content.split(b"\r\n") if b"\r\n" in content else content.split(b"\n")
    line = bytearray(lines[line_number - 1])
    line[3] = ord("X")  # the lot number stops being a number
    lines[line_number - 1] = bytes(line)
    return b"\r\n".join(lines)


def test_a_file_with_one_corrupted_line_is_refused_whole_with_the_line(aws, client, staff):
    records = parse_return_file(reference("CNAB240.RET")).records[:2]
    c = customer(client, day="2026-12-01")
    seeded = [seeded_invoice(aws, c.account_id, r.paid_cents, "001", r.nosso_numero) for r in records]

    response = upload(client, staff, corrupted(reference("CNAB240.RET"), 9))

    assert response.status_code == 422, response.data
    assert response.data["error"]["code"] == "bank_file_invalid"
    assert response.data["error"]["details"]["line"] == 9
    assert "linha 9" in response.data["error"]["message"]
    assert [invoice(c.account_id, s.invoice_id).status for s in seeded] == ["open", "open"]
    assert stored_payments(c.account_id) == [] and list(ReceiptItem.scan()) == []  # test-only Scan


@pytest.mark.parametrize("content", [b"", b"not a bank file", b"\x00\xff" * 300])
def test_junk_is_refused_with_a_4xx(client, staff, content):
    response = upload(client, staff, content)
    assert 400 <= response.status_code < 500 and response.data["error"]["code"] == "bank_file_invalid"


def test_only_the_finance_team_imports_bank_files(client):
    _, owner = client.create_account("owner")
    response = upload(client, owner, reference("CNAB240.RET"))
    assert response.status_code == 403


def test_a_rejected_entry_alerts_the_finance_team(aws, client, staff):
    c = customer(client, day="2026-12-01")
    seeded = seeded_invoice(aws, c.account_id, 1_000, "033", "000000000140-6")
    lines = reference("CNAB240SANTANDER.RET").split(b"\r\n")
    for index in (2, 3):  # segments T and U of the 02 pair become 03 (entrada rejeitada)
        lines[index] = lines[index][:15] + b"03" + lines[index][17:]
    content = b"\r\n".join(lines)

    response = upload(client, staff, content)
    again = upload(client, staff, content)

    assert response.data["rejected"] == 1 and again.data["rejected"] == 0
    assert NossoNumeroItem.get(nosso_numero_pk("033:140"), "NOSSO").rejected_on == date(2016, 4, 1)
    mails = [m for m in client.call("GET", "/v1/_dev/outbox").data["items"] if FINANCE in m["to"]]
    assert len(mails) == 1 and "rejeitado pelo banco" in mails[0]["text"] and seeded.invoice_id in mails[0]["text"]


# --- a file landing in the bucket -------------------------------------------------------------
def landed_event(bucket: str, key: str) -> dict:
    """S3's "Object Created" event as EventBridge delivers it."""
    return {"version": "0", "id": "e1", "detail-type": "Object Created", "source": "aws.s3", "account": "123456789012",
            "time": "2026-12-01T13:00:00Z", "region": "sa-east-1", "resources": [f"arn:aws:s3:::{bucket}"],
            "detail": {"version": "0", "bucket": {"name": bucket}, "object": {"key": key, "size": 1}}}


def test_a_return_file_landing_in_the_bucket_is_imported(aws, client):
    from chalice.test import Client

    import app as app_module

    records = parse_return_file(reference("CNAB240.RET")).records[:1]
    c = customer(client, day="2026-12-01")
    seeded = seeded_invoice(aws, c.account_id, records[0].paid_cents, "001", records[0].nosso_numero)
    bucket, key = aws.settings.files_bucket, "bank-files/returns/2026-12-01/CNAB240.RET"
    aws.files.put(key, reference("CNAB240.RET"), "application/octet-stream")

    with Client(app_module.app) as lambda_client:
        answer = lambda_client.lambda_.invoke("bank-return-landed", landed_event(bucket, key))
        elsewhere = lambda_client.lambda_.invoke("bank-return-landed", landed_event(bucket, "backups/x/y.zip"))

    assert answer.payload == [{"key": key, "imported": True, "settled": 1}]
    assert elsewhere.payload == []
    assert invoice(c.account_id, seeded.invoice_id).status == "paid"


def test_a_malformed_file_landing_in_the_bucket_is_reported_not_applied(aws, client):
    from chalicelib.jobs.bank_files import import_landed_files

    key = "bank-files/returns/bad.RET"
    aws.files.put(key, corrupted(reference("CNAB240.RET"), 5), "application/octet-stream")
    assert import_landed_files(landed_event(aws.settings.files_bucket, key)) == [
        {"key": key, "imported": False, "settled": 0}]
    assert "[Renova] Arquivo de retorno recusado" in subjects(client, FINANCE)


# --- the daily remittance ----------------------------------------------------------------------
def issued_boleto(aws, client, c, printed: str, amount: int, due: date):
    """An invoice with a boleto as invoicing records one: its document and its nosso número lookup."""
    item = write_invoice(aws, c.account_id, [Line("Renovação", amount, "fee")], now=NOW)
    item.documents = [BoletoDocument(nosso_numero=printed, bank_code="341", barcode="3" * 44, digitable_line="3" * 47,
                                     due_date=due, amount_cents=amount, pix_payload="pix", pdf_key="k",
                                     status="current", issued_on=NOW.date())]
    item.save()
    with_boleto(aws, item, "341", printed, NOW)
    return item


def test_the_days_boletos_go_to_the_bank_in_one_cnab240_remittance(aws, client):
    c = customer(client, day="2026-12-01", method="card")  # by card: only the boletos below are the bank's
    first = issued_boleto(aws, client, c, "109/00000101-1", 19_800, date(2026, 12, 8))
    second = issued_boleto(aws, client, c, "109/00000102-9", 8_900, date(2026, 12, 8))
    at(client, "2026-12-01", "20:00:00")

    summary = client.call("POST", "/v1/_dev/jobs/register-boletos").data

    assert (summary["processed"], summary["remitted"]) == (2, 2)
    [key] = summary["files"]
    assert key.startswith("bank-files/remittances/2026-12-01/341-")
    remittance = read_remittance(aws.files.get(key))
    assert remittance.beneficiary.bank_code == "341"
    entries = sorted(remittance.entries, key=lambda e: e.nosso_numero)
    assert [(e.nosso_numero, e.amount_cents, e.due_on) for e in entries] == [
        ("109000001011", 19_800, date(2026, 12, 8)), ("109000001029", 8_900, date(2026, 12, 8))]
    assert entries[0].payer.document == "11222333000181" and entries[0].company_reference == first.invoice_id.upper()[-25:]
    assert entries[0].interest_per_day_cents == 7  # 1% a month pro rata die of R$ 198,00
    assert NossoNumeroItem.get(nosso_numero_pk("341:101"), "NOSSO").remitted_on == date(2026, 12, 1)
    again = client.call("POST", "/v1/_dev/jobs/register-boletos").data
    assert (again["processed"], again["files"]) == (0, [])  # never sent twice
    entries_audit = client.call("GET", f"{c.path}/audit?limit=100", c.token).data["items"]
    assert [e["target"] for e in entries_audit if e["action"] == "boleto.remitted"].count(second.invoice_id) == 1


def test_a_boleto_paid_or_replaced_before_the_remittance_is_not_registered(aws, client):
    c = customer(client, day="2026-12-01", method="card")  # by card: only the boletos below are the bank's
    paid = issued_boleto(aws, client, c, "109/00000201-0", 5_000, date(2026, 12, 8))
    replaced = issued_boleto(aws, client, c, "109/00000202-8", 6_000, date(2026, 12, 8))
    kept = issued_boleto(aws, client, c, "109/00000203-6", 7_000, date(2026, 12, 8))
    dev_pay(client, paid.invoice_id, "pix")  # paid by Pix before the bank ever saw the boleto
    stored = invoice(c.account_id, replaced.invoice_id)
    stored.documents[0].status = "replaced"
    stored.save()
    at(client, "2026-12-01", "20:00:00")

    summary = client.call("POST", "/v1/_dev/jobs/register-boletos").data

    assert (summary["processed"], summary["remitted"], summary["skipped"]) == (3, 1, 2)
    [entry] = read_remittance(aws.files.get(summary["files"][0])).entries
    assert entry.amount_cents == 7_000 and kept.invoice_id.upper().endswith(entry.document_number)
    assert client.call("POST", "/v1/_dev/jobs/register-boletos").data["processed"] == 0  # all off the list


def test_a_boleto_the_layout_cannot_carry_is_held_and_retried_never_sinking_the_others(aws, client):
    from chalicelib.store.accounts import ACCOUNT_SK, AccountItem

    # By card: only the boletos below are the bank's (a boleto subscription has its own from creation).
    good = customer(client, "good", day="2026-12-01", method="card")
    legacy = customer(client, "legacy", day="2026-12-01", method="card")
    sent = issued_boleto(aws, client, good, "109/00000301-7", 19_800, date(2026, 12, 8))
    held = issued_boleto(aws, client, legacy, "109/00000302-5", 8_900, date(2026, 12, 8))
    account = AccountItem.get(account_pk(legacy.account_id), ACCOUNT_SK)
    fixed_document = account.billing_data.document
    account.billing_data.document = "123"  # data from before validation: no bank takes it
    account.save()

    at(client, "2026-12-01", "20:00:00")
    first = client.call("POST", "/v1/_dev/jobs/register-boletos").data
    at(client, "2026-12-03", "20:00:00")  # a day missed: the catch-up still finds the held boleto
    second = client.call("POST", "/v1/_dev/jobs/register-boletos").data
    account.billing_data.document = fixed_document
    account.save()
    third = client.call("POST", "/v1/_dev/jobs/register-boletos").data

    assert (first["processed"], first["remitted"], first["held"]) == (2, 1, 1)
    [entry] = read_remittance(aws.files.get(first["files"][0])).entries
    assert sent.invoice_id.upper().endswith(entry.document_number)
    assert (second["processed"], second["remitted"], second["held"], second["files"]) == (1, 0, 1, [])
    assert (third["processed"], third["remitted"], third["held"]) == (1, 1, 0)
    [entry] = read_remittance(aws.files.get(third["files"][0])).entries
    assert held.invoice_id.upper().endswith(entry.document_number)
    assert NossoNumeroItem.get(nosso_numero_pk("341:302"), "NOSSO").remitted_on == date(2026, 12, 3)
