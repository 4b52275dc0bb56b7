"""Machines racing for a license key's last slot, on AWS DynamoDB Local: threads released together
by a barrier call the activation at the same moment, and the conditional update on the key's item
(`machine_count < limit`) lets exactly one through. moto is not thread-safe: DynamoDB Local pass only."""
import pytest

from chalicelib.errors import Conflict
from tests import ddblocal
from tests.integration.test_ddblocal_concurrency import race
from tests.steps.billing_steps import subscribe
from tests.steps.invoicing_steps import billable_account
from tests.steps.payment_steps import dev_pay

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]

RACERS = 8


def promob_keys(client, aws, quantity=2):
    """Promob Studio (2 machines per key), first month paid; its keys."""
    account_id, token = billable_account(client, "race-owner", due_day=None)
    sub = subscribe(client, account_id, token, product_id="promob-cats-mandatory", periodicity="monthly",
                    quantity=quantity, payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    return account_id, aws.licensing.list(account_id, "race-owner")


def test_two_or_more_machines_racing_for_the_last_slot_exactly_one_wins(client, aws):
    account_id, [key, _] = promob_keys(client, aws)
    licensing = aws.licensing
    licensing.activate(key.key, "fp-first", "Primeira", "10.0.0.1")  # one slot of two left

    outcomes = race(RACERS, lambda i: licensing.activate(key.key, f"fp-racer-{i}", f"Máquina {i}", f"10.0.1.{i}"))
    winners = [result for kind, result in outcomes if kind == "ok"]
    losers = [error for kind, error in outcomes if kind == "error"]
    assert len(winners) == 1, outcomes
    assert all(isinstance(e, Conflict) and e.code == "machine_limit_reached" for e in losers), losers
    [stored] = [k for k in licensing.list(account_id, "race-owner") if k.license_id == key.license_id]
    machines = stored.machines.as_dict()
    assert int(stored.machine_count) == 2 and len(machines) == 2
    assert winners[0].claims["fpr"] in machines and "fp-first" in machines


def test_the_same_machine_activating_twice_at_once_takes_one_slot(client, aws):
    account_id, [key, _] = promob_keys(client, aws)
    licensing = aws.licensing
    outcomes = race(RACERS, lambda i: licensing.activate(key.key, "fp-same", "Mesma máquina", f"10.0.2.{i}"))
    assert [kind for kind, _ in outcomes] == ["ok"] * RACERS, outcomes
    [stored] = [k for k in licensing.list(account_id, "race-owner") if k.license_id == key.license_id]
    assert int(stored.machine_count) == 1 and list(stored.machines.as_dict()) == ["fp-same"]
