"""GET /v1/admin/metrics and its CSV: the finance group only, 400s in pt-BR for bad months, CSV equal
to JSON, and a scripted year of a small vendor through the API and the dev clock whose
figures are computed here from the script itself; `metrics rebuild` agrees with the incremental path."""
import csv
import io
from datetime import date, timedelta

import pytest

from chalicelib.store.metrics import Increment
from tests.steps.billing_steps import at, change, half_up, subscribe
from tests.steps.invoicing_steps import billable_account, invoice, invoices, pay
from tests.steps.standing_steps import check_overdue, issue_invoices, status_of
from tests.support import make_token

METRICS = "/v1/admin/metrics"
OPERAND_MONTHLY, OPERAND_SEMIANNUAL, CONECTA_ANNUAL = 9900, 53400, 299000
OPERAND_QUARTERLY, OPERAND_ANNUAL = 28200, 99000


@pytest.fixture
def staff():
    return make_token("finance-1", groups=["finance"])


def test_a_customer_token_is_refused(client):
    _, token = client.create_account("owner-1")
    for path in (METRICS, METRICS + ".csv"):
        response = client.call("GET", path, token)
        assert response.status_code == 403 and response.data["error"]["code"] == "finance_only"


@pytest.mark.parametrize("query, code", [
    ("from=2026-13&to=2026-12", "invalid_month"), ("from=2026-1&to=2026-12", "invalid_month"),
    ("from=abcdefg&to=2026-12", "invalid_month"), ("from=2026-05&to=2026-04", "invalid_month_range"),
    ("from=2020-01&to=2026-12", "month_range_too_long"), ("product_id=nao-existe", "unknown_product"),
    ("to=", "invalid_month"), ("from=&to=2026-12", "invalid_month"),
])
def test_a_bad_query_is_a_400_in_portuguese_with_a_stable_code(client, staff, query, code):
    for path in (METRICS, METRICS + ".csv"):
        response = client.call("GET", f"{path}?{query}", staff)
        assert response.status_code == 400, response.data
        assert response.data["error"]["code"] == code
        assert any(word in response.data["error"]["message"] for word in ("Mês", "mês", "meses", "Produto"))


def test_without_a_range_the_last_twelve_months_up_to_this_one(client, staff):
    at(client, "2026-05-20")
    months = client.call("GET", METRICS, staff).data["months"]
    assert [m["month"] for m in months][0] == "2025-06" and months[-1]["month"] == "2026-05"


def test_the_route_is_in_the_openapi_document_with_its_csv_sibling(client):
    document = client.call("GET", "/v1/openapi.json").data
    parameters = {p["name"] for p in document["paths"][METRICS]["get"]["parameters"]}
    assert parameters == {"from", "to", "product_id"}
    assert "text/csv" in document["paths"][METRICS + ".csv"]["get"]["responses"]["200"]["content"]


def _script(client):
    """Three accounts over four months. Returns what the script says each month should show."""
    a, token_a = client.create_account("owner-a", "Marcenaria A")
    b, token_b = client.create_account("owner-b", "Agência B")
    c, token_c = client.create_account("owner-c", "Loja C")
    at(client, "2026-01-05")
    sub_a = subscribe(client, a, token_a, product_id="operand-pro", periodicity="semiannual", quantity=2,
                      payment_method="boleto")
    pay(client, sub_a["invoice_id"])
    at(client, "2026-01-12")
    sub_b = subscribe(client, b, token_b, product_id="conecta-app", periodicity="annual", payment_method="boleto")
    pay(client, sub_b["invoice_id"])
    at(client, "2026-02-10")  # A: 2 → 4 licenses (expansion)
    upgraded = change(client, a, token_a, sub_a["id"], {"quantity": 4, "payment_method": "boleto"})
    assert upgraded.status_code == 200, upgraded.data
    pay(client, upgraded.data["invoice_id"])
    at(client, "2026-03-06")  # B: CONECTA annual → Operand monthly, less per month (contraction)
    downgraded = change(client, b, token_b, sub_b["id"], {"product_id": "operand-pro", "periodicity": "monthly",
                                                          "payment_method": "boleto"})
    assert downgraded.status_code == 200, downgraded.data
    if downgraded.data.get("invoice_id"):
        pay(client, downgraded.data["invoice_id"])
    at(client, "2026-04-01")  # C subscribes and withdraws two days later (new and churn in April)
    sub_c = subscribe(client, c, token_c, product_id="operand-pro", periodicity="monthly", payment_method="boleto")
    pay(client, sub_c["invoice_id"])
    at(client, "2026-04-03")
    cancelled = client.call("POST", f"/v1/accounts/{c}/subscriptions/{sub_c['id']}/cancel", token_c,
                            {"reason": "Desistimos."})
    assert cancelled.status_code == 200, cancelled.data
    a_two, a_four = half_up(2 * OPERAND_SEMIANNUAL, 6), half_up(4 * OPERAND_SEMIANNUAL, 6)
    b_annual, b_monthly = half_up(CONECTA_ANNUAL, 12), OPERAND_MONTHLY
    return {
        "2026-01": {"mrr": a_two + b_annual, "new": a_two + b_annual, "accounts": 2, "subs": 2},
        "2026-02": {"mrr": a_four + b_annual, "expansion": a_four - a_two, "accounts": 2, "subs": 2},
        "2026-03": {"mrr": a_four + b_monthly, "contraction": b_monthly - b_annual, "accounts": 2, "subs": 2},
        "2026-04": {"mrr": a_four + b_monthly, "new": OPERAND_MONTHLY, "churn": -OPERAND_MONTHLY,
                    "accounts": 2, "subs": 2, "accounts_lost": 1},
    }


class Ledger:
    """What the scripted year did, in the script's own amounts; the expected figures are plain
    arithmetic on it (never the code under test)."""

    def __init__(self):
        self.moves = []       # (day, kind, cents, subscription, account, mrr after)
        self.billed, self.collected, self.refunded = [], [], []  # (day, method, cents)
        self.dunning = []     # (due date, invoice method, cents, paid day or None, paid method)

    def move(self, day, kind, subscription, account, before, after):
        self.moves.append((date.fromisoformat(day), kind, after - before, subscription, account, after))

    def paid(self, day, method, cents, due, invoice_method="boleto"):
        self.collected.append((date.fromisoformat(day), method, cents))
        if date.fromisoformat(day) > date.fromisoformat(due):
            self.dunning.append((date.fromisoformat(due), invoice_method, cents, date.fromisoformat(day), method))

    def expected(self, months):
        figures, subs, accounts_of = {}, {}, {}
        moves = sorted(self.moves, key=lambda m: m[0])
        for month in months:
            start_mrr = sum(subs.values())
            start_accounts = len([a for a, s in accounts_of.items() if s])
            moved = {kind: 0 for kind in ("new", "expansion", "contraction", "churn", "reactivation")}
            lost = 0
            for day, kind, delta, subscription, account, after in moves:
                if f"{day:%Y-%m}" != month:
                    continue
                moved[kind] += delta
                subs[subscription] = after
                had = bool(accounts_of.get(account))
                accounts_of.setdefault(account, set()).discard(subscription)
                if after:
                    accounts_of[account].add(subscription)
                lost += had and not accounts_of[account]
            end_mrr = sum(subs.values())
            accounts = len([a for a, s in accounts_of.items() if s])

            def in_month(entries, method=None):
                return sum(c for d, m, c in entries if f"{d:%Y-%m}" == month and method in (None, m))

            overdue = [(due, m, c, paid, pm) for due, m, c, paid, pm in self.dunning
                       if f"{due + timedelta(days=1):%Y-%m}" == month]
            recovered = [(due, c, paid, pm) for due, m, c, paid, pm in overdue if paid]
            days = sorted((paid - due).days for due, c, paid, pm in recovered)
            median = None if not days else (days[(len(days) - 1) // 2] + days[len(days) // 2]) / 2
            figures[month] = {
                "mrr_cents": end_mrr, "arr_cents": 12 * end_mrr,
                "movements": {f"{kind}_cents": cents for kind, cents in moved.items()},
                "active_accounts": accounts, "active_subscriptions": len([v for v in subs.values() if v]),
                "arpa_cents": half_up(end_mrr, accounts) if accounts else None,
                "logo_churn_rate": _rate(lost, start_accounts),
                "revenue_churn_rate": _rate(-(moved["churn"] + moved["contraction"]), start_mrr),
                "nrr": _rate(start_mrr + moved["expansion"] + moved["contraction"] + moved["churn"], start_mrr),
                "billed_cents": in_month(self.billed), "collected_cents": in_month(self.collected),
                "refunded_cents": in_month(self.refunded),
                "dunning": {"overdue_invoices": len(overdue), "recovered_invoices": len(recovered),
                            "recovered_cents": sum(c for _, c, _, _ in recovered),
                            "recovery_rate": _rate(len(recovered), len(overdue)), "median_days_to_recover": median},
                "by_method": {method: {
                    "billed_cents": in_month(self.billed, method), "collected_cents": in_month(self.collected, method),
                    "refunded_cents": in_month(self.refunded, method),
                    "overdue_invoices": len([o for o in overdue if o[1] == method]),
                    "recovered_invoices": len([r for r in recovered if r[3] == method]),
                    "recovered_cents": sum(r[1] for r in recovered if r[3] == method)}
                    for method in ("boleto", "card", "pix", "pix_automatico")},
            }
        return figures


def _rate(numerator, denominator):
    """Four places, half-up, from exact fractions."""
    return None if denominator <= 0 else half_up(numerator * 10_000, denominator) / 10_000


def _year(client, ledger: Ledger):
    """A small vendor's 2026: six accounts, sign-ups, an upgrade, a downgrade to another product, a
    withdrawal (refunded), a scheduled cancellation, a renewal paid late (recovered) and a first invoice
    never paid (cancelled by the overdue rules). Every amount is the catalog's price times the script's
    quantities, except the upgrade's proration, which the change answers."""
    names = ("a", "b", "c", "d", "e", "f")
    accounts = {n: billable_account(client, f"owner-{n}", due_day=None, name=f"Cliente {n.upper()}") for n in names}
    subs = {}

    def sign_up(name, day, product, periodicity, price, quantity=1, months=1, pay_with="pix"):
        at(client, day)
        account, token = accounts[name]
        created = subscribe(client, account, token, product_id=product, periodicity=periodicity, quantity=quantity,
                            payment_method="boleto")
        subs[name] = created["id"]
        total = price * quantity
        assert created["invoice_id"], created
        first = invoice(client, account, token, created["invoice_id"])
        assert (first["total_cents"], first["issue_date"]) == (total, day), first
        ledger.billed.append((date.fromisoformat(day), "boleto", total))
        ledger.move(day, "new", created["id"], name, 0, half_up(total, months))
        if pay_with:
            pay(client, created["invoice_id"], pay_with)
            ledger.paid(day, pay_with, total, first["due_date"])
        return date.fromisoformat(first["due_date"])

    def renewal(name, issue_day, due, total):
        issue_invoices(client, issue_day)
        account, token = accounts[name]
        [renewed] = [i for i in invoices(client, account, token, status="open") if i["due_date"] == due]
        assert (renewed["total_cents"], renewed["issue_date"]) == (total, issue_day), renewed
        ledger.billed.append((date.fromisoformat(issue_day), "boleto", total))
        return renewed["id"]

    a2, a4 = half_up(2 * OPERAND_SEMIANNUAL, 6), half_up(4 * OPERAND_SEMIANNUAL, 6)
    sign_up("a", "2026-01-05", "operand-pro", "semiannual", OPERAND_SEMIANNUAL, quantity=2, months=6)
    sign_up("b", "2026-01-12", "conecta-app", "annual", CONECTA_ANNUAL, months=12)
    at(client, "2026-02-10")  # A: 2 → 4 licenses, the proration paid the same day (expansion)
    upgraded = change(client, *accounts["a"], subs["a"], {"quantity": 4, "payment_method": "boleto"})
    assert upgraded.status_code == 200, upgraded.data
    proration = upgraded.data["amount_due_cents"]
    assert 0 < proration < 2 * OPERAND_SEMIANNUAL
    ledger.billed.append((date(2026, 2, 10), "boleto", proration))
    pay(client, upgraded.data["invoice_id"], "pix")
    ledger.paid("2026-02-10", "pix", proration, "2026-02-10")
    ledger.move("2026-02-10", "expansion", subs["a"], "a", a2, a4)
    sign_up("d", "2026-02-20", "operand-pro", "quarterly", OPERAND_QUARTERLY, months=3, pay_with="boleto")
    d_mrr = half_up(OPERAND_QUARTERLY, 3)
    at(client, "2026-03-06")  # B: CONECTA annual → Operand monthly, paid by the credit left (contraction)
    downgraded = change(client, *accounts["b"], subs["b"], {"product_id": "operand-pro", "periodicity": "monthly",
                                                             "payment_method": "boleto"})
    assert downgraded.status_code == 200 and downgraded.data["invoice_id"] is None, downgraded.data
    ledger.move("2026-03-06", "contraction", subs["b"], "b", half_up(CONECTA_ANNUAL, 12), OPERAND_MONTHLY)
    sign_up("c", "2026-04-01", "operand-pro", "monthly", OPERAND_MONTHLY)
    at(client, "2026-04-03")  # C withdraws: cancelled at once, its Pix payment to be given back
    cancelled = client.call("POST", f"/v1/accounts/{accounts['c'][0]}/subscriptions/{subs['c']}/cancel",
                            accounts["c"][1], {"reason": "Desistimos."})
    assert cancelled.status_code == 200, cancelled.data
    ledger.move("2026-04-03", "churn", subs["c"], "c", OPERAND_MONTHLY, 0)
    ledger.refunded.append((date(2026, 4, 3), "pix", OPERAND_MONTHLY))
    # D's renewal, due 20/05, paid on 02/06 after the overdue rules took it out of `active` (recovered).
    d_renewal = renewal("d", "2026-05-15", "2026-05-20", OPERAND_QUARTERLY)
    assert check_overdue(client, "2026-05-27")["processed"] >= 1
    assert status_of(accounts["d"][0], subs["d"]) in ("past_due", "suspended")
    at(client, "2026-06-02")
    pay(client, d_renewal, "boleto")
    ledger.paid("2026-06-02", "boleto", OPERAND_QUARTERLY, "2026-05-20")
    # E never pays its first invoice: overdue from 11/06, cancelled by the overdue rules on day 61.
    e_due = sign_up("e", "2026-06-10", "operand-pro", "annual", OPERAND_ANNUAL, months=12, pay_with=None)
    e_mrr = half_up(OPERAND_ANNUAL, 12)
    ledger.dunning.append((e_due, "boleto", OPERAND_ANNUAL, None, None))
    check_overdue(client, f"{e_due + timedelta(days=10)}")
    assert status_of(accounts["e"][0], subs["e"]) == "suspended"
    at(client, "2026-06-15")  # D schedules its cancellation: effective at the period's end, 20/08
    scheduled = client.call("POST", f"/v1/accounts/{accounts['d'][0]}/subscriptions/{subs['d']}/cancel",
                            accounts["d"][1], {"reason": "Vamos trocar de sistema."})
    assert scheduled.status_code == 200, scheduled.data
    assert status_of(accounts["d"][0], subs["d"]) == "pending_cancellation"  # still in MRR until then
    a_renewal = renewal("a", "2026-06-30", "2026-07-05", 4 * OPERAND_SEMIANNUAL)
    at(client, "2026-07-03")
    pay(client, a_renewal, "card")
    ledger.paid("2026-07-03", "card", 4 * OPERAND_SEMIANNUAL, "2026-07-05")
    # Cancelled after 60 calendar days unpaid (the catalog's default policy), on the 61st.
    assert check_overdue(client, f"{e_due + timedelta(days=60)}")["cancelled"] == 0
    assert check_overdue(client, f"{e_due + timedelta(days=61)}")["cancelled"] == 1
    ledger.move(f"{e_due + timedelta(days=61)}", "churn", subs["e"], "e", e_mrr, 0)
    check_overdue(client, "2026-08-20")
    assert status_of(accounts["d"][0], subs["d"]) == "cancelled"
    ledger.move("2026-08-20", "churn", subs["d"], "d", d_mrr, 0)
    sign_up("f", "2026-10-05", "operand-pro", "monthly", OPERAND_MONTHLY, quantity=2)
    at(client, "2026-10-20")  # F: 2 → 3 licenses, the proration paid by card a day later (expansion)
    upgraded = change(client, *accounts["f"], subs["f"], {"quantity": 3, "payment_method": "boleto"})
    assert upgraded.status_code == 200, upgraded.data
    proration = upgraded.data["amount_due_cents"]
    assert 0 < proration < OPERAND_MONTHLY
    ledger.billed.append((date(2026, 10, 20), "boleto", proration))
    due = invoice(client, *accounts["f"], upgraded.data["invoice_id"])["due_date"]
    at(client, "2026-10-21")
    pay(client, upgraded.data["invoice_id"], "card")
    ledger.paid("2026-10-21", "card", proration, due)
    ledger.move("2026-10-20", "expansion", subs["f"], "f", 2 * OPERAND_MONTHLY, 3 * OPERAND_MONTHLY)
    at(client, "2026-12-31")
    return accounts, subs


def test_a_scripted_year_every_figure_from_the_script_and_the_rebuild_agrees(client, staff, aws):
    ledger = Ledger()
    _year(client, ledger)
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    expected = ledger.expected(months)
    got = {m["month"]: m for m in client.call("GET", f"{METRICS}?from=2026-01&to=2026-12", staff).data["months"]}
    assert list(got) == months
    for month in months:
        answer = {key: got[month][key] for key in expected[month] if key not in ("by_method",)}
        answer["by_method"] = {method: {key: figures[key] for key in expected[month]["by_method"][method]}
                               for method, figures in got[month]["by_method"].items()}
        assert answer == expected[month], month
    # The story, in the figures: what each month is about.
    assert expected["2026-03"]["movements"]["contraction_cents"] < 0 and expected["2026-02"]["nrr"] > 1
    assert expected["2026-04"]["refunded_cents"] == OPERAND_MONTHLY and expected["2026-04"]["logo_churn_rate"]
    assert expected["2026-05"]["dunning"]["recovery_rate"] == 1.0 and expected["2026-06"]["dunning"]["recovery_rate"] == 0
    assert expected["2026-08"]["movements"]["churn_cents"] == -(half_up(OPERAND_ANNUAL, 12) + half_up(OPERAND_QUARTERLY, 3))
    conecta = client.call("GET", f"{METRICS}?from=2026-03&to=2026-03&product_id=conecta-app", staff).data
    assert conecta["months"][0]["mrr_cents"] == 0  # B left CONECTA: churn there, new in Operand
    assert conecta["months"][0]["movements"]["churn_cents"] == -half_up(CONECTA_ANNUAL, 12)
    operand = client.call("GET", f"{METRICS}?from=2026-12&to=2026-12&product_id=operand-pro", staff).data["months"][0]
    assert operand["mrr_cents"] == half_up(4 * OPERAND_SEMIANNUAL, 6) + OPERAND_MONTHLY + 3 * OPERAND_MONTHLY
    assert operand["billed_cents"] is None and operand["dunning"] is None
    result = aws.metrics_rebuild.run()
    assert result["agree"], result["differences"]
    assert result["months_compared"] >= 12
    from chalicelib.cli.__main__ import main  # the command prints the same comparison

    assert main(["metrics", "rebuild"]) == 0


def test_the_rebuild_names_a_counter_the_incremental_path_missed(client, staff, aws):
    _script(client)
    aws.metrics_repository.count_once("lost-event", [Increment("*", date(2026, 2, 3), {"mrr_expansion": 100})])
    result = aws.metrics_rebuild.run()
    assert not result["agree"]
    assert {"slice": "*", "month": "2026-02", "counter": "mrr_expansion",
            "incremental": half_up(4 * OPERAND_SEMIANNUAL, 6) - half_up(2 * OPERAND_SEMIANNUAL, 6) + 100,
            "rebuilt": half_up(4 * OPERAND_SEMIANNUAL, 6) - half_up(2 * OPERAND_SEMIANNUAL, 6)} in result["differences"]


def test_the_csv_carries_the_same_figures_as_the_json(client, staff):
    _script(client)
    query = "from=2026-01&to=2026-04"
    months = client.call("GET", f"{METRICS}?{query}", staff).data["months"]
    response = client.http.request("GET", f"{METRICS}.csv?{query}", headers={"Authorization": f"Bearer {staff}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.body.decode("utf-8"))))
    assert [row["mes"] for row in rows] == [m["month"] for m in months]
    for row, month in zip(rows, months):
        assert int(row["mrr_centavos"]) == month["mrr_cents"]
        assert int(row["churn_centavos"]) == month["movements"]["churn_cents"]
        assert int(row["recebido_centavos"]) == month["collected_cents"]
        assert (float(row["nrr"]) if row["nrr"] else None) == month["nrr"]
        assert int(row["faturas_vencidas"]) == month["dunning"]["overdue_invoices"]
