"""Idempotency-Key compares the JSON, not its bytes: other spacing or key order replays the first
answer; another value is still a 409. Records stored before (raw-byte fingerprints) keep working."""
import hashlib

from chalicelib.store.idempotency import IdempotencyRecord


def open_request(client, account_id, token, raw: str, key: str):
    return client.call("POST", f"/v1/accounts/{account_id}/requests", token, raw=raw,
                       headers={"Idempotency-Key": key})


def test_the_same_json_with_other_spacing_and_key_order_replays(client):
    account_id, owner = client.create_account("alice")
    first = open_request(client, account_id, owner, '{"type": "other", "text": "Olá, equipe"}', "k-1")
    assert first.status_code == 201, first.data
    again = open_request(client, account_id, owner, '{\n  "text":"Ol\\u00e1, equipe",\n  "type":"other"\n}', "k-1")
    assert again.status_code == 201, again.data
    assert again.headers.get("Idempotent-Replayed") == "true" and again.data == first.data
    listed = client.call("GET", f"/v1/accounts/{account_id}/requests", owner).data["items"]
    assert len(listed) == 1
    other = open_request(client, account_id, owner, '{"text": "Olá, equipe!", "type": "other"}', "k-1")
    assert other.status_code == 409 and other.data["error"]["code"] == "idempotency_key_reused"


def test_a_record_with_the_old_raw_byte_fingerprint_still_replays_the_same_bytes(client):
    account_id, owner = client.create_account("alice")
    raw = '{"type": "other", "text": "Antes da mudança"}'
    first = open_request(client, account_id, owner, raw, "k-old")
    assert first.status_code == 201
    [record] = [r for r in IdempotencyRecord.scan() if r.response_body and first.data["id"] in r.response_body]
    assert record.body_hash.startswith("v2:")
    record.body_hash = hashlib.sha256(raw.encode()).hexdigest()  # as written before fingerprints had a version
    record.save()
    replay = open_request(client, account_id, owner, raw, "k-old")
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    other = open_request(client, account_id, owner, '{"type": "other", "text": "Outra coisa"}', "k-old")
    assert other.status_code == 409
